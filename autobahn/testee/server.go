package testee

import (
	"net/http"

	"github.com/rfc6455/ws/handshake"
	"github.com/rfc6455/ws/server"
)

// Server returns the echo server: every message the peer sends comes back
// as it came, text as text and binary as binary. It accepts
// permessage-deflate with the library's defaults, and any Origin (the
// testers send none or their own). The keepalive pings are off, so that
// everything the server sends is an echo.
func Server() http.Handler {
	return server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := server.WebSocket(r)
		for m := range ws.Messages() {
			if ws.Send(m) != nil {
				return
			}
		}
	}),
		server.WithCompression(&handshake.DeflateConfig{}),
		server.WithAnyOrigin(),
		server.WithKeepalive(0, 0),
	)
}
