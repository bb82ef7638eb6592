package server

import (
	"context"
	"encoding/binary"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/conn"
)

// waitUntil polls cond, for a bounded time, and reports whether it held.
func waitUntil(cond func() bool) bool {
	deadline := time.Now().Add(waitTime)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// isStalled reports whether the socket's reader waits for room.
func (s *Socket) isStalled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stalled
}

// TestQueueBounds fills a queue that no one reads and checks where the
// reader stops, then that every message comes out in order.
func TestQueueBounds(t *testing.T) {
	tests := []struct {
		name      string
		messages  int
		bytes     int64
		sizes     []int // of the messages the peer sends
		wantQueue int   // messages queued when the reader stalls
	}{
		{"message bound", 4, 0, []int{1, 1, 1, 1, 1, 1, 1, 1}, 4},
		{"byte bound", 64, 100, []int{40, 40, 40, 40}, 2},
		{"byte bound exactly met", 64, 100, []int{46, 46, 1, 1}, 2}, // 4 bytes of each carry its size
		{"large first message", 64, 100, []int{500, 10, 10}, 1},
		{"large message behind a small one", 64, 100, []int{10, 500, 10}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type result struct {
				queued      int
				queuedBytes int64
				sizes       []int
			}
			sockets := make(chan *Socket, 1)
			release := make(chan struct{})
			out := make(chan result, 1)
			srv := serveFunc(t, func(ws *Socket) {
				sockets <- ws
				await(release)
				var res result
				res.queued = ws.CountMessages()
				ws.mu.Lock()
				res.queuedBytes = ws.queued
				ws.mu.Unlock()
				for m := range ws.Messages() {
					res.sizes = append(res.sizes, int(binary.BigEndian.Uint32(m.Data)))
				}
				out <- res
			}, WithQueueLimits(tt.messages, tt.bytes))
			c := dial(t, srv, "/", nil)
			ws := recv(t, sockets, "the socket")
			ctx := timeout(t)
			for _, n := range tt.sizes {
				p := make([]byte, n+4)
				binary.BigEndian.PutUint32(p, uint32(n))
				if err := c.WriteMessage(ctx, conn.MessageBinary, p); err != nil {
					t.Fatal(err)
				}
			}
			if !waitUntil(ws.isStalled) {
				t.Fatal("the reader never stalled")
			}
			close(release)
			c.Close(1000, "")
			got := recv(t, out, "the handler")
			if got.queued != tt.wantQueue {
				t.Errorf("%d messages queued when the reader stalled, want %d", got.queued, tt.wantQueue)
			}
			if tt.bytes > 0 && got.queued > 1 && got.queuedBytes > tt.bytes {
				t.Errorf("%d bytes queued, over the bound of %d", got.queuedBytes, tt.bytes)
			}
			if diff := cmp.Diff(tt.sizes, got.sizes); diff != "" {
				t.Errorf("messages (-sent +received):\n%s", diff)
			}
		})
	}
}

// TestBackpressure checks that a peer sending faster than the handler
// reads is slowed down by TCP, the server holding no more than its queue,
// and that nothing is lost.
func TestBackpressure(t *testing.T) {
	const (
		total = 256
		size  = 64 << 10
		// The socket buffers are shrunk to 64 KiB on both sides (the
		// kernel doubles them), so while the handler pauses, the peer can
		// have sent at most the queue, the message the reader holds and
		// those buffers: far less than this.
		maxInFlight = 32
	)
	sockets := make(chan *Socket, 1)
	release := make(chan struct{})
	out := make(chan []uint32, 1)
	srv := serveFunc(t, func(ws *Socket) {
		ws.c.UnderlyingConn().(*net.TCPConn).SetReadBuffer(64 << 10)
		sockets <- ws
		await(release)
		var got []uint32
		for m := range ws.Messages() {
			if len(m.Data) != size {
				t.Errorf("message %d has %d bytes, want %d", len(got), len(m.Data), size)
			}
			got = append(got, binary.BigEndian.Uint32(m.Data))
		}
		out <- got
	}, WithQueueLimits(2, 2*size))
	c := dial(t, srv, "/", nil)
	c.UnderlyingConn().(*net.TCPConn).SetWriteBuffer(64 << 10)
	ws := recv(t, sockets, "the socket")

	var sent atomic.Int64
	sendErr := make(chan error, 1)
	go func() {
		p := make([]byte, size)
		for i := range total {
			binary.BigEndian.PutUint32(p, uint32(i))
			if err := c.WriteMessage(context.Background(), conn.MessageBinary, p); err != nil {
				sendErr <- err
				return
			}
			sent.Add(1)
		}
		sendErr <- c.Close(1000, "")
	}()

	// Wait for the peer to be stopped: the reader stalled and the sender's
	// count still for a while.
	if !waitUntil(ws.isStalled) {
		t.Fatal("the reader never stalled")
	}
	for last := int64(-1); last != sent.Load(); {
		last = sent.Load()
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("the peer sent %d messages before it was stopped", sent.Load())
	if n := sent.Load(); n > maxInFlight {
		t.Errorf("the peer sent %d messages of %d bytes while the handler paused; want at most %d", n, size, maxInFlight)
	}
	if n := ws.CountMessages(); n > 2 {
		t.Errorf("%d messages queued, over the bound of 2", n)
	}
	close(release)
	if err := recv(t, sendErr, "the sender"); err != nil {
		t.Fatalf("sender: %v", err)
	}
	got := recv(t, out, "the handler")
	if len(got) != total {
		t.Fatalf("received %d messages, want %d", len(got), total)
	}
	for i, v := range got {
		if v != uint32(i) {
			t.Fatalf("message %d is message %d", i, v)
		}
	}
}
