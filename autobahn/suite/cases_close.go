package suite

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/frame"
)

// closeCases are group 7: the closing handshake (RFC 6455 §5.5.1, §7).
func closeCases() []*Case {
	normal := int(frame.CloseNormal)
	// closing makes a case that sends a close frame itself and fails when
	// the peer answers with a wrong code.
	closing := func(id, desc, exp string, open func(t *Test)) *Case {
		return &Case{
			ID: id, Description: desc, Expectation: exp,
			Init: func(t *Test) { t.SuppressClose = true },
			Open: open,
			Lost: failOnWrongCode,
		}
	}
	hello := []byte("Hello World!")
	cases := []*Case{
		{
			ID:          "7.1.1",
			Description: "Send a message followed by a close frame",
			Expectation: "Echoed message followed by clean close with normal code.",
			Open: func(t *Test) {
				t.Expect(OK, Message("Hello World!", false))
				t.ExpectClose(true, codes(frame.CloseNormal), true)
				t.P.SendFrame(fuzz.Frame{Opcode: 1, Payload: hello})
				t.P.KillAfter(time.Second)
			},
			Lost: failOnWrongCode,
		},
		closing("7.1.2", "Send two close frames", "Clean close with normal code. Second close frame ignored.", func(t *Test) {
			t.Expect(OK)
			t.ExpectClose(true, codes(frame.CloseNormal), true)
			t.P.SendClose(&normal, nil)
			t.P.SendFrame(fuzz.Frame{Opcode: 8})
			t.P.KillAfter(time.Second)
		}),
		closing("7.1.3", "Send a ping after close message", "Clean close with normal code, no pong.", func(t *Test) {
			t.Expect(OK)
			t.ExpectClose(true, codes(frame.CloseNormal), true)
			t.P.SendClose(&normal, nil)
			t.P.SendFrame(fuzz.Frame{Opcode: 9})
			t.P.KillAfter(time.Second)
		}),
		closing("7.1.4", "Send text message after sending a close frame.", "Clean close with normal code. Text message ignored.", func(t *Test) {
			t.Expect(OK)
			t.ExpectClose(true, codes(frame.CloseNormal), true)
			t.P.SendClose(&normal, nil)
			t.P.SendFrame(fuzz.Frame{Opcode: 1, Payload: hello})
			t.P.KillAfter(time.Second)
		}),
		closing("7.1.5", "Send message fragment1 followed by close then fragment", "Clean close with normal code.", func(t *Test) {
			t.Expect(OK)
			t.ExpectClose(true, codes(frame.CloseNormal), true)
			t.P.SendFrame(fuzz.Frame{Opcode: 1, More: true, Payload: []byte("fragment1")})
			t.P.SendClose(&normal, nil)
			t.P.SendFrame(fuzz.Frame{Opcode: 0, Payload: []byte("fragment2")})
			t.P.KillAfter(time.Second)
		}),
		{
			ID:          "7.1.6",
			Description: "Send 256K message followed by close then a ping",
			Expectation: "Case outcome depends on implementation defined close behavior. Message and close frame are sent back to back. If the close frame is processed before the text message write is complete (as can happen in asynchronous processing models) the close frame is processed first and the text message may not be received or may only be partially received.",
			Init:        func(t *Test) { t.SuppressClose = true },
			Open: func(t *Test) {
				t.Expect(OK, Message("Hello World!", false))
				t.Expect(NonStrict)
				t.ExpectClose(true, codes(frame.CloseNormal), true)
				t.P.SendFrame(fuzz.Frame{Opcode: 1, Payload: []byte("BAsd7&jh23"), RepeatTo: 256 << 10})
				t.P.SendFrame(fuzz.Frame{Opcode: 1, Payload: hello})
				t.P.SendClose(&normal, nil)
				t.P.SendFrame(fuzz.Frame{Opcode: 9})
				t.P.KillAfter(time.Second)
			},
			Lost: func(t *Test) {
				switch t.Behavior {
				case OK:
					t.Result = "Text message was processed before close."
				case NonStrict:
					t.Result = "Close was processed before text message could be returned."
				}
				t.Behavior = Informational
				t.BehaviorClose = Informational
			},
		},
		closing("7.3.1", "Send a close frame with payload length 0 (no close code, no close reason)", "Clean close with normal code.", func(t *Test) {
			t.Expect(OK)
			t.ExpectClose(true, codes(frame.CloseNormal), true)
			t.P.SendCloseFrame(nil, nil, false)
			t.P.KillAfter(time.Second)
		}),
		closing("7.3.2", "Send a close frame with payload length 1", "Clean close with protocol error or drop TCP.", func(t *Test) {
			t.Expect(OK)
			t.ExpectClose(true, codes(frame.CloseProtocolError), false)
			t.P.SendCloseFrame(nil, []byte("a"), true)
			t.P.KillAfter(time.Second)
		}),
		closing("7.3.3", "Send a close frame with payload length 2 (regular close with a code)", "Clean close with normal code.", func(t *Test) {
			t.Expect(OK)
			t.ExpectClose(true, codes(frame.CloseNormal), true)
			t.P.SendClose(&normal, nil)
			t.P.KillAfter(time.Second)
		}),
		closing("7.3.4", "Send a close frame with close code and close reason", "Clean close with normal code.", func(t *Test) {
			t.Expect(OK)
			t.ExpectClose(true, codes(frame.CloseNormal), true)
			reason := "Hello World!"
			t.P.SendClose(&normal, &reason)
			t.P.KillAfter(time.Second)
		}),
		closing("7.3.5", "Send a close frame with close code and close reason of maximum length (123)", "Clean close with normal code.", func(t *Test) {
			t.Expect(OK)
			t.ExpectClose(true, codes(frame.CloseNormal), true)
			reason := strings.Repeat("*", 123)
			t.P.SendClose(&normal, &reason)
			t.P.KillAfter(time.Second)
		}),
		closing("7.3.6", "Send a close frame with close code and close reason which is too long (124) - total frame payload 126 octets", "Clean close with protocol error code or dropped TCP connection.", func(t *Test) {
			t.Expect(OK)
			t.ExpectClose(true, codes(frame.CloseProtocolError), false)
			t.P.SendCloseFrame(&normal, []byte(strings.Repeat("*", 124)), true)
			t.P.KillAfter(time.Second)
		}),
		{
			ID:          "7.5.1",
			Description: "Send a close frame with invalid UTF8 payload",
			Expectation: "Clean close with protocol error or invalid utf8 code or dropped TCP.",
			Init:        func(t *Test) { t.SuppressClose = true },
			Open: func(t *Test) {
				t.Expect(OK)
				t.ExpectClose(true, codes(frame.CloseProtocolError, frame.CloseInvalidPayload), false)
				t.P.SendCloseFrame(&normal, []byte(surrogate), true)
				t.P.KillAfter(time.Second)
			},
			Lost: func(t *Test) {
				failOnWrongCode(t)
				// The reason sent is not UTF-8: report it in hex.
				reason := "?"
				if r := t.Close.LocalCloseReason; r != nil && *r != "" {
					reason = hex.EncodeToString([]byte(*r))
				}
				t.Close.LocalCloseReason = &reason
			},
		},
	}
	// 7.7: every valid close code must be answered with itself or 1000.
	for i, code := range []int{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999} {
		cases = append(cases, &Case{
			ID:          fmt.Sprintf("7.7.%d", i+1),
			Description: fmt.Sprintf("Send close with valid close code %d", code),
			Expectation: "Clean close with normal or echoed code",
			Open: func(t *Test) {
				t.Expect(OK)
				t.ExpectClose(true, codes(frame.CloseNormal, frame.CloseCode(code)), true)
				t.P.SendCloseFrame(&code, nil, false)
				t.P.KillAfter(time.Second)
			},
			Lost: failOnWrongCode,
		})
	}
	// 7.9: an invalid close code is a protocol error (§7.4.1).
	for i, code := range []int{0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999} {
		cases = append(cases, &Case{
			ID:          fmt.Sprintf("7.9.%d", i+1),
			Description: fmt.Sprintf("Send close with invalid close code %d", code),
			Expectation: "Clean close with protocol error code or drop TCP",
			Open: func(t *Test) {
				t.Expect(OK)
				t.ExpectClose(true, codes(frame.CloseProtocolError), false)
				t.P.SendCloseFrame(&code, nil, false)
				t.P.KillAfter(time.Second)
			},
			Lost: failOnWrongCode,
		})
	}
	// 7.13: codes the spec leaves undefined; the outcome is only reported.
	for i, code := range []int{5000, 65535} {
		cases = append(cases, &Case{
			ID:          fmt.Sprintf("7.13.%d", i+1),
			Description: fmt.Sprintf("Send close with close code %d", code),
			Expectation: "Actual events are undefined by the spec.",
			Init:        func(t *Test) { t.SuppressClose = true },
			Open: func(t *Test) {
				t.Expect(OK)
				t.ExpectClose(true, codes(frame.CloseNormal, frame.CloseCode(code), frame.CloseProtocolError), false)
				t.P.SendCloseFrame(&code, nil, false)
				t.P.KillAfter(time.Second)
			},
			Lost: func(t *Test) {
				t.Behavior = Informational
				t.BehaviorClose = Informational
				t.Result = "Actual events are undefined by the spec."
			},
		})
	}
	return cases
}
