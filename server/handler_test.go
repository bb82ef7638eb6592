package server

import (
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/handshake"
)

// visit records what a handler saw of a request.
type visit struct {
	WebSocket   bool // WebSocket(r) was set
	IsWebSocket bool
}

// recorder is a handler that records its visits, echoes one message on a
// socket and answers plain HTTP with "plain".
type recorder struct{ visits chan visit }

func newRecorder() *recorder { return &recorder{visits: make(chan visit, 16)} }

func (h *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws := WebSocket(r)
	h.visits <- visit{WebSocket: ws != nil, IsWebSocket: IsWebSocket(r)}
	if ws == nil {
		io.WriteString(w, "plain")
		return
	}
	if m, err := ws.Wait(); err == nil {
		ws.Send(m)
	}
}

// outcome is what a client saw of one request.
type outcome struct {
	Status int    // the HTTP status, 101 for an upgrade
	Body   string // the body of an HTTP answer
	Echo   string // the echo through the WebSocket
}

// plainGet requests path as plain HTTP.
func plainGet(t *testing.T, url string) outcome {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return outcome{Status: resp.StatusCode, Body: string(b)}
}

// upgrade requests url as a WebSocket and, once upgraded, echoes "hi".
func upgrade(t *testing.T, url string, opts *conn.DialOptions) outcome {
	t.Helper()
	ctx := timeout(t)
	c, _, err := conn.Dial(ctx, url, opts)
	if err != nil {
		var se *handshake.StatusError
		if !errors.As(err, &se) {
			t.Fatalf("dial %s: %v", url, err)
		}
		return outcome{Status: se.StatusCode, Body: string(se.Body)}
	}
	defer c.CloseNow()
	if err := c.WriteMessage(ctx, conn.MessageText, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	_, p, err := c.ReadMessage(ctx)
	if err != nil {
		t.Fatalf("reading the echo: %v", err)
	}
	c.Close(1000, "")
	return outcome{Status: http.StatusSwitchingProtocols, Echo: string(p)}
}

func TestIsWebSocket(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   bool
	}{
		{"upgrade", http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}}, true},
		{"token lists, any case", http.Header{"Upgrade": {"h2c, WebSocket"}, "Connection": {"keep-alive, upgrade"}}, true},
		{"plain", http.Header{}, false},
		{"no connection upgrade", http.Header{"Upgrade": {"websocket"}, "Connection": {"keep-alive"}}, false},
		{"other protocol", http.Header{"Upgrade": {"h2c"}, "Connection": {"Upgrade"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest("GET", "http://example.com/", nil)
			r.Header = tt.header
			if got := IsWebSocket(r); got != tt.want {
				t.Errorf("IsWebSocket = %v, want %v", got, tt.want)
			}
			if WebSocket(r) != nil {
				t.Error("WebSocket(r) is not nil for a request that was not upgraded")
			}
		})
	}
}

// TestWrappers checks what Accept, Require and Middleware do with plain
// and upgrade requests, wrapped and not, and that the handler is reached
// (once, with or without a socket) exactly when it should be.
func TestWrappers(t *testing.T) {
	type wrap func(http.Handler) http.Handler
	accept := func(h http.Handler) http.Handler { return Accept(h) }
	require := func(h http.Handler) http.Handler { return Require(h) }
	none := func(h http.Handler) http.Handler { return h }
	mw := func(inner wrap, opts ...Option) wrap {
		return func(h http.Handler) http.Handler { return Middleware(inner(h), opts...) }
	}
	upgraded := outcome{Status: 101, Echo: "hi"}
	plain := outcome{Status: 200, Body: "plain"}
	required := outcome{Status: 400, Body: errUpgradeRequired + "\n"}
	notAccepted := outcome{Status: 400, Body: ErrNotAccepted.Error() + "\n"}
	tests := []struct {
		name                   string
		wrap                   wrap
		upgrade, plain         outcome
		upgradeVisit, plainVis *visit
	}{
		{"Accept", accept, upgraded, plain, &visit{true, true}, &visit{false, false}},
		{"Require", require, upgraded, required, &visit{true, true}, nil},
		{"unwrapped", none, outcome{Status: 200, Body: "plain"}, plain, &visit{false, true}, &visit{false, false}},
		{"Middleware/Accept", mw(accept), upgraded, plain, &visit{true, true}, &visit{false, false}},
		{"Middleware/Require", mw(require), upgraded, required, &visit{true, true}, nil},
		{"Middleware/unwrapped", mw(none), notAccepted, plain, &visit{false, true}, &visit{false, false}},
		{"Middleware(all)/unwrapped", mw(none, WithAcceptAll()), upgraded, plain, &visit{true, true}, &visit{false, false}},
		{"Middleware(all)/Accept", mw(accept, WithAcceptAll()), upgraded, plain, &visit{true, true}, &visit{false, false}},
		{"Middleware(all)/Require", mw(require, WithAcceptAll()), upgraded, required, &visit{true, true}, nil},
		{"Middleware/Middleware(all)", mw(mw(none, WithAcceptAll())), upgraded, plain, &visit{true, true}, &visit{false, false}},
		{"Middleware/Middleware/Accept", mw(mw(accept)), upgraded, plain, &visit{true, true}, &visit{false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newRecorder()
			srv := startServer(t, tt.wrap(h))
			check := func(kind string, got, want outcome, wantVisit *visit) {
				t.Helper()
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s request (-want +got):\n%s", kind, diff)
				}
				select {
				case v := <-h.visits:
					if wantVisit == nil {
						t.Errorf("%s request reached the handler: %+v", kind, v)
					} else if v != *wantVisit {
						t.Errorf("%s request: handler saw %+v, want %+v", kind, v, *wantVisit)
					}
				default:
					if wantVisit != nil {
						t.Errorf("%s request did not reach the handler", kind)
					}
				}
			}
			check("upgrade", upgrade(t, wsURL(srv, "/"), nil), tt.upgrade, tt.upgradeVisit)
			check("plain", plainGet(t, srv.URL), tt.plain, tt.plainVis)
		})
	}
}

// TestMiddlewarePassesErrors checks that an unwrapped handler's error
// answer to an upgrade request (here a mux's 404) is not turned into 400.
func TestMiddlewarePassesErrors(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/ws", Accept(newRecorder()))
	srv := startServer(t, Middleware(mux))
	got := upgrade(t, wsURL(srv, "/elsewhere"), nil)
	if got.Status != http.StatusNotFound {
		t.Errorf("upgrade request to an unknown path: status %d, want 404", got.Status)
	}
	if got := upgrade(t, wsURL(srv, "/ws"), nil); got.Echo != "hi" {
		t.Errorf("upgrade request to /ws: %+v, want an echo", got)
	}
}

// TestMiddlewareReplacesAnswer checks that what an unwrapped handler writes
// for an upgrade request does not reach the client, and that its writes
// fail with ErrNotAccepted.
func TestMiddlewareReplacesAnswer(t *testing.T) {
	writeErr := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "11")
		_, err := io.WriteString(w, `{"ok":true}`)
		writeErr <- err
	})
	srv := startServer(t, Middleware(h))
	got := upgrade(t, wsURL(srv, "/"), nil)
	want := outcome{Status: 400, Body: ErrNotAccepted.Error() + "\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := recv(t, writeErr, "the handler"); !errors.Is(err, ErrNotAccepted) {
		t.Errorf("handler's Write: %v, want ErrNotAccepted", err)
	}
}

// TestOptionsLayering checks that a wrapper's options apply on top of its
// middleware's, and that a middleware's apply to the wrappers below.
func TestOptionsLayering(t *testing.T) {
	subprotocol := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WebSocket(r).SendText(WebSocket(r).Subprotocol())
	})
	mux := http.NewServeMux()
	mux.Handle("/inherit", Accept(subprotocol))
	mux.Handle("/override", Accept(subprotocol, WithSubprotocols("b")))
	srv := startServer(t, Middleware(mux, WithSubprotocols("a")))
	opts := &conn.DialOptions{ClientOptions: handshake.ClientOptions{Subprotocols: []string{"b", "a"}}}
	for path, want := range map[string]string{"/inherit": "a", "/override": "b"} {
		c := dial(t, srv, path, opts)
		_, p, err := c.ReadMessage(timeout(t))
		if err != nil {
			t.Fatal(err)
		}
		if string(p) != want || c.Subprotocol() != want {
			t.Errorf("%s: server saw %q, client %q; want %q", path, p, c.Subprotocol(), want)
		}
		c.Close(1000, "")
	}
}

// TestHandshakeRefusal checks that an upgrade request the handshake refuses
// gets its HTTP answer and does not reach the handler.
func TestHandshakeRefusal(t *testing.T) {
	h := newRecorder()
	srv := startServer(t, Accept(h))
	opts := &conn.DialOptions{ClientOptions: handshake.ClientOptions{Header: http.Header{"Origin": {"http://evil.example"}}}}
	got := upgrade(t, wsURL(srv, "/"), opts)
	if got.Status != http.StatusForbidden {
		t.Errorf("foreign origin: status %d, want 403", got.Status)
	}
	select {
	case v := <-h.visits:
		t.Errorf("refused request reached the handler: %+v", v)
	default:
	}
	// The same with the origin allowed.
	srv2 := startServer(t, Accept(h, WithOriginPatterns("evil.example")))
	if got := upgrade(t, wsURL(srv2, "/"), opts); got.Echo != "hi" {
		t.Errorf("allowed origin: %+v, want an echo", got)
	}
	recv(t, h.visits, "the handler")
}
