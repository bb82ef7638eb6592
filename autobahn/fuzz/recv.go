package fuzz

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/rfc6455/ws/frame"
)

// receiver is the state of the incoming frame and message.
type receiver struct {
	cur *rxFrame // the frame whose payload is arriving, nil between frames

	insideMessage bool
	compressed    bool // the message has RSV1 set and deflate was negotiated
	validate      bool // the message is text: check UTF-8 as it arrives
	utf8          frame.UTF8Validator
	binary        bool
	msgSize       int64    // payload octets announced by the message's frames
	msgData       [][]byte // payload of the frames received, nil once failed
	frameData     [][]byte
	controlData   [][]byte
}

// rxFrame is the header of a frame being received and how much of its
// payload has arrived.
type rxFrame struct {
	opcode int
	fin    bool
	rsv    int // RSV1-3 as a number 0-7
	masked bool
	mask   frame.MaskKey
	length int64
	pos    int64
}

// processData consumes one frame header or one piece of payload from c.in
// and reports whether to call it again. It applies the checks of RFC 6455
// §5 the original applies, in its order; a violation fails the connection
// and processing goes on, as in the original, so that the peer's close
// frame is still read.
func (r *receiver) processData(c *Conn) bool {
	if r.cur == nil {
		return r.processHeader(c)
	}
	f := r.cur
	n := int(min(f.length-f.pos, int64(len(c.in))))
	data := c.in[:n:n]
	c.in = c.in[n:]
	if len(c.in) == 0 {
		c.in = nil
	}
	if f.masked && n > 0 {
		frame.Mask(f.mask, int(f.pos&3), data)
	}
	f.pos += int64(n)
	r.onFrameData(c, data)
	if f.pos == f.length {
		r.onFrameEnd(c)
	}
	return len(c.in) > 0
}

func (r *receiver) processHeader(c *Conn) bool {
	in := c.in
	if len(in) < 2 {
		return false
	}
	fin := in[0]&0x80 != 0
	rsv := int(in[0]&0x70) >> 4
	opcode := int(in[0] & 0x0F)
	masked := in[1]&0x80 != 0
	len1 := int(in[1] & 0x7F)

	// §5.2: RSV bits must be 0 unless an extension gives them meaning;
	// permessage-deflate gives RSV1 one (RFC 7692 §6).
	if rsv != 0 && (c.pmd == nil || rsv != 4) {
		c.protocolViolation(fmt.Sprintf("RSV = %d and no extension negotiated", rsv))
	}
	// §5.1: clients mask, servers do not.
	if c.isServer && !masked {
		c.protocolViolation("unmasked client-to-server frame")
	}
	if !c.isServer && masked {
		c.protocolViolation("masked server-to-client frame")
	}
	if opcode > 7 {
		// §5.5: control frames.
		if !fin {
			c.protocolViolation("fragmented control frame")
		}
		if len1 > 125 {
			c.protocolViolation("control frame with payload length > 125 octets")
		}
		if opcode != 8 && opcode != 9 && opcode != 10 {
			c.protocolViolation(fmt.Sprintf("control frame using reserved opcode %d", opcode))
		}
		// §5.5.1: a close body starts with a two-octet code.
		if opcode == 8 && len1 == 1 {
			c.protocolViolation("received close control frame with payload len 1")
		}
		// RFC 7692 §6.1: control frames are never compressed.
		if c.pmd != nil && rsv == 4 {
			c.protocolViolation("received compressed control frame [permessage-deflate]")
		}
	} else {
		if opcode != 0 && opcode != 1 && opcode != 2 {
			c.protocolViolation(fmt.Sprintf("data frame using reserved opcode %d", opcode))
		}
		// §5.4: continuation frames continue a message, and only they do.
		if !r.insideMessage && opcode == 0 {
			c.protocolViolation("received continuation data frame outside fragmented message")
		}
		if r.insideMessage && opcode != 0 {
			c.protocolViolation("received non-continuation data frame while inside fragmented message")
		}
		// RFC 7692 §6.1: only the first frame of a message carries RSV1.
		if c.pmd != nil && rsv == 4 && r.insideMessage {
			c.protocolViolation("received continuation data frame with compress bit set [permessage-deflate]")
		}
	}

	size := 2
	switch len1 {
	case 126:
		size += 2
	case 127:
		size += 8
	}
	if masked {
		size += 4
	}
	if len(in) < size {
		return false
	}

	// §5.2: the length uses the shortest form, and a 64-bit length has its
	// top bit clear.
	length := int64(len1)
	i := 2
	switch len1 {
	case 126:
		length = int64(binary.BigEndian.Uint16(in[2:]))
		if length < 126 {
			c.protocolViolation("invalid data frame length (not using minimal length encoding)")
		}
		i = 4
	case 127:
		u := binary.BigEndian.Uint64(in[2:])
		if u > math.MaxInt64 {
			c.protocolViolation("invalid data frame length (>2^63)")
			u = math.MaxInt64
		}
		length = int64(u)
		if length < 65536 {
			c.protocolViolation("invalid data frame length (not using minimal length encoding)")
		}
		i = 10
	}
	f := &rxFrame{opcode: opcode, fin: fin, rsv: rsv, masked: masked, length: length}
	if masked {
		copy(f.mask[:], in[i:i+4])
	}
	c.in = in[size:]
	if len(c.in) == 0 {
		c.in = nil
	}
	r.cur = f
	r.onFrameBegin(c)
	return length == 0 || len(c.in) > 0
}

func (r *receiver) onFrameBegin(c *Conn) {
	f := r.cur
	if f.opcode > 7 {
		r.controlData = nil
		return
	}
	if !r.insideMessage {
		r.insideMessage = true
		r.compressed = c.pmd != nil && f.rsv == 4
		r.validate = f.opcode == 1
		r.utf8.Reset()
		r.binary = f.opcode == 2
		r.msgData = nil
		r.msgSize = 0
	}
	r.frameData = nil
	r.msgSize += f.length
	if !c.close.FailedByMe && r.msgSize > c.opts.MaxMessageSize {
		c.FailConnection(codeMessageTooBig, fmt.Sprintf("message exceeds payload limit of %d octets", c.opts.MaxMessageSize))
	}
}

func (r *receiver) onFrameData(c *Conn, data []byte) {
	if r.cur.opcode > 7 {
		r.controlData = append(r.controlData, data)
		return
	}
	if c.state == StateOpen {
		c.traffic.IncomingOctetsWebSocketLevel += int64(len(data))
		if !r.compressed {
			c.traffic.IncomingOctetsAppLevel += int64(len(data))
		}
	}
	// A compressed message is inflated and checked when it is complete.
	// Like the original, every piece of text that fails the check fails
	// the connection again: the second failure closes TCP.
	if r.validate && !r.compressed && len(data) > 0 && !r.utf8.Feed(data) {
		c.invalidPayload("encountered invalid UTF-8 while processing text message")
	}
	if !c.close.FailedByMe {
		r.frameData = append(r.frameData, data)
	}
}

func (r *receiver) onFrameEnd(c *Conn) {
	f := r.cur
	r.cur = nil
	if f.opcode > 7 {
		payload := concat(r.controlData)
		r.controlData = nil
		c.logRxFrame(f, payload)
		r.processControlFrame(c, f.opcode, payload)
		return
	}
	if c.state == StateOpen {
		c.traffic.IncomingWebSocketFrames++
	}
	if c.createWirelog {
		c.logRxFrame(f, concat(r.frameData))
	} else {
		c.stats.RxFrames[f.opcode]++
	}
	if !c.close.FailedByMe {
		r.msgData = append(r.msgData, r.frameData...)
	}
	r.frameData = nil
	if !f.fin {
		return
	}
	r.insideMessage = false
	payload := concat(r.msgData)
	r.msgData = nil
	if r.compressed && !c.close.FailedByMe {
		out, err := c.pmd.inflate(payload, c.opts.MaxMessageSize)
		if err != nil {
			c.FailConnection(codeForInflateError(err), "invalid compressed message: "+err.Error())
		}
		if c.state == StateOpen {
			c.traffic.IncomingOctetsAppLevel += int64(len(out))
		}
		if r.validate && len(out) > 0 && !r.utf8.Feed(out) {
			c.invalidPayload("encountered invalid UTF-8 while processing text message")
		}
		payload = out
	}
	if r.validate && !r.utf8.Complete() {
		c.invalidPayload("UTF-8 text message payload ended within Unicode code point")
	}
	if c.state == StateOpen {
		c.traffic.IncomingWebSocketMessages++
	}
	if !c.close.FailedByMe && c.h != nil {
		c.h.Message(c, payload, r.binary)
	}
}

func (r *receiver) processControlFrame(c *Conn, opcode int, payload []byte) {
	switch opcode {
	case 8:
		var code *int
		var reason []byte
		if len(payload) > 1 {
			v := int(binary.BigEndian.Uint16(payload))
			code = &v
			if len(payload) > 2 {
				reason = payload[2:]
			}
		}
		c.onCloseFrame(code, reason)
	case 9:
		// §5.5.2: answer a ping with a pong, while open.
		if c.state == StateOpen {
			c.SendFrame(Frame{Opcode: 10, Payload: payload})
		}
	case 10:
		if c.h != nil {
			c.h.Pong(c, payload)
		}
	}
}

// concat joins pieces of payload, without copying a single piece.
func concat(pieces [][]byte) []byte {
	if len(pieces) == 1 {
		return pieces[0]
	}
	return bytes.Join(pieces, nil)
}

// logRxFrame counts a received frame and logs it.
func (c *Conn) logRxFrame(f *rxFrame, payload []byte) {
	c.stats.RxFrames[f.opcode]++
	if !c.createWirelog {
		return
	}
	ev := WireEvent{
		Kind:   KindRxFrame,
		Len:    len(payload),
		Data:   LogText(payload),
		Opcode: f.opcode,
		Fin:    f.fin,
		Rsv:    f.rsv,
		Masked: f.masked,
	}
	if f.masked {
		ev.Mask = fmt.Sprintf("%x", f.mask[:])
	}
	c.wirelog = append(c.wirelog, ev)
}
