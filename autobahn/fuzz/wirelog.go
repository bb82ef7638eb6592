package fuzz

import (
	"encoding/hex"
	"encoding/json"
	"unicode/utf8"
)

// The kinds of wire log entries, named as the original report names them.
const (
	KindRxOctets       = "RO"  // octets read from TCP
	KindTxOctets       = "TO"  // octets written to TCP
	KindRxFrame        = "RF"  // a frame received
	KindTxFrame        = "TF"  // a frame sent
	KindDelay          = "CT"  // the case continues after a delay
	KindDelayFired     = "CTE" // ... and that delay is over
	KindKillAfter      = "KL"  // the case fails the connection after a delay
	KindKillFired      = "KLE" // ... and does it now
	KindCloseAfter     = "TI"  // the case closes the connection after a delay
	KindCloseFired     = "TIE" // ... and does it now
	KindWirelogEnabled = "WLM" // the wire log was switched on or off
)

// maxLogData is how many octets of a chunk or frame the wire log keeps.
const maxLogData = 64

// WireEvent is one entry of a case's wire log. Which fields mean something
// depends on Kind. It marshals to the JSON array the original report uses,
// for example ["TF", [5, "Hello"], 1, true, 0, "a1b2c3d4", null, null, false].
type WireEvent struct {
	Kind string

	Len  int    // RO, TO, RF, TF: octets in the chunk or frame payload
	Data string // RO, TO: hex of the first octets; RF, TF: the payload as text, or 0x and hex

	Sync bool // TO, TF: written on its own (the original's sync or chopped writes)

	Opcode   int     // RF, TF
	Fin      bool    // RF, TF
	Rsv      int     // RF, TF: RSV1-3 as a number 0-7
	Masked   bool    // RF
	Mask     string  // RF, TF: hex of the masking key, "" if unmasked
	Repeat   *int    // TF: the payload was repeated up to this length
	ChopSize *int    // TF: the frame was written in chops of this size
	Delay    float64 // CT, KL, TI: seconds
	Tag      string  // CT, CTE
	Enabled  bool    // WLM
}

// MarshalJSON writes e as the array the original report uses.
func (e WireEvent) MarshalJSON() ([]byte, error) {
	data := []any{e.Len, e.Data}
	var v []any
	switch e.Kind {
	case KindRxOctets:
		v = []any{e.Kind, data}
	case KindTxOctets:
		v = []any{e.Kind, data, e.Sync}
	case KindRxFrame:
		v = []any{e.Kind, data, e.Opcode, e.Fin, e.Rsv, e.Masked, nullIfEmpty(e.Mask)}
	case KindTxFrame:
		v = []any{e.Kind, data, e.Opcode, e.Fin, e.Rsv, nullIfEmpty(e.Mask), e.Repeat, e.ChopSize, e.Sync}
	case KindDelay:
		v = []any{e.Kind, e.Delay, nullIfEmpty(e.Tag)}
	case KindDelayFired:
		v = []any{e.Kind, nullIfEmpty(e.Tag)}
	case KindKillAfter, KindCloseAfter:
		v = []any{e.Kind, e.Delay}
	case KindWirelogEnabled:
		v = []any{e.Kind, e.Enabled}
	default:
		v = []any{e.Kind}
	}
	return json.Marshal(v)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// LogHex is the original's binLogData, which its reports use for octets: the hex of data, cut to the
// first maxLogData octets and marked " ..." when longer.
func LogHex(data []byte) string {
	const ellipsis = " ..."
	if len(data) > maxLogData-len(ellipsis) {
		return hex.EncodeToString(data[:min(len(data), maxLogData)]) + ellipsis
	}
	return hex.EncodeToString(data)
}

// LogText is the original's asciiLogData, which its reports use for payloads: data as text, cut like
// LogHex, or 0x and its hex when the cut text is not UTF-8.
func LogText(data []byte) string {
	const ellipsis = " ..."
	s := string(data)
	if len(data) > maxLogData-len(ellipsis) {
		s = string(data[:min(len(data), maxLogData)]) + ellipsis
	}
	if utf8.ValidString(s) {
		return s
	}
	return "0x" + LogHex(data)
}

// Stats counts octets by the size of the chunk they came in, and frames by
// opcode, in each direction, as the original's report tables do.
type Stats struct {
	RxOctets map[int]int // chunk size -> chunks read
	TxOctets map[int]int // chunk size -> chunks written
	RxFrames map[int]int // opcode -> frames received
	TxFrames map[int]int // opcode -> frames sent
}

func newStats() Stats {
	return Stats{
		RxOctets: map[int]int{},
		TxOctets: map[int]int{},
		RxFrames: map[int]int{},
		TxFrames: map[int]int{},
	}
}

// TrafficStats counts the data messages of an open connection at three
// levels: on the wire (with framing), WebSocket payload (compressed) and
// application payload (uncompressed). Control frames and the handshake are
// not counted, except in the Preopen fields.
type TrafficStats struct {
	OutgoingOctetsWireLevel      int64
	OutgoingOctetsWebSocketLevel int64
	OutgoingOctetsAppLevel       int64
	OutgoingWebSocketFrames      int64
	OutgoingWebSocketMessages    int64

	IncomingOctetsWireLevel      int64
	IncomingOctetsWebSocketLevel int64
	IncomingOctetsAppLevel       int64
	IncomingWebSocketFrames      int64
	IncomingWebSocketMessages    int64

	PreopenOutgoingOctetsWireLevel int64
	PreopenIncomingOctetsWireLevel int64
}

// ratio returns a/b, or nil when b is zero.
func ratio(a, b int64) *float64 {
	if b <= 0 {
		return nil
	}
	r := float64(a) / float64(b)
	return &r
}

// IncomingCompressionRatio is compressed over uncompressed size of the
// received messages, nil when nothing was received.
func (t *TrafficStats) IncomingCompressionRatio() *float64 {
	return ratio(t.IncomingOctetsWebSocketLevel, t.IncomingOctetsAppLevel)
}

// OutgoingCompressionRatio is compressed over uncompressed size of the sent
// messages, nil when nothing was sent.
func (t *TrafficStats) OutgoingCompressionRatio() *float64 {
	return ratio(t.OutgoingOctetsWebSocketLevel, t.OutgoingOctetsAppLevel)
}

// MarshalJSON writes the counters and the derived ratios under the
// original's keys.
func (t TrafficStats) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"outgoingOctetsWireLevel":        t.OutgoingOctetsWireLevel,
		"outgoingOctetsWebSocketLevel":   t.OutgoingOctetsWebSocketLevel,
		"outgoingOctetsAppLevel":         t.OutgoingOctetsAppLevel,
		"outgoingCompressionRatio":       t.OutgoingCompressionRatio(),
		"outgoingWebSocketOverhead":      ratio(t.OutgoingOctetsWireLevel-t.OutgoingOctetsWebSocketLevel, t.OutgoingOctetsWebSocketLevel),
		"outgoingWebSocketFrames":        t.OutgoingWebSocketFrames,
		"outgoingWebSocketMessages":      t.OutgoingWebSocketMessages,
		"preopenOutgoingOctetsWireLevel": t.PreopenOutgoingOctetsWireLevel,
		"incomingOctetsWireLevel":        t.IncomingOctetsWireLevel,
		"incomingOctetsWebSocketLevel":   t.IncomingOctetsWebSocketLevel,
		"incomingOctetsAppLevel":         t.IncomingOctetsAppLevel,
		"incomingCompressionRatio":       t.IncomingCompressionRatio(),
		"incomingWebSocketOverhead":      ratio(t.IncomingOctetsWireLevel-t.IncomingOctetsWebSocketLevel, t.IncomingOctetsWebSocketLevel),
		"incomingWebSocketFrames":        t.IncomingWebSocketFrames,
		"incomingWebSocketMessages":      t.IncomingWebSocketMessages,
		"preopenIncomingOctetsWireLevel": t.PreopenIncomingOctetsWireLevel,
	})
}
