package fuzz

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseExtensions(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   []extension
	}{
		{"", nil},
		{"permessage-deflate", []extension{{name: "permessage-deflate"}}},
		{" Permessage-Deflate ; Client_Max_Window_Bits ; server_max_window_bits=\"10\" , x-foo",
			[]extension{
				{name: "permessage-deflate", params: []extParam{
					{name: "client_max_window_bits"},
					{name: "server_max_window_bits", value: "10", hasValue: true},
				}},
				{name: "x-foo"},
			}},
		{"a;b=1=2,,", []extension{{name: "a", params: []extParam{{name: "b", value: "1=2", hasValue: true}}}}},
	} {
		got := parseExtensions(tc.header)
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(extension{}, extParam{})); diff != "" {
			t.Errorf("parseExtensions(%q) (-want +got):\n%s", tc.header, diff)
		}
	}
}

// element is a permessage-deflate element with params.
func element(params string) string {
	if params == "" {
		return extensionName
	}
	return extensionName + "; " + params
}

// TestDeflateOffer checks the offers a server reads (RFC 7692 §7.1), with
// the original's reading that every offer accepts no context takeover.
func TestDeflateOffer(t *testing.T) {
	for _, tc := range []struct {
		params  string
		want    DeflateOffer
		wantErr bool
	}{
		{"", DeflateOffer{AcceptNoContextTakeover: true}, false},
		{"client_max_window_bits", DeflateOffer{AcceptNoContextTakeover: true, AcceptMaxWindowBits: true}, false},
		{"client_max_window_bits=10", DeflateOffer{AcceptNoContextTakeover: true, AcceptMaxWindowBits: true}, false},
		{"server_no_context_takeover; server_max_window_bits=9", DeflateOffer{AcceptNoContextTakeover: true, RequestNoContextTakeover: true, RequestMaxWindowBits: 9}, false},
		{"client_max_window_bits=16", DeflateOffer{}, true},
		{"server_max_window_bits", DeflateOffer{}, true},
		{"server_max_window_bits=7", DeflateOffer{}, true},
		{"server_no_context_takeover=1", DeflateOffer{}, true},
		{"client_no_context_takeover=x", DeflateOffer{}, true},
		{"server_no_context_takeover; server_no_context_takeover", DeflateOffer{}, true},
		{"mystery", DeflateOffer{}, true},
	} {
		got, err := parseDeflateOffer(parseExtensions(element(tc.params))[0].params)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: error %v, want error %v", tc.params, err, tc.wantErr)
			continue
		}
		if err == nil && got != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.params, got, tc.want)
		}
	}
}

func TestDeflateResponse(t *testing.T) {
	for _, tc := range []struct {
		params  string
		want    DeflateResponse
		wantErr bool
	}{
		{"", DeflateResponse{}, false},
		{"client_max_window_bits=9; server_max_window_bits=10; client_no_context_takeover; server_no_context_takeover",
			DeflateResponse{ClientMaxWindowBits: 9, ServerMaxWindowBits: 10, ClientNoContextTakeover: true, ServerNoContextTakeover: true}, false},
		{"client_max_window_bits", DeflateResponse{}, true}, // a response must give the value
		{"server_max_window_bits=99", DeflateResponse{}, true},
		{"unknown", DeflateResponse{}, true},
	} {
		got, err := parseDeflateResponse(parseExtensions(element(tc.params))[0].params)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: error %v, want error %v", tc.params, err, tc.wantErr)
			continue
		}
		if err == nil && got != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.params, got, tc.want)
		}
	}
}

// TestDeflateStrings checks the header elements the fuzzer sends, which
// the original's cases define.
func TestDeflateStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{DefaultDeflateOffer().String(), "permessage-deflate; client_no_context_takeover; client_max_window_bits"},
		{DeflateOffer{AcceptNoContextTakeover: true, AcceptMaxWindowBits: true, RequestNoContextTakeover: true, RequestMaxWindowBits: 9}.String(),
			"permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=9"},
		{DeflateAccept{Offer: DeflateOffer{RequestNoContextTakeover: true, RequestMaxWindowBits: 10}, RequestNoContextTakeover: true, RequestMaxWindowBits: 9}.String(),
			"permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_no_context_takeover; client_max_window_bits=9"},
		{DeflateAccept{}.String(), "permessage-deflate"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestDeflateAcceptValidate(t *testing.T) {
	full := DefaultDeflateOffer()
	for _, tc := range []struct {
		a  DeflateAccept
		ok bool
	}{
		{DeflateAccept{Offer: full}, true},
		{DeflateAccept{Offer: full, RequestNoContextTakeover: true, RequestMaxWindowBits: 8}, true},
		{DeflateAccept{Offer: DeflateOffer{}, RequestNoContextTakeover: true}, false},
		{DeflateAccept{Offer: DeflateOffer{}, RequestMaxWindowBits: 9}, false},
		{DeflateAccept{Offer: full, RequestMaxWindowBits: 16}, false},
	} {
		if err := tc.a.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: Validate() = %v, want ok %v", tc.a, err, tc.ok)
		}
	}
}

// TestDeflateRoundTrip sends messages through the fuzzer's compressor and
// back through its decompressor, for every window and with and without
// context takeover, and checks each message also inflates with a plain
// compress/flate reader when it must not depend on earlier ones.
func TestDeflateRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var messages [][]byte
	for _, n := range []int{0, 1, 100, 5000, 70000} {
		b := make([]byte, n)
		words := []string{"deflate ", "window ", "context ", "takeover "}
		for i := 0; i < n; {
			i += copy(b[i:], words[r.IntN(len(words))])
		}
		messages = append(messages, b)
	}
	for bits := 8; bits <= 15; bits++ {
		for _, noContext := range []bool{false, true} {
			p := DeflateParams{ClientMaxWindowBits: bits, ClientNoContextTakeover: noContext}
			tx := newPermessageDeflate(false, p, DefaultDeflateLevel)
			rx := newPermessageDeflate(true, p, DefaultDeflateLevel)
			for i, m := range messages {
				for range 2 {
					z := tx.deflate(m)
					got, err := rx.inflate(z, 1<<20)
					if err != nil || !bytes.Equal(got, m) {
						t.Fatalf("window %d, no context %v, message %d: %v, round trip differs", bits, noContext, i, err)
					}
					if noContext || bits < 15 {
						alone, err := io.ReadAll(flate.NewReader(bytes.NewReader(append(z, 0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff))))
						if err != nil || !bytes.Equal(alone, m) {
							t.Fatalf("window %d, no context %v, message %d: does not inflate alone: %v", bits, noContext, i, err)
						}
					}
				}
			}
		}
	}
}

func TestInflateLimits(t *testing.T) {
	tx := newPermessageDeflate(false, DeflateParams{}, DefaultDeflateLevel)
	rx := newPermessageDeflate(true, DeflateParams{}, DefaultDeflateLevel)
	big := tx.deflate([]byte(strings.Repeat("a", 10000)))
	if _, err := rx.inflate(big, 9999); codeForInflateError(err) != codeMessageTooBig {
		t.Errorf("inflating past the limit: %v, want a 1009 error", err)
	}
	rx = newPermessageDeflate(true, DeflateParams{}, DefaultDeflateLevel)
	if _, err := rx.inflate([]byte{0xff, 0xff, 0xff}, 100); err == nil || codeForInflateError(err) != codeInvalidPayload {
		t.Errorf("inflating garbage: %v, want a 1007 error", err)
	}
}

// TestDeflateCache checks the cache's bound and eviction order, and that a
// message compressed from the cache is the one compressed afresh.
func TestDeflateCache(t *testing.T) {
	c := newDeflateCache(10)
	k := func(s string) cacheKey { return c.key([]byte(s), 15, 1) }
	c.put(k("a"), []byte("1234"))
	c.put(k("b"), []byte("5678"))
	c.put(k("c"), []byte("90"))  // fills the cache: 10 octets
	c.put(k("d"), []byte("xyz")) // evicts a
	c.put(k("e"), []byte("too long for the cache"))
	for _, tc := range []struct {
		key  string
		want string
		ok   bool
	}{{"a", "", false}, {"b", "5678", true}, {"c", "90", true}, {"d", "xyz", true}, {"e", "", false}} {
		got, ok := c.get(k(tc.key))
		if ok != tc.ok || string(got) != tc.want {
			t.Errorf("get(%q) = %q, %v; want %q, %v", tc.key, got, ok, tc.want, tc.ok)
		}
	}
	if c.size > c.limit {
		t.Errorf("size %d over the limit %d", c.size, c.limit)
	}
	if c.key([]byte("a"), 15, 1) == c.key([]byte("a"), 9, 1) {
		t.Error("the window is not part of the key")
	}

	msg := []byte(strings.Repeat("the same message, again and again ", 40))
	d := newPermessageDeflate(false, DeflateParams{ClientNoContextTakeover: true}, DefaultDeflateLevel)
	fresh := append([]byte(nil), d.compress(msg)...)
	d.deflate(msg) // fills the cache
	if cached := d.deflate(msg); !bytes.Equal(cached, fresh) {
		t.Error("the cached message differs from the one compressed afresh")
	}
}
