package conn

import (
	"context"
	"errors"
	"time"

	"github.com/rfc6455/ws/frame"
)

// closeState is the closing handshake's progress, guarded by Conn.mu.
type closeState struct {
	closing   bool // Close or CloseNow was called
	closeSent bool // our close frame went out, or can no longer
	tcpClosed bool
	recvdOnce bool  // closeRecvd is closed
	outputErr error // the write error that broke the stream
}

// Close runs the closing handshake (RFC 6455 §7): it sends a close frame
// with code and reason, waits for the peer's close frame, and closes the
// TCP connection (the server closes it first; a client waits for the server
// to, §7.1.1). The whole is bounded by Options.CloseTimeout. Messages that
// arrive meanwhile are discarded unless another goroutine is reading.
//
// code must be valid on the wire (frame.CloseCode.ValidOnWire), or
// frame.CloseNoStatus to send a close frame without a code; reason is at
// most frame.MaxCloseReason bytes of UTF-8. Close returns an error only if
// the close frame could not be sent. Calling it again does nothing.
func (c *Conn) Close(code frame.CloseCode, reason string) error {
	if err := frame.ValidateClose(code, reason); err != nil {
		return err
	}
	c.mu.Lock()
	if c.cs.closing {
		c.mu.Unlock()
		return nil
	}
	c.cs.closing = true
	c.mu.Unlock()

	deadline := time.Now().Add(c.closeTimeout)
	err := c.sendClose(code, reason, deadline)
	if errors.Is(err, errCloseSent) {
		err = nil // the peer's close was answered, or the connection failed
	}
	if err == nil {
		c.awaitPeerClose(deadline)
	}
	c.closeTCP()
	return err
}

// CloseNow closes the TCP connection at once, without a closing handshake.
func (c *Conn) CloseNow() error {
	c.mu.Lock()
	c.cs.closing = true
	c.cs.closeSent = true
	c.mu.Unlock()
	c.w.closed.Store(true)
	c.signalCloseReceived()
	return c.closeTCP()
}

// errCloseSent means a close frame already went out.
var errCloseSent = errors.New("websocket: close frame already sent")

// sendClose sends our close frame, once.
func (c *Conn) sendClose(code frame.CloseCode, reason string, deadline time.Time) error {
	c.mu.Lock()
	if c.cs.closeSent {
		c.mu.Unlock()
		return errCloseSent
	}
	c.cs.closeSent = true
	c.mu.Unlock()

	var buf [frame.MaxControlPayload]byte
	p := frame.AppendClosePayload(buf[:0], code, reason)
	w := &c.w
	if !w.frameLock.tryLock() {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		err := w.frameLock.lock(ctx)
		cancel()
		if err != nil {
			// A frame write is stuck: the peer is not reading.
			w.closed.Store(true)
			return err
		}
	}
	defer w.unlockFrame()
	// Set under frameLock, so no data frame can follow the close (§5.5.1).
	w.closed.Store(true)
	// The deadline bounds the write without a context, whose timer and
	// callback would cost every connection a few allocations at its end.
	w.intr.bound(deadline)
	err := w.writeFrame(frame.OpClose, true, 0, p)
	w.intr.unbound()
	return err
}

// awaitPeerClose waits until the peer's close frame is received or the
// deadline passes. If no goroutine is reading, it reads (and discards)
// until then itself.
func (c *Conn) awaitPeerClose(deadline time.Time) {
	r := &c.r
	if r.lock.tryLock() {
		defer r.lock.unlock()
		r.intr.setDeadline(deadline)
		for r.err == nil {
			if err := r.begin(); err != nil && isTimeout(err) {
				return
			}
		}
		return
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-c.closeRecvd:
	case <-t.C:
	}
}

// peerClosed is called by the reader on the peer's close frame: answer it
// unless it answers ours (§5.5.1), then end the connection.
func (c *Conn) peerClosed(code frame.CloseCode) {
	deadline := time.Now().Add(c.closeTimeout)
	// §5.5.1: echo the status code received; a close without one is
	// answered without one.
	c.sendClose(code, "", deadline)
	c.finishClose(deadline)
}

// failed is called by the reader when the peer broke the protocol: §7.1.7,
// send a close frame with the code that names the problem, then end the
// connection.
func (c *Conn) failed(code frame.CloseCode, reason string) {
	deadline := time.Now().Add(c.closeTimeout)
	c.sendClose(code, reason, deadline)
	c.finishClose(deadline)
}

// finishClose ends the TCP connection once close frames are exchanged (or
// the connection failed), from the reading goroutine. The server closes
// first (§7.1.1): where it can, it shuts down its side and waits for the
// client's end, so that unread input does not turn the close into a reset
// that could destroy the close frame in flight; a connection that cannot
// half-close it closes at once. The client waits for the server's end.
// The waits are bounded by deadline.
func (c *Conn) finishClose(deadline time.Time) {
	defer c.signalCloseReceived()
	if c.role == Server {
		cw, ok := c.nc.(interface{ CloseWrite() error })
		if !ok || cw.CloseWrite() != nil {
			c.closeTCP()
			return
		}
	}
	c.r.intr.freeze(deadline)
	var buf [512]byte
	for {
		if _, err := c.nc.Read(buf[:]); err != nil {
			break
		}
	}
	c.closeTCP()
}

// inputEnded is called by the reader when the socket's input ended without
// a closing handshake (§7.1.5, the peer went away) or failed.
func (c *Conn) inputEnded() {
	c.mu.Lock()
	c.cs.closeSent = true
	c.mu.Unlock()
	c.w.closed.Store(true)
	c.signalCloseReceived()
	c.closeTCP()
}

// outputBroken is called by the writer when part of a frame went out and
// the rest cannot: the stream is beyond repair. err is why; the reader
// reports it too.
func (c *Conn) outputBroken(err error) {
	c.mu.Lock()
	c.cs.closeSent = true
	if c.cs.outputErr == nil {
		c.cs.outputErr = err
	}
	c.mu.Unlock()
	c.w.closed.Store(true)
	c.closeTCP()
}

func (c *Conn) signalCloseReceived() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.cs.recvdOnce {
		c.cs.recvdOnce = true
		close(c.closeRecvd)
	}
}

func (c *Conn) closeTCP() error {
	c.mu.Lock()
	if c.cs.tcpClosed {
		c.mu.Unlock()
		return nil
	}
	c.cs.tcpClosed = true
	c.mu.Unlock()
	return c.nc.Close()
}

// localEnd returns why this side ended the connection, if it did: the
// write error that broke the stream, or ErrClosed after Close or
// CloseNow.
func (c *Conn) localEnd() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.cs.outputErr != nil:
		return c.cs.outputErr
	case c.cs.closing:
		return ErrClosed
	}
	return nil
}
