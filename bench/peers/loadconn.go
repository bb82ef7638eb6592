package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// loadConn is the load client's end of one WebSocket connection.
type loadConn struct {
	nc   net.Conn
	buf  []byte // read buffer; unread octets are buf[r:w]
	r, w int
}

// errServerClosed is reported when a server sends a close frame.
var errServerClosed = errors.New("server sent a close frame")

// dialLoad connects to addr and runs the opening handshake, with a read
// buffer of bufSize octets. timeout bounds the handshake.
func dialLoad(addr string, bufSize int, timeout time.Duration) (*loadConn, error) {
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	c := &loadConn{nc: nc, buf: make([]byte, max(bufSize, 512))}
	nc.SetDeadline(time.Now().Add(timeout))
	if err := c.handshake(addr); err != nil {
		c.close()
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	return c, nil
}

// handshake sends the upgrade request and reads the 101 answer; octets
// that follow it stay in the buffer.
func (c *loadConn) handshake(host string) error {
	if _, err := c.nc.Write(upgradeRequest(host)); err != nil {
		return err
	}
	for {
		n, err := parseUpgradeResponse(c.buf[c.r:c.w])
		if err == nil {
			c.r += n
			return nil
		}
		if err != errIncomplete {
			return err
		}
		if c.w == len(c.buf) {
			return errors.New("handshake: response header larger than the read buffer")
		}
		if err := c.fill(); err != nil {
			return fmt.Errorf("handshake: %w", err)
		}
	}
}

// fill reads more octets into the buffer, moving the unread ones to its
// start first.
func (c *loadConn) fill() error {
	if c.r > 0 {
		c.w = copy(c.buf, c.buf[c.r:c.w])
		c.r = 0
	}
	n, err := c.nc.Read(c.buf[c.w:])
	c.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// readHeader reads the next frame header.
func (c *loadConn) readHeader() (frameHeader, error) {
	for {
		h, n, err := parseFrameHeader(c.buf[c.r:c.w])
		if err == nil {
			c.r += n
			return h, nil
		}
		if err != errIncomplete {
			return h, err
		}
		if err := c.fill(); err != nil {
			return h, err
		}
	}
}

// readPayload consumes n octets of payload. If want is not nil, the
// octets must equal it.
func (c *loadConn) readPayload(n int64, want []byte) error {
	for n > 0 {
		if c.r == c.w {
			if err := c.fill(); err != nil {
				return err
			}
		}
		chunk := c.buf[c.r:min(c.w, c.r+int(min(n, int64(len(c.buf)))))]
		if want != nil {
			if !bytes.Equal(chunk, want[:len(chunk)]) {
				return errors.New("echo: payload differs from the message sent")
			}
			want = want[len(chunk):]
		}
		c.r += len(chunk)
		n -= int64(len(chunk))
	}
	return nil
}

// readEcho reads the next data message, which must be a binary message of
// len(sent) octets, however the server fragments it (RFC 6455 §5.4).
// If check is set, its payload must equal sent. Control frames between its
// fragments are skipped; a close frame ends the connection.
func (c *loadConn) readEcho(sent []byte, check bool) error {
	var got int64
	first := true
	for {
		h, err := c.readHeader()
		if err != nil {
			return err
		}
		switch {
		case h.opcode == opClose:
			return errServerClosed
		case h.opcode >= opClose:
			// Ping or pong: no server pings during a measurement, so the
			// client need not answer.
			if err := c.readPayload(h.length, nil); err != nil {
				return err
			}
			continue
		case first && h.opcode != opBinary:
			return fmt.Errorf("echo: message of opcode %#x, want binary", h.opcode)
		case !first && h.opcode != opContinuation:
			return fmt.Errorf("echo: opcode %#x inside a fragmented message", h.opcode)
		}
		first = false
		if got+h.length > int64(len(sent)) {
			return fmt.Errorf("echo: message longer than the %d octets sent", len(sent))
		}
		var want []byte
		if check {
			want = sent[got : got+h.length]
		}
		if err := c.readPayload(h.length, want); err != nil {
			return err
		}
		got += h.length
		if h.fin {
			if got != int64(len(sent)) {
				return fmt.Errorf("echo: %d octets, want %d", got, len(sent))
			}
			return nil
		}
	}
}

// close resets the connection instead of closing it gracefully: no
// TIME_WAIT is left behind to exhaust loopback ports over a run of
// hundreds of thousands of connections.
func (c *loadConn) close() error {
	if tc, ok := c.nc.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	return c.nc.Close()
}
