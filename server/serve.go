package server

import (
	"log"
	"net/http"
	"runtime"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
)

// serve upgrades r under cfg and starts h with the socket on a goroutine
// of its own, then returns: net/http's goroutine ends, and with it
// everything net/http keeps per connection (its buffers, its stack), which
// a WebSocket no longer needs. A request refused by the handshake gets its
// HTTP answer and h is not run.
func serve(w http.ResponseWriter, r *http.Request, cfg *config, h http.Handler) {
	reg := cfg.registry
	if reg != nil && reg.closing() {
		http.Error(w, errShuttingDown, http.StatusServiceUnavailable)
		return
	}
	s := newSocket(cfg)
	opts := cfg.AcceptOptions
	if s.ka.on() {
		opts.PongHandler = s.ka.pong
	}
	opts.BeforeFail = func(error) { s.awaitHandler() }
	opts.MessageBuffer = s.lendBuffer
	c, err := conn.Accept(w, r, &opts)
	if err != nil {
		return // the handshake answered
	}
	s.begin(c, r)
	if reg != nil && !reg.add(s) {
		// Shutdown began during the handshake.
		c.Close(frame.CloseGoingAway, reasonShutdown)
		s.cancel(nil)
		return
	}
	s.mu.Lock()
	s.armAway() // the handler has yet to wait: read for it if it does not
	s.mu.Unlock()
	if s.ka.on() {
		s.ka.start(s)
	}
	go run(s, h, r.WithContext(s.ctx), reg)
}

// run runs the handler h of socket s, then closes the socket: with 1000
// (normal closure) when h returns, with 1011 (internal error) when h
// panics, the panic being logged as net/http logs one.
func run(s *Socket, h http.Handler, r *http.Request, reg *Registry) {
	code, reason := frame.CloseNormal, ""
	defer func() {
		if p := recover(); p != nil {
			code, reason = frame.CloseInternalError, "internal server error"
			logPanic(r, p)
		}
		s.Close(code, reason) // returns once the socket has ended
		if reg != nil {
			reg.remove(s)
		}
	}()
	h.ServeHTTP(&s.writer, r)
}

// logPanic reports a handler's panic p with its stack, in the words and
// to the log net/http uses for a handler that panics, unless p is
// http.ErrAbortHandler, which net/http does not report either.
func logPanic(r *http.Request, p any) {
	if p == http.ErrAbortHandler {
		return
	}
	buf := make([]byte, 64<<10)
	buf = buf[:runtime.Stack(buf, false)]
	logf := log.Printf
	if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.ErrorLog != nil {
		logf = srv.ErrorLog.Printf
	}
	logf("http: panic serving %v: %v\n%s", r.RemoteAddr, p, buf)
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
