package conn

import (
	"context"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rfc6455/ws/frame"
)

// deadlineCounter counts the deadlines set on the connection it wraps.
type deadlineCounter struct {
	net.Conn
	read, write atomic.Int64
}

func (c *deadlineCounter) SetReadDeadline(t time.Time) error {
	c.read.Add(1)
	return c.Conn.SetReadDeadline(t)
}

func (c *deadlineCounter) SetWriteDeadline(t time.Time) error {
	c.write.Add(1)
	return c.Conn.SetWriteDeadline(t)
}

// TestTimeoutDeadlineStays checks that the write and idle timeouts do not
// move the socket's deadline for every frame, and that the user's
// deadlines still apply at once, before and after it.
func TestTimeoutDeadlineStays(t *testing.T) {
	cn, sn := tcpPair(t)
	counter := &deadlineCounter{Conn: sn}
	c := New(counter, nil, Server, &Options{WriteTimeout: time.Minute, IdleTimeout: time.Minute})
	peer := &rawPeer{t: t, nc: cn, mask: true}
	go io.Copy(io.Discard, cn)

	ctx := context.Background()
	const messages = 100
	for range messages {
		if err := c.WriteMessage(ctx, MessageBinary, make([]byte, 1000)); err != nil {
			t.Fatal(err)
		}
	}
	go func() {
		for range messages {
			peer.send(frame.Header{Fin: true, Opcode: frame.OpBinary}, []byte("ping"))
		}
	}()
	for range messages {
		if _, _, err := c.ReadMessage(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if r, w := counter.read.Load(), counter.write.Load(); r > 1 || w > 1 {
		t.Errorf("%d messages each way set %d read and %d write deadlines, want at most 1 each", messages, r, w)
	}

	// A user's deadline before the timeout's applies at once.
	c.SetWriteDeadline(time.Now().Add(-time.Second))
	if err := c.WriteMessage(ctx, MessageBinary, []byte("late")); !isTimeout(err) {
		t.Fatalf("write past the user's deadline = %v, want a timeout", err)
	}
	c.SetWriteDeadline(time.Time{})
	if err := c.WriteMessage(ctx, MessageBinary, []byte("on time")); err != nil {
		t.Fatalf("write after clearing the deadline = %v", err)
	}
	c.SetReadDeadline(time.Now().Add(-time.Second))
	if _, _, err := c.ReadMessage(ctx); !isTimeout(err) {
		t.Fatalf("read past the user's deadline = %v, want a timeout", err)
	}
	c.SetReadDeadline(time.Time{})
	peer.send(frame.Header{Fin: true, Opcode: frame.OpBinary}, []byte("after"))
	if _, p, err := c.ReadMessage(ctx); err != nil || string(p) != "after" {
		t.Fatalf("read after clearing the deadline = %q, %v", p, err)
	}
}
