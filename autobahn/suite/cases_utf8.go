package suite

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/frame"
)

// Payloads of the UTF-8 cases: a valid Greek word (κόσμε), and the same
// followed by a UTF-16 surrogate (ED A0 80, invalid in UTF-8 at its second
// octet) or by a code point above U+10FFFF (F4 90 80 80, invalid at its
// second octet), each followed by "edited".
const (
	utf8Mixed = "Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!"
	kosme     = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
	surrogate = kosme + "\xed\xa0\x80" + "\x65\x64\x69\x74\x65\x64"
	tooHigh   = "\xf4\x90\x80\x80"
	edited    = "\x65\x64\x69\x74\x65\x64"
)

func hexOf(s string) string { return hex.EncodeToString([]byte(s)) }

// utf8Cases are 6.1 to 6.4: text messages with and without valid UTF-8,
// whole and fragmented (RFC 6455 §8.1).
func utf8Cases() []*Case {
	const (
		echoEmpty = "A message is echo'ed back to us (with empty payload)."
		echoed    = "The message is echo'ed back to us."
		failUTF8  = "The connection is failed immediately, since the payload is not valid UTF-8."
		oneOctet  = "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.<br><br>MESSAGE:<br>%s<br>%s"
	)
	f := func(opcode int, more bool, payload string) fuzz.Frame {
		return fuzz.Frame{Opcode: opcode, More: more, Payload: []byte(payload)}
	}
	// echo sends frames (or, when fragment is non-negative, payload as a
	// message in fragments of that size, 0 meaning whole) and expects the
	// echo of payload.
	echo := func(id, desc, exp, payload string, fragment int, frames ...fuzz.Frame) *Case {
		return &Case{ID: id, Description: desc, Expectation: exp, Open: func(t *Test) {
			t.Expect(OK, Message(payload, false))
			t.ExpectClose(true, codes(frame.CloseNormal), true)
			if frames == nil {
				t.P.SendMessage([]byte(payload), false, fragment)
			}
			for _, fr := range frames {
				t.P.SendFrame(fr)
			}
			t.P.CloseAfter(time.Second)
		}}
	}
	invalid := func(id, desc string, fragment int) *Case {
		return &Case{ID: id, Description: desc, Expectation: failUTF8, Open: func(t *Test) {
			t.Expect(OK)
			expectInvalidUTF8Close(t)
			t.P.SendMessage([]byte(surrogate), false, fragment)
			t.P.KillAfter(time.Second)
		}}
	}
	// The two halves of utf8Mixed, cut between code points.
	part1, part2 := "Hello-\u00b5@\u00df\u00f6\u00e4", "\u00fc\u00e0\u00e1-UTF-8!!"
	return []*Case{
		echo("6.1.1", "Send text message of length 0.", echoEmpty, "", -1, f(1, false, "")),
		echo("6.1.2", "Send fragmented text message, 3 fragments each of length 0.", echoEmpty, "", -1,
			f(1, true, ""), f(0, true, ""), f(0, false, "")),
		echo("6.1.3", "Send fragmented text message, 3 fragments, first and last of length 0, middle non-empty.",
			"A message is echo'ed back to us (with payload = payload of middle fragment).", "middle frame payload", -1,
			f(1, true, ""), f(0, true, "middle frame payload"), f(0, false, "")),
		echo("6.2.1", fmt.Sprintf("Send a valid UTF-8 text message in one fragment.<br><br>MESSAGE:<br>%s<br>%s", utf8Mixed, hexOf(utf8Mixed)),
			echoed, utf8Mixed, 0),
		echo("6.2.2", fmt.Sprintf("Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point boundary.<br><br>MESSAGE FRAGMENT 1:<br>%s<br>%s<br><br>MESSAGE FRAGMENT 2:<br>%s<br>%s", part1, hexOf(part1), part2, hexOf(part2)),
			echoed, utf8Mixed, -1, f(1, true, part1), f(0, false, part2)),
		echo("6.2.3", fmt.Sprintf(oneOctet, utf8Mixed, hexOf(utf8Mixed)), echoed, utf8Mixed, 1),
		echo("6.2.4", fmt.Sprintf(oneOctet, kosme, hexOf(kosme)), echoed, kosme, 1),
		invalid("6.3.1", fmt.Sprintf("Send invalid UTF-8 text message unfragmented.<br><br>MESSAGE:<br>%s", hexOf(surrogate)), 0),
		invalid("6.3.2", fmt.Sprintf("Send invalid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.<br><br>MESSAGE:<br>%s", hexOf(surrogate)), 1),
		failFast("6.4.1", 0),
		failFast("6.4.2", 1),
		failFast("6.4.3", 2),
		failFast("6.4.4", 3),
	}
}

// expectInvalidUTF8Close expects the peer to fail the connection with
// 1007; if the fuzzer has to close instead, the peer did not notice and
// the case fails.
func expectInvalidUTF8Close(t *Test) {
	t.ExpectClose(false, codes(frame.CloseInvalidPayload), false)
	t.ExpectedClose.ClosedByWrongEndpointIsFatal = true
}

// failFast is 6.4.1 to 6.4.4: a text message whose second part makes it
// invalid, sent in three parts a second apart. The peer should fail the
// connection on the second part (OK), or at the latest on the third
// (NON-STRICT). Variants 1 and 2 send the parts as frames, 3 and 4 as
// pieces of one frame; variants 2 and 4 cut the second part right after
// the first invalid octet.
func failFast(id string, variant int) *Case {
	const (
		expFrames = "The first frame is accepted, we expect to timeout on the first wait. The 2nd frame should be rejected immediately (fail fast on UTF-8). If we timeout, we expect the connection is failed at least then, since the complete message payload is not valid UTF-8."
		expChops  = "The first chop is accepted, we expect to timeout on the first wait. The 2nd chop should be rejected immediately (fail fast on UTF-8). If we timeout, we expect the connection is failed at least then, since the complete message payload is not valid UTF-8."
		parts     = "\n<br><br>MESSAGE PARTS:<br>\nPART1 = %s<br>\nPART2 = %s<br>\nPART3 = %s<br>\n"
	)
	payload := kosme + tooHigh + edited
	p := []string{kosme, tooHigh, edited}
	// The third part the original's description of 6.4.4 shows is empty.
	shown := p
	if variant == 1 || variant == 3 {
		p = []string{payload[:12], payload[12:13], payload[13:]}
		shown = p
		if variant == 3 {
			shown = []string{p[0], p[1], ""}
		}
	}
	var desc, exp string
	switch variant {
	case 0:
		desc = "Send invalid UTF-8 text message in 3 fragments (frames).\nFirst frame payload is valid, then wait, then 2nd frame which contains the payload making the sequence invalid, then wait, then 3rd frame with rest.\nNote that PART1 and PART3 are valid UTF-8 in themselves, PART2 is a 0x110000 encoded as in the UTF-8 integer encoding scheme, but the codepoint is invalid (out of range)."
		exp = expFrames
	case 1:
		desc = "Same as Case 6.4.1, but in 2nd frame, we send only up to and including the octet making the complete payload invalid."
		exp = expFrames
	case 2:
		desc = "Same as Case 6.4.1, but we send message not in 3 frames, but in 3 chops of the same message frame."
		exp = expChops
	case 3:
		desc = "Same as Case 6.4.2, but we send message not in 3 frames, but in 3 chops of the same message frame."
		exp = expChops
	}
	desc += fmt.Sprintf(parts, hexOf(shown[0]), hexOf(shown[1]), hexOf(shown[2]))
	inFrames := variant < 2
	return &Case{ID: id, Description: desc, Expectation: exp, Open: func(t *Test) {
		t.Expect(OK, Timeout("A"))
		t.Expect(NonStrict, Timeout("A"), Timeout("B"))
		expectInvalidUTF8Close(t)
		if inFrames {
			t.P.SendFrame(fuzz.Frame{Opcode: 1, More: true, Payload: []byte(p[0])})
		} else {
			t.P.BeginMessage(false)
			t.P.BeginMessageFrame(int64(len(payload)))
			t.P.SendMessageFrameData([]byte(p[0]))
		}
		t.P.ContinueLater(time.Second, "A", func() {
			if t.P.State() != fuzz.StateOpen {
				return
			}
			t.Record(Timeout("A"))
			if inFrames {
				t.P.SendFrame(fuzz.Frame{Opcode: 0, More: true, Payload: []byte(p[1])})
			} else {
				t.P.SendMessageFrameData([]byte(p[1]))
			}
			t.P.ContinueLater(time.Second, "B", func() {
				if t.P.State() != fuzz.StateOpen {
					return
				}
				t.Record(Timeout("B"))
				if inFrames {
					t.P.SendFrame(fuzz.Frame{Opcode: 0, Payload: []byte(p[2])})
				} else {
					t.P.SendMessageFrameData([]byte(p[2]))
					t.P.EndMessage()
				}
				t.P.KillAfter(time.Second)
			})
		})
	}}
}
