package server

import (
	"bytes"
	"context"
	"testing"

	"github.com/rfc6455/ws/conn"
)

// TestReleaseOnce checks that a message's buffer goes back to the pool
// once however many copies of the message are released: two messages
// received afterwards, both held, must not share a buffer.
func TestReleaseOnce(t *testing.T) {
	type held struct{ a, b Message }
	out := make(chan held, 1)
	srv := serveFunc(t, func(ws *Socket) {
		first, err := ws.Wait()
		if err != nil {
			t.Error(err)
			return
		}
		copied := first
		first.Release()
		copied.Release()
		first.Release()
		var h held
		if h.a, err = ws.Wait(); err != nil {
			t.Error(err)
			return
		}
		if h.b, err = ws.Wait(); err != nil {
			t.Error(err)
			return
		}
		out <- h
	})
	c := dial(t, srv, "/", nil)
	msgs := [][]byte{bytes.Repeat([]byte("1"), 1000), bytes.Repeat([]byte("2"), 1000), bytes.Repeat([]byte("3"), 1000)}
	for _, m := range msgs {
		if err := c.WriteMessage(context.Background(), conn.MessageBinary, m); err != nil {
			t.Fatal(err)
		}
	}
	h := recv(t, out, "the handler")
	if &h.a.Data[0] == &h.b.Data[0] {
		t.Error("two held messages share one buffer: a buffer was released twice")
	}
	if !bytes.Equal(h.a.Data, msgs[1]) || !bytes.Equal(h.b.Data, msgs[2]) {
		t.Error("a held message was overwritten by the next")
	}
	h.a.Release()
	h.b.Release()
}

// TestReleaseNotReceived checks that releasing a message the package did
// not receive does nothing (and does not panic).
func TestReleaseNotReceived(t *testing.T) {
	Text("made by the handler").Release()
	Message{}.Release()
}

// TestLentClasses checks that the buffer made for each class holds that
// class's size, and that lend picks the smallest class that fits.
func TestLentClasses(t *testing.T) {
	for c := minLentClass; c <= maxLentClass; c++ {
		l := newLent[c-minLentClass]()
		if got := len(l.bytes()); got != 1<<c || l.class() != c {
			t.Errorf("class %d: a buffer of %d octets, of class %d", c, got, l.class())
		}
	}
	for _, tt := range []struct{ n, size int }{{1, 16}, {16, 16}, {17, 32}, {1000, 1024}, {1 << 24, 1 << 24}} {
		if got := len(lend(tt.n).bytes()); got != tt.size {
			t.Errorf("lend(%d) gave %d octets, want %d", tt.n, got, tt.size)
		}
	}
	if lend(0) != nil || lend(1<<24+1) != nil {
		t.Error("lend lent a buffer for an empty message or one above the largest class")
	}
}
