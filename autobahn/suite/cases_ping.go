package suite

import (
	"fmt"
	"strings"
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/frame"
)

// pingCases are group 2: pings and pongs (RFC 6455 §5.5.2, §5.5.3).
func pingCases() []*Case {
	const (
		pongEcho  = "Pong with payload echo'ed is sent in reply to Ping. Clean close with normal code."
		tenPongs  = "Pongs for our Pings with all the payloads. Note: This is not required by the Spec .. but we check for this behaviour anyway. Clean close with normal code."
		binary8   = "\x00\xff\xfe\xfd\xfc\xfb\x00\xff"
		unsolicit = "unsolicited pong payload"
	)
	normalClose := func(t *Test) { t.ExpectClose(true, codes(frame.CloseNormal), true) }
	// ping sends a ping with payload and expects its pong.
	ping := func(id, desc, exp, payload string, chop int, closeAfter time.Duration) *Case {
		return &Case{ID: id, Description: desc, Expectation: exp, Open: func(t *Test) {
			t.Expect(OK, Pong(payload))
			normalClose(t)
			t.P.SendFrame(fuzz.Frame{Opcode: 9, Payload: []byte(payload), ChopSize: chop})
			t.P.CloseAfter(closeAfter)
		}}
	}
	// unsolicitedPong sends a pong, then closes at once.
	unsolicitedPong := func(id, desc, payload string) *Case {
		return &Case{ID: id, Description: desc, Expectation: "Nothing.", Open: func(t *Test) {
			t.Expect(OK)
			normalClose(t)
			t.P.SendFrame(fuzz.Frame{Opcode: 10, Payload: []byte(payload)})
			normal := int(frame.CloseNormal)
			t.P.SendClose(&normal, nil)
			t.P.CloseAfter(time.Second)
		}}
	}
	// tenPings sends ten pings, in chops of chop octets if positive.
	tenPings := func(id, desc string, chop int) *Case {
		return &Case{ID: id, Description: desc, Expectation: tenPongs, Open: func(t *Test) {
			var pongs []Event
			for i := range 10 {
				payload := fmt.Sprintf("payload-%d", i)
				pongs = append(pongs, Pong(payload))
				t.P.SendFrame(fuzz.Frame{Opcode: 9, Payload: []byte(payload), ChopSize: chop})
			}
			t.Expect(OK, pongs...)
			normalClose(t)
			t.P.CloseAfter(3 * time.Second)
		}}
	}
	return []*Case{
		ping("2.1", "Send ping without payload.",
			"Pong (with empty payload) is sent in reply to Ping. Clean close with normal code.", "", 0, time.Second),
		ping("2.2", "Send ping with small text payload.", pongEcho, "Hello, world!", 0, time.Second),
		ping("2.3", "Send ping with small binary (non UTF-8) payload.", pongEcho, binary8, 0, time.Second),
		ping("2.4", "Send ping with binary payload of 125 octets.", pongEcho, strings.Repeat("\xfe", 125), 0, time.Second),
		{
			ID:          "2.5",
			Description: "Send ping with binary payload of 126 octets.",
			Expectation: "Connection is failed immediately (1002/Protocol Error), since control frames are only allowed to have payload up to and including 125 octets..",
			Open: func(t *Test) {
				t.Expect(OK)
				t.ExpectClose(false, codes(frame.CloseProtocolError), false)
				t.P.SendFrame(fuzz.Frame{Opcode: 9, Payload: []byte(strings.Repeat("\xfe", 126))})
				t.P.KillAfter(time.Second)
			},
		},
		ping("2.6", "Send ping with binary payload of 125 octets, send in octet-wise chops.",
			"Pong with payload echo'ed is sent in reply to Ping. Implementations must be TCP clean. Clean close with normal code.",
			strings.Repeat("\xfe", 125), 1, 2*time.Second),
		unsolicitedPong("2.7", "Send unsolicited pong without payload. Verify nothing is received. Clean close with normal code.", ""),
		unsolicitedPong("2.8", "Send unsolicited pong with payload. Verify nothing is received. Clean close with normal code.", unsolicit),
		{
			ID:          "2.9",
			Description: "Send unsolicited pong with payload. Send ping with payload. Verify pong for ping is received.",
			Expectation: "Nothing in reply to own Pong, but Pong with payload echo'ed in reply to Ping. Clean close with normal code.",
			Open: func(t *Test) {
				t.Expect(OK, Pong("ping payload"))
				normalClose(t)
				t.P.SendFrame(fuzz.Frame{Opcode: 10, Payload: []byte(unsolicit)})
				t.P.SendFrame(fuzz.Frame{Opcode: 9, Payload: []byte("ping payload")})
				t.P.CloseAfter(time.Second)
			},
		},
		tenPings("2.10", "Send 10 Pings with payload.", 0),
		tenPings("2.11", "Send 10 Pings with payload. Send out octets in octet-wise chops.", 1),
	}
}
