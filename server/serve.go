package server

import (
	"net/http"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
)

// serve upgrades r under cfg and runs h with the socket, then closes it:
// with 1000 (normal closure) when h returns, with 1011 (internal error)
// when h panics, the panic going on to net/http, which reports it. A
// request refused by the handshake gets its HTTP answer and h is not run.
func serve(w http.ResponseWriter, r *http.Request, cfg *config, h http.Handler) {
	reg := cfg.registry
	if reg != nil && reg.closing() {
		http.Error(w, errShuttingDown, http.StatusServiceUnavailable)
		return
	}
	ka := newKeepalive(cfg)
	opts := cfg.AcceptOptions
	if ka != nil {
		opts.PongHandler = ka.pong
	}
	c, err := conn.Accept(w, r, &opts)
	if err != nil {
		return // the handshake answered
	}
	s := newSocket(c, r.Context(), cfg, ka)
	if reg != nil && !reg.add(s) {
		// Shutdown began during the handshake.
		c.Close(frame.CloseGoingAway, reasonShutdown)
		s.cancel(nil)
		return
	}
	go s.read()
	if ka != nil {
		ka.start(s)
	}
	returned := false
	defer func() {
		code, reason := frame.CloseNormal, ""
		if !returned {
			code, reason = frame.CloseInternalError, "internal server error"
		}
		s.Close(code, reason)
		<-s.done // the reader ends once the connection is closed
		if reg != nil {
			reg.remove(s)
		}
	}()
	h.ServeHTTP(&hijackedWriter{}, r.WithContext(s.ctx))
	returned = true
}

// hijackedWriter is the ResponseWriter of a handler whose request became a
// WebSocket: the connection belongs to the socket, so nothing can be
// written on it as HTTP any more.
type hijackedWriter struct{ header http.Header }

func (w *hijackedWriter) Header() http.Header {
	if w.header == nil {
		w.header = make(http.Header)
	}
	return w.header
}

func (w *hijackedWriter) Write([]byte) (int, error) { return 0, http.ErrHijacked }

func (w *hijackedWriter) WriteHeader(int) {}
