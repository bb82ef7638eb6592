package fuzz

import (
	"net"
	"testing"

	"github.com/rfc6455/ws/frame"
)

// recorder is a Handler that keeps what it is told.
type recorder struct {
	opened   bool
	messages []recorded
	pongs    []string
	lost     bool
}

type recorded struct {
	payload string
	binary  bool
}

func (r *recorder) Open(*Conn) { r.opened = true }
func (r *recorder) Message(_ *Conn, p []byte, binary bool) {
	r.messages = append(r.messages, recorded{string(p), binary})
}
func (r *recorder) Pong(_ *Conn, p []byte) { r.pongs = append(r.pongs, string(p)) }
func (r *recorder) Lost(*Conn)             { r.lost = true }

// openConn returns a Conn in the open state that is never run: tests feed
// it octets with dataReceived and look at what it queued to send. Its
// net.Conn is one end of a pipe nobody reads.
func openConn(t *testing.T, isServer bool) (*Conn, *recorder) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	c := newConn(a, isServer, nil)
	t.Cleanup(func() { c.watchdog.Stop() })
	rec := &recorder{}
	c.h = rec
	c.state = StateOpen
	c.connectionWasOpen = true
	return c, rec
}

// wireFrame builds a frame as a peer of c would send it: masked when c is
// a server.
func wireFrame(c *Conn, fin bool, rsv byte, op frame.Opcode, payload []byte) []byte {
	h := frame.Header{Fin: fin, Rsv: rsv, Opcode: op, Length: int64(len(payload)), Masked: c.isServer}
	if h.Masked {
		h.Mask = frame.MaskKey{1, 2, 3, 4}
	}
	b := frame.AppendHeader(nil, h)
	start := len(b)
	b = append(b, payload...)
	if h.Masked {
		frame.Mask(h.Mask, 0, b[start:])
	}
	return b
}

// sentFrame is a frame the Conn queued.
type sentFrame struct {
	opcode  frame.Opcode
	fin     bool
	rsv     byte
	payload []byte
}

// sent parses the frames c queued to write (after any HTTP head).
func sent(t *testing.T, c *Conn) []sentFrame {
	t.Helper()
	var stream []byte
	for _, it := range c.send.pending {
		stream = append(stream, it.data...)
	}
	var out []sentFrame
	for len(stream) > 0 {
		h, n, err := frame.ParseHeader(stream)
		if err != nil || int64(len(stream)-n) < h.Length {
			t.Fatalf("queued octets are not whole frames: %v", err)
		}
		p := append([]byte(nil), stream[n:n+int(h.Length)]...)
		if h.Masked {
			frame.Mask(h.Mask, 0, p)
		}
		out = append(out, sentFrame{h.Opcode, h.Fin, h.Rsv, p})
		stream = stream[n+int(h.Length):]
	}
	return out
}

// closeCodeSent returns the code of the close frame c queued, 0 if none,
// -1 if the close frame had no code.
func closeCodeSent(t *testing.T, c *Conn) int {
	t.Helper()
	for _, f := range sent(t, c) {
		if f.opcode == frame.OpClose {
			if len(f.payload) < 2 {
				return -1
			}
			return int(f.payload[0])<<8 | int(f.payload[1])
		}
	}
	return 0
}
