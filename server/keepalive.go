package server

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rfc6455/ws/frame"
)

// keepalive finds peers that vanished without closing (a cable pulled, a
// laptop lid shut): TCP alone may not notice for hours. After an interval
// without a message or pong from the peer it sends a ping (RFC 6455
// §5.5.2 obliges the peer to answer), and if nothing arrives within the
// timeout it closes the socket. It runs on a timer, so an idle socket
// costs no goroutine. It is part of its Socket, and off when its interval
// is 0.
type keepalive struct {
	interval, timeout time.Duration
	heard             atomic.Uint64 // messages and pongs received so far

	mu      sync.Mutex
	s       *Socket
	timer   *time.Timer
	seen    uint64 // heard when the timer was last armed
	pinged  bool   // a ping is out and unanswered
	stopped bool
}

// on reports whether keepalive runs.
func (k *keepalive) on() bool { return k.interval > 0 }

// pong is the connection's PongHandler.
func (k *keepalive) pong([]byte) { k.heard.Add(1) }

// start arms the timer for s.
func (k *keepalive) start(s *Socket) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.s = s
	k.timer = time.AfterFunc(k.interval, k.tick)
}

// stop disarms the timer for good.
func (k *keepalive) stop() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.stopped = true
	if k.timer != nil {
		k.timer.Stop()
	}
}

// tick runs when the timer fires.
func (k *keepalive) tick() {
	k.mu.Lock()
	if k.stopped {
		k.mu.Unlock()
		return
	}
	s := k.s
	s.mu.Lock()
	// Nobody reads while the queue is full, or, for awayDelay at most,
	// while the handler is away from Wait.
	stalled, closing := s.stalled || s.role == readerNone, s.closing || s.ended
	s.mu.Unlock()
	heard := k.heard.Load()
	switch {
	case closing:
		k.mu.Unlock()
	case heard != k.seen || stalled:
		// The peer spoke, or the server is the one not reading (a full
		// queue leaves pongs unread): no reason to suspect the peer.
		k.seen, k.pinged = heard, false
		k.timer.Reset(k.interval)
		k.mu.Unlock()
	case !k.pinged:
		k.pinged = true
		k.timer.Reset(k.timeout)
		k.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), k.timeout)
		// A ping that cannot be sent brings no pong: the next tick ends
		// the socket.
		s.c.Ping(ctx, nil)
		cancel()
	default:
		k.stopped = true
		k.mu.Unlock()
		s.closeFor(ErrPongTimeout, frame.CloseGoingAway, "keepalive timeout")
	}
}
