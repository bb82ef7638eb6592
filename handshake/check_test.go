package handshake

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// requestCases are RFC 6455 §4.2.1 and the hardening rules, one row each:
// a request and the refusal it must get (nil: accepted).
var requestCases = []struct {
	name string
	raw  string
	want *RequestError
}{
	{"valid", validRequest(), nil},
	{"absolute-form target", rawRequest("GET http://example.com/chat HTTP/1.1", validFields), nil},
	{"HTTP/1.2 is 1.1 or later", rawRequest("GET / HTTP/1.2", validFields), nil},
	{"method POST", rawRequest("POST /chat HTTP/1.1", validFields), ErrBadMethod},
	{"method HEAD", rawRequest("HEAD /chat HTTP/1.1", validFields), ErrBadMethod},
	{"lower-case get", rawRequest("get /chat HTTP/1.1", validFields), ErrBadMethod},
	{"HTTP/1.0", rawRequest("GET /chat HTTP/1.0", validFields), ErrBadProtocol},
	{"no Host", rawRequest("GET /chat HTTP/1.1", fieldsWith([]string{"Host"})), ErrMissingHost},
	{"Content-Length 0 is no body", validRequest("Content-Length: 0"), nil},
	{"Content-Length with a body", validRequest("Content-Length: 3") + "abc", ErrRequestBody},
	{"chunked body", validRequest("Transfer-Encoding: chunked") + "0\r\n\r\n", ErrRequestBody},
	{"no Upgrade", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Upgrade"})), ErrBadUpgrade},
	{"Upgrade h2c", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Upgrade"}, "Upgrade: h2c")), ErrBadUpgrade},
	{"Upgrade websocket2", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Upgrade"}, "Upgrade: websocket2")), ErrBadUpgrade},
	{"Upgrade in a list, any case", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Upgrade"}, "Upgrade: h2c, WebSocket")), nil},
	{"Upgrade on a second line", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Upgrade"}, "Upgrade: h2c", "Upgrade: websocket")), nil},
	{"no Connection", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Connection"})), ErrBadConnection},
	{"Connection keep-alive", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Connection"}, "Connection: keep-alive")), ErrBadConnection},
	{"Connection upgraded", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Connection"}, "Connection: upgraded")), ErrBadConnection},
	{"Connection in a list", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Connection"}, "Connection: keep-alive,UPGRADE")), nil},
	{"Connection on a second line", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Connection"}, "Connection: keep-alive", "Connection:  upgrade ")), nil},
	{"no version", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Sec-WebSocket-Version"})), ErrMissingVersion},
	{"two versions", validRequest("Sec-WebSocket-Version: 13"), ErrDuplicateVersion},
	{"version 8", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Sec-WebSocket-Version"}, "Sec-WebSocket-Version: 8")), ErrBadVersion},
	{"version list", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Sec-WebSocket-Version"}, "Sec-WebSocket-Version: 13, 8")), ErrBadVersion},
	{"no key", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Sec-WebSocket-Key"})), ErrMissingKey},
	{"two keys", validRequest("Sec-WebSocket-Key: " + testKey), ErrDuplicateKey},
	{"key of 15 bytes", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA")), ErrBadKey},
	{"key of 17 bytes", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA=")), ErrBadKey},
	{"key not base64", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ!!")), ErrBadKey},
	{"key with stray bits", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR==")), ErrBadKey},
	{"key unpadded", rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ")), ErrBadKey},
	{"cross origin", validRequest("Origin: https://evil.example"), ErrOriginRefused},
	{"same origin", validRequest("Origin: https://example.com"), nil},
}

func TestCheck(t *testing.T) {
	for _, tc := range requestCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(readRequest(t, tc.raw), nil)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Check: %v, want success", err)
				}
				return
			}
			if !errors.Is(err, tc.want) || err.Error() != tc.want.Reason {
				t.Fatalf("Check: %v, want %v", err, tc.want)
			}
			var rerr *RequestError
			if !errors.As(err, &rerr) || rerr.Status != tc.want.Status {
				t.Fatalf("Check: %#v, want a *RequestError with status %d", err, tc.want.Status)
			}
		})
	}
}

// wantAnswer checks a refusal's status, header fields and one-line body.
func wantAnswer(t *testing.T, status int, h http.Header, body string, want *RequestError) {
	t.Helper()
	if status != want.Status {
		t.Errorf("status %d, want %d", status, want.Status)
	}
	if body != want.Reason+"\n" {
		t.Errorf("body %q, want %q", body, want.Reason+"\n")
	}
	for name := range want.Header() {
		if got, w := h.Get(name), want.Header().Get(name); got != w {
			t.Errorf("%s: %q, want %q", name, got, w)
		}
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
}

func TestUpgradeAnswersRefusals(t *testing.T) {
	for _, tc := range requestCases {
		if tc.want == nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			nc, _, _, err := Upgrade(rec, readRequest(t, tc.raw), nil)
			if nc != nil || !errors.Is(err, tc.want) {
				t.Fatalf("Upgrade: %v, %v; want nil, %v", nc, err, tc.want)
			}
			wantAnswer(t, rec.Code, rec.Header(), rec.Body.String(), tc.want)
		})
	}
}

func TestUpgradeConnAnswersRefusals(t *testing.T) {
	for _, tc := range requestCases {
		t.Run(tc.name, func(t *testing.T) {
			u := upgradeConnOverLoopback(t, tc.raw, nil)
			if u.resp == nil {
				t.Fatalf("client read no response; UpgradeConn: %v", u.err)
			}
			if tc.want == nil {
				if u.err != nil || u.resp.StatusCode != http.StatusSwitchingProtocols {
					t.Fatalf("UpgradeConn: %v, status %d; want success", u.err, u.resp.StatusCode)
				}
				return
			}
			if !errors.Is(u.err, tc.want) {
				t.Fatalf("UpgradeConn: %v, want %v", u.err, tc.want)
			}
			wantAnswer(t, u.resp.StatusCode, u.resp.Header, u.body, tc.want)
			if !u.resp.Close {
				t.Errorf("refusal does not close the connection")
			}
		})
	}
}

func TestIsUpgradeRequest(t *testing.T) {
	for _, tc := range []struct {
		fields []string
		want   bool
	}{
		{validFields, true},
		{[]string{"Upgrade: WebSocket", "Connection: keep-alive, Upgrade"}, true},
		{[]string{"Upgrade: websocket"}, false},
		{[]string{"Connection: upgrade"}, false},
		{[]string{"Upgrade: h2c", "Connection: upgrade"}, false},
		{nil, false},
	} {
		r := readRequest(t, rawRequest("GET / HTTP/1.1", tc.fields))
		if got := IsUpgradeRequest(r); got != tc.want {
			t.Errorf("IsUpgradeRequest(%q) = %v, want %v", tc.fields, got, tc.want)
		}
	}
}

func TestCheckRejectsBadOptions(t *testing.T) {
	for name, opts := range map[string]*ServerOptions{
		"subprotocol not a token":  {Subprotocols: []string{"a b"}},
		"malformed origin pattern": {OriginPatterns: []string{"[a-"}},
		"window bits 7":            {Deflate: &DeflateConfig{ServerMaxWindowBits: 7}},
		"window bits 16":           {Deflate: &DeflateConfig{ClientMaxWindowBits: 16}},
		"reserved header":          {Header: http.Header{"Sec-Websocket-Accept": {"x"}}},
		"header name with space":   {Header: http.Header{"X Y": {"x"}}},
		"header value with CRLF":   {Header: http.Header{"X-Y": {"a\r\nSet-Cookie: b"}}},
		"negative timeout":         {Timeout: -1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Check(readRequest(t, validRequest()), opts)
			var rerr *RequestError
			if !errors.As(err, &rerr) || rerr.Status != http.StatusInternalServerError {
				t.Fatalf("Check: %v, want a *RequestError with status 500", err)
			}
		})
	}
}
