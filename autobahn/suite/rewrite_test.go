package suite

import (
	"bytes"
	"io"
	"net"
	"sync"

	"github.com/rfc6455/ws/frame"
)

// A rewriteConn sits between the reference echo peer and the network and
// rewrites the frames that pass, to make a broken peer of a correct one.
// The opening handshake passes untouched. Each direction with a rewrite
// function is parsed into whole frames, each handed to the function with
// its payload unmasked; the frames it returns go on, masked again with the
// original key. A direction without a function is passed through as is.
type rewriteConn struct {
	net.Conn
	in  func(f rawFrame) []rawFrame // frames read by the wrapped peer
	out func(f rawFrame) []rawFrame // frames it writes

	rd      rewriter
	ready   []byte // rewritten octets the peer has not read yet
	wr      rewriter
	writeMu sync.Mutex
}

// rawFrame is a frame whose payload is not masked.
type rawFrame struct {
	h       frame.Header
	payload []byte
}

// rewriter turns a stream of octets into the rewritten stream.
type rewriter struct {
	headDone bool   // the HTTP head has passed
	buf      []byte // octets not yet a whole frame
}

// feed adds octets and returns what can go on.
func (r *rewriter) feed(p []byte, fn func(rawFrame) []rawFrame) []byte {
	r.buf = append(r.buf, p...)
	var out []byte
	if !r.headDone {
		i := bytes.Index(r.buf, []byte("\r\n\r\n"))
		if i < 0 {
			return nil
		}
		out = append(out, r.buf[:i+4]...)
		r.buf = r.buf[i+4:]
		r.headDone = true
	}
	if fn == nil {
		out = append(out, r.buf...)
		r.buf = r.buf[:0]
		return out
	}
	for {
		h, n, err := frame.ParseHeader(r.buf)
		if err != nil || int64(len(r.buf)-n) < h.Length {
			return out
		}
		payload := append([]byte(nil), r.buf[n:n+int(h.Length)]...)
		r.buf = r.buf[n+int(h.Length):]
		if h.Masked {
			frame.Mask(h.Mask, 0, payload)
		}
		for _, f := range fn(rawFrame{h, payload}) {
			f.h.Length = int64(len(f.payload))
			out = frame.AppendHeader(out, f.h)
			start := len(out)
			out = append(out, f.payload...)
			if f.h.Masked {
				frame.Mask(f.h.Mask, 0, out[start:])
			}
		}
	}
}

func (c *rewriteConn) Read(p []byte) (int, error) {
	for len(c.ready) == 0 {
		buf := make([]byte, 64<<10)
		n, err := c.Conn.Read(buf)
		c.ready = append(c.ready, c.rd.feed(buf[:n], c.in)...)
		if err != nil && len(c.ready) == 0 {
			return 0, err
		}
	}
	n := copy(p, c.ready)
	c.ready = c.ready[n:]
	return n, nil
}

func (c *rewriteConn) Write(p []byte) (int, error) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if out := c.wr.feed(p, c.out); len(out) > 0 {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

var _ io.ReadWriter = (*rewriteConn)(nil)

// The broken peers. Each returns a wrapper for startEcho or dialEcho.

// skipsUTF8 makes a peer that does not validate text: text messages reach
// it as binary ones, and its echoes of them go back as text.
func skipsUTF8() func(net.Conn) net.Conn {
	return func(nc net.Conn) net.Conn {
		var mu sync.Mutex
		var wasText []bool // the messages received, in order: text or not
		return &rewriteConn{
			Conn: nc,
			in: func(f rawFrame) []rawFrame {
				if f.h.Opcode == frame.OpText || f.h.Opcode == frame.OpBinary {
					mu.Lock()
					wasText = append(wasText, f.h.Opcode == frame.OpText)
					mu.Unlock()
					f.h.Opcode = frame.OpBinary
				}
				return []rawFrame{f}
			},
			out: func(f rawFrame) []rawFrame {
				// The reference echoes each message as one frame.
				if f.h.Opcode == frame.OpBinary {
					mu.Lock()
					if len(wasText) > 0 {
						if wasText[0] {
							f.h.Opcode = frame.OpText
						}
						wasText = wasText[1:]
					}
					mu.Unlock()
				}
				return []rawFrame{f}
			},
		}
	}
}

// acceptsReservedBits makes a peer that ignores RSV bits: they are cleared
// before it reads them.
func acceptsReservedBits() func(net.Conn) net.Conn {
	return func(nc net.Conn) net.Conn {
		return &rewriteConn{Conn: nc, in: func(f rawFrame) []rawFrame {
			f.h.Rsv = 0
			return []rawFrame{f}
		}}
	}
}

// neverAnswersClose makes a peer that sends no close frame: its close
// frames are dropped. It still closes TCP as the reference does.
func neverAnswersClose() func(net.Conn) net.Conn {
	return func(nc net.Conn) net.Conn {
		return &rewriteConn{Conn: nc, out: func(f rawFrame) []rawFrame {
			if f.h.Opcode == frame.OpClose {
				return nil
			}
			return []rawFrame{f}
		}}
	}
}

// manglesFragments makes a peer that keeps only the last fragment of a
// fragmented message: non-final data frames are dropped, and a final
// continuation frame becomes a whole message of the type the message
// started with (text when none did).
func manglesFragments() func(net.Conn) net.Conn {
	return func(nc net.Conn) net.Conn {
		started := frame.OpText
		return &rewriteConn{Conn: nc, in: func(f rawFrame) []rawFrame {
			op := f.h.Opcode
			if op != frame.OpContinuation && op != frame.OpText && op != frame.OpBinary {
				return []rawFrame{f}
			}
			if !f.h.Fin {
				if op != frame.OpContinuation {
					started = op
				}
				return nil
			}
			if op == frame.OpContinuation {
				f.h.Opcode = started
				started = frame.OpText
			}
			return []rawFrame{f}
		}}
	}
}
