package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/handshake"
)

// serverFrame is a frame as a raw client reads it.
type serverFrame struct {
	Op      frame.Opcode
	Code    frame.CloseCode // of a close frame
	Payload string          // of another frame
}

// rawSession upgrades url with the bare handshake, sends nothing, and
// returns every frame the server sends until it closes the TCP
// connection, and any bytes that are not a whole frame.
func rawSession(t *testing.T, url string) (frames []serverFrame, rest []byte) {
	t.Helper()
	ctx := timeout(t)
	nc, buffered, _, _, err := handshake.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetReadDeadline(time.Now().Add(waitTime))
	tail, err := io.ReadAll(nc)
	if err != nil {
		t.Fatalf("reading to the end: %v", err)
	}
	b := append(buffered, tail...)
	for len(b) > 0 {
		h, n, err := frame.ParseHeader(b)
		if err != nil || int64(len(b)-n) < h.Length {
			break
		}
		p := b[n : n+int(h.Length)]
		f := serverFrame{Op: h.Opcode}
		if h.Opcode == frame.OpClose {
			f.Code, _, _ = frame.ParseClosePayload(p)
		} else {
			f.Payload = string(p)
		}
		frames = append(frames, f)
		b = b[n+int(h.Length):]
	}
	return frames, b
}

// TestHandlerReturn checks that a handler's return closes its socket with
// 1000, that nothing is written after the close frame, even when the
// handler writes to its ResponseWriter, and that a handler's panic closes
// the socket with 1011.
func TestHandlerReturn(t *testing.T) {
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, ws *Socket)
		want    []serverFrame
	}{
		{"return", func(w http.ResponseWriter, ws *Socket) {
			ws.SendText("bye")
		}, []serverFrame{{Op: frame.OpText, Payload: "bye"}, {Op: frame.OpClose, Code: frame.CloseNormal}}},
		{"HTTP writes after the upgrade", func(w http.ResponseWriter, ws *Socket) {
			w.Header().Set("X-Late", "1")
			w.WriteHeader(http.StatusTeapot)
			if _, err := io.WriteString(w, "HTTP/1.1 200 OK\r\n\r\n"); !errors.Is(err, http.ErrHijacked) {
				t.Errorf("Write after the upgrade: %v, want http.ErrHijacked", err)
			}
			http.Error(w, "late", http.StatusInternalServerError)
		}, []serverFrame{{Op: frame.OpClose, Code: frame.CloseNormal}}},
		{"panic", func(w http.ResponseWriter, ws *Socket) {
			panic("handler bug")
		}, []serverFrame{{Op: frame.OpClose, Code: frame.CloseInternalError}}},
		{"abort", func(w http.ResponseWriter, ws *Socket) {
			panic(http.ErrAbortHandler)
		}, []serverFrame{{Op: frame.OpClose, Code: frame.CloseInternalError}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			logged := newLogBuffer()
			// The raw client never answers the close frame: a short close
			// timeout lets the server give up waiting soon.
			h := Accept(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.handler(w, WebSocket(r))
			}), WithCloseTimeout(100*time.Millisecond))
			srv := httptest.NewUnstartedServer(h)
			srv.Config.ErrorLog = log.New(logged, "", 0)
			srv.Start()
			defer srv.Close()
			frames, rest := rawSession(t, wsURL(srv, "/"))
			if diff := cmp.Diff(tt.want, frames); diff != "" {
				t.Errorf("frames from the server (-want +got):\n%s", diff)
			}
			if len(rest) > 0 {
				t.Errorf("%d bytes after the frames: %q", len(rest), rest)
			}
			switch tt.name {
			case "panic":
				// net/http reports the panic with its stack.
				if !logged.waitFor("handler bug") || !strings.Contains(logged.String(), "TestHandlerReturn") {
					t.Errorf("server log %q does not report the panic with its stack", logged.String())
				}
			default:
				if s := logged.String(); s != "" {
					t.Errorf("server logged %q", s)
				}
			}
		})
	}
}

// logBuffer is a log destination that tests can watch.
type logBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{}
}

func newLogBuffer() *logBuffer { return &logBuffer{wrote: make(chan struct{}, 1)} }

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	signal(l.wrote)
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor waits until s was logged, for a bounded time.
func (l *logBuffer) waitFor(s string) bool {
	deadline := time.After(waitTime)
	for !strings.Contains(l.String(), s) {
		select {
		case <-l.wrote:
		case <-deadline:
			return false
		}
	}
	return true
}

// TestPeerVanishes checks that a peer gone without a close frame ends
// Wait, the iterator, Done and the context.
func TestPeerVanishes(t *testing.T) {
	type result struct {
		msgs     []string
		err      error
		done     bool
		ctxEnded bool
	}
	out := make(chan result, 1)
	srv := serveFunc(t, func(ws *Socket) {
		var res result
		for m := range ws.Messages() {
			res.msgs = append(res.msgs, m.String())
		}
		res.err = ws.Err()
		select {
		case <-ws.Done():
			res.done = true
		default:
		}
		res.ctxEnded = ws.Context().Err() != nil
		out <- res
	})
	c := dial(t, srv, "/", nil)
	c.WriteMessage(context.Background(), 1, []byte("last words"))
	c.UnderlyingConn().Close()
	got := recv(t, out, "the handler")
	if diff := cmp.Diff([]string{"last words"}, got.msgs); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if !errors.Is(got.err, io.ErrUnexpectedEOF) || !got.done || !got.ctxEnded {
		t.Errorf("got %+v; want io.ErrUnexpectedEOF, Done closed and the context ended", got)
	}
}
