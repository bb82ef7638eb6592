package conn

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rfc6455/ws/frame"
)

// writeCounter counts the writes on a connection.
type writeCounter struct {
	net.Conn
	writes atomic.Int64
}

func (c *writeCounter) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// pipelined returns n text messages, each a client frame, in one slice:
// what a peer that pipelines sends in one write.
func pipelined(p *rawPeer, n int) (wire []byte, msgs []string) {
	for i := range n {
		m := fmt.Sprintf("message %d", i)
		msgs = append(msgs, m)
		wire = append(wire, p.frameBytes(frame.Header{Fin: true, Opcode: frame.OpText}, []byte(m))...)
	}
	return wire, msgs
}

// TestBatchPipelined echoes messages that arrive together: with batching
// the answers share writes, without it each takes one, and in both cases
// they arrive whole and in order.
func TestBatchPipelined(t *testing.T) {
	const n = 64
	tests := []struct {
		name      string
		opts      *Options
		maxWrites int64
	}{
		{"batching", nil, n / 4},
		{"NoWriteBatching", &Options{NoWriteBatching: true}, n},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cn, sn := tcpPair(t)
			counted := &writeCounter{Conn: sn}
			c := New(counted, nil, Server, tt.opts)
			peer := &rawPeer{t: t, nc: cn, mask: true}
			wire, msgs := pipelined(peer, n)
			peer.write(wire)
			ctx := context.Background()
			for range n {
				typ, p, err := c.ReadMessage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.WriteMessage(ctx, typ, p); err != nil {
					t.Fatal(err)
				}
			}
			for i, want := range msgs {
				_, p, err := peer.readFrame()
				if err != nil {
					t.Fatalf("echo %d: %v", i, err)
				}
				if string(p) != want {
					t.Fatalf("echo %d is %q, want %q", i, p, want)
				}
			}
			if got := counted.writes.Load(); got > tt.maxWrites {
				t.Errorf("%d writes for %d echoes, want at most %d", got, n, tt.maxWrites)
			}
		})
	}
}

// TestBatchDelay answers the first of two messages that arrived together
// and then stops reading: the answer must not wait for the next read, only
// BatchDelay.
func TestBatchDelay(t *testing.T) {
	c, peer := newRawPeer(t, Server, nil)
	wire, _ := pipelined(peer, 2)
	peer.write(wire)
	ctx := context.Background()
	typ, p, err := c.ReadMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteMessage(ctx, typ, p); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, got, err := peer.readFrame()
	if err != nil || !bytes.Equal(got, p) {
		t.Fatalf("echo: %q, %v; want %q", got, err, p)
	}
	// Far above BatchDelay, far below a read that never comes.
	if waited := time.Since(start); waited > time.Second {
		t.Errorf("the echo waited %v for a read that was never made", waited)
	}
}

// TestBatchControlFrames checks that a control frame sends the batch
// before it: a close frame after batched answers follows them.
func TestBatchControlFrames(t *testing.T) {
	c, peer := newRawPeer(t, Server, nil)
	wire, msgs := pipelined(peer, 3)
	peer.write(wire)
	ctx := context.Background()
	for range 2 {
		typ, p, err := c.ReadMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.WriteMessage(ctx, typ, p); err != nil {
			t.Fatal(err)
		}
	}
	go c.Close(frame.CloseNormal, "")
	for _, want := range msgs[:2] {
		h, p, err := peer.readFrame()
		if err != nil || h.Opcode != frame.OpText || string(p) != want {
			t.Fatalf("got %v %q, %v; want the echo %q before the close", h.Opcode, p, err, want)
		}
	}
	if code := peer.expectClose(); code != frame.CloseNormal {
		t.Errorf("close code %d, want 1000", code)
	}
}

// TestBatchConcurrentWriters writes from several goroutines while the
// reader reads a pipelining peer's messages, so that frames are batched,
// sent directly and flushed by the reader and the timer at once: every
// message must arrive whole, each writer's in order.
func TestBatchConcurrentWriters(t *testing.T) {
	client, server := connPair(t, nil, nil)
	ctx := context.Background()
	const writers, perWriter, incoming = 4, 200, 500

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the client pipelines, the server reads
		defer wg.Done()
		for i := range incoming {
			if err := client.WriteMessage(ctx, MessageText, []byte(fmt.Sprint(i))); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range incoming {
			if _, _, err := server.ReadMessage(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				m := bytes.Repeat([]byte{byte('a' + g)}, 1+i%300)
				m = fmt.Appendf(m, " %d", i)
				if err := server.WriteMessage(ctx, MessageBinary, m); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	next := make([]int, writers)
	for range writers * perWriter {
		_, p, err := client.ReadMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		g := int(p[0] - 'a')
		var i int
		if _, err := fmt.Sscanf(string(bytes.TrimLeft(p, string(p[:1]))), " %d", &i); err != nil || g < 0 || g >= writers {
			t.Fatalf("garbled message %q", p)
		}
		if i != next[g] || len(p) != 1+i%300+len(fmt.Sprintf(" %d", i)) {
			t.Fatalf("writer %d: message %d (%d bytes), want message %d", g, i, len(p), next[g])
		}
		next[g]++
	}
	wg.Wait()
}

// TestHoldWrites reads a pipelining peer's messages ahead of the
// application, as package server's queue does, so that the Conn's reader
// waits on the socket while the application answers: HoldWrites lets the
// answers share writes all the same, and HoldWrites(false) sends them.
func TestHoldWrites(t *testing.T) {
	const n = 64
	cn, sn := tcpPair(t)
	counted := &writeCounter{Conn: sn}
	c := New(counted, nil, Server, nil)
	peer := &rawPeer{t: t, nc: cn, mask: true}
	wire, msgs := pipelined(peer, n)
	peer.write(wire)
	ctx := context.Background()
	var queue [][]byte
	for range n {
		_, p, err := c.ReadMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		queue = append(queue, p)
	}
	// The reader now waits on the socket, as a read-ahead goroutine would.
	go c.ReadMessage(ctx)
	for i, p := range queue {
		c.HoldWrites(i < len(queue)-1)
		if err := c.WriteMessage(ctx, MessageText, p); err != nil {
			t.Fatal(err)
		}
	}
	c.HoldWrites(false)
	for i, want := range msgs {
		_, p, err := peer.readFrame()
		if err != nil || string(p) != want {
			t.Fatalf("echo %d: %q, %v; want %q", i, p, err, want)
		}
	}
	if got := counted.writes.Load(); got > n/4 {
		t.Errorf("%d writes for %d held answers, want at most %d", got, n, n/4)
	}
}

// TestBatchFlushBounds sends a batch to a peer that does not read (over
// net.Pipe, where every write waits for the reader): HoldWrites(false)
// must not block, and a read that has to send the batch before it waits
// on the socket must still end with its context.
func TestBatchFlushBounds(t *testing.T) {
	// held starts a Conn whose next write waits in the batch: the peer
	// sent two messages at once and the first was read.
	held := func(t *testing.T) *Conn {
		local, remote := net.Pipe()
		t.Cleanup(func() { remote.Close() })
		c := New(local, nil, Server, nil)
		t.Cleanup(func() { c.CloseNow() })
		wire, _ := pipelined(&rawPeer{t: t, nc: remote, mask: true}, 2)
		go remote.Write(wire)
		if _, _, err := c.ReadMessage(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := c.WriteMessage(context.Background(), MessageText, []byte("held")); err != nil {
			t.Fatal(err)
		}
		return c
	}
	t.Run("HoldWrites", func(t *testing.T) {
		c := held(t)
		returned := make(chan struct{})
		go func() {
			c.HoldWrites(true)
			c.HoldWrites(false)
			close(returned)
		}()
		select {
		case <-returned:
		case <-time.After(5 * time.Second):
			t.Fatal("HoldWrites(false) blocked on a peer that does not read")
		}
	})
	t.Run("read", func(t *testing.T) {
		c := held(t)
		if _, _, err := c.ReadMessage(context.Background()); err != nil { // from the buffer
			t.Fatal(err)
		}
		// This read sends the batch before it waits on the socket, unless
		// BatchDelay passed first and the timer's goroutine is sending it.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		ended := make(chan error, 1)
		go func() {
			_, _, err := c.ReadMessage(ctx)
			ended <- err
		}()
		select {
		case err := <-ended:
			if err == nil {
				t.Error("a read with nothing to read succeeded")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a read stuck sending the batch outlived its context")
		}
	})
}
