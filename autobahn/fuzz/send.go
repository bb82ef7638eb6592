package fuzz

import (
	"bytes"
	"fmt"
	"time"

	"github.com/rfc6455/ws/frame"
)

// Frame is a frame for SendFrame to build, valid or not. Nothing is
// checked: opcode, RSV bits and payload go on the wire as given.
type Frame struct {
	Opcode  int    // 0-15
	More    bool   // FIN clear: more frames of the message follow
	Rsv     int    // RSV1-3 as a number 0-7 (RSV1 is 4)
	Payload []byte // the payload, or the pattern RepeatTo repeats

	// RepeatTo, if positive, makes the payload that many octets long by
	// repeating Payload, which must not be empty.
	RepeatTo int
	// ChopSize, if positive, writes the frame in pieces of that many
	// octets, each on its own.
	ChopSize int
	// Sync writes the frame on its own, not together with the writes
	// around it.
	Sync bool
}

// sender is the state of outgoing data: writes collected during the
// current event, and the streaming message API's progress.
type sender struct {
	pending       []outItem
	pendingQueued int

	state     streamState
	opcode    int
	frameLen  int64
	framePos  int64
	frameMask frame.MaskKey
	masked    bool
}

// streamState is the original's send state for streamed messages.
type streamState int

const (
	streamGround streamState = iota
	streamMessageBegin
	streamInsideMessage
	streamInsideFrame
)

// push adds items to the writes of the current event.
func (s *sender) push(c *Conn, items ...outItem) {
	for _, it := range items {
		if it.queued {
			s.pendingQueued++
		}
	}
	s.pending = append(s.pending, items...)
}

// flush hands the writes of the event just handled to the writer.
func (s *sender) flush(c *Conn) {
	c.w.push(s.pending)
	s.pending = nil
	s.pendingQueued = 0
}

// sendData is the original's sendData. Chopped data is queued in chunks
// written one at a time; sync data is queued whole; other data is written
// with whatever else this event writes, unless queued writes are still
// waiting, which it must not overtake.
func (c *Conn) sendData(data []byte, sync bool, chopSize int) {
	if c.state == StateClosed {
		return
	}
	if chopSize > 0 {
		for i := 0; i < len(data) || i == 0; i += chopSize {
			j := min(i+chopSize, len(data))
			c.logTxOctets(data[i:j], true)
			c.send.push(c, outItem{data: data[i:j], queued: true})
		}
		return
	}
	queued := sync || c.send.pendingQueued > 0 || c.w.pendingQueued() > 0
	c.logTxOctets(data, sync)
	c.send.push(c, outItem{data: data, queued: queued})
}

func (c *Conn) logTxOctets(data []byte, sync bool) {
	switch c.state {
	case StateOpen:
		c.traffic.OutgoingOctetsWireLevel += int64(len(data))
	case StateConnecting:
		c.traffic.PreopenOutgoingOctetsWireLevel += int64(len(data))
	}
	c.stats.TxOctets[len(data)]++
	if c.createWirelog {
		c.wirelog = append(c.wirelog, WireEvent{Kind: KindTxOctets, Len: len(data), Data: LogHex(data), Sync: sync})
	}
}

// SendFrame builds f and sends it. A client masks it with a random key
// (RFC 6455 §5.3), a server does not.
func (c *Conn) SendFrame(f Frame) {
	payload := f.Payload
	if f.RepeatTo > 0 {
		payload = bytes.Repeat(f.Payload, f.RepeatTo/len(f.Payload)+1)[:f.RepeatTo]
	}
	h := frame.Header{
		Fin:    !f.More,
		Rsv:    byte(f.Rsv%8) << 4,
		Opcode: frame.Opcode(f.Opcode),
		Length: int64(len(payload)),
		Masked: !c.isServer,
	}
	raw := make([]byte, 0, frame.MaxHeaderSize+len(payload))
	if h.Masked {
		h.Mask = maskKey()
	}
	raw = frame.AppendHeader(raw, h)
	raw = append(raw, payload...)
	if h.Masked {
		frame.Mask(h.Mask, 0, raw[len(raw)-len(payload):])
	}
	if f.Opcode <= 2 {
		c.traffic.OutgoingWebSocketFrames++
	}
	c.logTxFrame(f, h)
	c.sendData(raw, f.Sync, f.ChopSize)
}

func (c *Conn) logTxFrame(f Frame, h frame.Header) {
	c.stats.TxFrames[f.Opcode]++
	if !c.createWirelog {
		return
	}
	ev := WireEvent{
		Kind:   KindTxFrame,
		Len:    len(f.Payload),
		Data:   LogText(f.Payload),
		Opcode: f.Opcode,
		Fin:    !f.More,
		Rsv:    f.Rsv,
		Sync:   f.Sync,
	}
	if h.Masked {
		ev.Mask = fmt.Sprintf("%x", h.Mask[:])
	}
	if f.RepeatTo > 0 {
		ev.Repeat = &f.RepeatTo
	}
	if f.ChopSize > 0 {
		ev.ChopSize = &f.ChopSize
	}
	c.wirelog = append(c.wirelog, ev)
}

// SendMessage sends a data message, compressed when permessage-deflate was
// negotiated, in frames of fragmentSize octets (when positive) or of
// AutoFragmentSize. It does nothing unless the connection is open.
//
// Like the original, a payload that divides into fragments exactly ends
// with an empty final frame.
func (c *Conn) SendMessage(payload []byte, binary bool, fragmentSize int) {
	if c.state != StateOpen {
		return
	}
	opcode := 1
	if binary {
		opcode = 2
	}
	c.traffic.OutgoingWebSocketMessages++
	c.traffic.OutgoingOctetsAppLevel += int64(len(payload))
	rsv := 0
	if c.pmd != nil {
		payload = c.pmd.deflate(payload)
		rsv = 4
	}
	c.traffic.OutgoingOctetsWebSocketLevel += int64(len(payload))

	size := fragmentSize
	if size <= 0 {
		size = c.AutoFragmentSize
	}
	if size <= 0 || len(payload) <= size {
		c.SendFrame(Frame{Opcode: opcode, Payload: payload, Rsv: rsv})
		return
	}
	for i := 0; ; i += size {
		j := i + size
		last := j > len(payload)
		if last {
			j = len(payload)
		}
		if i == 0 {
			c.SendFrame(Frame{Opcode: opcode, Payload: payload[i:j], More: !last, Rsv: rsv})
		} else {
			c.SendFrame(Frame{Opcode: 0, Payload: payload[i:j], More: !last})
		}
		if last {
			return
		}
	}
}

// BeginMessage starts a streamed message: BeginMessageFrame,
// SendMessageFrameData and EndMessage send it piece by piece, each piece
// written when it is given. Streaming does nothing unless open. Streamed
// messages are never compressed: the cases that stream do not negotiate
// permessage-deflate.
func (c *Conn) BeginMessage(binary bool) {
	if c.state != StateOpen {
		return
	}
	s := &c.send
	if s.state != streamGround {
		panic("fuzz: BeginMessage inside a message")
	}
	s.opcode = 1
	if binary {
		s.opcode = 2
	}
	s.state = streamMessageBegin
	c.traffic.OutgoingWebSocketMessages++
}

// BeginMessageFrame starts a frame of the streamed message, announcing
// length octets of payload. Its FIN bit is clear: EndMessage sends the
// final frame.
func (c *Conn) BeginMessageFrame(length int64) {
	if c.state != StateOpen {
		return
	}
	s := &c.send
	if s.state != streamMessageBegin && s.state != streamInsideMessage {
		panic("fuzz: BeginMessageFrame outside a message")
	}
	s.frameLen, s.framePos = length, 0
	c.traffic.OutgoingWebSocketFrames++
	h := frame.Header{Length: length, Masked: !c.isServer}
	if s.state == streamMessageBegin {
		h.Opcode = frame.Opcode(s.opcode)
	}
	s.masked = h.Masked
	if h.Masked {
		h.Mask = maskKey()
		s.frameMask = h.Mask
	}
	c.sendData(frame.AppendHeader(nil, h), false, 0)
	s.state = streamInsideFrame
}

// SendMessageFrameData sends payload octets of the current frame, masked
// as needed; octets beyond the announced length are dropped.
func (c *Conn) SendMessageFrameData(payload []byte) {
	if c.state != StateOpen {
		return
	}
	s := &c.send
	if s.state != streamInsideFrame {
		panic("fuzz: SendMessageFrameData outside a frame")
	}
	c.traffic.OutgoingOctetsAppLevel += int64(len(payload))
	c.traffic.OutgoingOctetsWebSocketLevel += int64(len(payload))
	n := min(int64(len(payload)), s.frameLen-s.framePos)
	data := append([]byte(nil), payload[:n]...)
	if s.masked {
		frame.Mask(s.frameMask, int(s.framePos&3), data)
	}
	s.framePos += n
	c.sendData(data, false, 0)
	if s.framePos >= s.frameLen {
		s.state = streamInsideMessage
	}
}

// EndMessage ends a streamed message with an empty final continuation
// frame.
func (c *Conn) EndMessage() {
	if c.state != StateOpen {
		return
	}
	c.SendFrame(Frame{Opcode: 0})
	c.send.state = streamGround
}

// ContinueLater runs fn after delay, unless the connection is closed by
// then, and logs both moments under tag.
func (c *Conn) ContinueLater(delay time.Duration, tag string, fn func()) {
	c.wirelog = append(c.wirelog, WireEvent{Kind: KindDelay, Delay: delay.Seconds(), Tag: tag})
	c.callLater(delay, func() {
		if c.state == StateClosed {
			return
		}
		c.wirelog = append(c.wirelog, WireEvent{Kind: KindDelayFired, Tag: tag})
		fn()
	})
}

// KillAfter fails the connection after delay (going away, 1001) unless it
// is closed by then.
func (c *Conn) KillAfter(delay time.Duration) {
	c.wirelog = append(c.wirelog, WireEvent{Kind: KindKillAfter, Delay: delay.Seconds()})
	c.callLater(delay, func() {
		if c.state == StateClosed {
			return
		}
		c.wirelog = append(c.wirelog, WireEvent{Kind: KindKillFired})
		c.FailConnection(codeGoingAway, goingAwayReason)
	})
}

// CloseAfter starts the closing handshake, with an empty close payload,
// after delay unless the connection is closed by then.
func (c *Conn) CloseAfter(delay time.Duration) {
	c.wirelog = append(c.wirelog, WireEvent{Kind: KindCloseAfter, Delay: delay.Seconds()})
	c.callLater(delay, func() {
		if c.state == StateClosed {
			return
		}
		c.wirelog = append(c.wirelog, WireEvent{Kind: KindCloseFired})
		c.SendClose(nil, nil)
	})
}
