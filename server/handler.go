package server

import (
	"net/http"

	"github.com/rfc6455/ws/handshake"
)

// One-line bodies of the HTTP refusals of this package.
const (
	errUpgradeRequired = "websocket: this resource requires a WebSocket upgrade"
	errShuttingDown    = "websocket: server shutting down"
)

// IsWebSocket reports whether r asks to become a WebSocket (its Upgrade
// header names websocket and its Connection header upgrade, RFC 6455
// §4.2.1), judging from the headers alone, as dwebsocket's
// request.is_websocket() does.
func IsWebSocket(r *http.Request) bool { return handshake.IsUpgradeRequest(r) }

// WebSocket returns the socket of an upgraded request, or nil for plain
// HTTP, as dwebsocket's request.websocket.
func WebSocket(r *http.Request) *Socket {
	s, _ := r.Context().Value(socketKey{}).(*Socket)
	return s
}

// Accept returns a handler that upgrades WebSocket requests and passes
// them to h with WebSocket(r) set, and passes other requests to h
// untouched, as dwebsocket's @accept_websocket. An upgrade request that
// the handshake refuses (a bad key, a foreign Origin…) gets the HTTP
// answer RFC 6455 calls for and does not reach h.
//
// h owns the socket until it returns; then the socket is closed with 1000
// (normal closure), or with 1011 (internal error) if h panics, and h's
// ResponseWriter writes nothing: the connection is no longer HTTP. h runs
// on a goroutine of its own: ServeHTTP returns once the socket is open, so
// that net/http's goroutine and what it keeps per connection (its buffers
// and stack, about 8 KiB) are released for the socket's life. A panic in h
// is logged as net/http logs one, to http.Server.ErrorLog.
//
// Under a Middleware, Accept applies its options on top of the
// middleware's; under one that already upgraded the request, it only
// passes it on.
func Accept(h http.Handler, opts ...Option) http.Handler {
	return &wrapper{h: h, opts: opts, cfg: newConfig(nil, opts)}
}

// Require is Accept for handlers that serve WebSockets only, as
// dwebsocket's @require_websocket: a request that is not an upgrade gets
// 400 Bad Request with a one-line body saying so, and only upgraded
// requests reach h.
func Require(h http.Handler, opts ...Option) http.Handler {
	return &wrapper{h: h, opts: opts, cfg: newConfig(nil, opts), require: true}
}

// wrapper is the handler of Accept and Require.
type wrapper struct {
	h       http.Handler
	opts    []Option
	cfg     *config
	require bool
}

func (a *wrapper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case WebSocket(r) != nil:
		a.h.ServeHTTP(w, r) // upgraded by a Middleware above
	case !IsWebSocket(r):
		if a.require {
			http.Error(w, errUpgradeRequired, http.StatusBadRequest)
			return
		}
		a.h.ServeHTTP(w, r)
	default:
		if p := pendingUpgrade(r); p != nil {
			serve(p.claim(), r, newConfig(p.cfg, a.opts), a.h)
			return
		}
		serve(w, r, a.cfg, a.h)
	}
}
