package suite

import (
	"fmt"
	"strings"
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/frame"
)

// framingCases are group 1: text (1.1) and binary (1.2) messages of the
// lengths around the boundaries of the length encodings (RFC 6455 §5.2).
func framingCases() []*Case {
	sizes := []struct {
		length, chop int
		kill         time.Duration
	}{
		{0, 0, 1}, {125, 0, 1}, {126, 0, 1}, {127, 0, 1}, {128, 0, 1},
		{65535, 0, 10}, {65536, 0, 10}, {65536, 997, 10},
	}
	var cases []*Case
	for sub, kind := range []struct {
		name   string
		opcode int
		octet  string
	}{{"text", 1, "*"}, {"binary", 2, "\xfe"}} {
		binary := kind.opcode == 2
		for i, s := range sizes {
			desc := fmt.Sprintf("Send %s message message with payload of length %d.", kind.name, s.length)
			exp := fmt.Sprintf("Receive echo'ed %s message (with payload as sent). Clean close with normal code.", kind.name)
			if s.length == 0 {
				desc = fmt.Sprintf("Send %s message with payload 0.", kind.name)
				exp = fmt.Sprintf("Receive echo'ed %s message (with empty payload). Clean close with normal code.", kind.name)
			}
			if s.chop > 0 {
				desc += fmt.Sprintf(" Sent out data in chops of %d octets.", s.chop)
			}
			payload := strings.Repeat(kind.octet, s.length)
			cases = append(cases, &Case{
				ID:          fmt.Sprintf("1.%d.%d", sub+1, i+1),
				Description: desc,
				Expectation: exp,
				Open: func(t *Test) {
					t.Expect(OK, Message(payload, binary))
					t.ExpectClose(true, codes(frame.CloseNormal), true)
					t.P.SendFrame(fuzz.Frame{Opcode: kind.opcode, Payload: []byte(payload), ChopSize: s.chop})
					t.P.KillAfter(s.kill * time.Second)
				},
			})
		}
	}
	return cases
}
