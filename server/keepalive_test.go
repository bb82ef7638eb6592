package server

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rfc6455/ws/conn"
)

// TestKeepaliveDeadPeer checks that a peer that answers no ping is found
// out and its socket ended with ErrPongTimeout.
func TestKeepaliveDeadPeer(t *testing.T) {
	out := make(chan [2]error, 1)
	srv := serveFunc(t, func(ws *Socket) {
		_, err := ws.Wait()
		out <- [2]error{err, ws.Err()}
	}, WithKeepalive(20*time.Millisecond, 20*time.Millisecond), WithCloseTimeout(50*time.Millisecond))
	dial(t, srv, "/", nil) // never reads, so never answers a ping
	got := recv(t, out, "the handler")
	if got[0] != ErrPongTimeout || got[1] != ErrPongTimeout {
		t.Errorf("Wait %v, Err %v; want ErrPongTimeout", got[0], got[1])
	}
}

// TestKeepaliveLivePeer checks that a silent peer that answers pings keeps
// its socket.
func TestKeepaliveLivePeer(t *testing.T) {
	out := make(chan error, 1)
	srv := serveFunc(t, func(ws *Socket) {
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		_, err := ws.WaitContext(ctx)
		out <- err
	}, WithKeepalive(20*time.Millisecond, 250*time.Millisecond))
	var pings atomic.Int32
	var c *conn.Conn
	c = dial(t, srv, "/", &conn.DialOptions{Options: conn.Options{PingHandler: func(p []byte) {
		pings.Add(1)
		c.Pong(context.Background(), p)
	}}})
	go c.ReadMessage(context.Background()) // answers pings until the close
	if err := recv(t, out, "the handler"); err != context.DeadlineExceeded {
		t.Errorf("Wait: %v, want the handler's own deadline", err)
	}
	if n := pings.Load(); n < 2 {
		// A silent peer is pinged once per interval plus timeout.
		t.Errorf("%d pings in 1.5 s with an interval of 20 ms and a timeout of 250 ms, want several", n)
	}
}

// TestKeepaliveStalledQueue checks that a socket whose reader waits for
// room in the queue is not taken for dead, since the server, not the
// peer, is then the one not reading; and that keepalive resumes once the
// queue drains.
func TestKeepaliveStalledQueue(t *testing.T) {
	type result struct {
		msgs []string
		err  error
	}
	sockets := make(chan *Socket, 1)
	out := make(chan result, 1)
	srv := serveFunc(t, func(ws *Socket) {
		sockets <- ws
		if !waitUntil(ws.isStalled) {
			t.Error("the reader never stalled")
		}
		time.Sleep(200 * time.Millisecond) // ten keepalive intervals, stalled
		var res result
		for m := range ws.Messages() {
			res.msgs = append(res.msgs, m.String())
		}
		res.err = ws.Err()
		out <- res
	}, WithQueueLimits(1, 0), WithKeepalive(20*time.Millisecond, 20*time.Millisecond), WithCloseTimeout(50*time.Millisecond))
	c := dial(t, srv, "/", nil) // never reads: no pong ever
	ctx := timeout(t)
	for _, s := range []string{"a", "b", "c"} {
		c.WriteMessage(ctx, conn.MessageText, []byte(s))
	}
	got := recv(t, out, "the handler")
	if len(got.msgs) != 3 || got.err != ErrPongTimeout {
		t.Errorf("got %+v; want the three messages, then ErrPongTimeout", got)
	}
}
