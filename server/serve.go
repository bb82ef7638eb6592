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
	var s *Socket // set before the reader starts, the only caller of BeforeFail
	opts.BeforeFail = func(error) { s.awaitHandler() }
	c, err := accept(w, r, &opts)
	if err != nil {
		return // the handshake answered
	}
	s = newSocket(c, r.Context(), cfg, ka)
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

// accept runs conn.Accept on a goroutine of its own and waits for it. The
// handshake's call chain is deep: run on the handler's goroutine, it
// would grow that stack to twice its size for the socket's whole life
// (the runtime shrinks a stack only when a quarter of it suffices), while
// the stack of a goroutine that returns is freed. A panic in it is raised
// again here, where net/http reports it.
func accept(w http.ResponseWriter, r *http.Request, opts *conn.AcceptOptions) (c *conn.Conn, err error) {
	var panicked any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		c, err = conn.Accept(w, r, opts)
	}()
	<-done
	if panicked != nil {
		panic(panicked)
	}
	return c, err
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
