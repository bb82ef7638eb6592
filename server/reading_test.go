package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
)

// countStacks returns how many goroutines of this module run fn.
func countStacks(fn string) int {
	n := 0
	for _, g := range moduleGoroutines() {
		if bytes.Contains(g, []byte(fn)) {
			n++
		}
	}
	return n
}

// awaitStacks waits, within waitTime, until want goroutines run fn, and
// returns how many do.
func awaitStacks(fn string, want int) int {
	deadline := time.Now().Add(waitTime)
	for {
		n := countStacks(fn)
		if n == want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

const (
	readerGoroutine = "server.(*Socket).background"
	waiterRead      = "server.(*Socket).readDirect"
)

// TestIdleSocketOneGoroutine checks that a socket whose handler waits for
// a message costs that goroutine alone: the handler reads for itself, and
// no reader goroutine runs beside it.
func TestIdleSocketOneGoroutine(t *testing.T) {
	const sockets = 20
	srv := serveFunc(t, func(ws *Socket) {
		for m := range ws.Messages() {
			ws.Send(m)
		}
	})
	for i := range sockets {
		c := dial(t, srv, "/", nil)
		if err := c.WriteMessage(timeout(t), conn.MessageText, []byte("hello")); err != nil {
			t.Fatal(err)
		}
		if _, p, err := c.ReadMessage(timeout(t)); err != nil || string(p) != "hello" {
			t.Fatalf("socket %d: echo %q, %v", i, p, err)
		}
	}
	// The away timers of the echoes fire and find every handler back.
	time.Sleep(2 * awayDelay)
	if n := awaitStacks(waiterRead, sockets); n != sockets {
		t.Errorf("%d handlers read for themselves, want %d", n, sockets)
	}
	if n := countStacks(readerGoroutine); n != 0 {
		t.Errorf("%d reader goroutines beside waiting handlers, want 0", n)
	}
}

// TestBusyHandler checks that while a handler is away from Wait, having
// left it with a message or because its context ended, the socket still
// reads: the peer's close is answered at once, and the handler then
// receives every message sent before it, in order, and the end.
func TestBusyHandler(t *testing.T) {
	for _, withMessage := range []bool{true, false} {
		t.Run(fmt.Sprint("with message=", withMessage), func(t *testing.T) {
			left := make(chan struct{})
			release := make(chan struct{})
			out := make(chan ending, 1)
			srv := serveFunc(t, func(ws *Socket) {
				var e ending
				if withMessage {
					m, err := ws.Wait()
					if err != nil {
						t.Error(err)
						return
					}
					e.msgs = append(e.msgs, "text:"+m.String())
				} else {
					ctx, cancel := context.WithTimeout(context.Background(), awayDelay)
					_, err := ws.WaitContext(ctx)
					cancel()
					if err != context.DeadlineExceeded {
						t.Errorf("WaitContext = %v, want context.DeadlineExceeded", err)
					}
				}
				close(left)
				await(release) // busy, far longer than awayDelay
				rest := make(chan ending, 1)
				collect(rest)(ws)
				r := <-rest
				e.msgs, e.waitErr, e.err = append(e.msgs, r.msgs...), r.waitErr, r.err
				out <- e
			})
			defer close(release)
			c := dial(t, srv, "/", nil)
			var want []string
			if withMessage {
				want = append(want, "text:first")
				if err := c.WriteMessage(timeout(t), conn.MessageText, []byte("first")); err != nil {
					t.Fatal(err)
				}
			}
			recv(t, left, "the handler leaving Wait")
			for i := range 5 {
				msg := fmt.Sprint("message ", i)
				want = append(want, "text:"+msg)
				if err := c.WriteMessage(timeout(t), conn.MessageText, []byte(msg)); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			if err := c.Close(frame.CloseNormal, ""); err != nil {
				t.Fatal(err)
			}
			// Close returns early only on the server's answer; without one
			// it waits for the close timeout, 5 s.
			if took := time.Since(start); took > time.Second {
				t.Errorf("the close took %v to be answered while the handler was busy", took)
			}
			release <- struct{}{}
			got := recv(t, out, "the handler")
			if diff := cmp.Diff(want, got.msgs); diff != "" {
				t.Errorf("messages (-sent +received):\n%s", diff)
			}
			if got.waitErr != io.EOF {
				t.Errorf("Wait ended with %v, want io.EOF", got.waitErr)
			}
		})
	}
}

// TestHandover checks that when a handler comes back to Wait after being
// away, the socket's reader goroutine hands reading back to it, losing
// nothing, whether it stopped between messages or in the middle of one.
func TestHandover(t *testing.T) {
	const rounds = 3
	back := make(chan struct{})
	srv := serveFunc(t, func(ws *Socket) {
		for i := 0; ; i++ {
			m, err := ws.Wait()
			if err != nil {
				return
			}
			if err := ws.Send(m); err != nil {
				return
			}
			if i%2 == 0 {
				// Away long enough for the reader goroutine to start
				// and wait on the socket; then back to Wait.
				time.Sleep(5 * awayDelay)
				back <- struct{}{}
			}
		}
	})
	c := dial(t, srv, "/", nil)
	nc := c.UnderlyingConn()
	echo := func(msg string) {
		t.Helper()
		if _, p, err := c.ReadMessage(timeout(t)); err != nil || string(p) != msg {
			t.Fatalf("echo %q, %v; want %q", p, err, msg)
		}
	}
	for round := range rounds {
		first := fmt.Sprint("round ", round, " first")
		if err := c.WriteMessage(timeout(t), conn.MessageText, []byte(first)); err != nil {
			t.Fatal(err)
		}
		echo(first)
		// The reader goroutine takes over while the handler sleeps.
		if n := awaitStacks(readerGoroutine, 1); n != 1 {
			t.Fatalf("round %d: %d reader goroutines while the handler is away, want 1", round, n)
		}
		second := fmt.Sprint("round ", round, " second, sent in two parts")
		if round%2 == 1 {
			// Half of the frame now, the rest after the handover: the
			// reader goroutine is cut off in the middle of a message.
			h := frame.Header{Fin: true, Opcode: frame.OpText, Masked: true, Mask: frame.MaskKey{1, 2, 3, 4}, Length: int64(len(second))}
			wire := frame.AppendHeader(nil, h)
			wire = append(wire, second...)
			frame.Mask(h.Mask, 0, wire[len(wire)-len(second):])
			nc.Write(wire[:len(wire)/2])
			recv(t, back, "the handler's return")
			time.Sleep(awayDelay)
			nc.Write(wire[len(wire)/2:])
		} else {
			recv(t, back, "the handler's return")
			if err := c.WriteMessage(timeout(t), conn.MessageText, []byte(second)); err != nil {
				t.Fatal(err)
			}
		}
		echo(second)
		if n := awaitStacks(readerGoroutine, 0); n != 0 {
			t.Fatalf("round %d: %d reader goroutines once the handler waits again, want 0", round, n)
		}
	}
	c.Close(frame.CloseNormal, "")
}

// TestReadingMixed has handlers take messages in every way at random,
// Wait, WaitContext with deadlines that cut reads short, Read polled, and
// time away from Wait that starts the reader goroutine, on several
// sockets at once, with messages from 1 octet to more than a read buffer
// (so that reads are cut in the middle of messages), sent all at once or
// each after the echo of the one before (so that messages arrive as
// handlers come back to Wait): every message must reach the handler and
// come back in order.
func TestReadingMixed(t *testing.T) {
	const sockets, messages = 4, 200
	srv := serveFunc(t, func(ws *Socket) {
		rng := rand.New(rand.NewPCG(uint64(ws.RemoteAddr().(*net.TCPAddr).Port), 1))
		for {
			var m Message
			var err error
			switch rng.IntN(4) {
			case 0:
				m, err = ws.Wait()
			case 1:
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rng.IntN(2000))*time.Microsecond)
				m, err = ws.WaitContext(ctx)
				cancel()
				if errors.Is(err, context.DeadlineExceeded) {
					continue
				}
			case 2:
				var ok bool
				for m, ok = ws.Read(); !ok && !ws.Closed(); m, ok = ws.Read() {
					time.Sleep(100 * time.Microsecond)
				}
				if !ok {
					return
				}
			case 3:
				time.Sleep(awayDelay + time.Duration(rng.IntN(10))*time.Millisecond)
				continue
			}
			if err != nil {
				return
			}
			err = ws.Send(m)
			m.Release()
			if err != nil {
				return
			}
		}
	})
	var wg sync.WaitGroup
	for i := range sockets {
		c := dial(t, srv, "/", nil)
		paced := make(chan struct{}, 1) // an echo came back
		if i%2 == 0 {
			paced = nil
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if paced != nil {
				defer close(paced) // the sender stops too
			}
			rng := rand.New(rand.NewPCG(uint64(i), 2))
			sent := make(chan []byte, messages)
			go func() {
				for i := range messages {
					if paced != nil && i > 0 {
						if _, ok := <-paced; !ok {
							break
						}
					}
					size := 1 + rng.IntN(8<<10)
					msg := bytes.Repeat([]byte{byte(i)}, size)
					if c.WriteMessage(context.Background(), conn.MessageBinary, msg) != nil {
						break
					}
					sent <- msg
				}
				close(sent)
			}()
			for want := range sent {
				_, got, err := c.ReadMessage(timeout(t))
				if err != nil {
					t.Errorf("echo: %v", err)
					return
				}
				if !bytes.Equal(got, want) {
					t.Errorf("echo of %d octets of %d, want %d octets of %d", len(got), got[0], len(want), want[0])
					return
				}
				if paced != nil {
					paced <- struct{}{}
				}
			}
			c.Close(frame.CloseNormal, "")
		}()
	}
	wg.Wait()
}

// TestSendOnlyHandler checks that a handler that never receives, only
// sends until the socket ends, sees the end when the peer closes: the
// socket reads for it.
func TestSendOnlyHandler(t *testing.T) {
	ended := make(chan error, 1)
	srv := serveFunc(t, func(ws *Socket) {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ws.Done():
				ended <- ws.Err()
				return
			case <-tick.C:
				ws.SendText("tick")
			}
		}
	})
	c := dial(t, srv, "/", nil)
	if _, p, err := c.ReadMessage(timeout(t)); err != nil || string(p) != "tick" {
		t.Fatalf("first push: %q, %v", p, err)
	}
	start := time.Now()
	if err := c.Close(frame.CloseGoingAway, "bye"); err != nil {
		t.Fatal(err)
	}
	err := recv(t, ended, "the handler to see the end")
	if !sameError(err, &conn.CloseError{Code: frame.CloseGoingAway, Reason: "bye"}) {
		t.Errorf("Err = %v, want the peer's close", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("the close took %v to reach a handler that only sends", took)
	}
}

// TestUnansweredCloseWhileReading checks that a socket closed by another
// goroutine while its handler reads in Wait, with a peer that never
// answers, ends once: the handler's read fails as
// Close ends the connection, and Close, which reads the connection's end
// itself when nobody reads, must not take the reader's role before the
// failed read has recorded the end.
func TestUnansweredCloseWhileReading(t *testing.T) {
	const sockets = 4
	type result struct {
		err   error
		panic any
	}
	// The receiver lingers after its read failed, so that Close finds the
	// role free before the receiver returns.
	linger := func() { time.Sleep(20 * time.Millisecond) }
	testHookReadFailed.Store(&linger)
	t.Cleanup(func() { testHookReadFailed.Store(nil) })
	out := make(chan result, sockets)
	srv := serveFunc(t, func(ws *Socket) {
		defer func() {
			if p := recover(); p != nil {
				out <- result{panic: p}
			}
		}()
		go func() {
			waitUntil(func() bool {
				ws.mu.Lock()
				defer ws.mu.Unlock()
				return ws.role == readerWaiter
			})
			ws.Close(frame.CloseGoingAway, "")
		}()
		_, err := ws.Wait()
		out <- result{err: err}
	}, WithCloseTimeout(time.Millisecond))
	for range sockets {
		dial(t, srv, "/", nil) // never reads: never answers the close
	}
	for range sockets {
		if got := recv(t, out, "the handler"); got.panic != nil || got.err == nil {
			t.Errorf("Wait returned %v and panicked with %v; want an error and no panic", got.err, got.panic)
		}
	}
}
