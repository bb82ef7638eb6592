package suite

import "github.com/rfc6455/ws/autobahn/fuzz"

// Result is everything the report keeps of one run of a case, under the
// keys of the original's per-case JSON report (fields in key order).
type Result struct {
	Agent                          string               `json:"agent"`
	Behavior                       Behavior             `json:"behavior"`
	BehaviorClose                  Behavior             `json:"behaviorClose"`
	Case                           int                  `json:"case"`
	ClosedByMe                     bool                 `json:"closedByMe"`
	CreateStats                    bool                 `json:"createStats"`
	CreateWirelog                  bool                 `json:"createWirelog"`
	Description                    string               `json:"description"`
	DroppedByMe                    bool                 `json:"droppedByMe"`
	Duration                       int64                `json:"duration"` // milliseconds
	Expectation                    string               `json:"expectation"`
	Expected                       map[Behavior][]Event `json:"expected"`
	ExpectedClose                  ExpectedClose        `json:"expectedClose"`
	FailedByMe                     bool                 `json:"failedByMe"`
	HTTPRequest                    string               `json:"httpRequest"`
	HTTPResponse                   string               `json:"httpResponse"`
	ID                             string               `json:"id"`
	IsServer                       bool                 `json:"isServer"`
	LocalCloseCode                 *int                 `json:"localCloseCode"`
	LocalCloseReason               *string              `json:"localCloseReason"`
	Deflate                        *fuzz.DeflateParams  `json:"permessageDeflate,omitempty"` // not in the original
	Received                       []Event              `json:"received"`
	RemoteCloseCode                *int                 `json:"remoteCloseCode"`
	RemoteCloseReason              *string              `json:"remoteCloseReason"`
	ReportCompressionRatio         bool                 `json:"reportCompressionRatio"`
	ReportTime                     bool                 `json:"reportTime"`
	Result                         string               `json:"result"`
	ResultClose                    string               `json:"resultClose"`
	RxFrameStats                   map[int]int          `json:"rxFrameStats"`
	RxOctetStats                   map[int]int          `json:"rxOctetStats"`
	Started                        string               `json:"started"`
	TrafficStats                   *fuzz.TrafficStats   `json:"trafficStats"`
	TxFrameStats                   map[int]int          `json:"txFrameStats"`
	TxOctetStats                   map[int]int          `json:"txOctetStats"`
	WasClean                       bool                 `json:"wasClean"`
	WasCloseHandshakeTimeout       bool                 `json:"wasCloseHandshakeTimeout"`
	WasNotCleanReason              *string              `json:"wasNotCleanReason"`
	WasOpenHandshakeTimeout        bool                 `json:"wasOpenHandshakeTimeout"`
	WasServerConnectionDropTimeout bool                 `json:"wasServerConnectionDropTimeout"`
	Wirelog                        []fuzz.WireEvent     `json:"wirelog"`
}

// timeFormat is the original's timestamp format (UTC, milliseconds).
const timeFormat = "2006-01-02T15:04:05.000Z"

// result assembles the report of a finished test. number is the case's
// number as the runner counts it.
func (t *Test) result(number int) *Result {
	p := t.P
	stats := p.Stats()
	expected := map[Behavior][]Event{}
	for _, o := range t.Expected {
		expected[o.Behavior] = append([]Event{}, o.Events...)
	}
	received := t.Received
	if received == nil {
		received = []Event{}
	}
	cs := t.Close
	return &Result{
		Agent:                          t.Agent,
		Behavior:                       t.Behavior,
		BehaviorClose:                  t.BehaviorClose,
		Case:                           number,
		ClosedByMe:                     cs.ClosedByMe,
		CreateStats:                    true,
		CreateWirelog:                  p.Wirelogging(),
		Description:                    t.Case.Description,
		DroppedByMe:                    cs.DroppedByMe,
		Duration:                       t.duration.Milliseconds(),
		Expectation:                    t.Case.Expectation,
		Expected:                       expected,
		ExpectedClose:                  t.ExpectedClose,
		FailedByMe:                     cs.FailedByMe,
		HTTPRequest:                    p.HTTPRequest(),
		HTTPResponse:                   p.HTTPResponse(),
		ID:                             t.Case.ID,
		IsServer:                       p.IsServer(),
		LocalCloseCode:                 cs.LocalCloseCode,
		LocalCloseReason:               cs.LocalCloseReason,
		Received:                       received,
		RemoteCloseCode:                cs.RemoteCloseCode,
		RemoteCloseReason:              cs.RemoteCloseReason,
		ReportCompressionRatio:         t.ReportCompressionRatio,
		ReportTime:                     t.ReportTime,
		Result:                         t.Result,
		ResultClose:                    t.ResultClose,
		RxFrameStats:                   stats.RxFrames,
		RxOctetStats:                   stats.RxOctets,
		Started:                        t.started.UTC().Format(timeFormat),
		TrafficStats:                   t.TrafficStats,
		TxFrameStats:                   stats.TxFrames,
		TxOctetStats:                   stats.TxOctets,
		WasClean:                       cs.WasClean,
		WasCloseHandshakeTimeout:       cs.WasCloseHandshakeTimeout,
		WasNotCleanReason:              cs.WasNotCleanReason,
		WasOpenHandshakeTimeout:        cs.WasOpenHandshakeTimeout,
		WasServerConnectionDropTimeout: cs.WasServerConnectionDropTimeout,
		Wirelog:                        append([]fuzz.WireEvent{}, p.Wirelog()...),
		Deflate:                        p.DeflateParams(),
	}
}

// Failed reports whether the case failed: its behavior is FAILED, or its
// closing behavior is FAILED or UNCLEAN (the connection did not end the
// way RFC 6455 requires). INFORMATIONAL and UNIMPLEMENTED cases never fail.
func (r *Result) Failed() bool {
	switch r.Behavior {
	case Failed:
		return true
	case Informational, Unimplemented:
		return false
	}
	return r.BehaviorClose == Failed || r.BehaviorClose == Unclean
}
