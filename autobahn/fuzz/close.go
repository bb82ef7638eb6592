package fuzz

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// Close codes the engine sends itself.
const (
	codeNormal          = 1000
	codeGoingAway       = 1001
	codeProtocolError   = 1002
	codeInvalidPayload  = 1007
	codeMessageTooBig   = 1009
	goingAwayReason     = "Going Away"
	maxCloseReasonBytes = 123 // 125 octets of control payload less the code
)

// closeCodeAllowed reports whether the engine accepts code in a received
// close frame. It keeps the original's list, which predates the IANA
// registrations of 1012-1014: those count as protocol errors here.
func closeCodeAllowed(code int) bool {
	switch {
	case code < 1000 || code >= 5000:
		return false
	case code <= 2999:
		switch code {
		case 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011:
			return true
		}
		return false
	}
	return true
}

// SendClose starts the closing handshake with code and reason, as the
// original's sendClose: a nil code sends an empty close payload, and a
// reason too long for a close frame is cut to 120 octets and "...".
func (c *Conn) SendClose(code *int, reason *string) {
	var raw []byte
	if reason != nil {
		raw = []byte(*reason)
		if len(raw) > maxCloseReasonBytes {
			raw = append(raw[:120:120], "..."...)
		}
	}
	c.SendCloseFrame(code, raw, reason != nil)
}

// SendCloseFrame sends a close frame whose payload is code (two octets,
// when not nil) followed by reason, unchecked, and enters the closing
// state: this is how the cases send malformed close frames. hasReason
// tells an empty reason from none. A close frame is sent only while the
// connection is open; later calls do nothing.
func (c *Conn) SendCloseFrame(code *int, reason []byte, hasReason bool) {
	c.sendCloseFrame(code, reason, hasReason, false)
}

func (c *Conn) sendCloseFrame(code *int, reason []byte, hasReason, isReply bool) {
	if c.state != StateOpen {
		return
	}
	var payload []byte
	if code != nil {
		payload = binary.BigEndian.AppendUint16(payload, uint16(*code))
	}
	payload = append(payload, reason...)
	c.SendFrame(Frame{Opcode: 8, Payload: payload})

	c.state = StateClosing
	c.close.ClosedByMe = !isReply
	c.close.LocalCloseCode = copyInt(code)
	c.close.LocalCloseReason = nil
	if hasReason {
		s := string(reason)
		c.close.LocalCloseReason = &s
	}
	if c.close.ClosedByMe {
		c.closeHandshakeTimer = c.callLater(CloseHandshakeTimeout, c.onCloseHandshakeTimeout)
	}
}

// FailConnection fails the connection the original's way (it does not
// drop TCP, failByDrop being off for conformance): with a close frame
// while open, by closing TCP once the closing handshake is under way.
func (c *Conn) FailConnection(code int, reason string) {
	if c.state == StateClosed {
		return
	}
	c.close.FailedByMe = true
	if c.state != StateClosing {
		raw := []byte(reason)
		if len(raw) > maxCloseReasonBytes {
			raw = raw[:maxCloseReasonBytes]
		}
		c.sendCloseFrame(&code, raw, true, false)
		return
	}
	c.dropConnection(false)
}

// protocolViolation fails the connection with 1002. The original then
// goes on processing the offending frame, so that it can still read the
// peer's close frame; so does the caller.
func (c *Conn) protocolViolation(reason string) {
	c.FailConnection(codeProtocolError, reason)
}

// invalidPayload fails the connection with 1007.
func (c *Conn) invalidPayload(reason string) {
	c.FailConnection(codeInvalidPayload, reason)
}

// dropConnection closes TCP: at once when abort is set (discarding what is
// not written yet), after the queued writes otherwise.
func (c *Conn) dropConnection(abort bool) {
	if c.state == StateClosed {
		return
	}
	c.close.DroppedByMe = true
	c.state = StateClosed
	if abort {
		c.send.pending = nil
		c.w.stop()
		c.nc.Close()
		return
	}
	c.send.push(c, outItem{closeConn: true})
}

// onCloseFrame handles a received close frame: the original's rules on
// close codes and reasons, then the reply or the end of the handshake.
func (c *Conn) onCloseFrame(code *int, reason []byte) {
	c.close.RemoteCloseCode = copyInt(code)
	if code != nil && !closeCodeAllowed(*code) {
		c.protocolViolation(fmt.Sprintf("invalid close code %d", *code))
	}
	c.close.RemoteCloseReason = nil
	if reason != nil {
		if !utf8.Valid(reason) {
			c.invalidPayload("invalid close reason (non-UTF-8 payload)")
			// The original then fails to decode the reason and its
			// exception tears the TCP connection down on the spot.
			c.nc.Close()
			return
		}
		s := string(reason)
		c.close.RemoteCloseReason = &s
	}

	switch c.state {
	case StateClosing:
		// The peer's answer to our close frame.
		c.closeHandshakeTimer.cancel()
		c.closeHandshakeTimer = nil
		c.close.WasClean = true
		if c.isServer {
			c.dropConnection(true)
		} else {
			// The server should close TCP now (RFC 6455 §7.1.1).
			c.serverDropTimer = c.callLater(ServerDropTimeout, c.onServerDropTimeout)
		}
	case StateOpen:
		// The peer starts the closing handshake: answer with 1000.
		c.close.WasClean = true
		normal := codeNormal
		c.sendCloseFrame(&normal, nil, false, true)
		if c.isServer {
			c.dropConnection(false)
		}
	case StateClosed:
		c.close.WasClean = false
	}
}

func (c *Conn) onCloseHandshakeTimeout() {
	c.closeHandshakeTimer = nil
	if c.state == StateClosed {
		return
	}
	c.close.WasClean = false
	reason := "peer did not respond (in time) in closing handshake"
	c.close.WasNotCleanReason = &reason
	c.close.WasCloseHandshakeTimeout = true
	c.dropConnection(true)
}

func (c *Conn) onServerDropTimeout() {
	c.serverDropTimer = nil
	if c.state == StateClosed {
		return
	}
	c.close.WasClean = false
	reason := "server did not drop TCP connection (in time)"
	c.close.WasNotCleanReason = &reason
	c.close.WasServerConnectionDropTimeout = true
	c.dropConnection(true)
}

func (c *Conn) onOpenHandshakeTimeout() {
	c.openHandshakeTimer = nil
	if c.state != StateConnecting {
		return
	}
	c.close.WasClean = false
	reason := "peer did not finish (in time) the opening handshake"
	c.close.WasNotCleanReason = &reason
	c.close.WasOpenHandshakeTimeout = true
	c.dropConnection(true)
}

func copyInt(p *int) *int {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
