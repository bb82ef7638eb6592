package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/server"
)

func wsURL(srv *httptest.Server, path string) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + path
}

func readPush(t *testing.T, ctx context.Context, c *conn.Conn) push {
	t.Helper()
	typ, p, err := c.ReadMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var m push
	if typ != conn.MessageText || json.Unmarshal(p, &m) != nil {
		t.Fatalf("got %v message %q, want a JSON text message", typ, p)
	}
	return m
}

// TestRoutes checks the page and both spellings of the WebSocket's URL.
func TestRoutes(t *testing.T) {
	srv := httptest.NewServer(newHandler(nil, nil))
	defer srv.Close()
	tests := []struct {
		path       string
		wantStatus int
		wantBody   string
	}{
		{"/", 200, `<button id="connect">connect</button>`},
		{"/test_websocket", 400, "requires a WebSocket upgrade"},
		{"/test_websocket/", 400, "requires a WebSocket upgrade"},
		{"/elsewhere", 404, ""},
	}
	for _, tt := range tests {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
			t.Errorf("GET %s: %d %q, want %d with %q", tt.path, resp.StatusCode, body, tt.wantStatus, tt.wantBody)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, path := range []string{"/test_websocket", "/test_websocket/"} {
		c, _, err := conn.Dial(ctx, wsURL(srv, path), nil)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		c.WriteMessage(ctx, conn.MessageText, []byte(path))
		if p := readPush(t, ctx, c); p.ClientMsg != path {
			t.Errorf("%s: echo %+v, want client_msg %q", path, p, path)
		}
		c.Close(1000, "")
	}
}

// TestPushLoop checks the pushes, the echo in client_msg and the end.
func TestPushLoop(t *testing.T) {
	ended := make(chan error, 1)
	obs := &observer{ended: func(ws *server.Socket, err error) { ended <- err }}
	srv := httptest.NewServer(server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pushLoop(server.WebSocket(r), obs, 10*time.Millisecond)
	})))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := conn.Dial(ctx, wsURL(srv, "/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	for i := 1; i <= 3; i++ {
		p := readPush(t, ctx, c)
		if want := "send " + string(rune('0'+i)) + " times!"; p.ServerMsg != want || p.ClientMsg != "" {
			t.Errorf("push %d: %+v, want server_msg %q", i, p, want)
		}
		if _, err := time.Parse(timeLayout, p.Time); err != nil {
			t.Errorf("push %d: %v", i, err)
		}
	}
	c.WriteMessage(ctx, conn.MessageText, []byte("ping?"))
	for {
		if p := readPush(t, ctx, c); p.ClientMsg == "ping?" {
			break
		}
	}
	c.Close(1000, "")
	select {
	case err := <-ended:
		var ce *conn.CloseError
		if !errors.As(err, &ce) || ce.Code != frame.CloseNormal {
			t.Errorf("the loop ended with %v, want the peer's close 1000", err)
		}
	case <-ctx.Done():
		t.Fatal("the loop did not end")
	}
}
