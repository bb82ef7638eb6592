package suite

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/frame"
)

// messageSize is one size of the compression cases: the payload length,
// how many messages, the case's timeout and the auto-fragment size.
type messageSize struct {
	length, count int
	wait          time.Duration
	autoFragment  int
}

var messageSizes = []messageSize{
	{16, 1000, 60, 0}, {64, 1000, 60, 0}, {256, 1000, 120, 0}, {1024, 1000, 240, 0},
	{4096, 1000, 480, 0}, {8192, 1000, 480, 0}, {16384, 1000, 480, 0}, {32768, 1000, 480, 0},
	{65536, 1000, 480, 0}, {131072, 1000, 480, 0},
	{8192, 1000, 480, 256}, {16384, 1000, 480, 256}, {32768, 1000, 480, 256}, {65536, 1000, 480, 256},
	{131072, 1000, 480, 256}, {131072, 1000, 480, 1024}, {131072, 1000, 480, 4096}, {131072, 1000, 480, 32768},
}

// deflateSetup is how both ends negotiate permessage-deflate in a case:
// what the fuzzer offers as a client, and how it accepts as a server.
type deflateSetup struct {
	offers []fuzz.DeflateOffer
	accept func([]fuzz.DeflateOffer) *fuzz.DeflateAccept
	// acceptDesc is the original's description of accept.
	acceptDesc string
}

// deflateSetups are the parameters of 13.1 to 13.7.
func deflateSetups() []deflateSetup {
	offer := func(noContext bool, windowBits int) fuzz.DeflateOffer {
		o := fuzz.DefaultDeflateOffer()
		o.RequestNoContextTakeover, o.RequestMaxWindowBits = noContext, windowBits
		return o
	}
	// acceptWith accepts the first offer that allows what the server asks
	// of the client: no context takeover and/or a window of windowBits.
	acceptWith := func(noContext bool, windowBits int) func([]fuzz.DeflateOffer) *fuzz.DeflateAccept {
		return func(offers []fuzz.DeflateOffer) *fuzz.DeflateAccept {
			for _, o := range offers {
				if (noContext && !o.AcceptNoContextTakeover) || (windowBits != 0 && !o.AcceptMaxWindowBits) {
					continue
				}
				return &fuzz.DeflateAccept{Offer: o, RequestNoContextTakeover: noContext, RequestMaxWindowBits: windowBits}
			}
			return nil
		}
	}
	accept5, accept2, accept1 := acceptWith(true, 9), acceptWith(true, 0), acceptWith(false, 0)
	return []deflateSetup{
		{[]fuzz.DeflateOffer{offer(false, 0)}, accept1, "[(False, 0)]"},
		{[]fuzz.DeflateOffer{offer(true, 0)}, accept2, "[(True, 0)]"},
		{[]fuzz.DeflateOffer{offer(false, 9)}, acceptWith(false, 9), "[(False, 9)]"},
		{[]fuzz.DeflateOffer{offer(false, 15)}, acceptWith(false, 15), "[(False, 15)]"},
		{[]fuzz.DeflateOffer{offer(true, 9)}, accept5, "[(True, 9)]"},
		{[]fuzz.DeflateOffer{offer(true, 15)}, acceptWith(true, 15), "[(True, 15)]"},
		{[]fuzz.DeflateOffer{offer(true, 9), offer(true, 0), offer(false, 0)}, func(offers []fuzz.DeflateOffer) *fuzz.DeflateAccept {
			for _, a := range []func([]fuzz.DeflateOffer) *fuzz.DeflateAccept{accept5, accept2, accept1} {
				if acc := a(offers); acc != nil {
					return acc
				}
			}
			return nil
		}, "[(True, 9), (True, 0), (False, 0)]"},
	}
}

// offersDesc describes offers as the original does.
func offersDesc(offers []fuzz.DeflateOffer) string {
	s := make([]string, len(offers))
	for i, o := range offers {
		s[i] = fmt.Sprintf("(%s, %d)", pyBool(o.RequestNoContextTakeover), o.RequestMaxWindowBits)
	}
	return "client offers (requestNoContextTakeover, requestMaxWindowBits): [" + strings.Join(s, ", ") + "]"
}

// corpusTitle is the subcategory title of a corpus.
func corpusTitle(c *corpus) string {
	kind := "utf8"
	if c.binary {
		kind = "binary"
	}
	return fmt.Sprintf("%s (%s, %d bytes)", c.desc, kind, c.size)
}

// compressionCases are groups 12 (every corpus, default parameters) and 13
// (one corpus, the parameters of RFC 7692 §7.1 in seven combinations).
func compressionCases() []*Case {
	var cases []*Case
	defaultSetup := deflateSetups()[0]
	for j, c := range corpora {
		for i, s := range messageSizes {
			cases = append(cases, &Case{
				ID:          fmt.Sprintf("12.%d.%d", j+1, i+1),
				Description: fmt.Sprintf("Send %d compressed messages each of payload size %d, auto-fragment to %d octets. Use default permessage-deflate offer.", s.count, s.length, s.autoFragment),
				Expectation: fmt.Sprintf("Receive echo'ed messages (with payload as sent). Timeout case after %d secs.", s.wait),
				Init:        func(t *Test) { compressionInit(t, defaultSetup) },
				Open:        func(t *Test) { compressionOpen(t, c, s) },
			})
		}
	}
	for j, setup := range deflateSetups() {
		for i, s := range messageSizes {
			cases = append(cases, &Case{
				ID:          fmt.Sprintf("13.%d.%d", j+1, i+1),
				Description: fmt.Sprintf("Send %d compressed messages each of payload size %d, auto-fragment to %d octets. Use permessage-deflate %s", s.count, s.length, s.autoFragment, offersDesc(setup.offers)),
				Expectation: fmt.Sprintf("Receive echo'ed messages (with payload as sent). Timeout case after %d secs.", s.wait),
				Init:        func(t *Test) { compressionInit(t, setup) },
				Open:        func(t *Test) { compressionOpen(t, jsonCorpus, s) },
			})
		}
	}
	return cases
}

// compressionSubcategories returns the titles of 12.1 to 13.7.
func compressionSubcategories() map[string]string {
	m := map[string]string{}
	for j, c := range corpora {
		m[fmt.Sprintf("12.%d", j+1)] = corpusTitle(c)
	}
	json := corpusTitle(jsonCorpus)
	for j, setup := range deflateSetups() {
		m[fmt.Sprintf("13.%d", j+1)] = json + " - " + offersDesc(setup.offers) +
			" / server accept (requestNoContextTakeover, requestMaxWindowBits): " + setup.acceptDesc
	}
	return m
}

// compressionInit prepares the handshake: the offers the fuzzer makes as a
// client (accepting whatever the server answers), or how it accepts as a
// server.
func compressionInit(t *Test, setup deflateSetup) {
	t.ReportTime = true
	t.ReportCompressionRatio = true
	t.ExpectClose(true, codes(frame.CloseNormal), true)
	if t.P.IsServer() {
		t.P.AcceptDeflateOffer = setup.accept
	} else {
		t.P.DeflateOffers = setup.offers
		t.P.AcceptDeflateResponse = func(fuzz.DeflateResponse) bool { return true }
	}
}

// compressionOpen sends s.count messages of s.length units of the corpus,
// one after the other as each comes back, and checks each echo's type,
// length and SHA-1. A peer that did not negotiate compression gets
// UNIMPLEMENTED.
func compressionOpen(t *Test, c *corpus, s messageSize) {
	normal := int(frame.CloseNormal)
	t.P.EnableWirelog(false)
	t.P.AutoFragmentSize = s.autoFragment
	if !t.P.Deflate() {
		t.Behavior = Unimplemented
		t.P.SendClose(&normal, nil)
		return
	}
	t.Behavior = Failed
	t.Result = fmt.Sprintf("Case did not finish within %d seconds.", s.wait)
	t.P.CloseAfter(s.wait * time.Second)

	sent, pos := 0, 0
	var want []byte // the message in flight
	sendOne := func() {
		to := (pos + s.length) % c.length()
		var msg []byte
		if to > pos {
			msg = c.slice(pos, to)
		} else {
			msg = append(append([]byte(nil), c.slice(pos, c.length())...), c.slice(0, to)...)
		}
		pos = to
		want = msg
		t.P.SendMessage(msg, c.binary, 0)
		sent++
	}
	t.OnMessage = func(msg []byte, binary bool) {
		// The original compares lengths in characters and SHA-1 digests;
		// equal octets have both equal, so they are computed only when the
		// octets differ, to name the difference.
		same := binary == c.binary && bytes.Equal(msg, want)
		length := len(msg)
		if !same && !c.binary {
			length = utf8.RuneCount(msg)
		}
		switch {
		case same && sent < s.count:
			sendOne()
			return
		case same:
			t.Behavior = OK
			t.Result = "Ok, received all echo'ed messages in time."
			traffic := t.P.Traffic()
			t.TrafficStats = &traffic
			t.P.EnableWirelog(true)
			t.P.SendClose(&normal, nil)
			return
		case binary != c.binary:
			t.Result = fmt.Sprintf("Echo'ed message type differs from what I sent (got binary %s, expected binary %s).", pyBool(binary), pyBool(c.binary))
		case length != s.length:
			t.Result = fmt.Sprintf("Echo'ed message length differs from what I sent (got length %d, expected length %d).", length, s.length)
		default:
			t.Result = fmt.Sprintf("Echo'ed message contents differs from what I sent (got SHA1 %x, expected SHA1 %x).", sha1.Sum(msg), sha1.Sum(want))
		}
		t.Behavior = Failed
		t.P.EnableWirelog(true)
		t.P.SendClose(&normal, nil)
	}
	sendOne()
}
