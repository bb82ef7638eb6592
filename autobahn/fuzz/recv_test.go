package fuzz

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/frame"
)

// TestReceiveRules feeds a Conn in either role what a peer might send and
// checks the answer each rule of RFC 6455 §5 requires: the message, or a
// close frame with the close code of the violation (and the connection
// marked as failed by the fuzzer).
func TestReceiveRules(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 200)
	for _, tc := range []struct {
		name     string
		isServer bool
		frames   func(c *Conn) [][]byte
		want     []recorded
		wantCode int // close code the fuzzer sends; 0 for none
	}{
		{"text to a client", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, 0, frame.OpText, []byte("hello"))}
		}, []recorded{{"hello", false}}, 0},
		{"binary to a server", true, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, 0, frame.OpBinary, []byte{0, 0xff})}
		}, []recorded{{"\x00\xff", true}}, 0},
		{"fragments with a ping between", true, func(c *Conn) [][]byte {
			return [][]byte{
				wireFrame(c, false, 0, frame.OpText, []byte("ab")),
				wireFrame(c, true, 0, frame.OpPing, []byte("p")),
				wireFrame(c, true, 0, frame.OpContinuation, []byte("cd")),
			}
		}, []recorded{{"abcd", false}}, 0},
		{"§5.1 unmasked frame to a server", true, func(c *Conn) [][]byte {
			c.isServer = false
			defer func() { c.isServer = true }()
			return [][]byte{wireFrame(c, true, 0, frame.OpText, []byte("x"))}
		}, nil, 1002},
		{"§5.1 masked frame to a client", false, func(c *Conn) [][]byte {
			c.isServer = true
			defer func() { c.isServer = false }()
			return [][]byte{wireFrame(c, true, 0, frame.OpText, []byte("x"))}
		}, nil, 1002},
		{"§5.2 RSV without extension", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, frame.Rsv2, frame.OpText, []byte("x"))}
		}, nil, 1002},
		{"§5.2 reserved data opcode", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, 0, 3, nil)}
		}, nil, 1002},
		{"§5.2 reserved control opcode", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, 0, 0xB, nil)}
		}, nil, 1002},
		{"§5.2 non-minimal 16-bit length", false, func(c *Conn) [][]byte {
			return [][]byte{{0x81, 126, 0, 5, 'h', 'e', 'l', 'l', 'o'}}
		}, nil, 1002},
		{"§5.2 non-minimal 64-bit length", false, func(c *Conn) [][]byte {
			return [][]byte{append([]byte{0x82, 127, 0, 0, 0, 0, 0, 0, 0, 3}, "abc"...)}
		}, nil, 1002},
		{"§5.4 continuation without a message", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, 0, frame.OpContinuation, []byte("x"))}
		}, nil, 1002},
		{"§5.4 new message inside a fragmented one", false, func(c *Conn) [][]byte {
			return [][]byte{
				wireFrame(c, false, 0, frame.OpText, []byte("a")),
				wireFrame(c, true, 0, frame.OpText, []byte("b")),
			}
		}, nil, 1002},
		{"§5.5 fragmented control frame", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, false, 0, frame.OpPing, nil)}
		}, nil, 1002},
		{"§5.5 control payload over 125", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, 0, frame.OpPing, long)}
		}, nil, 1002},
		{"§5.5.1 close payload of one octet", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, 0, frame.OpClose, []byte{3})}
		}, nil, 1002},
		{"§7.4.1 close code 1005 on the wire", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, 0, frame.OpClose, []byte{0x03, 0xed})}
		}, nil, 1002},
		{"close code 1012 (not in the original's list)", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, 0, frame.OpClose, []byte{0x03, 0xf4})}
		}, nil, 1002},
		{"§8.1 invalid UTF-8 text", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, 0, frame.OpText, []byte("\xed\xa0\x80"))}
		}, nil, 1007},
		{"§8.1 text ending inside a character", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, 0, frame.OpText, []byte("\xce"))}
		}, nil, 1007},
		{"§8.1 UTF-8 split across fragments", false, func(c *Conn) [][]byte {
			return [][]byte{
				wireFrame(c, false, 0, frame.OpText, []byte("\xce")),
				wireFrame(c, true, 0, frame.OpContinuation, []byte("\xba")),
			}
		}, []recorded{{"\xce\xba", false}}, 0},
		{"message over the size limit", false, func(c *Conn) [][]byte {
			c.opts.MaxMessageSize = 100
			return [][]byte{wireFrame(c, true, 0, frame.OpBinary, long)}
		}, nil, 1009},
		{"peer closes: answered with 1000", false, func(c *Conn) [][]byte {
			return [][]byte{wireFrame(c, true, 0, frame.OpClose, []byte{0x0f, 0xa0})} // 4000
		}, nil, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec := openConn(t, tc.isServer)
			for _, f := range tc.frames(c) {
				c.dataReceived(f)
			}
			if diff := cmp.Diff(tc.want, rec.messages, cmp.AllowUnexported(recorded{})); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
			if got := closeCodeSent(t, c); got != tc.wantCode {
				t.Errorf("close code sent: %d, want %d", got, tc.wantCode)
			}
			failed := tc.wantCode != 0 && tc.wantCode != 1000
			if c.close.FailedByMe != failed {
				t.Errorf("FailedByMe = %v, want %v", c.close.FailedByMe, failed)
			}
		})
	}
}

// TestReceiveInPieces feeds the same frames one octet at a time: the
// receiver must be indifferent to how the stream is cut (§5.2).
func TestReceiveInPieces(t *testing.T) {
	for _, isServer := range []bool{false, true} {
		c, rec := openConn(t, isServer)
		payload := strings.Repeat("0123456789", 30)
		var stream []byte
		stream = append(stream, wireFrame(c, false, 0, frame.OpText, []byte(payload[:150]))...)
		stream = append(stream, wireFrame(c, true, 0, frame.OpPing, []byte("ping"))...)
		stream = append(stream, wireFrame(c, true, 0, frame.OpContinuation, []byte(payload[150:]))...)
		stream = append(stream, wireFrame(c, true, 0, frame.OpPong, []byte("pong"))...)
		for i := range stream {
			c.dataReceived(stream[i : i+1])
		}
		if diff := cmp.Diff([]recorded{{payload, false}}, rec.messages, cmp.AllowUnexported(recorded{})); diff != "" {
			t.Errorf("server=%v: messages (-want +got):\n%s", isServer, diff)
		}
		if diff := cmp.Diff([]string{"pong"}, rec.pongs); diff != "" {
			t.Errorf("server=%v: pongs (-want +got):\n%s", isServer, diff)
		}
		f := sent(t, c)
		if len(f) != 1 || f[0].opcode != frame.OpPong || string(f[0].payload) != "ping" {
			t.Errorf("server=%v: sent %+v, want one pong with the ping's payload", isServer, f)
		}
	}
}

// TestReceiveAfterFailure checks the original's rule that messages are no
// longer delivered once the fuzzer failed the connection, while pongs are.
func TestReceiveAfterFailure(t *testing.T) {
	c, rec := openConn(t, false)
	c.dataReceived(wireFrame(c, true, 0, 3, nil)) // reserved opcode: fail
	c.dataReceived(wireFrame(c, true, 0, frame.OpText, []byte("late")))
	c.dataReceived(wireFrame(c, true, 0, frame.OpPong, []byte("p")))
	if len(rec.messages) != 0 {
		t.Errorf("messages after the failure: %v", rec.messages)
	}
	if diff := cmp.Diff([]string{"p"}, rec.pongs); diff != "" {
		t.Errorf("pongs (-want +got):\n%s", diff)
	}
	if c.state != StateClosing {
		t.Errorf("state %v, want closing", c.state)
	}
}

// TestSecondUTF8FailureDrops checks the original's rule that invalid text
// seen again after the connection was failed closes TCP.
func TestSecondUTF8FailureDrops(t *testing.T) {
	c, _ := openConn(t, false)
	c.dataReceived(wireFrame(c, true, 0, frame.OpText, []byte("\xff")))
	if !c.close.DroppedByMe || c.state != StateClosed {
		t.Errorf("after invalid text: droppedByMe %v, state %v; want true, closed", c.close.DroppedByMe, c.state)
	}
}

// TestReceiveCompressed checks that a compressed message is inflated once
// permessage-deflate is negotiated, and that RSV1 on a continuation frame
// is a protocol error (RFC 7692 §6.1).
func TestReceiveCompressed(t *testing.T) {
	peer := newPermessageDeflate(true, DeflateParams{}, DefaultDeflateLevel)
	text := strings.Repeat("compress me ", 100)

	c, rec := openConn(t, false)
	c.pmd = newPermessageDeflate(false, DeflateParams{}, DefaultDeflateLevel)
	for range 3 { // context carries over between messages
		c.dataReceived(wireFrame(c, true, frame.Rsv1, frame.OpText, peer.deflate([]byte(text))))
	}
	want := []recorded{{text, false}, {text, false}, {text, false}}
	if diff := cmp.Diff(want, rec.messages, cmp.AllowUnexported(recorded{})); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}

	c, _ = openConn(t, false)
	c.pmd = newPermessageDeflate(false, DeflateParams{}, DefaultDeflateLevel)
	c.dataReceived(wireFrame(c, false, 0, frame.OpText, []byte("a")))
	c.dataReceived(wireFrame(c, true, frame.Rsv1, frame.OpContinuation, []byte("b")))
	if got := closeCodeSent(t, c); got != 1002 {
		t.Errorf("RSV1 on a continuation: close code %d, want 1002", got)
	}
}
