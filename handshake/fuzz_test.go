package handshake

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseExtensions checks that the extension parser never panics, that
// what it accepts survives AppendExtensions and a second parse unchanged,
// and that the server's negotiation over the same header answers with a
// well-formed permessage-deflate response or nothing.
func FuzzParseExtensions(f *testing.F) {
	for _, s := range []string{
		"permessage-deflate",
		"permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate",
		`a; b="c\"d"; e, f`,
		`x; y="1\0"`,
		", ,a;b=c,",
		`a; b="unterminated`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		exts, err := ParseExtensions([]string{s})
		if err != nil {
			if !errors.Is(err, ErrMalformedExtensions) {
				t.Fatalf("error %v does not wrap ErrMalformedExtensions", err)
			}
		} else {
			out := AppendExtensions(nil, exts)
			again, err := ParseExtensions([]string{string(out)})
			if err != nil {
				t.Fatalf("re-parsing %q (from %q): %v", out, s, err)
			}
			if diff := cmp.Diff(exts, again); diff != "" {
				t.Fatalf("round trip of %q (-first +second):\n%s", s, diff)
			}
		}
		d := negotiateDeflate(mimeFields{"Sec-Websocket-Extensions": {s}}, &DeflateConfig{ClientMaxWindowBits: 10})
		if d == nil {
			return
		}
		if err != nil {
			t.Fatalf("accepted an offer from malformed %q", s)
		}
		answer := string(AppendExtensions(nil, d.ext[:]))
		// The client that sent s must be able to read the answer.
		h := http.Header{"Sec-Websocket-Extensions": {answer}}
		if _, _, err := checkExtensionResponse(h, &DeflateConfig{ClientMaxWindowBits: 15, ServerMaxWindowBits: 15}); err != nil {
			t.Fatalf("answer %q to %q: %v", answer, s, err)
		}
	})
}

// FuzzCheck feeds raw request bytes through net/http's parser to Check,
// which must never panic and must accept only what RFC 6455 §4.2.1 allows.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		validRequest(),
		validRequest("Sec-WebSocket-Protocol: chat, superchat", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"),
		validRequest("Origin: http://example.com"),
		rawRequest("POST / HTTP/1.1", validFields),
		rawRequest("GET / HTTP/1.0", validFields),
		validRequest("Content-Length: 1") + "x",
	} {
		f.Add([]byte(s))
	}
	opts := &ServerOptions{Subprotocols: []string{"chat"}, Deflate: &DeflateConfig{}, OriginPatterns: []string{"*.example.com"}}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return
		}
		a, err := Check(r, opts)
		if err != nil {
			var rerr *RequestError
			if !errors.As(err, &rerr) || rerr.Status < 400 || strings.ContainsAny(rerr.Reason, "\r\n") {
				t.Fatalf("error %#v is not a one-line refusal", err)
			}
			return
		}
		if r.Method != "GET" || !r.ProtoAtLeast(1, 1) || !validKey(r.Header.Get("Sec-Websocket-Key")) || !IsUpgradeRequest(r) {
			t.Fatalf("accepted %q", raw)
		}
		if a.Subprotocol != "" && a.Subprotocol != "chat" {
			t.Fatalf("subprotocol %q", a.Subprotocol)
		}
	})
}

// FuzzReadRequest checks the request parser of UpgradeConn: it never
// panics, and where net/http also reads the request, the two reach the same
// verdict through the one validation function.
func FuzzReadRequest(f *testing.F) {
	for _, s := range []string{
		validRequest(),
		validRequest("Content-Length: 00"),
		rawRequest("GET http://example.com/ HTTP/1.1", validFields),
		rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Host"})),
		validRequest("X-Long: a", " folded"),
		strings.ReplaceAll(validRequest(), "\r\n", "\n"),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		end := headEnd(raw)
		if end < 0 {
			return
		}
		var req Request
		if !req.parse(string(raw[:end])) {
			return
		}
		for v := range req.Values("Host") {
			_ = v
		}
		req.Header()
		h := req.head()
		_, _, ourErr := check(&h, nil)

		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil || !strings.HasPrefix(req.RequestURI, "/") {
			return // only one parser accepts it, or the target forms differ
		}
		_, httpErr := Check(r, nil)
		if ourErr == nil != (httpErr == nil) || ourErr != nil && !errors.Is(httpErr, ourErr) {
			t.Fatalf("UpgradeConn's parser: %v; net/http: %v; for %q", ourErr, httpErr, raw)
		}
	})
}

// FuzzCheckResponse feeds raw response bytes to the client's validation,
// which must never panic and must accept only a response that answers the
// request's key and offers.
func FuzzCheckResponse(f *testing.F) {
	const accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
	base := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n"
	for _, s := range []string{
		base + "\r\n",
		base + "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9\r\n\r\n",
		base + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=16\r\n\r\n",
		"HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\nno\n",
	} {
		f.Add([]byte(s))
	}
	opts := &ClientOptions{Subprotocols: []string{"chat"}, Deflate: &DeflateConfig{ServerMaxWindowBits: 10, ClientMaxWindowBits: 12}}
	f.Fuzz(func(t *testing.T, raw []byte) {
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
		if err != nil {
			return
		}
		a, err := checkResponse(resp, testKey, opts)
		if err != nil {
			return
		}
		if resp.Header.Get("Sec-Websocket-Accept") != accept {
			t.Fatalf("accepted a response with the wrong accept key: %q", raw)
		}
		if a.Subprotocol != "" && a.Subprotocol != "chat" {
			t.Fatalf("subprotocol %q was not offered", a.Subprotocol)
		}
		if d := a.Deflate; d != nil && (d.ServerMaxWindowBits < 8 || d.ServerMaxWindowBits > 10 || d.ClientMaxWindowBits < 8 || d.ClientMaxWindowBits > 12) {
			t.Fatalf("agreed %+v beyond the offer", d)
		}
	})
}
