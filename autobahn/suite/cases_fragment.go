package suite

import (
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/frame"
)

// fragmentationCases are group 5: fragmented messages and their rules
// (RFC 6455 §5.4).
func fragmentationCases() []*Case {
	const (
		echoed       = "Message is processed and echo'ed back to us."
		pongThenEcho = "A pong is received, then the message is echo'ed back to us."
		noContinue   = "The connection is failed immediately, since there is no message to continue."
		failCtrl     = "Connection is failed immediately, since control message MUST NOT be fragmented."
		pingPayload  = "ping payload"
	)
	f := func(opcode int, more bool, payload string) fuzz.Frame {
		return fuzz.Frame{Opcode: opcode, More: more, Payload: []byte(payload)}
	}
	// twoFragments sends "fragment1" "fragment2" as a text message, with a
	// ping in between if withPing, and expects the echo (after the pong).
	twoFragments := func(id, desc, exp string, withPing, sync bool, chop int) *Case {
		return &Case{ID: id, Description: desc, Expectation: exp, Open: func(t *Test) {
			var want []Event
			if withPing {
				want = append(want, Pong(pingPayload))
			}
			t.Expect(OK, append(want, Message("fragment1fragment2", false))...)
			t.ExpectClose(true, codes(frame.CloseNormal), true)
			frames := []fuzz.Frame{f(1, true, "fragment1"), f(0, false, "fragment2")}
			if withPing {
				frames = []fuzz.Frame{frames[0], f(9, false, pingPayload), frames[1]}
			}
			for _, fr := range frames {
				fr.Sync, fr.ChopSize = sync, chop
				t.P.SendFrame(fr)
			}
			t.P.CloseAfter(time.Second)
		}}
	}
	// nothingToContinue sends a continuation frame with no message to
	// continue, then a text message.
	nothingToContinue := func(id, desc string, fin, sync bool, chop int) *Case {
		return &Case{ID: id, Description: desc, Expectation: noContinue, Open: func(t *Test) {
			t.Expect(OK)
			t.ExpectClose(false, codes(frame.CloseProtocolError), false)
			for _, fr := range []fuzz.Frame{f(0, !fin, "non-continuation payload"), f(1, false, helloWorld)} {
				fr.Sync, fr.ChopSize = sync, chop
				t.P.SendFrame(fr)
			}
			t.P.KillAfter(time.Second)
		}}
	}
	// twice sends, two times over, a stray continuation frame (FIN as
	// given) and a text message in two fragments.
	twice := func(id, desc string, fin bool) *Case {
		return &Case{ID: id, Description: desc, Expectation: noContinue, Open: func(t *Test) {
			t.Expect(OK)
			t.ExpectClose(false, codes(frame.CloseProtocolError), false)
			for range 2 {
				t.P.SendFrame(f(0, !fin, "fragment1"))
				t.P.SendFrame(f(1, true, "fragment2"))
				t.P.SendFrame(f(0, false, "fragment3"))
			}
			t.P.KillAfter(time.Second)
		}}
	}
	return []*Case{
		failImmediately("5.1", "Send Ping fragmented into 2 fragments.", failCtrl,
			f(9, true, "fragment1"), f(0, false, "fragment2")),
		failImmediately("5.2", "Send Pong fragmented into 2 fragments.", failCtrl,
			f(10, true, "fragment1"), f(0, false, "fragment2")),
		twoFragments("5.3", "Send text Message fragmented into 2 fragments.", echoed, false, false, 0),
		twoFragments("5.4", "Send text Message fragmented into 2 fragments, octets are sent in frame-wise chops.", echoed, false, true, 0),
		twoFragments("5.5", "Send text Message fragmented into 2 fragments, octets are sent in octet-wise chops.", echoed, false, false, 1),
		twoFragments("5.6", "Send text Message fragmented into 2 fragments, one ping with payload in-between.", pongThenEcho, true, false, 0),
		twoFragments("5.7", "Send text Message fragmented into 2 fragments, one ping with payload in-between. Octets are sent in frame-wise chops.", pongThenEcho, true, true, 0),
		twoFragments("5.8", "Send text Message fragmented into 2 fragments, one ping with payload in-between. Octets are sent in octet-wise chops.", pongThenEcho, true, false, 1),
		nothingToContinue("5.9", "Send unfragmented Text Message after Continuation Frame with FIN = true, where there is nothing to continue, sent in one chop.", true, false, 0),
		nothingToContinue("5.10", "Send unfragmented Text Message after Continuation Frame with FIN = true, where there is nothing to continue, sent in per-frame chops.", true, true, 0),
		nothingToContinue("5.11", "Send unfragmented Text Message after Continuation Frame with FIN = true, where there is nothing to continue, sent in octet-wise chops.", true, false, 1),
		nothingToContinue("5.12", "Send unfragmented Text Message after Continuation Frame with FIN = false, where there is nothing to continue, sent in one chop.", false, false, 0),
		nothingToContinue("5.13", "Send unfragmented Text Message after Continuation Frame with FIN = false, where there is nothing to continue, sent in per-frame chops.", false, true, 0),
		nothingToContinue("5.14", "Send unfragmented Text Message after Continuation Frame with FIN = false, where there is nothing to continue, sent in octet-wise chops.", false, false, 1),
		{
			ID:          "5.15",
			Description: "Send text Message fragmented into 2 fragments, then Continuation Frame with FIN = false where there is nothing to continue, then unfragmented Text Message, all sent in one chop.",
			Expectation: noContinue,
			Open: func(t *Test) {
				t.Expect(OK, Message("fragment1fragment2", false))
				t.Expect(NonStrict)
				t.ExpectClose(false, codes(frame.CloseProtocolError), false)
				t.P.SendFrame(f(1, true, "fragment1"))
				t.P.SendFrame(f(0, false, "fragment2"))
				t.P.SendFrame(f(0, true, "fragment3"))
				t.P.SendFrame(f(1, false, "fragment4"))
				t.P.KillAfter(time.Second)
			},
		},
		twice("5.16", "Repeated 2x: Continuation Frame with FIN = false (where there is nothing to continue), then text Message fragmented into 2 fragments.", false),
		twice("5.17", "Repeated 2x: Continuation Frame with FIN = true (where there is nothing to continue), then text Message fragmented into 2 fragments.", true),
		failImmediately("5.18", "Send text Message fragmented into 2 fragments, with both frame opcodes set to text, sent in one chop.",
			"The connection is failed immediately, since all data frames after the initial data frame must have opcode 0.",
			f(1, true, "fragment1"), f(1, false, "fragment2")),
		pingInFragments("5.19", "A fragmented text message is sent in multiple frames. After\n   sending the first 2 frames of the text message, a Ping is sent. Then we wait 1s,\n   then we send 2 more text fragments, another Ping and then the final text fragment.\n   Everything is legal.",
			"The peer immediately answers the first Ping before\n   it has received the last text message fragment. The peer pong's back the Ping's\n   payload exactly, and echo's the payload of the fragmented message back to us.", false),
		pingInFragments("5.20", "Same as Case 5.19, but send all frames with SYNC = True.\n   Note, this does not change the octets sent in any way, only how the stream\n   is chopped up on the wire.",
			"Same as Case 5.19. Implementations must be agnostic to how\n   octet stream is chopped up on wire (must be TCP clean).", true),
	}
}

// pingInFragments is 5.19 and 5.20: five text fragments with two pings
// among them and a pause of a second in the middle.
func pingInFragments(id, desc, exp string, sync bool) *Case {
	return &Case{ID: id, Description: desc, Expectation: exp, Open: func(t *Test) {
		fragments := []string{"fragment1", "fragment2", "fragment3", "fragment4", "fragment5"}
		pings := []string{"pongme 1!", "pongme 2!"}
		t.Expect(OK, Pong(pings[0]), Pong(pings[1]), Message("fragment1fragment2fragment3fragment4fragment5", false))
		t.ExpectClose(true, codes(frame.CloseNormal), true)
		send := func(opcode int, more bool, payload string) {
			t.P.SendFrame(fuzz.Frame{Opcode: opcode, More: more, Payload: []byte(payload), Sync: sync})
		}
		send(1, true, fragments[0])
		send(0, true, fragments[1])
		send(9, false, pings[0])
		t.P.ContinueLater(time.Second, "", func() {
			send(0, true, fragments[2])
			send(0, true, fragments[3])
			send(9, false, pings[1])
			send(0, false, fragments[4])
			t.P.CloseAfter(time.Second)
		})
	}}
}
