package server

import (
	"errors"
	"io"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
)

var (
	// ErrPongTimeout ends a socket whose peer did not answer a keepalive
	// ping in time (see WithKeepalive).
	ErrPongTimeout = errors.New("websocket: no answer to the keepalive ping")

	// ErrGroupOverflow ends a socket a Group evicted because it did not
	// take the group's broadcasts as fast as they came.
	ErrGroupOverflow = errors.New("websocket: group member too slow: its outgoing queue overflowed")

	// ErrNotAccepted is returned by the ResponseWriter that a Middleware
	// without WithAcceptAll gives to a handler that an upgrade request
	// reached without passing Accept or Require: the handler's answer is
	// replaced by 400 Bad Request.
	ErrNotAccepted = errors.New("websocket: upgrade request reached a handler that does not accept WebSockets")
)

// endOfStream is what Wait returns once a socket has ended and its queue is
// drained: io.EOF for an orderly end, where the closing handshake ran with
// 1000 (normal), 1005 (no status) or 1001 (going away, RFC 6455 §7.4.1),
// and the error itself otherwise.
func endOfStream(err error) error {
	// conn reports the peer's close as a bare *conn.CloseError; asserting
	// it, unlike errors.As, costs no allocation.
	if ce, ok := err.(*conn.CloseError); ok {
		switch ce.Code {
		case frame.CloseNormal, frame.CloseNoStatus, frame.CloseGoingAway:
			return io.EOF
		}
	}
	return err
}
