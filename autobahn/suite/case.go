package suite

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/frame"
)

// Behavior is a verdict, spelled as the original reports it.
type Behavior string

// The verdicts of a case's behavior and of its closing behavior.
const (
	OK             Behavior = "OK"
	NonStrict      Behavior = "NON-STRICT"
	Informational  Behavior = "INFORMATIONAL"
	Unimplemented  Behavior = "UNIMPLEMENTED"
	Failed         Behavior = "FAILED"
	WrongCode      Behavior = "WRONG CODE"       // closing only
	Unclean        Behavior = "UNCLEAN"          // closing only
	FailedByClient Behavior = "FAILED BY CLIENT" // closing only
)

// Case is one test case.
type Case struct {
	ID          string // "1.1.1"
	Description string // HTML, as in the original
	Expectation string

	// Init runs when the case's connection is made, before the opening
	// handshake (the original's constructor and init).
	Init func(t *Test)
	// Open runs when the connection is open: the case starts sending.
	Open func(t *Test)
	// Lost, if set, revises the verdicts after the standard judging.
	Lost func(t *Test)
}

// Event is something the peer did that a case records and compares with
// its expectations: a message, a pong, or (recorded by the case itself)
// a timeout it reached with the connection still open.
type Event struct {
	Kind    string // "message", "pong" or "timeout"
	Payload string // the message or pong payload, or the timeout's tag
	Binary  bool   // message only
}

// Message is an expected message.
func Message(payload string, binary bool) Event {
	return Event{Kind: "message", Payload: payload, Binary: binary}
}

// Pong is an expected pong.
func Pong(payload string) Event { return Event{Kind: "pong", Payload: payload} }

// Timeout is a timeout the case expects to reach.
func Timeout(tag string) Event { return Event{Kind: "timeout", Payload: tag} }

// MarshalJSON writes e as the original report does: ["message", text,
// binary], ["pong", text] or ["timeout", tag], payloads cut to 64 octets.
func (e Event) MarshalJSON() ([]byte, error) {
	switch e.Kind {
	case "message":
		return json.Marshal([]any{e.Kind, fuzz.LogText([]byte(e.Payload)), e.Binary})
	case "pong":
		return json.Marshal([]any{e.Kind, fuzz.LogText([]byte(e.Payload))})
	}
	return json.Marshal([]any{e.Kind, e.Payload})
}

func eventsEqual(a, b []Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Outcome is one expected sequence of events and the verdict it earns.
type Outcome struct {
	Behavior Behavior
	Events   []Event
}

// ExpectedClose is how a case expects the connection to end.
type ExpectedClose struct {
	ClosedByMe   bool  `json:"closedByMe"`   // the fuzzer sends the first close frame
	CloseCodes   []int `json:"closeCode"`    // acceptable codes from the peer (none is acceptable too)
	RequireClean bool  `json:"requireClean"` // the closing handshake must complete
	// ClosedByWrongEndpointIsFatal makes closing by the wrong endpoint fail
	// the behavior too: the UTF-8 cases use it, as a peer that did not
	// close did not notice the invalid text.
	ClosedByWrongEndpointIsFatal bool `json:"closedByWrongEndpointIsFatal,omitempty"`
}

// Test is one run of a case: the connection, what happened on it, and the
// verdicts. It is the fuzz.Handler of the connection.
type Test struct {
	Case  *Case
	P     *fuzz.Conn
	Agent string

	Received      []Event
	Expected      []Outcome
	ExpectedClose ExpectedClose

	Behavior      Behavior
	BehaviorClose Behavior
	Result        string
	ResultClose   string

	ReportTime             bool
	ReportCompressionRatio bool
	// TrafficStats is the traffic the case chose to report, or nil.
	TrafficStats *fuzz.TrafficStats
	// SuppressClose stops the case from starting the closing handshake
	// when the expected events arrived (cases that close by themselves).
	SuppressClose bool
	// OnMessage, if set, handles messages instead of recording them.
	OnMessage func(payload []byte, binary bool)

	// Close is how the connection ended; Lost hooks may revise it.
	Close fuzz.CloseStatus

	exclude  AgentExclusions
	excluded bool // skipped by the agent's configuration
	started  time.Time
	opened   time.Time
	duration time.Duration
	done     func(*Test)
}

func newTest(c *Case, p *fuzz.Conn, agent string, done func(*Test)) *Test {
	t := &Test{
		Case:          c,
		P:             p,
		Agent:         agent,
		Behavior:      Failed,
		BehaviorClose: Failed,
		Result:        "Actual events differ from any expected.",
		ResultClose:   "TCP connection was dropped without close handshake",
		started:       time.Now(),
		done:          done,
	}
	if c.Init != nil {
		c.Init(t)
	}
	return t
}

// Expect adds an expected outcome.
func (t *Test) Expect(b Behavior, events ...Event) {
	t.Expected = append(t.Expected, Outcome{Behavior: b, Events: events})
}

// ExpectClose sets how the connection should end: who closes first, the
// acceptable close codes, and whether the closing handshake must complete.
func (t *Test) ExpectClose(closedByMe bool, codes []frame.CloseCode, requireClean bool) {
	t.ExpectedClose = ExpectedClose{ClosedByMe: closedByMe, RequireClean: requireClean}
	for _, c := range codes {
		t.ExpectedClose.CloseCodes = append(t.ExpectedClose.CloseCodes, int(c))
	}
}

// Record notes an event the case observed itself, such as a timeout.
func (t *Test) Record(e Event) { t.Received = append(t.Received, e) }

// unknownServer names a server that does not name itself.
const unknownServer = "UnknownServer"

// Open implements fuzz.Handler.
func (t *Test) Open(c *fuzz.Conn) {
	if t.Agent == "" {
		// A fuzzing client reports a server under its own name.
		t.Agent = c.PeerHeader("Server")
		if t.Agent == "" {
			t.Agent = unknownServer
		}
	}
	if t.exclude.Excludes(t.Agent, t.Case.ID) {
		t.excluded = true
		c.SendClose(nil, nil)
		return
	}
	t.opened = time.Now()
	t.Case.Open(t)
}

// Message implements fuzz.Handler.
func (t *Test) Message(c *fuzz.Conn, payload []byte, binary bool) {
	if t.excluded {
		return
	}
	if t.OnMessage != nil {
		t.OnMessage(payload, binary)
		return
	}
	t.Received = append(t.Received, Message(string(payload), binary))
	t.finishWhenDone()
}

// Pong implements fuzz.Handler.
func (t *Test) Pong(c *fuzz.Conn, payload []byte) {
	if t.excluded {
		return
	}
	t.Received = append(t.Received, Pong(string(payload)))
	t.finishWhenDone()
}

// finishWhenDone starts the closing handshake once the received events
// match the expected ones, if the fuzzer is to close first. As in the
// original, this happens only when they match every expected outcome, so
// never for a case with two different outcomes.
func (t *Test) finishWhenDone() {
	for _, o := range t.Expected {
		if !eventsEqual(t.Received, o.Events) {
			return
		}
	}
	if t.ExpectedClose.ClosedByMe && !t.SuppressClose {
		code := t.ExpectedClose.CloseCodes[0]
		t.P.SendClose(&code, nil)
	}
}

// Lost implements fuzz.Handler: the connection is gone, judge.
func (t *Test) Lost(c *fuzz.Conn) {
	if !t.opened.IsZero() {
		t.duration = time.Since(t.opened)
	}
	t.Close = c.CloseStatus()
	if t.Agent == "" {
		t.Agent = unknownServer
	}
	if !t.excluded {
		t.judge()
	}
	if t.done != nil {
		t.done(t)
	}
}

// judge sets the verdicts as the original's onConnectionLost does.
func (t *Test) judge() {
	for _, o := range t.Expected {
		if eventsEqual(t.Received, o.Events) {
			t.Behavior = o.Behavior
			t.Result = "Actual events match at least one expected."
			break
		}
	}
	if !t.P.ConnectionWasOpen() {
		t.BehaviorClose = Failed
		t.ResultClose = "The WebSocket opening handshake was never completed!"
	} else {
		ec, cs := t.ExpectedClose, t.Close
		switch {
		case ec.ClosedByMe != cs.ClosedByMe:
			t.BehaviorClose = Failed
			t.ResultClose = "The connection was failed by the wrong endpoint"
		case ec.RequireClean && !cs.WasClean:
			t.BehaviorClose = Unclean
			t.ResultClose = "The spec requires the connection to be failed cleanly here"
		case cs.RemoteCloseCode != nil && !containsInt(ec.CloseCodes, *cs.RemoteCloseCode):
			t.BehaviorClose = WrongCode
			t.ResultClose = "The close code should have been " + joinInts(ec.CloseCodes) + " or empty"
		case !t.P.IsServer() && cs.DroppedByMe:
			// RFC 6455 §7.1.1: the server closes TCP first.
			t.BehaviorClose = FailedByClient
			t.ResultClose = "It is preferred that the server close the TCP connection"
		default:
			t.BehaviorClose = OK
			t.ResultClose = "Connection was properly closed"
		}
		if ec.ClosedByWrongEndpointIsFatal && ec.ClosedByMe != cs.ClosedByMe {
			t.Behavior = Failed
		}
	}
	if t.Case.Lost != nil {
		t.Case.Lost(t)
	}
}

// failOnWrongCode is the revision most close cases make: a wrong close
// code fails the case itself.
func failOnWrongCode(t *Test) {
	if t.BehaviorClose == WrongCode {
		t.Behavior = Failed
		t.Result = t.ResultClose
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func joinInts(list []int) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

// codes is shorthand for a list of close codes.
func codes(c ...frame.CloseCode) []frame.CloseCode { return c }
