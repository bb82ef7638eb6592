package server

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/conn"
)

// groupServer serves sockets that join g and stay until they end; each
// handler reports its socket's end on ends, keyed by the order of joining.
func groupServer(t *testing.T, g *Group, joined chan<- *Socket, ends chan<- error, opts ...Option) func() *conn.Conn {
	srv := serveFunc(t, func(ws *Socket) {
		g.Add(ws)
		joined <- ws
		for range ws.Messages() {
		}
		ends <- ws.Err()
	}, opts...)
	return func() *conn.Conn { return dial(t, srv, "/", nil) }
}

// readAll reads n messages from c and returns them.
func readAll(t *testing.T, c *conn.Conn, n int) []string {
	var got []string
	ctx := timeout(t)
	for range n {
		_, p, err := c.ReadMessage(ctx)
		if err != nil {
			t.Errorf("after %d messages: %v", len(got), err)
			break
		}
		got = append(got, string(p))
	}
	return got
}

// TestGroupBroadcast checks that every member receives every broadcast,
// in order.
func TestGroupBroadcast(t *testing.T) {
	const members, messages = 3, 100
	// The broadcasts come in a burst, faster than any network: the queues
	// must hold them all.
	g := Group{QueueLimit: messages}
	joined := make(chan *Socket, members)
	ends := make(chan error, members)
	dialer := groupServer(t, &g, joined, ends)
	var clients []*conn.Conn
	for range members {
		clients = append(clients, dialer())
		recv(t, joined, "a member")
	}
	var want []string
	for i := range messages {
		m := Text(fmt.Sprint(i))
		if i%2 == 1 {
			m = Binary([]byte(fmt.Sprint(i)))
		}
		if err := g.Broadcast(m); err != nil {
			t.Fatalf("Broadcast %d: %v", i, err)
		}
		want = append(want, fmt.Sprint(i))
	}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if diff := cmp.Diff(want, readAll(t, c, messages)); diff != "" {
				t.Errorf("member %d (-want +got):\n%s", i, diff)
			}
			c.Close(1000, "")
		}()
	}
	wg.Wait()
	for range members {
		recv(t, ends, "a member's end")
	}
	if !waitUntil(func() bool { return g.Len() == 0 }) {
		t.Errorf("%d members left after their sockets ended", g.Len())
	}
}

// TestGroupOverflow checks that a member that does not read is evicted
// with ErrGroupOverflow, that Broadcast names it and never waits for it,
// and that the other members receive everything, in order.
func TestGroupOverflow(t *testing.T) {
	const (
		fast     = 2
		messages = 200
		size     = 64 << 10
	)
	type eviction struct {
		s   *Socket
		err error
	}
	evicted := make(chan eviction, 4)
	g := &Group{QueueLimit: 4, OnEvict: func(s *Socket, err error) { evicted <- eviction{s, err} }}
	joined := make(chan *Socket, fast+1)
	ends := make(chan error, fast+1)
	dialer := groupServer(t, g, joined, ends, WithCloseTimeout(50*time.Millisecond))

	slowClient := dialer() // never reads
	slowClient.UnderlyingConn().(*net.TCPConn).SetReadBuffer(64 << 10)
	slow := recv(t, joined, "the slow member")
	slow.c.UnderlyingConn().(*net.TCPConn).SetWriteBuffer(64 << 10)
	var clients []*conn.Conn
	for range fast {
		clients = append(clients, dialer())
		recv(t, joined, "a member")
	}
	// The fast members report each message as they read it, and the
	// broadcaster keeps pace with them: their queues never fill, while the
	// slow member's does once its TCP buffers are full.
	progress := make([]chan []byte, fast)
	for i, c := range clients {
		progress[i] = make(chan []byte, 1)
		go func() {
			ctx := timeout(t)
			for range messages {
				_, p, err := c.ReadMessage(ctx)
				if err != nil {
					t.Errorf("fast member %d: %v", i, err)
					close(progress[i])
					return
				}
				progress[i] <- p
			}
		}()
	}
	var overflows []*OverflowError
	for i := range messages {
		payload := make([]byte, size) // Broadcast keeps it
		binary.BigEndian.PutUint32(payload, uint32(i))
		err := g.Broadcast(Binary(payload))
		for j := range fast {
			if p, ok := <-progress[j]; !ok {
				t.FailNow()
			} else if n := binary.BigEndian.Uint32(p); n != uint32(i) || len(p) != size {
				t.Fatalf("fast member %d received message %d (%d bytes) for %d", j, n, len(p), i)
			}
		}
		var oe *OverflowError
		switch {
		case err == nil:
		case errors.As(err, &oe) && errors.Is(err, ErrGroupOverflow):
			overflows = append(overflows, oe)
		default:
			t.Fatalf("Broadcast %d: %v", i, err)
		}
	}
	if len(overflows) != 1 || len(overflows[0].Sockets) != 1 || overflows[0].Sockets[0] != slow {
		t.Errorf("overflows reported: %v; want one, naming the slow member", overflows)
	}
	if n := g.Len(); n != fast {
		t.Errorf("%d members after the overflow, want %d", n, fast)
	}
	if e := recv(t, evicted, "OnEvict"); e.s != slow || e.err != ErrGroupOverflow {
		t.Errorf("OnEvict(%p, %v), want the slow member (%p) and ErrGroupOverflow", e.s, e.err, slow)
	}
	if err := recv(t, ends, "the slow member's end"); err != ErrGroupOverflow {
		t.Errorf("slow member's Err: %v, want ErrGroupOverflow", err)
	}
	for _, c := range clients {
		c.Close(1000, "")
	}
	for range fast {
		recv(t, ends, "a member's end")
	}
}

// TestGroupMembership checks Add, Remove and Len, and that a socket leaves
// its group by itself when it ends.
func TestGroupMembership(t *testing.T) {
	var g Group
	sockets := make(chan *Socket, 1)
	release := make(chan struct{})
	srv := serveFunc(t, func(ws *Socket) {
		sockets <- ws
		await(release)
	})
	c := dial(t, srv, "/", nil)
	ws := recv(t, sockets, "the socket")
	var lens []int
	g.Add(ws)
	g.Add(ws) // already a member
	lens = append(lens, g.Len())
	g.Remove(ws)
	g.Remove(ws) // no longer one
	lens = append(lens, g.Len())
	g.Add(ws)
	lens = append(lens, g.Len())
	c.Close(1000, "")
	recv(t, ws.Done(), "the socket's end")
	if !waitUntil(func() bool { return g.Len() == 0 }) {
		t.Error("the socket stayed in the group after it ended")
	}
	g.Add(ws) // ended: not added
	lens = append(lens, g.Len())
	if diff := cmp.Diff([]int{1, 0, 1, 0}, lens); diff != "" {
		t.Errorf("Len after each step (-want +got):\n%s", diff)
	}
	if err := g.Broadcast(Message{Type: 0x9}); err == nil {
		t.Error("Broadcast of a ping as a data message did not fail")
	}
	close(release)
}

// TestGroupConcurrency broadcasts from several goroutines while members
// join, for the race detector; members may be evicted in the burst.
func TestGroupConcurrency(t *testing.T) {
	var g Group
	joined := make(chan *Socket, 8)
	ends := make(chan error, 8)
	dialer := groupServer(t, &g, joined, ends)
	var wg sync.WaitGroup
	for b := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				g.Broadcast(Text(fmt.Sprint(b, i)))
			}
		}()
	}
	for range 4 {
		c := dialer()
		recv(t, joined, "a member")
		go func() {
			// Read up to the last broadcast, unless evicted before.
			ctx := timeout(t)
			for {
				_, p, err := c.ReadMessage(ctx)
				if err != nil || string(p) == "end" {
					break
				}
			}
			c.Close(1000, "")
		}()
	}
	wg.Wait()
	g.Broadcast(Text("end"))
	for range 4 {
		recv(t, ends, "a member's end")
	}
}
