package deflate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/internal/deflate/deflatetest"
)

// errTransient is what a flakySource fails with: like the error of a
// connection whose read deadline passed, it wraps os.ErrDeadlineExceeded.
var errTransient = fmt.Errorf("flaky source: %w", os.ErrDeadlineExceeded)

// A flakySource yields the bytes of src through reads that a schedule
// interrupts: each byte of the schedule decides one read, which fails with
// errTransient, returns nothing, returns one byte or a few, or returns a
// few with errTransient. Once the schedule is used up, reads pass through.
type flakySource struct {
	src      io.Reader
	schedule []byte
	failures int // reads that returned errTransient
	empty    int // reads that returned nothing and no error

	// If d is set, failedIn counts the failures by the step d was in.
	d        *Decompressor
	failedIn [stateHuffman + 1]int
}

func (s *flakySource) Read(p []byte) (int, error) {
	if len(s.schedule) == 0 {
		return s.src.Read(p)
	}
	b := s.schedule[0]
	s.schedule = s.schedule[1:]
	var n int
	var err error
	switch b & 7 {
	case 0, 1:
		err = errTransient
	case 2:
		s.empty++
		return 0, nil
	case 3:
		return s.src.Read(p[:min(len(p), 1)])
	case 4:
		if n, err = s.src.Read(p[:min(len(p), 1+int(b>>3))]); err == nil {
			err = errTransient
		}
	default:
		return s.src.Read(p[:min(len(p), 1+int(b>>3)*64)])
	}
	if err == errTransient {
		s.failures++
		if s.d != nil {
			s.failedIn[s.d.state]++
		}
	}
	return n, err
}

// randomSchedule returns n schedule bytes for a flakySource.
func randomSchedule(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 3))
	s := make([]byte, n)
	for i := range s {
		s[i] = byte(r.Uint32())
	}
	return s
}

// decodeThrough reads msg with d, through a flakySource with schedule if
// there is one, and returns that source.
func decodeThrough(t *testing.T, d *Decompressor, msg, schedule []byte) ([]byte, error, *flakySource) {
	t.Helper()
	if schedule == nil {
		d.Reset(bytes.NewReader(msg))
		out, err := readAllBounded(t, d, maxExpansion*(len(msg)+len(syncTail)), nil)
		return out, err, nil
	}
	src := &flakySource{src: bytes.NewReader(msg), schedule: schedule, d: d}
	d.Reset(src)
	out, err := readAllBounded(t, d, maxExpansion*(len(msg)+len(syncTail)), src)
	return out, err, src
}

// TestDecompressInterruptedRules reads the messages of the tables of valid
// and invalid data through sources that fail, stall and return little, on
// many schedules: each reading must end as a reading without interruptions
// does, with the same bytes and the same error.
func TestDecompressInterruptedRules(t *testing.T) {
	type message struct {
		name       string
		windowBits int
		msg        []byte
	}
	var msgs []message
	for _, tc := range validMessages {
		msgs = append(msgs, message{tc.name, MaxWindowBits, tc.msg})
	}
	for _, tc := range invalidMessages {
		msgs = append(msgs, message{tc.name, tc.windowBits, tc.msg})
	}
	for i, m := range msgs {
		t.Run(m.name, func(t *testing.T) {
			d, _ := NewDecompressor(m.windowBits)
			want, wantErr, _ := decodeThrough(t, d, m.msg, nil)
			for seed := range uint64(32) {
				d, _ := NewDecompressor(m.windowBits)
				schedule := randomSchedule(4*len(m.msg)+8, uint64(i)<<8|seed)
				got, err, _ := decodeThrough(t, d, m.msg, schedule)
				if err != wantErr {
					t.Fatalf("schedule %d: error %v, want %v", seed, err, wantErr)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("schedule %d: output (-want +got):\n%s", seed, diff)
				}
			}
		})
	}
}

// TestDecompressInterrupted reads messages with context takeover, from
// the Compressor and from compress/flate at every level, so in stored,
// fixed and dynamic blocks, through sources that fail, stall and return
// little: the output must be what was sent. Every step of decoding must
// have been interrupted somewhere.
func TestDecompressInterrupted(t *testing.T) {
	msgs := [][]byte{
		deflatetest.JSON(1000, 1),
		deflatetest.Text(20000, 2),
		deflatetest.Random(5000, 3),
		nil,
		bytes.Repeat([]byte{'a'}, 30000),
		deflatetest.JSON(3000, 4),
		append(deflatetest.Random(2000, 5), deflatetest.Text(3000, 5)...),
		[]byte("x"),
	}
	type stream struct {
		name       string
		windowBits int
		wire       [][]byte
	}
	var streams []stream
	for level := HuffmanOnly; level <= BestCompression; level++ {
		for _, wb := range []int{MaxWindowBits, 9} {
			z, err := NewCompressor(wb, level)
			if err != nil {
				t.Fatal(err)
			}
			streams = append(streams, stream{fmt.Sprintf("Compressor bits=%d level=%d", wb, level), wb, compressMessages(t, z, msgs)})
		}
		streams = append(streams, stream{fmt.Sprintf("compress/flate level=%d", level), MaxWindowBits, flateMessages(t, level, msgs)})
	}
	var failedIn [stateHuffman + 1]int
	for i, s := range streams {
		d, _ := NewDecompressor(s.windowBits)
		for k, c := range s.wire {
			schedule := randomSchedule(3*len(c)+8, uint64(i)<<8|uint64(k))
			got, err, src := decodeThrough(t, d, c, schedule)
			if err != io.EOF {
				t.Fatalf("%s message %d: %v after %d bytes", s.name, k, err, len(got))
			}
			if !bytes.Equal(got, msgs[k]) {
				t.Fatalf("%s message %d: %d bytes differ from the %d sent", s.name, k, len(got), len(msgs[k]))
			}
			for state, n := range src.failedIn {
				failedIn[state] += n
			}
		}
	}
	for state, n := range failedIn {
		if n == 0 {
			t.Errorf("no failure of the source in decoding state %d", state)
		}
	}
	t.Logf("failures by decoding state: %v", failedIn)
}

// TestDecompressSourceErrorKept: a source error returns no bytes and is
// not kept, the bytes that came with it are, and data errors still stick.
func TestDecompressSourceErrorKept(t *testing.T) {
	// "Hello" (RFC 7692 §7.2.3.1) from a source that fails, returns
	// three bytes with an error, fails again, and then returns the rest.
	msg := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}
	src := &flakySource{src: bytes.NewReader(msg), schedule: []byte{0, 2<<3 | 4, 0}}
	d, _ := NewDecompressor(MaxWindowBits)
	d.Reset(src)
	buf := make([]byte, 10)
	for i := range 3 {
		if n, err := d.Read(buf); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read %d: %d, %v; want 0, %v", i, n, err, errTransient)
		}
	}
	if n, err := io.ReadFull(d, buf[:5]); err != nil || string(buf[:n]) != "Hello" {
		t.Fatalf("ReadFull: %q, %v", buf[:n], err)
	}
	if n, err := d.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("Read at the end: %d, %v", n, err)
	}
	if src.failures != 3 {
		t.Fatalf("the source failed %d times, want 3", src.failures)
	}

	// A transient error before a data error does not hide it.
	bad := bitstream(func(w *bitWriter) { w.writeBits(3<<1, 3) })
	d.Reset(&flakySource{src: bytes.NewReader(bad), schedule: []byte{0}})
	if _, err := d.Read(buf); err != errTransient {
		t.Fatalf("first Read: %v, want %v", err, errTransient)
	}
	for i := range 2 {
		if _, err := d.Read(buf); err != ErrBlockType {
			t.Fatalf("Read %d after the failure: %v, want %v", i, err, ErrBlockType)
		}
	}
}
