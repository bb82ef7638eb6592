package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/handshake"
)

// TestCompressionOption checks that WithCompression reaches the handshake:
// a client's permessage-deflate offer is accepted with it and declined
// without it, and messages flow either way.
func TestCompressionOption(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		ws := WebSocket(r)
		for m := range ws.Messages() {
			ws.Send(m)
		}
	}
	offer := &conn.DialOptions{ClientOptions: handshake.ClientOptions{Deflate: &handshake.DeflateConfig{}}}
	for _, tt := range []struct {
		name   string
		opts   []Option
		agreed bool
	}{
		{"off by default", nil, false},
		{"on", []Option{WithCompression(&handshake.DeflateConfig{ServerNoContextTakeover: true})}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, Require(http.HandlerFunc(echo), tt.opts...))
			c, resp, err := conn.Dial(timeout(t), wsURL(srv, "/"), offer)
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseNow()
			ext := resp.Header.Get("Sec-WebSocket-Extensions")
			if got := strings.HasPrefix(ext, "permessage-deflate"); got != tt.agreed {
				t.Errorf("Sec-WebSocket-Extensions %q; want permessage-deflate agreed: %v", ext, tt.agreed)
			}
			if tt.agreed && !strings.Contains(ext, "server_no_context_takeover") {
				t.Errorf("Sec-WebSocket-Extensions %q lacks the server's server_no_context_takeover", ext)
			}
			ctx := timeout(t)
			text := strings.Repeat("compressible ", 100)
			if err := c.WriteMessage(ctx, conn.MessageText, []byte(text)); err != nil {
				t.Fatal(err)
			}
			if _, p, err := c.ReadMessage(ctx); err != nil || string(p) != text {
				t.Errorf("echo: %v, %d bytes; want the message back", err, len(p))
			}
			c.Close(1000, "")
		})
	}
}
