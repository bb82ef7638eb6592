package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
)

// serveFunc serves f as the handler of every WebSocket, under Require
// with opts.
func serveFunc(t *testing.T, f func(ws *Socket), opts ...Option) *httptest.Server {
	t.Helper()
	return startServer(t, Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f(WebSocket(r))
	}), opts...))
}

// sameError reports whether got is want: equal fields for a
// *conn.CloseError, errors.Is otherwise.
func sameError(got, want error) bool {
	var wc, gc *conn.CloseError
	if errors.As(want, &wc) {
		return errors.As(got, &gc) && *gc == *wc
	}
	return errors.Is(got, want)
}

// ending is what a handler saw at the end of a socket.
type ending struct {
	msgs    []string
	waitErr error // Wait's last error
	err     error // Err()
}

// collect is a handler that waits for every message and reports them
// with the end.
func collect(out chan<- ending) func(ws *Socket) {
	return func(ws *Socket) {
		var e ending
		for {
			m, err := ws.Wait()
			if err != nil {
				e.waitErr, e.err = err, ws.Err()
				out <- e
				return
			}
			e.msgs = append(e.msgs, m.Type.String()+":"+m.String())
		}
	}
}

// TestWaitInOrder checks that every message, of both types, reaches Wait
// in order before the end, and that a clean close ends it with io.EOF.
func TestWaitInOrder(t *testing.T) {
	out := make(chan ending, 1)
	srv := serveFunc(t, collect(out))
	c := dial(t, srv, "/", nil)
	ctx := timeout(t)
	var want []string
	for i := range 200 {
		typ := conn.MessageText
		if i%3 == 0 {
			typ = conn.MessageBinary
		}
		p := fmt.Sprintf("message %d", i)
		if err := c.WriteMessage(ctx, typ, []byte(p)); err != nil {
			t.Fatal(err)
		}
		want = append(want, typ.String()+":"+p)
	}
	c.Close(frame.CloseNormal, "bye")
	got := recv(t, out, "the handler's end")
	if diff := cmp.Diff(want, got.msgs); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if got.waitErr != io.EOF {
		t.Errorf("Wait at the end: %v, want io.EOF", got.waitErr)
	}
	if !sameError(got.err, &conn.CloseError{Code: frame.CloseNormal, Reason: "bye"}) {
		t.Errorf("Err: %v, want the peer's close 1000 bye", got.err)
	}
}

// TestEnds checks, for every way a connection can end, that messages sent
// before the end are delivered, then what Wait and Err report, and the
// close code the peer sees.
func TestEnds(t *testing.T) {
	rawWrite := func(b []byte) func(*testing.T, *conn.Conn) {
		return func(t *testing.T, c *conn.Conn) {
			if _, err := c.UnderlyingConn().Write(b); err != nil {
				t.Fatal(err)
			}
		}
	}
	closeWith := func(code frame.CloseCode, reason string) func(*testing.T, *conn.Conn) {
		return func(t *testing.T, c *conn.Conn) {
			if err := c.Close(code, reason); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name     string
		opts     []Option
		end      func(*testing.T, *conn.Conn)
		wantWait error
		wantErr  error
		peerSees frame.CloseCode // the server's close code, 0 when the peer closed first
	}{
		{"close 1000", nil, closeWith(1000, "done"), io.EOF, &conn.CloseError{Code: 1000, Reason: "done"}, 0},
		{"close without status", nil, closeWith(frame.CloseNoStatus, ""), io.EOF, &conn.CloseError{Code: frame.CloseNoStatus}, 0},
		{"close 1001", nil, closeWith(1001, "tab closed"), io.EOF, &conn.CloseError{Code: 1001, Reason: "tab closed"}, 0},
		{"close 4000", nil, closeWith(4000, "app"), &conn.CloseError{Code: 4000, Reason: "app"}, &conn.CloseError{Code: 4000, Reason: "app"}, 0},
		{"close 1011", nil, closeWith(1011, "crash"), &conn.CloseError{Code: 1011, Reason: "crash"}, &conn.CloseError{Code: 1011, Reason: "crash"}, 0},
		// An unmasked frame from a client breaks RFC 6455 §5.1.
		{"unmasked frame", nil, rawWrite([]byte{0x81, 0x02, 'h', 'i'}), frame.ErrUnmaskedFrame, frame.ErrUnmaskedFrame, frame.CloseProtocolError},
		// Opcode 0x3 is reserved (§5.2).
		{"reserved opcode", nil, rawWrite([]byte{0x83, 0x80, 0, 0, 0, 0}), frame.ErrReservedOpcode, frame.ErrReservedOpcode, frame.CloseProtocolError},
		{"invalid UTF-8", nil, func(t *testing.T, c *conn.Conn) {
			c.WriteMessage(context.Background(), conn.MessageText, []byte{0xff, 0xfe})
		}, frame.ErrInvalidUTF8, frame.ErrInvalidUTF8, frame.CloseInvalidPayload},
		{"over the read limit", []Option{WithReadLimit(16)}, func(t *testing.T, c *conn.Conn) {
			c.WriteMessage(context.Background(), conn.MessageBinary, make([]byte, 17))
		}, frame.ErrMessageTooBig, frame.ErrMessageTooBig, frame.CloseMessageTooBig},
		{"TCP dropped", nil, func(t *testing.T, c *conn.Conn) { c.CloseNow() }, io.ErrUnexpectedEOF, io.ErrUnexpectedEOF, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := make(chan ending, 1)
			srv := serveFunc(t, collect(out), tt.opts...)
			c := dial(t, srv, "/", nil)
			ctx := timeout(t)
			c.WriteMessage(ctx, conn.MessageText, []byte("first"))
			tt.end(t, c)
			if tt.peerSees != 0 {
				_, _, err := c.ReadMessage(ctx)
				var ce *conn.CloseError
				if !errors.As(err, &ce) || ce.Code != tt.peerSees {
					t.Errorf("peer read %v, want a close with %d", err, tt.peerSees)
				}
			}
			got := recv(t, out, "the handler's end")
			if diff := cmp.Diff([]string{"text:first"}, got.msgs); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
			if !sameError(got.waitErr, tt.wantWait) {
				t.Errorf("Wait: %v, want %v", got.waitErr, tt.wantWait)
			}
			if !sameError(got.err, tt.wantErr) {
				t.Errorf("Err: %v, want %v", got.err, tt.wantErr)
			}
		})
	}
}

// TestReadOutcomes checks the three answers of Read: a message, nothing
// yet, and nothing ever (with Closed), and the counters beside them.
func TestReadOutcomes(t *testing.T) {
	type state struct {
		Msg           string
		OK            bool
		Count         int
		Has, Closed   bool
		ErrIsNil      bool
		DoneSignalled bool
	}
	look := func(ws *Socket, m Message, ok bool) state {
		done := false
		select {
		case <-ws.Done():
			done = true
		default:
		}
		return state{m.String(), ok, ws.CountMessages(), ws.HasMessages(), ws.Closed(), ws.Err() == nil, done}
	}
	ready := make(chan struct{})
	out := make(chan []state, 1)
	srv := serveFunc(t, func(ws *Socket) {
		var states []state
		m, ok := ws.Read()
		states = append(states, look(ws, m, ok))
		close(ready)
		select {
		case <-ws.Done():
		case <-time.After(waitTime):
		}
		states = append(states, look(ws, Message{}, false))
		for range 3 {
			m, ok := ws.Read()
			states = append(states, look(ws, m, ok))
		}
		out <- states
	})
	c := dial(t, srv, "/", nil)
	recv(t, ready, "the handler's first look")
	ctx := timeout(t)
	c.WriteMessage(ctx, conn.MessageText, []byte("a"))
	c.WriteMessage(ctx, conn.MessageText, []byte("b"))
	c.Close(1000, "")
	want := []state{
		{Msg: "", OK: false, Count: 0, Has: false, Closed: false, ErrIsNil: true},                      // nothing yet
		{Msg: "", OK: false, Count: 2, Has: true, Closed: false, ErrIsNil: false, DoneSignalled: true}, // ended, two queued
		{Msg: "a", OK: true, Count: 1, Has: true, Closed: false, ErrIsNil: false, DoneSignalled: true}, // a message
		{Msg: "b", OK: true, Count: 0, Has: false, Closed: true, ErrIsNil: false, DoneSignalled: true}, // the last one
		{Msg: "", OK: false, Count: 0, Has: false, Closed: true, ErrIsNil: false, DoneSignalled: true}, // nothing ever
	}
	if diff := cmp.Diff(want, recv(t, out, "the handler")); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
}

// TestWaitContext checks that a context ends WaitContext without harming
// the socket.
func TestWaitContext(t *testing.T) {
	type result struct {
		first  error
		second string
	}
	out := make(chan result, 1)
	waited := make(chan struct{})
	srv := serveFunc(t, func(ws *Socket) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := ws.WaitContext(ctx)
		close(waited)
		m, _ := ws.WaitContext(context.Background())
		out <- result{err, m.String()}
	})
	c := dial(t, srv, "/", nil)
	recv(t, waited, "the handler's first wait")
	c.WriteMessage(timeout(t), conn.MessageText, []byte("later"))
	got := recv(t, out, "the handler")
	if got.first != context.DeadlineExceeded || got.second != "later" {
		t.Errorf("got %v then %q, want %v then %q", got.first, got.second, context.DeadlineExceeded, "later")
	}
	c.Close(1000, "")
}

// TestMessages checks that the iterator yields every message and ends at
// the close, and that a loop left early leaves the rest queued.
func TestMessages(t *testing.T) {
	out := make(chan []string, 1)
	srv := serveFunc(t, func(ws *Socket) {
		var got []string
		for m := range ws.Messages() {
			got = append(got, m.String())
			if len(got) == 2 {
				break
			}
		}
		for m := range ws.Messages() {
			got = append(got, m.String())
		}
		got = append(got, fmt.Sprint(ws.Err()))
		out <- got
	})
	c := dial(t, srv, "/", nil)
	ctx := timeout(t)
	for _, s := range []string{"1", "2", "3", "4"} {
		c.WriteMessage(ctx, conn.MessageText, []byte(s))
	}
	c.Close(1000, "")
	want := []string{"1", "2", "3", "4", (&conn.CloseError{Code: 1000}).Error()}
	if diff := cmp.Diff(want, recv(t, out, "the handler")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestConcurrentSend sends from many goroutines at once: every message
// arrives whole, and each goroutine's in its order.
func TestConcurrentSend(t *testing.T) {
	const senders, each = 8, 100
	srv := serveFunc(t, func(ws *Socket) {
		var wg sync.WaitGroup
		for g := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					var err error
					switch i % 3 {
					case 0:
						err = ws.SendText(fmt.Sprintf("%d %d", g, i))
					case 1:
						err = ws.SendBinary([]byte(fmt.Sprintf("%d %d", g, i)))
					default:
						err = ws.Send(Text(fmt.Sprintf("%d %d", g, i)))
					}
					if err != nil {
						t.Errorf("sender %d: %v", g, err)
						return
					}
				}
			}()
		}
		wg.Wait()
	})
	c := dial(t, srv, "/", nil)
	ctx := timeout(t)
	next := make([]int, senders)
	for n := 0; ; n++ {
		_, p, err := c.ReadMessage(ctx)
		if err != nil {
			if !sameError(err, &conn.CloseError{Code: 1000}) || n != senders*each {
				t.Fatalf("after %d messages: %v; want all %d then a close with 1000", n, err, senders*each)
			}
			break
		}
		var g, i int
		if _, err := fmt.Sscanf(string(p), "%d %d", &g, &i); err != nil {
			t.Fatalf("garbled message %q", p)
		}
		if i != next[g] {
			t.Fatalf("sender %d: message %d after %d", g, i, next[g]-1)
		}
		next[g]++
	}
}

// TestConcurrentWaiters takes messages from many goroutines at once: each
// message goes to exactly one, and all of them see the end.
func TestConcurrentWaiters(t *testing.T) {
	const waiters, total = 4, 500
	out := make(chan []string, 1)
	srv := serveFunc(t, func(ws *Socket) {
		var mu sync.Mutex
		var got []string
		var wg sync.WaitGroup
		for range waiters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					m, err := ws.Wait()
					if err != nil {
						return
					}
					mu.Lock()
					got = append(got, m.String())
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		out <- got
	}, WithQueueLimits(8, 0))
	c := dial(t, srv, "/", nil)
	ctx := timeout(t)
	var want []string
	for i := range total {
		s := fmt.Sprintf("%04d", i)
		want = append(want, s)
		c.WriteMessage(ctx, conn.MessageText, []byte(s))
	}
	c.Close(1000, "")
	got := recv(t, out, "the waiters")
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestCloseWhileWaiting closes a socket from another goroutine while the
// handler waits: Wait ends with the peer's answer.
func TestCloseWhileWaiting(t *testing.T) {
	out := make(chan ending, 1)
	srv := serveFunc(t, func(ws *Socket) {
		go ws.Close(4001, "enough")
		collect(out)(ws)
	})
	c := dial(t, srv, "/", nil)
	_, _, err := c.ReadMessage(timeout(t)) // answers the close
	if !sameError(err, &conn.CloseError{Code: 4001, Reason: "enough"}) {
		t.Errorf("peer read %v, want the close 4001", err)
	}
	got := recv(t, out, "the handler")
	// The peer echoes the code (RFC 6455 §5.5.1) without the reason.
	want := &conn.CloseError{Code: 4001}
	if !sameError(got.waitErr, want) || !sameError(got.err, want) {
		t.Errorf("Wait %v, Err %v; want %v", got.waitErr, got.err, want)
	}
}

// TestSendAfterEnd checks that sending on an ended socket fails.
func TestSendAfterEnd(t *testing.T) {
	out := make(chan error, 1)
	srv := serveFunc(t, func(ws *Socket) {
		await(ws.Done())
		out <- ws.SendText("too late")
	})
	c := dial(t, srv, "/", nil)
	c.Close(1000, "")
	if err := recv(t, out, "the handler"); !errors.Is(err, conn.ErrClosed) {
		t.Errorf("Send after the end: %v, want conn.ErrClosed", err)
	}
}

// TestContext checks that the request's context is the socket's, that it
// ends with the socket, and that its cause is Err's.
func TestContext(t *testing.T) {
	type result struct {
		same, endedBefore bool
		value, server     any
		cause, err        error
	}
	type key struct{}
	out := make(chan result, 1)
	checked := make(chan struct{})
	h := Accept(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := WebSocket(r)
		var res result
		res.same = r.Context() == ws.Context()
		res.value = ws.Context().Value(key{})
		res.server = ws.Context().Value(http.ServerContextKey)
		// net/http ends the request's own context once ServeHTTP returned,
		// which it did at the upgrade.
		time.Sleep(10 * time.Millisecond)
		res.endedBefore = ws.Context().Err() != nil
		close(checked) // the peer closes only now
		select {
		case <-ws.Context().Done():
		case <-time.After(waitTime):
		}
		res.cause, res.err = context.Cause(ws.Context()), ws.Err()
		out <- res
	}))
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, "outer")))
	}))
	c := dial(t, srv, "/", nil)
	recv(t, checked, "the handler's first look")
	c.Close(4002, "")
	got := recv(t, out, "the handler")
	if !got.same || got.endedBefore || got.err == nil || got.cause != got.err {
		t.Errorf("got %+v; want the request's context to be the socket's, live until the end, with Err as its cause", got)
	}
	if got.value != "outer" || got.server == nil {
		t.Errorf("the socket's context has %v under a key of the request's, and %v as its server; want the request's values", got.value, got.server)
	}
}

// TestCloseInvalid checks that a close code or reason conn would refuse
// leaves the socket open and receiving.
func TestCloseInvalid(t *testing.T) {
	type result struct {
		errs []error
		msgs []string
	}
	out := make(chan result, 1)
	srv := serveFunc(t, func(ws *Socket) {
		var res result
		res.errs = append(res.errs,
			ws.Close(frame.CloseAbnormal, ""), // 1006 never goes on the wire
			ws.Close(999, ""),                 // below the range of codes
			ws.Close(1000, string(make([]byte, frame.MaxCloseReason+1))), // too long a reason
		)
		for m := range ws.Messages() {
			res.msgs = append(res.msgs, m.String())
		}
		out <- res
	}, WithQueueLimits(1, 0))
	c := dial(t, srv, "/", nil)
	ctx := timeout(t)
	for _, s := range []string{"a", "b", "c"} {
		c.WriteMessage(ctx, conn.MessageText, []byte(s))
	}
	c.Close(1000, "")
	got := recv(t, out, "the handler")
	for i, err := range got.errs {
		if err == nil {
			t.Errorf("invalid Close %d returned nil", i)
		}
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, got.msgs); diff != "" {
		t.Errorf("messages after the refused closes (-want +got):\n%s", diff)
	}
}
