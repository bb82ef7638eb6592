package suite

import (
	"fmt"
	"strings"
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/frame"
)

// sizeName is how the original's descriptions write a size: "64 * 2**10
// (64k)" and the like.
type sizeName struct {
	n     int
	expr  string // "64 * 2**10"
	short string // "64k"
}

func kib(k int) sizeName {
	return sizeName{k << 10, fmt.Sprintf("%d * 2**10", k), fmt.Sprintf("%dk", k)}
}
func mib(m int) sizeName {
	return sizeName{m << 20, fmt.Sprintf("%d * 2**20", m), fmt.Sprintf("%dM", m)}
}

// limitsCases are group 9: large messages, many fragments, many chops and
// many round trips. Their verdicts only say whether the echo came back
// whole before the case's timeout; the report shows how long it took.
func limitsCases() []*Case {
	var cases []*Case
	const (
		textPattern   = "BAsd7&jh23"
		binaryPattern = "\x00\xfe\x23\xfa\xf0"
	)
	// 9.1, 9.2: one large frame. 9.2.5's description says 16M for 8M, as
	// the original's does.
	for sub, kind := range []struct {
		name    string
		opcode  int
		pattern string
		waits   []time.Duration
	}{
		{"text", 1, textPattern, []time.Duration{10, 10, 100, 100, 100, 100}},
		{"binary", 2, binaryPattern, []time.Duration{10, 10, 10, 10, 100, 100}},
	} {
		for i, size := range []sizeName{kib(64), kib(256), mib(1), mib(4), mib(8), mib(16)} {
			short := size.short
			if kind.opcode == 2 && i == 4 {
				short = "16M"
			}
			cases = append(cases, &Case{
				ID:          fmt.Sprintf("9.%d.%d", sub+1, i+1),
				Description: fmt.Sprintf("Send %s message message with payload of length %s (%s).", kind.name, size.expr, short),
				Expectation: fmt.Sprintf("Receive echo'ed %s message (with payload as sent).", kind.name),
				Open: func(t *Test) {
					bigEcho(t, kind.opcode, size.n, kind.waits[i]*time.Second, func() {
						t.P.SendFrame(fuzz.Frame{Opcode: kind.opcode, Payload: []byte(kind.pattern), RepeatTo: size.n})
					})
				},
			})
		}
	}
	// 9.3, 9.4: a 4 MiB message in fragments of 64 octets to 4 MiB.
	frags := []sizeName{{64, "64", "64"}, {256, "256", "256"}, kib(1), kib(4), kib(16), kib(64), kib(256), mib(1), mib(4)}
	for sub, kind := range []struct {
		name   string
		binary bool
	}{{"text", false}, {"binary", true}} {
		for i, frag := range frags {
			total := "4M"
			if i == 8 && !kind.binary {
				total = "8M" // sic: the original's 9.3.9 says 8M for 4M
			}
			octet := "*"
			if kind.binary && i == 0 {
				octet = "\xfe" // only 9.4.1 sends 0xFE; 9.4.2-9.4.9 send '*'
			}
			opcode := 1
			if kind.binary {
				opcode = 2
			}
			cases = append(cases, &Case{
				ID:          fmt.Sprintf("9.%d.%d", sub+3, i+1),
				Description: fmt.Sprintf("Send fragmented %s message message with message payload of length 4 * 2**20 (%s). Sent out in fragments of %s.", kind.name, total, frag.short),
				Expectation: fmt.Sprintf("Receive echo'ed %s message (with payload as sent).", kind.name),
				Open: func(t *Test) {
					bigEcho(t, opcode, 4<<20, 100*time.Second, func() {
						t.P.SendMessage([]byte(strings.Repeat(octet, 4<<20)), kind.binary, frag.n)
					})
				},
			})
		}
	}
	// 9.5, 9.6: a 1 MiB message written in chops of 64 to 2048 octets.
	for sub, kind := range []struct {
		name    string
		opcode  int
		pattern string
	}{{"text", 1, textPattern}, {"binary", 2, binaryPattern}} {
		for i, chop := range []int{64, 128, 256, 512, 1024, 2048} {
			exp := fmt.Sprintf("Receive echo'ed %s message (with payload as sent).", kind.name)
			if kind.opcode == 2 && i > 0 {
				exp = "Receive echo'ed text message (with payload as sent)." // sic
			}
			cases = append(cases, &Case{
				ID:          fmt.Sprintf("9.%d.%d", sub+5, i+1),
				Description: fmt.Sprintf("Send %s message message with payload of length 1 * 2**20 (1M). Sent out data in chops of %d octets.", kind.name, chop),
				Expectation: exp,
				Open: func(t *Test) {
					bigEcho(t, kind.opcode, 1<<20, 1000*time.Second, func() {
						t.P.SendFrame(fuzz.Frame{Opcode: kind.opcode, Payload: []byte(kind.pattern), RepeatTo: 1 << 20, ChopSize: chop})
					})
				},
			})
		}
	}
	// 9.7, 9.8: a thousand round trips of messages of 0 to 4096 octets.
	for sub, binary := range []bool{false, true} {
		kind := "text"
		if binary {
			kind = "binary"
		}
		for i, s := range []struct {
			size, count int
			wait        time.Duration
		}{{0, 1000, 60}, {16, 1000, 60}, {64, 1000, 60}, {256, 1000, 120}, {1024, 1000, 240}, {4096, 1000, 480}} {
			cases = append(cases, &Case{
				ID:          fmt.Sprintf("9.%d.%d", sub+7, i+1),
				Description: fmt.Sprintf("Send %d %s messages of payload size %d to measure implementation/network RTT (round trip time) / latency.", s.count, kind, s.size),
				Expectation: fmt.Sprintf("Receive echo'ed %s messages (with payload as sent). Timeout case after %d secs.", kind, s.wait),
				Init:        func(t *Test) { t.ReportTime = true },
				Open:        func(t *Test) { roundTrips(t, binary, s.size, s.count, s.wait*time.Second) },
			})
		}
	}
	return cases
}

// bigEcho sends one large message with send and expects its echo within
// wait: of the right type and length (the content is not compared, as in
// the original).
func bigEcho(t *Test, opcode, size int, wait time.Duration, send func()) {
	kind, other := "text", "binary"
	if opcode == 2 {
		kind, other = "binary", "text"
	}
	t.ReportTime = true
	t.P.SetWirelog(false)
	t.Behavior = Failed
	t.ExpectClose(true, codes(frame.CloseNormal), true)
	t.Result = fmt.Sprintf("Did not receive message within %d seconds.", int(wait.Seconds()))
	t.OnMessage = func(msg []byte, binary bool) {
		switch {
		case binary != (opcode == 2):
			t.Result = fmt.Sprintf("Expected %s message with payload, but got %s.", kind, other)
		case len(msg) != size:
			t.Result = fmt.Sprintf("Expected %s message with payload of length %d, but got %d.", kind, size, len(msg))
		default:
			t.Behavior = OK
			t.Result = fmt.Sprintf("Received %s message of length %d.", kind, len(msg))
		}
		t.P.SetWirelog(true)
		normal := int(frame.CloseNormal)
		t.P.SendClose(&normal, nil)
	}
	send()
	t.P.CloseAfter(wait)
}

// roundTrips sends count messages of size octets one after the other, each
// once the previous one came back, within wait.
func roundTrips(t *Test, binary bool, size, count int, wait time.Duration) {
	t.P.EnableWirelog(false)
	t.Behavior = Failed
	t.ExpectClose(true, codes(frame.CloseNormal), true)
	t.Result = fmt.Sprintf("Case did not finish within %d seconds.", int(wait.Seconds()))
	t.P.CloseAfter(wait)
	opcode, payload := 1, []byte(strings.Repeat("*", size))
	if binary {
		opcode, payload = 2, []byte(strings.Repeat("\xfe", size))
	}
	sent := 0
	sendOne := func() {
		t.P.SendFrame(fuzz.Frame{Opcode: opcode, Payload: payload})
		sent++
	}
	normal := int(frame.CloseNormal)
	t.OnMessage = func(msg []byte, b bool) {
		switch {
		case b != binary || len(msg) != size:
			t.Behavior = Failed
			t.Result = fmt.Sprintf("Echo'ed message type or length differs from what I sent (got binary = %s, payload length = %d).", pyBool(b), len(msg))
			t.P.EnableWirelog(true)
			t.P.SendClose(&normal, nil)
		case sent < count:
			sendOne()
		default:
			t.Behavior = OK
			t.Result = "Ok, received all echo'ed messages in time."
			t.P.EnableWirelog(true)
			t.P.SendClose(&normal, nil)
		}
	}
	sendOne()
}

// pyBool writes a bool as the original's messages do.
func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// autoFragmentationCases is group 10.
func autoFragmentationCases() []*Case {
	const autoFragmentSize = 1300
	payload := strings.Repeat("*", 65536)
	return []*Case{{
		ID:          "10.1.1",
		Description: "Send text message with payload of length 65536 auto-fragmented with <b>autoFragmentSize = 1300</b>.",
		Expectation: "Receive echo'ed text message (with payload as sent and transmitted frame counts as expected). Clean close with normal code.",
		Open: func(t *Test) {
			t.P.AutoFragmentSize = autoFragmentSize
			t.Expect(OK, Message(payload, false))
			t.ExpectClose(true, codes(frame.CloseNormal), true)
			t.P.SendMessage([]byte(payload), false, 0)
			t.P.KillAfter(10 * time.Second)
		},
		Lost: func(t *Test) {
			if !t.P.ConnectionWasOpen() {
				t.Behavior = Failed
				t.Result = "WebSocket connection was never open"
				return
			}
			// The frames the fuzzer sent: one text frame, then continuations.
			wantCont := len(payload) / autoFragmentSize
			wantText := 0
			if len(payload)%autoFragmentSize > 0 {
				wantText = 1
			}
			tx := t.P.Stats().TxFrames
			if tx[0] != wantCont || tx[1] != wantText {
				t.Behavior = Failed
				t.Result = fmt.Sprintf("Frames transmitted {0: %d, 1: %d} does not match what we expected {0: %d, 1: %d}.", tx[0], tx[1], wantCont, wantText)
			}
		},
	}}
}
