package fuzz

import (
	"errors"
	"net"
	"strings"
	"testing"
)

// pending returns what c queued to write, as text.
func pending(c *Conn) string {
	var b strings.Builder
	for _, it := range c.send.pending {
		b.Write(it.data)
	}
	return b.String()
}

func newTestClient(t *testing.T) (*Conn, *recorder) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	target, err := TargetFromURL("ws://example.com:9001/path?q=1")
	if err != nil {
		t.Fatal(err)
	}
	target.Protocols = []string{"chat"}
	c := NewClient(a, target, &Options{Agent: "tester"})
	t.Cleanup(func() { c.watchdog.Stop() })
	rec := &recorder{}
	c.h = rec
	return c, rec
}

func TestClientRequest(t *testing.T) {
	c, _ := newTestClient(t)
	c.DeflateOffers = []DeflateOffer{DefaultDeflateOffer(), {RequestMaxWindowBits: 10}}
	c.startClientHandshake()
	req := pending(c)
	for _, line := range []string{
		"GET /path?q=1 HTTP/1.1\r\n",
		"User-Agent: tester\r\n",
		"Host: example.com:9001\r\n",
		"Upgrade: WebSocket\r\n",
		"Connection: Upgrade\r\n",
		"Sec-WebSocket-Key: " + c.clientKey + "\r\n",
		"Sec-WebSocket-Protocol: chat\r\n",
		"Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; client_max_window_bits, permessage-deflate; server_max_window_bits=10\r\n",
		"Sec-WebSocket-Version: 13\r\n\r\n",
	} {
		if !strings.Contains(req, line) {
			t.Errorf("request lacks %q:\n%s", line, req)
		}
	}
	if len(c.clientKey) != 24 {
		t.Errorf("key %q is not 16 octets in base64", c.clientKey)
	}
}

// TestClientHandshake checks the answers a client accepts (RFC 6455 §4.1)
// and the ones it refuses, with the original's reasons.
func TestClientHandshake(t *testing.T) {
	ok := func(c *Conn) string {
		return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + acceptKey(c.clientKey) + "\r\n"
	}
	for _, tc := range []struct {
		name     string
		response func(c *Conn) string
		deflate  bool   // the client accepts deflate answers
		reason   string // "" means the connection opens
	}{
		{"101", func(c *Conn) string { return ok(c) + "\r\n" }, false, ""},
		{"refused", func(c *Conn) string { return "HTTP/1.1 403 Forbidden\r\n\r\n" }, false, "WebSocket connection upgrade failed (403 - Forbidden)"},
		{"HTTP/1.0", func(c *Conn) string { return strings.Replace(ok(c), "HTTP/1.1", "HTTP/1.0", 1) + "\r\n" }, false, "Unsupported HTTP version ('HTTP/1.0')"},
		{"no Upgrade", func(c *Conn) string { return strings.Replace(ok(c), "Upgrade: websocket\r\n", "", 1) + "\r\n" }, false, "HTTP Upgrade header missing"},
		{"no Connection", func(c *Conn) string { return strings.Replace(ok(c), "Connection: Upgrade\r\n", "", 1) + "\r\n" }, false, "HTTP Connection header missing"},
		{"wrong accept", func(c *Conn) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n"
		}, false, "HTTP Sec-WebSocket-Accept bogus value"},
		{"two accepts", func(c *Conn) string { return ok(c) + "Sec-WebSocket-Accept: " + acceptKey(c.clientKey) + "\r\n\r\n" }, false, "appears more than once"},
		{"extension not offered", func(c *Conn) string { return ok(c) + "Sec-WebSocket-Extensions: x-foo\r\n\r\n" }, false, "server wants to use extension 'x-foo'"},
		{"deflate not accepted", func(c *Conn) string { return ok(c) + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n" }, false, "denied by client"},
		{"deflate", func(c *Conn) string {
			return ok(c) + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=9\r\n\r\n"
		}, true, ""},
		{"deflate twice", func(c *Conn) string {
			return ok(c) + "Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate\r\n\r\n"
		}, true, "multiple occurrence"},
		{"subprotocol not offered", func(c *Conn) string { return ok(c) + "Sec-WebSocket-Protocol: other\r\n\r\n" }, false, "subprotocol selected by server (other)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec := newTestClient(t)
			if tc.deflate {
				c.AcceptDeflateResponse = func(DeflateResponse) bool { return true }
			}
			c.startClientHandshake()
			// The answer arrives in two pieces.
			resp := tc.response(c)
			c.dataReceived([]byte(resp[:10]))
			c.dataReceived([]byte(resp[10:]))
			if tc.reason == "" {
				if !rec.opened || c.state != StateOpen {
					t.Fatalf("not open: state %v, reason %v", c.state, c.close.WasNotCleanReason)
				}
				if tc.deflate && (c.pmd == nil || c.pmd.params.ClientMaxWindowBits != 9) {
					t.Errorf("deflate parameters %+v", c.DeflateParams())
				}
				return
			}
			if rec.opened || c.state != StateClosed || !c.close.DroppedByMe {
				t.Errorf("state %v, opened %v, dropped %v: want a dropped connection", c.state, rec.opened, c.close.DroppedByMe)
			}
			if r := c.close.WasNotCleanReason; r == nil || !strings.Contains(*r, tc.reason) {
				t.Errorf("reason %v, want one containing %q", r, tc.reason)
			}
		})
	}
}

func newTestServer(t *testing.T, connect ConnectFunc) (*Conn, *recorder) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	c := NewServer(a, &Options{Agent: "tester"})
	t.Cleanup(func() { c.watchdog.Stop() })
	rec := &recorder{}
	if connect == nil {
		connect = func(*Conn, *Request) (Handler, error) { return rec, nil }
	}
	c.connect = connect
	return c, rec
}

// TestServerHandshake checks the requests a server accepts (RFC 6455
// §4.2.1) and the HTTP status of its refusals.
func TestServerHandshake(t *testing.T) {
	const valid = "GET /runCase?case=1&agent=a HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	refuse := func(*Conn, *Request) (Handler, error) { return nil, errors.New("need case to run") }
	acceptDeflate := func(c *Conn, r *Request) (Handler, error) {
		c.AcceptDeflateOffer = func(o []DeflateOffer) *DeflateAccept {
			return &DeflateAccept{Offer: o[0], RequestNoContextTakeover: true}
		}
		return &recorder{}, nil
	}
	for _, tc := range []struct {
		name    string
		request string
		connect ConnectFunc
		status  string // the start of the response
		header  string // a line the response must have
	}{
		// RFC 6455 §1.3's example key and accept value.
		{"valid", valid + "\r\n", nil, "HTTP/1.1 101 Switching Protocols", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
		{"POST", strings.Replace(valid, "GET", "POST", 1) + "\r\n", nil, "HTTP/1.1 405", ""},
		{"HTTP/1.0", strings.Replace(valid, "HTTP/1.1", "HTTP/1.0", 1) + "\r\n", nil, "HTTP/1.1 505", ""},
		{"no Host", strings.Replace(valid, "Host: 127.0.0.1:9001\r\n", "", 1) + "\r\n", nil, "HTTP/1.1 400 HTTP Host header missing", ""},
		{"plain HTTP", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", nil, "HTTP/1.1 200 OK", "Content-Type: text/html; charset=UTF-8"},
		{"Upgrade: h2c", strings.Replace(valid, "websocket", "h2c", 1) + "\r\n", nil, "HTTP/1.1 400", ""},
		{"no Connection: Upgrade", strings.Replace(valid, "keep-alive, Upgrade", "keep-alive", 1) + "\r\n", nil, "HTTP/1.1 400", ""},
		{"version 12", strings.Replace(valid, "Version: 13", "Version: 12", 1) + "\r\n", nil, "HTTP/1.1 400", "Sec-WebSocket-Version: 13,8"},
		{"bad key", strings.Replace(valid, "dGhlIHNhbXBsZSBub25jZQ==", "short", 1) + "\r\n", nil, "HTTP/1.1 400", ""},
		{"refused by the runner", valid + "\r\n", refuse, "HTTP/1.1 400 need case to run", ""},
		{"deflate", valid + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n", acceptDeflate,
			"HTTP/1.1 101", "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover"},
		{"bad deflate offer", valid + "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=3\r\n\r\n", acceptDeflate,
			"HTTP/1.1 400 illegal extension parameter value", ""},
		{"head too long", "GET / HTTP/1.1\r\nX: " + strings.Repeat("x", maxRequestHead), nil, "HTTP/1.1 431", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestServer(t, tc.connect)
			c.dataReceived([]byte(tc.request))
			resp := pending(c)
			if !strings.HasPrefix(resp, tc.status) {
				t.Errorf("response %q, want it to start with %q", resp, tc.status)
			}
			if tc.header != "" && !strings.Contains(resp, tc.header+"\r\n") {
				t.Errorf("response %q lacks %q", resp, tc.header)
			}
			open := strings.HasPrefix(tc.status, "HTTP/1.1 101")
			if (c.state == StateOpen) != open {
				t.Errorf("state %v, want open %v", c.state, open)
			}
		})
	}
}

func TestTargetFromURL(t *testing.T) {
	for _, tc := range []struct {
		url     string
		want    ClientTarget
		wantErr bool
	}{
		{"ws://localhost:9001", ClientTarget{Host: "localhost", Port: 9001, Resource: "/"}, false},
		{"ws://[::1]/a%20b?c=d", ClientTarget{Host: "::1", Port: 80, Resource: "/a%20b?c=d"}, false},
		{"wss://example.com", ClientTarget{}, true},
		{"ws://example.com:x", ClientTarget{}, true},
	} {
		got, err := TargetFromURL(tc.url)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: error %v", tc.url, err)
			continue
		}
		if err == nil && (got.Host != tc.want.Host || got.Port != tc.want.Port || got.Resource != tc.want.Resource) {
			t.Errorf("%s: %+v, want %+v", tc.url, got, tc.want)
		}
	}
}
