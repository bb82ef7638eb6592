package conn

import (
	"context"

	"github.com/rfc6455/ws/frame"
)

// PreparedMessage is a message encoded once to be sent on many
// connections, as a broadcast does: a server writes its frame as it is.
// A client must mask each frame with a fresh key, so it encodes the
// message again. A PreparedMessage is safe for use by many goroutines.
type PreparedMessage struct {
	typ     MessageType
	payload []byte
	frame   []byte // the unmasked single frame a server sends
}

// NewPreparedMessage encodes a message of type typ with payload p. The
// PreparedMessage keeps p: do not modify it afterwards.
func NewPreparedMessage(typ MessageType, p []byte) (*PreparedMessage, error) {
	if typ != MessageText && typ != MessageBinary {
		return nil, errBadMessageType
	}
	h := frame.Header{Fin: true, Opcode: frame.Opcode(typ), Length: int64(len(p))}
	b := make([]byte, 0, h.Size()+len(p))
	b = frame.AppendHeader(b, h)
	b = append(b, p...)
	return &PreparedMessage{typ: typ, payload: p, frame: b}, nil
}

// Type returns the message's type.
func (pm *PreparedMessage) Type() MessageType { return pm.typ }

// Payload returns the message's payload; do not modify it.
func (pm *PreparedMessage) Payload() []byte { return pm.payload }

// WritePreparedMessage sends pm as WriteMessage would send its payload.
// On a server connection it writes the frame encoded once, uncompressed
// even when permessage-deflate is in use (RFC 7692 §6 lets any message go
// uncompressed).
func (c *Conn) WritePreparedMessage(ctx context.Context, pm *PreparedMessage) error {
	if c.role == Client {
		return c.WriteMessage(ctx, pm.typ, pm.payload)
	}
	w := &c.w
	if err := w.msgLock.lock(ctx); err != nil {
		return err
	}
	defer w.msgLock.unlock()
	return w.withFrame(ctx, func() error {
		if w.err != nil {
			return w.err
		}
		return w.sendFrame(frame.Opcode(pm.typ), pm.frame)
	})
}
