package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
)

// The load client's side of the wire format, RFC 6455 §5.2, reduced to what
// an echo client needs: it sends masked binary frames and reads a server's
// unmasked frames.

// Opcodes (RFC 6455 §5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// clientKey is the Sec-WebSocket-Key of every handshake the client makes:
// the sample nonce of RFC 6455 §1.3. A server cannot tell a reused key from
// a fresh one, and a fixed request keeps the client's cost out of the
// upgrade measurement.
const clientKey = "dGhlIHNhbXBsZSBub25jZQ=="

// wantAccept is the Sec-WebSocket-Accept a server must answer clientKey with.
var wantAccept = acceptKey(clientKey)

// acceptKey computes Sec-WebSocket-Accept for key (RFC 6455 §4.2.2, item 5.4).
func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// upgradeRequest returns the opening handshake (RFC 6455 §4.1) for
// ws://host/.
func upgradeRequest(host string) []byte {
	return []byte("GET / HTTP/1.1\r\n" +
		"Host: " + host + "\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + clientKey + "\r\n" +
		"Sec-WebSocket-Version: 13\r\n\r\n")
}

var errIncomplete = errors.New("incomplete")

// parseUpgradeResponse checks the server's answer to upgradeRequest at the
// start of p and returns its length. It returns errIncomplete while p does
// not hold the whole header block yet. The answer must be
// 101 Switching Protocols with the right Sec-WebSocket-Accept and no
// extension (RFC 6455 §4.1, the client's checks 1 to 5); the Upgrade and
// Connection fields are left to the libraries' own tests.
func parseUpgradeResponse(p []byte) (int, error) {
	end := bytes.Index(p, []byte("\r\n\r\n"))
	if end < 0 {
		return 0, errIncomplete
	}
	lines := bytes.Split(p[:end], []byte("\r\n"))
	status := lines[0]
	if !bytes.HasPrefix(status, []byte("HTTP/1.1 101")) || (len(status) > 12 && status[12] != ' ') {
		return 0, fmt.Errorf("handshake: status %q, want HTTP/1.1 101", status)
	}
	accepted := false
	for _, line := range lines[1:] {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, fmt.Errorf("handshake: malformed header line %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Sec-WebSocket-Accept")):
			if string(value) != wantAccept {
				return 0, fmt.Errorf("handshake: Sec-WebSocket-Accept %q, want %q", value, wantAccept)
			}
			accepted = true
		case bytes.EqualFold(name, []byte("Sec-WebSocket-Extensions")):
			return 0, fmt.Errorf("handshake: extension %q agreed, none offered", value)
		}
	}
	if !accepted {
		return 0, errors.New("handshake: no Sec-WebSocket-Accept")
	}
	return end + 4, nil
}

// frameHeader is the header of a frame a server sent.
type frameHeader struct {
	fin    bool
	opcode byte
	length int64
}

// maxFrameHeader is the longest header of a server frame: 2 octets and a
// 64-bit extended length, no mask.
const maxFrameHeader = 10

// parseFrameHeader decodes the header of a server's frame at the start of p
// and returns it with its length in octets. It returns errIncomplete while
// p is too short. A server's frame must not be masked (RFC 6455 §5.1),
// without an extension its reserved bits are 0 (§5.2), and a control frame
// is final and at most 125 octets long (§5.5).
func parseFrameHeader(p []byte) (frameHeader, int, error) {
	var h frameHeader
	if len(p) < 2 {
		return h, 0, errIncomplete
	}
	h.fin = p[0]&0x80 != 0
	h.opcode = p[0] & 0x0F
	if p[0]&0x70 != 0 {
		return h, 0, fmt.Errorf("frame: reserved bits %#x set", p[0]&0x70)
	}
	if p[1]&0x80 != 0 {
		return h, 0, errors.New("frame: masked frame from the server")
	}
	n := 2
	switch l := p[1] & 0x7F; l {
	case 126:
		if len(p) < 4 {
			return h, 0, errIncomplete
		}
		h.length, n = int64(binary.BigEndian.Uint16(p[2:])), 4
	case 127:
		if len(p) < 10 {
			return h, 0, errIncomplete
		}
		u := binary.BigEndian.Uint64(p[2:])
		if u>>63 != 0 {
			return h, 0, errors.New("frame: length with its most significant bit set")
		}
		h.length, n = int64(u), 10
	default:
		h.length = int64(l)
	}
	switch {
	case h.opcode >= opClose && h.opcode <= opPong:
		if !h.fin || h.length > 125 {
			return h, 0, fmt.Errorf("frame: control frame %#x fragmented or longer than 125 octets", h.opcode)
		}
	case h.opcode > opBinary:
		return h, 0, fmt.Errorf("frame: reserved opcode %#x", h.opcode)
	}
	return h, n, nil
}

// appendClientFrame appends a final frame of opcode op with payload p,
// masked with key (RFC 6455 §5.3), to dst.
func appendClientFrame(dst []byte, op byte, p []byte, key [4]byte) []byte {
	dst = append(dst, 0x80|op)
	switch n := len(p); {
	case n <= 125:
		dst = append(dst, 0x80|byte(n))
	case n <= 0xFFFF:
		dst = append(dst, 0x80|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, 0x80|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	dst = append(dst, key[:]...)
	for i, b := range p {
		dst = append(dst, b^key[i&3])
	}
	return dst
}
