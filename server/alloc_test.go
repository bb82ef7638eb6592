package server

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/rfc6455/ws/conn"
)

// TestAllocations asserts the allocation budget of the message path: an
// echo through a Socket, measured across the whole process (the peer, the
// socket's reading and the handler), costs one allocation, the payload
// the handler receives and owns, and none when the handler releases it.
func TestAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, release := range []bool{false, true} {
		t.Run(fmt.Sprint("release=", release), func(t *testing.T) {
			const size, runs = 512, 200
			out := make(chan float64, 1)
			srv := serveFunc(t, func(ws *Socket) {
				echo := func() {
					m, err := ws.Wait()
					if err != nil {
						t.Error(err)
						return
					}
					if err := ws.Send(m); err != nil {
						t.Error(err)
					}
					if release {
						m.Release()
					}
				}
				out <- testing.AllocsPerRun(runs, echo)
			}, WithKeepalive(0, 0))
			c := dial(t, srv, "/", nil)
			ctx := context.Background()
			msg, buf := make([]byte, size), make([]byte, size)
			// AllocsPerRun makes one run more than it counts.
			for range runs + 1 {
				if err := c.WriteMessage(ctx, conn.MessageBinary, msg); err != nil {
					t.Fatal(err)
				}
				_, r, err := c.NextReader(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadFull(r, buf); err != nil {
					t.Fatal(err)
				}
			}
			budget := 1.0
			if release {
				budget = 0
			}
			if n := recv(t, out, "the handler"); n > budget {
				t.Errorf("%.2f allocations per echo, want at most %v", n, budget)
			}
			c.Close(1000, "")
		})
	}
}

// TestSendAllocations asserts that sending allocates nothing.
func TestSendAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	const runs = 100
	out := make(chan float64, 1)
	srv := serveFunc(t, func(ws *Socket) {
		p := make([]byte, 512)
		out <- testing.AllocsPerRun(runs, func() {
			if err := ws.SendBinary(p); err != nil {
				t.Error(err)
			}
			if err := ws.SendText("a text message"); err != nil {
				t.Error(err)
			}
			if err := ws.Send(Message{Type: conn.MessageText, Data: p[:10]}); err != nil {
				t.Error(err)
			}
		})
	}, WithKeepalive(0, 0))
	c := dial(t, srv, "/", nil)
	ctx := context.Background()
	buf := make([]byte, 512)
	for range 3 * (runs + 1) {
		_, r, err := c.NextReader(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := r.Read(buf); err != nil {
				break
			}
		}
	}
	if n := recv(t, out, "the handler"); n > 0 {
		t.Errorf("%.2f allocations per three sends, want 0", n)
	}
	c.Close(1000, "")
}
