package handshake

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rfc6455/ws/internal/loopback"
)

func TestDialRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Why", "maintenance")
		http.Error(w, "come back later", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	_, _, resp, _, err := Dial(context.Background(), wsURL(srv), nil)
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("Dial: %v, want a *StatusError", err)
	}
	if se.StatusCode != 503 || se.Status != "HTTP/1.1 503 Service Unavailable" ||
		se.Header.Get("X-Why") != "maintenance" || string(se.Body) != "come back later\n" {
		t.Errorf("StatusError %+v", se)
	}
	if msg := err.Error(); !strings.Contains(msg, "HTTP/1.1 503 Service Unavailable") || !strings.Contains(msg, "come back later") {
		t.Errorf("error %q lacks the status line or the reason", msg)
	}
	if resp == nil || resp.StatusCode != 503 {
		t.Errorf("response %v, want the 503", resp)
	}
}

func TestDialRefusedByUpgrade(t *testing.T) {
	results := make(chan serverResult, 1)
	srv := upgradeServer(t, nil, 0, results)
	opts := &ClientOptions{Header: http.Header{"Origin": {"https://evil.example"}}}
	_, _, _, _, err := Dial(context.Background(), wsURL(srv), opts)
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusForbidden || string(se.Body) != ErrOriginRefused.Reason+"\n" {
		t.Fatalf("Dial: %v, want 403 with the refusal's reason", err)
	}
	if sr := <-results; !errors.Is(sr.err, ErrOriginRefused) {
		t.Errorf("server: %v, want ErrOriginRefused", sr.err)
	}
}

func TestStatusErrorBodyIsBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, strings.Repeat("x", 100<<10), http.StatusBadRequest)
	}))
	defer srv.Close()
	_, _, _, _, err := Dial(context.Background(), wsURL(srv), nil)
	var se *StatusError
	if !errors.As(err, &se) || len(se.Body) != maxErrorBody {
		t.Fatalf("Dial: %v, want a StatusError with %d bytes of body", err, maxErrorBody)
	}
	if len(err.Error()) > 300 {
		t.Errorf("error message of %d bytes", len(err.Error()))
	}
}

// stallServer accepts connections, reads what comes and answers with
// prefix only, holding the connection open until the test ends.
func stallServer(t *testing.T, prefix string) string {
	t.Helper()
	stop := make(chan struct{})
	addr := loopback.Serve(t, func(c net.Conn) {
		defer c.Close()
		http.ReadRequest(bufio.NewReader(c))
		c.Write([]byte(prefix))
		<-stop
	})
	t.Cleanup(func() { close(stop) }) // before Serve's cleanup waits
	return addr
}

func TestDialTimeout(t *testing.T) {
	for _, prefix := range []string{"", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: web"} {
		addr := stallServer(t, prefix)
		_, _, _, _, err := Dial(context.Background(), "ws://"+addr, &ClientOptions{Timeout: 100 * time.Millisecond})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("server sending %q: Dial: %v, want context.DeadlineExceeded", prefix, err)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("server sending %q: Dial: %v, want a net.Error with Timeout()", prefix, err)
		}
	}
}

func TestDialContextCancel(t *testing.T) {
	addr := stallServer(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, _, _, _, err := Dial(ctx, "ws://"+addr, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Dial: %v, want context.Canceled", err)
	}
}

func TestDialResponseHeaderTooLarge(t *testing.T) {
	for _, tc := range []struct {
		limit, size int
	}{
		{0, DefaultMaxHeaderBytes},
		{1024, 1024},
	} {
		addr := rawServer(t, func(c net.Conn, r *http.Request) {
			c.Write([]byte(switching(r, "X-Big: "+strings.Repeat("a", tc.size))))
		})
		_, _, _, _, err := Dial(context.Background(), "ws://"+addr, &ClientOptions{MaxResponseHeaderBytes: tc.limit})
		if !errors.Is(err, ErrResponseHeaderTooLarge) {
			t.Errorf("limit %d, header of %d: Dial: %v, want ErrResponseHeaderTooLarge", tc.limit, tc.size, err)
		}
	}
	// Just under the bound passes.
	addr := rawServer(t, func(c net.Conn, r *http.Request) {
		c.Write([]byte(switching(r, "X-Big: "+strings.Repeat("a", 500))))
	})
	nc, _, _, _, err := Dial(context.Background(), "ws://"+addr, &ClientOptions{MaxResponseHeaderBytes: 1024})
	if err != nil {
		t.Fatalf("header under the bound: %v", err)
	}
	nc.Close()
}

// TestDialValidatesResponse has a row per check RFC 6455 §4.1 makes on
// the server's handshake; each must fail and close the connection.
func TestDialValidatesResponse(t *testing.T) {
	for _, tc := range []struct {
		name    string
		respond func(r *http.Request) string
		opts    *ClientOptions
		want    error
	}{
		{"200 OK", func(*http.Request) string { return "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" }, nil, nil},
		{"no Upgrade", func(r *http.Request) string {
			return strings.Replace(switching(r), "Upgrade: websocket\r\n", "", 1)
		}, nil, ErrBadResponse},
		{"Upgrade h2c", func(r *http.Request) string {
			return strings.Replace(switching(r), "Upgrade: websocket", "Upgrade: h2c", 1)
		}, nil, ErrBadResponse},
		{"no Connection", func(r *http.Request) string {
			return strings.Replace(switching(r), "Connection: Upgrade\r\n", "", 1)
		}, nil, ErrBadResponse},
		{"wrong accept", func(r *http.Request) string {
			return strings.Replace(switching(r), "Sec-WebSocket-Accept: ", "Sec-WebSocket-Accept: x", 1)
		}, nil, ErrBadResponse},
		{"no accept", func(r *http.Request) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
		}, nil, ErrBadResponse},
		{"two accepts", func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Accept: "+AcceptKey(r.Header.Get("Sec-WebSocket-Key")))
		}, nil, ErrBadResponse},
		{"subprotocol not offered", func(r *http.Request) string { return switching(r, "Sec-WebSocket-Protocol: chat") }, nil, ErrBadSubprotocol},
		{"other subprotocol", func(r *http.Request) string { return switching(r, "Sec-WebSocket-Protocol: v3") },
			&ClientOptions{Subprotocols: []string{"v1", "v2"}}, ErrBadSubprotocol},
		{"two subprotocols", func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Protocol: v1", "Sec-WebSocket-Protocol: v2")
		}, &ClientOptions{Subprotocols: []string{"v1", "v2"}}, ErrBadSubprotocol},
		{"extension not offered", func(r *http.Request) string { return switching(r, "Sec-WebSocket-Extensions: permessage-deflate") },
			nil, ErrExtensionResponse},
		{"deflate with unknown parameter", func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Extensions: permessage-deflate; foo")
		}, &ClientOptions{Deflate: &DeflateConfig{}}, ErrExtensionResponse},
		{"not HTTP", func(*http.Request) string { return "SSH-2.0-OpenSSH\r\n\r\n" }, nil, ErrBadResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := rawServer(t, func(c net.Conn, r *http.Request) { c.Write([]byte(tc.respond(r))) })
			var conns recordedConns
			opts := &ClientOptions{NetDialContext: conns.dial}
			if tc.opts != nil {
				opts.Subprotocols, opts.Deflate = tc.opts.Subprotocols, tc.opts.Deflate
			}
			nc, _, _, _, err := Dial(context.Background(), "ws://"+addr, opts)
			if tc.want == nil {
				var se *StatusError
				if !errors.As(err, &se) {
					t.Fatalf("Dial: %v, want a *StatusError", err)
				}
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("Dial: %v, want %v", err, tc.want)
			}
			if nc != nil {
				t.Errorf("Dial returned a connection with its error")
			}
			conns.wantClosed(t)
		})
	}
}

// recordedConns dials TCP and keeps the connections, to check that Dial
// closes them.
type recordedConns struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (r *recordedConns) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := new(net.Dialer).DialContext(ctx, network, addr)
	if err == nil {
		r.mu.Lock()
		r.conns = append(r.conns, c)
		r.mu.Unlock()
	}
	return c, err
}

func (r *recordedConns) wantClosed(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.conns) == 0 {
		t.Fatal("no connection was dialed")
	}
	for _, c := range r.conns {
		if _, err := c.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
			t.Errorf("connection to %v left open (write: %v)", c.RemoteAddr(), err)
		}
	}
}

func TestDialRequest(t *testing.T) {
	requests := make(chan *http.Request, 1)
	addr := rawServer(t, func(c net.Conn, r *http.Request) {
		requests <- r
		c.Write([]byte(switching(r, "Sec-WebSocket-Protocol: b")))
	})
	opts := &ClientOptions{
		Header:       http.Header{"Origin": {"https://example.com"}, "Host": {"virtual.example"}, "X-Trace": {"1", "2"}},
		Subprotocols: []string{"a", "b"},
		Deflate:      &DeflateConfig{ClientNoContextTakeover: true},
	}
	nc, _, _, a, err := Dial(context.Background(), "ws://user:secret@"+addr+"/path%2Fx?q=1", opts)
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
	r := <-requests
	user, password, _ := r.BasicAuth()
	for _, c := range []struct{ what, got, want string }{
		{"method", r.Method, "GET"},
		{"proto", r.Proto, "HTTP/1.1"},
		{"request URI", r.RequestURI, "/path%2Fx?q=1"},
		{"Host", r.Host, "virtual.example"},
		{"Upgrade", r.Header.Get("Upgrade"), "websocket"},
		{"Connection", r.Header.Get("Connection"), "Upgrade"},
		{"Sec-WebSocket-Version", r.Header.Get("Sec-WebSocket-Version"), "13"},
		{"Sec-WebSocket-Protocol", r.Header.Get("Sec-WebSocket-Protocol"), "a, b"},
		{"Sec-WebSocket-Extensions", r.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate; client_no_context_takeover"},
		{"Origin", r.Header.Get("Origin"), "https://example.com"},
		{"X-Trace", strings.Join(r.Header.Values("X-Trace"), ","), "1,2"},
		{"basic auth", user + ":" + password, "user:secret"},
		{"subprotocol", a.Subprotocol, "b"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
	if !validKey(r.Header.Get("Sec-WebSocket-Key")) {
		t.Errorf("Sec-WebSocket-Key %q is not 16 base64-encoded bytes", r.Header.Get("Sec-WebSocket-Key"))
	}
}

func TestDialRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		url  string
		opts *ClientOptions
	}{
		{"http://example.com/", nil},
		{"ftp://example.com/", nil},
		{"ws:///path", nil},
		{"ws://example.com/#frag", nil},
		{"ws://example.com/#", nil},
		{"ws://[::1", nil},
		{"ws://example.com", &ClientOptions{Header: http.Header{"Sec-Websocket-Key": {"x"}}}},
		{"ws://example.com", &ClientOptions{Header: http.Header{"Upgrade": {"h2c"}}}},
		{"ws://example.com", &ClientOptions{Header: http.Header{"X-Bad": {"a\nb"}}}},
		{"ws://example.com", &ClientOptions{Subprotocols: []string{"a b"}}},
		{"ws://example.com", &ClientOptions{Subprotocols: []string{"a", "a"}}},
		{"ws://example.com", &ClientOptions{Subprotocols: []string{""}}},
		{"ws://example.com", &ClientOptions{Deflate: &DeflateConfig{ServerMaxWindowBits: 20}}},
		{"ws://example.com", &ClientOptions{Timeout: -time.Second}},
	} {
		dialed := false
		opts := &ClientOptions{}
		if tc.opts != nil {
			*opts = *tc.opts
		}
		opts.NetDialContext = func(context.Context, string, string) (net.Conn, error) {
			dialed = true
			return nil, errors.New("must not dial")
		}
		if _, _, _, _, err := Dial(context.Background(), tc.url, opts); err == nil || dialed {
			t.Errorf("Dial(%q, %+v): %v, dialed %v; want an error before dialing", tc.url, tc.opts, err, dialed)
		}
	}
}

func TestHostPort(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"ws://example.com", "example.com:80"},
		{"wss://example.com/x", "example.com:443"},
		{"ws://example.com:8080", "example.com:8080"},
		{"wss://[::1]", "[::1]:443"},
		{"ws://[::1]:9000", "[::1]:9000"},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := hostPort(u); got != tc.want {
			t.Errorf("hostPort(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

func TestClientHandshakeOnOwnConn(t *testing.T) {
	results := make(chan serverResult, 1)
	srv := upgradeServer(t, &ServerOptions{Subprotocols: []string{"chat"}}, 2, results)
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	u, _ := url.Parse(wsURL(srv))
	_, resp, a, err := ClientHandshake(context.Background(), c, u, &ClientOptions{Subprotocols: []string{"chat"}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || a.Subprotocol != "chat" {
		t.Errorf("status %d, subprotocol %q", resp.StatusCode, a.Subprotocol)
	}
	// The connection has no deadline left: it stays usable.
	c.Write([]byte("ok"))
	if sr := <-results; sr.received != "ok" {
		t.Errorf("server received %q, %v", sr.received, sr.err)
	}
}
