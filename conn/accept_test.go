package conn

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/handshake"
)

// echoServer serves an echo endpoint built on Accept.
func echoServer(t *testing.T, opts *AcceptOptions) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, opts)
		if err != nil {
			return
		}
		ctx := r.Context()
		for {
			typ, p, err := c.ReadMessage(ctx)
			if err != nil {
				return
			}
			if err := c.WriteMessage(ctx, typ, p); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func wsURL(srv *httptest.Server) string { return "ws" + strings.TrimPrefix(srv.URL, "http") }

// TestAcceptDial runs Dial against Accept over loopback: subprotocol
// agreed, messages echoed, a clean close.
func TestAcceptDial(t *testing.T) {
	srv := echoServer(t, &AcceptOptions{ServerOptions: handshake.ServerOptions{Subprotocols: []string{"chat.v2", "chat.v1"}}})
	ctx := context.Background()
	c, resp, err := Dial(ctx, wsURL(srv), &DialOptions{ClientOptions: handshake.ClientOptions{Subprotocols: []string{"chat.v1", "chat.v2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Errorf("status %d", resp.StatusCode)
	}
	if c.Subprotocol() != "chat.v2" {
		t.Errorf("subprotocol %q, want the server's preference chat.v2", c.Subprotocol())
	}
	for _, msg := range []string{"", "hello", strings.Repeat("long ", 10000)} {
		if err := c.WriteMessage(ctx, MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		typ, p, err := c.ReadMessage(ctx)
		if err != nil || typ != MessageText || string(p) != msg {
			t.Fatalf("echo of %d bytes: %v %d bytes %v", len(msg), typ, len(p), err)
		}
	}
	if err := c.Close(frame.CloseNormal, ""); err != nil {
		t.Fatal(err)
	}
}

// TestDialRefused checks the error of a server that does not switch.
func TestDialRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no websockets here", http.StatusNotFound)
	}))
	defer srv.Close()
	_, _, err := Dial(context.Background(), wsURL(srv), nil)
	var se *handshake.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("Dial error = %v, want *handshake.StatusError", err)
	}
	if !strings.Contains(err.Error(), "404") {
		t.Errorf("error %q does not name the status", err)
	}
}

// TestAcceptRefuses checks that a plain request gets the handshake's HTTP
// answer and no Conn.
func TestAcceptRefuses(t *testing.T) {
	srv := echoServer(t, nil)
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain GET answered %d, want 400", resp.StatusCode)
	}
}

// TestAcceptConn upgrades a raw accepted connection, without net/http.
func TestAcceptConn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		c, _, err := AcceptConn(nc, nil)
		if err != nil {
			nc.Close()
			return
		}
		typ, p, err := c.ReadMessage(context.Background())
		if err == nil {
			c.WriteMessage(context.Background(), typ, p)
		}
		c.Close(frame.CloseNormal, "")
	}()
	ctx := context.Background()
	c, _, err := Dial(ctx, "ws://"+ln.Addr().String()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.WriteMessage(ctx, MessageBinary, []byte{1, 2, 3})
	if _, p, err := c.ReadMessage(ctx); err != nil || string(p) != "\x01\x02\x03" {
		t.Fatalf("echo = %v, %v", p, err)
	}
	var ce *CloseError
	if _, _, err := c.ReadMessage(ctx); !errors.As(err, &ce) || ce.Code != frame.CloseNormal {
		t.Fatalf("ReadMessage = %v, want the server's close 1000", err)
	}
}
