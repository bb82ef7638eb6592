package handshake

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestUpgradeConnWithDial(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		req *Request
		a   Agreement
		err error
	}
	done := make(chan result, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			done <- result{err: err}
			return
		}
		defer nc.Close()
		opts := &ServerOptions{Subprotocols: []string{"chat"}, Deflate: &DeflateConfig{ServerNoContextTakeover: true}}
		_, req, a, err := UpgradeConn(nc, opts)
		done <- result{req, a, err}
	}()
	opts := &ClientOptions{
		Subprotocols: []string{"chat"},
		Deflate:      &DeflateConfig{},
		Header:       http.Header{"Origin": {"http://" + ln.Addr().String()}},
	}
	nc, _, _, a, err := Dial(context.Background(), "ws://"+ln.Addr().String()+"/room?id=7", opts)
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if diff := cmp.Diff(a, r.a); diff != "" {
		t.Errorf("agreements differ (-client +server):\n%s", diff)
	}
	if a.Deflate == nil || !a.Deflate.ServerNoContextTakeover || a.Subprotocol != "chat" {
		t.Errorf("agreement %+v", a)
	}
	if r.req.Method != "GET" || r.req.RequestURI != "/room?id=7" || r.req.Host != ln.Addr().String() ||
		r.req.Proto != "HTTP/1.1" || r.req.ProtoMajor != 1 || r.req.ProtoMinor != 1 {
		t.Errorf("request %+v", r.req)
	}
}

func TestUpgradeConnMalformed(t *testing.T) {
	for name, raw := range map[string]string{
		"bare LF":                 strings.ReplaceAll(validRequest(), "\r\n", "\n"),
		"obsolete line folding":   validRequest("X-Long: a", " continued"),
		"space before colon":      validRequest("X-Bad : a"),
		"field without colon":     validRequest("X-Bad"),
		"name not a token":        validRequest("X(Bad): a"),
		"control in value":        validRequest("X-Bad: a\x01b"),
		"bare CR in value":        validRequest("X-Bad: a\rb"),
		"two Host fields":         validRequest("Host: example.org"),
		"invalid Host":            rawRequest("GET / HTTP/1.1", fieldsWith([]string{"Host"}, "Host: exa mple.com")),
		"empty head":              "\r\n\r\n",
		"no target":               rawRequest("GET  HTTP/1.1", validFields),
		"no version":              rawRequest("GET /", validFields),
		"version word":            rawRequest("GET / HTTP/one", validFields),
		"two-digit version":       rawRequest("GET / HTTP/10.1", validFields),
		"lower-case http":         rawRequest("GET / http/1.1", validFields),
		"space in target":         rawRequest("GET /a b HTTP/1.1", validFields),
		"method not a token":      rawRequest("G(T / HTTP/1.1", validFields),
		"whitespace before field": "GET / HTTP/1.1\r\n Host: example.com\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			u := upgradeConnOverLoopback(t, raw, nil)
			if !errors.Is(u.err, ErrMalformedRequest) {
				t.Fatalf("UpgradeConn: %v, want ErrMalformedRequest", u.err)
			}
			if u.resp == nil {
				t.Fatal("no answer")
			}
			wantAnswer(t, u.resp.StatusCode, u.resp.Header, u.body, ErrMalformedRequest)
		})
	}
}

func TestUpgradeConnHeaderTooLarge(t *testing.T) {
	for _, tc := range []struct {
		max, size int
		want      error
	}{
		{0, DefaultMaxHeaderBytes, ErrRequestHeaderTooLarge},
		{0, DefaultMaxHeaderBytes / 2, nil},
		{512, 512, ErrRequestHeaderTooLarge},
		{100 << 10, 50 << 10, nil}, // grows past the pooled buffer
	} {
		raw := validRequest("X-Big: " + strings.Repeat("a", tc.size))
		u := upgradeConnOverLoopback(t, raw, &ServerOptions{MaxHeaderBytes: tc.max})
		if !errors.Is(u.err, tc.want) || u.err != nil && tc.want == nil {
			t.Errorf("limit %d, field of %d: UpgradeConn: %v, want %v", tc.max, tc.size, u.err, tc.want)
			continue
		}
		if tc.want != nil {
			if u.resp == nil {
				t.Fatalf("limit %d: no answer", tc.max)
			}
			wantAnswer(t, u.resp.StatusCode, u.resp.Header, u.body, ErrRequestHeaderTooLarge)
		}
	}
}

func TestUpgradeConnTimeout(t *testing.T) {
	for _, sent := range []string{"", "GET / HTTP/1.1\r\nHost: exa"} {
		client, server := net.Pipe()
		go func() {
			client.Write([]byte(sent))
		}()
		_, _, _, err := UpgradeConn(server, &ServerOptions{Timeout: 50 * time.Millisecond})
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("client sent %q: UpgradeConn: %v, want a deadline error", sent, err)
		}
		client.Close()
		server.Close()
	}
}

// memConn is a net.Conn whose peer sent in, in one packet, and which
// records what is written to it.
type memConn struct {
	in  strings.Reader
	out bytes.Buffer
}

func (c *memConn) Read(p []byte) (int, error)         { return c.in.Read(p) }
func (c *memConn) Write(p []byte) (int, error)        { return c.out.Write(p) }
func (c *memConn) Close() error                       { return nil }
func (c *memConn) LocalAddr() net.Addr                { return &net.TCPAddr{} }
func (c *memConn) RemoteAddr() net.Addr               { return &net.TCPAddr{} }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }

func TestUpgradeConnKeepsEarlyBytes(t *testing.T) {
	const early = "\x81\x85\x00\x00\x00\x00hello"
	c := &memConn{}
	c.in.Reset(validRequest() + early)
	buffered, _, _, err := UpgradeConn(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(buffered) != early {
		t.Errorf("buffered %q, want %q", buffered, early)
	}
	want := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
	if got := c.out.String(); got != want {
		t.Errorf("response %q, want %q", got, want)
	}
}

func TestUpgradeConnAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	raw := validRequest("Origin: https://example.com", "Sec-WebSocket-Protocol: chat", "User-Agent: test")
	opts := &ServerOptions{Subprotocols: []string{"chat"}}
	c := &memConn{}
	n := testing.AllocsPerRun(100, func() {
		c.in.Reset(raw)
		c.out.Reset()
		if _, _, _, err := UpgradeConn(c, opts); err != nil {
			t.Fatal(err)
		}
	})
	// The request's head string and the *Request.
	if n > 2 {
		t.Errorf("UpgradeConn allocates %v times, want at most 2", n)
	}
}

func TestRequestAccessors(t *testing.T) {
	c := &memConn{}
	c.in.Reset(validRequest("X-Multi: 1", "x-multi:2 ", "Origin: https://example.com"))
	_, r, _, err := UpgradeConn(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	var multi []string
	for v := range r.Values("X-MULTI") {
		multi = append(multi, v)
	}
	if diff := cmp.Diff([]string{"1", "2"}, multi); diff != "" {
		t.Errorf("Values (-want +got):\n%s", diff)
	}
	if got := r.Get("sec-websocket-key"); got != testKey {
		t.Errorf("Get = %q", got)
	}
	if got := r.Get("Absent"); got != "" {
		t.Errorf("Get(Absent) = %q", got)
	}
	want := http.Header{
		"Host": {"example.com"}, "Upgrade": {"websocket"}, "Connection": {"Upgrade"},
		"Sec-Websocket-Key": {testKey}, "Sec-Websocket-Version": {"13"},
		"X-Multi": {"1", "2"}, "Origin": {"https://example.com"},
	}
	if diff := cmp.Diff(want, r.Header()); diff != "" {
		t.Errorf("Header (-want +got):\n%s", diff)
	}
	u, err := r.URL()
	if err != nil || u.Path != "/chat" {
		t.Errorf("URL() = %v, %v", u, err)
	}
}
