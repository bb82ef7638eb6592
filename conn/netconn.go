package conn

import (
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/rfc6455/ws/frame"
)

// NetConn returns a net.Conn over c for code that wants a byte stream: Read
// returns the payloads of successive messages as one stream, and each Write
// sends one message of type typ. Read returns io.EOF once the peer closes
// with 1000 (normal) or without a status code. Close runs c's closing
// handshake with 1000. ctx bounds every operation; cancelling it fails the
// calls in progress, not the connection. Deadlines are c's.
func NetConn(ctx context.Context, c *Conn, typ MessageType) net.Conn {
	return &netConn{ctx: ctx, c: c, typ: typ}
}

type netConn struct {
	ctx context.Context
	c   *Conn
	typ MessageType
	r   io.Reader // the message being read, if any
}

func (n *netConn) Read(p []byte) (int, error) {
	for {
		if n.r == nil {
			_, r, err := n.c.NextReader(n.ctx)
			if err != nil {
				var ce *CloseError
				if errors.As(err, &ce) && (ce.Code == frame.CloseNormal || ce.Code == frame.CloseNoStatus) {
					return 0, io.EOF
				}
				return 0, err
			}
			n.r = r
		}
		k, err := n.r.Read(p)
		if err == io.EOF {
			n.r = nil
			if k == 0 {
				continue
			}
			err = nil
		}
		return k, err
	}
}

func (n *netConn) Write(p []byte) (int, error) {
	if err := n.c.WriteMessage(n.ctx, n.typ, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (n *netConn) Close() error                       { return n.c.Close(frame.CloseNormal, "") }
func (n *netConn) LocalAddr() net.Addr                { return n.c.LocalAddr() }
func (n *netConn) RemoteAddr() net.Addr               { return n.c.RemoteAddr() }
func (n *netConn) SetReadDeadline(t time.Time) error  { return n.c.SetReadDeadline(t) }
func (n *netConn) SetWriteDeadline(t time.Time) error { return n.c.SetWriteDeadline(t) }

func (n *netConn) SetDeadline(t time.Time) error {
	return errors.Join(n.c.SetReadDeadline(t), n.c.SetWriteDeadline(t))
}
