package server

import (
	"bufio"
	"context"
	"net"
	"net/http"
)

// Middleware returns a handler that brings WebSockets to every handler
// under next, as dwebsocket's WebSocketMiddleware.
//
// With WithAcceptAll, every upgrade request is upgraded before it reaches
// next, under the middleware's options: handlers below see WebSocket(r)
// set, and Accept or Require wrappers below pass the request on without
// upgrading it again.
//
// Without it, the middleware lends its options to the Accept and Require
// wrappers below, which upgrade the requests that reach them. An upgrade
// request that reaches a handler that is not so wrapped gets 400 Bad
// Request: the middleware gives that handler a ResponseWriter that replaces
// its answer by the 400, unless it answered with an error status of its
// own (4xx, 5xx: a mux's 404, say), and that makes Write return
// ErrNotAccepted. The 400 is also sent if the handler returns without
// answering.
//
// Plain HTTP requests pass through untouched either way.
func Middleware(next http.Handler, opts ...Option) http.Handler {
	return &middleware{next: next, opts: opts, cfg: newConfig(nil, opts)}
}

type middleware struct {
	next http.Handler
	opts []Option
	cfg  *config
}

// pending is an upgrade request that a Middleware left to the wrappers
// below it.
type pending struct {
	w       http.ResponseWriter // the middleware's own writer
	cfg     *config
	claimed bool // a wrapper took the request over
}

// pendingKey is the context key of a request's *pending.
type pendingKey struct{}

func pendingUpgrade(r *http.Request) *pending {
	p, _ := r.Context().Value(pendingKey{}).(*pending)
	return p
}

// claim hands the request over to a wrapper, with the writer it upgrades
// through.
func (p *pending) claim() http.ResponseWriter {
	p.claimed = true
	return p.w
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if WebSocket(r) != nil || !IsWebSocket(r) {
		m.next.ServeHTTP(w, r)
		return
	}
	if p := pendingUpgrade(r); p != nil {
		// A Middleware above left the request to the wrappers below: this
		// one's options join its own.
		p.cfg = newConfig(p.cfg, m.opts)
		if p.cfg.acceptAll {
			serve(p.claim(), r, p.cfg, m.next)
			return
		}
		m.next.ServeHTTP(w, r)
		return
	}
	if m.cfg.acceptAll {
		serve(w, r, m.cfg, m.next)
		return
	}
	p := &pending{w: w, cfg: m.cfg}
	g := &guardWriter{p: p}
	m.next.ServeHTTP(g, r.WithContext(context.WithValue(r.Context(), pendingKey{}, p)))
	if !p.claimed && !g.answered {
		refuse(w)
	}
}

// refuse answers an upgrade request that reached a handler that does not
// accept WebSockets: 400, as dwebsocket answers it.
func refuse(w http.ResponseWriter) {
	h := w.Header()
	for k := range h {
		delete(h, k) // the handler's fields describe an answer not sent
	}
	http.Error(w, ErrNotAccepted.Error(), http.StatusBadRequest)
}

// guardWriter is the ResponseWriter of a handler that an upgrade request
// reached under a Middleware without WithAcceptAll. Unless a wrapper claims
// the request, it replaces the handler's answer by a 400.
type guardWriter struct {
	p        *pending
	answered bool // a status line went out: the handler's error or the 400
	refused  bool // the 400 went out
}

func (g *guardWriter) Header() http.Header { return g.p.w.Header() }

func (g *guardWriter) WriteHeader(code int) {
	switch {
	case g.answered || g.p.claimed:
	case code >= 100 && code < 200 && code != http.StatusSwitchingProtocols:
		g.p.w.WriteHeader(code) // informational: the answer is still to come
	case code >= 400:
		g.answered = true
		g.p.w.WriteHeader(code)
	default:
		g.answered, g.refused = true, true
		refuse(g.p.w)
	}
}

func (g *guardWriter) Write(b []byte) (int, error) {
	if !g.answered {
		g.WriteHeader(http.StatusOK)
	}
	if g.refused || g.p.claimed {
		return 0, ErrNotAccepted
	}
	return g.p.w.Write(b)
}

// Flush lets http.ResponseController flush an error answer.
func (g *guardWriter) Flush() {
	if !g.answered {
		g.WriteHeader(http.StatusOK)
	}
	if !g.refused && !g.p.claimed {
		http.NewResponseController(g.p.w).Flush()
	}
}

// Hijack lets a handler take the connection over, as it could without the
// middleware; the middleware then answers nothing.
func (g *guardWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	g.answered = true
	return http.NewResponseController(g.p.w).Hijack()
}
