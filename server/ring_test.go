package server

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ringModel applies ops to a ring and to a plain slice, the definition of
// a FIFO queue, and reports the first difference. An op byte >= 0x80 is
// a pop; any other is a push of itself, unless the queue is at limit.
func ringModel(t *testing.T, ops []byte, limit int) {
	t.Helper()
	var q ring[byte]
	var want []byte
	for i, op := range ops {
		if op >= 0x80 {
			v, ok := q.pop()
			if ok != (len(want) > 0) {
				t.Fatalf("op %d: pop ok = %v with %d queued", i, ok, len(want))
			}
			if ok {
				if v != want[0] {
					t.Fatalf("op %d: pop = %d, want %d", i, v, want[0])
				}
				want = want[1:]
			}
		} else if q.len() < limit {
			q.push(op, limit)
			want = append(want, op)
		}
		if q.len() != len(want) {
			t.Fatalf("op %d: len = %d, want %d", i, q.len(), len(want))
		}
		if len(q.buf) > limit {
			t.Fatalf("op %d: buffer of %d over the limit %d", i, len(q.buf), limit)
		}
	}
	var got []byte
	for {
		v, ok := q.pop()
		if !ok {
			break
		}
		got = append(got, v)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("drained queue (-want +got):\n%s", diff)
	}
}

func TestRing(t *testing.T) {
	const pop = 0xff
	tests := []struct {
		name  string
		ops   []byte
		limit int
	}{
		{"empty pop", []byte{pop}, 4},
		{"fifo", []byte{1, 2, 3, pop, pop, 4, pop, pop, pop}, 8},
		{"wrap around", []byte{1, 2, 3, 4, pop, pop, 5, 6, pop, 7, pop, pop, pop, pop}, 4},
		{"grow while wrapped", []byte{1, 2, 3, 4, pop, pop, 5, 6, 7, 8, 9, 10, pop, pop, pop, pop}, 16},
		{"limit not power of two", []byte{1, 2, 3, 4, 5, 6, 7, pop, 8, 9, pop, pop}, 6},
		{"limit of one", []byte{1, 2, pop, 3, pop, pop}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { ringModel(t, tt.ops, tt.limit) })
	}
}

func TestRingReleasesPopped(t *testing.T) {
	var q ring[*int]
	q.push(new(int), 4)
	q.pop()
	for i, p := range q.buf {
		if p != nil {
			t.Errorf("slot %d still holds a popped element", i)
		}
	}
}

// FuzzRing checks the ring against the slice model on arbitrary sequences
// of operations and limits.
func FuzzRing(f *testing.F) {
	f.Add([]byte{1, 2, 3, 0xff, 4, 5, 0xff}, uint8(3))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 0xff, 0xff, 10, 11}, uint8(5))
	f.Fuzz(func(t *testing.T, ops []byte, limit uint8) {
		ringModel(t, ops, int(limit%64)+1)
	})
}
