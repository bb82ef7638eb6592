package server

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
)

// loadShape returns how many connections TestLoad opens at once and how
// many messages each sends: the 2,000 of 100; under the race
// detector, which makes an echo some twenty times slower, as many
// connections with fewer messages; fewer of both under -short.
func loadShape() (conns, msgs int) {
	switch {
	case testing.Short():
		return 200, 20
	case raceEnabled:
		return 2000, 10
	}
	return 2000, 100
}

// loadMessage returns message i of connection id, derived from a
// generator seeded with both, so that the sender and the checker make the
// same bytes without sharing them. Sizes are mostly small with a tail of
// large ones, across the 7-bit, 16-bit and 64-bit length encodings of
// RFC 6455 §5.2 and the server's buffer size; one message in three is
// binary, the others text of one- and two-octet UTF-8 characters.
func loadMessage(id, i int) Message {
	r := rand.New(rand.NewPCG(uint64(id), uint64(i)))
	var n int
	switch p := r.IntN(1000); {
	case p < 700:
		n = r.IntN(126)
	case p < 950:
		n = 126 + r.IntN(2048-126)
	case p < 995:
		n = 2048 + r.IntN(16<<10-2048)
	default:
		n = 64<<10 + r.IntN(64<<10)
	}
	b := make([]byte, n)
	if r.IntN(3) == 0 {
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		return Binary(b)
	}
	for j := 0; j < n; j++ {
		if c := r.IntN(32); c == 0 && j+1 < n {
			b[j], b[j+1] = 0xc3, 0xa9 // é
			j++
		} else {
			b[j] = 'a' + byte(c%26)
		}
	}
	return Message{Type: conn.MessageText, Data: b}
}

// heapInUse returns the bytes of live heap objects after a full
// collection. Two cycles: the first empties sync.Pools into their victim
// caches, the second drops those.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// heapSlack is how far above its baseline the heap may stay after the
// load test. The baseline is taken after a first, light run with as many
// connections, so that what the runtime keeps for good once used is in it
// (the descriptors of dead goroutines, kept for reuse: some 3 MiB after
// 8,000 goroutines). What remains is conn's free list of chunks for large
// messages, bounded at 4 MiB, and a few hundred KiB of caches of the
// runtime and the standard library and of maps that do not shrink. A leak
// of more than the slack fails whatever the free list holds: 2.5 KiB per
// connection, or 25 octets per message of the full run.
const heapSlack = 4<<20 + 1<<20

// TestLoad opens many connections at once, has each send its messages
// and check every byte of their echoes, in order, then closes them all.
// Nothing may be lost or changed, every socket must end with its client's
// closing handshake, and afterwards no goroutine of this module may be
// left and the heap must be back near its baseline.
func TestLoad(t *testing.T) {
	nConns, nMsgs := loadShape()
	runLoad(t, nConns, 1) // the baseline's warm-up
	if t.Failed() {
		return
	}
	base := heapInUse()
	runLoad(t, nConns, nMsgs)
	if after := heapInUse(); after > base+heapSlack {
		t.Errorf("heap at %d KiB after the load, %d KiB above its baseline of %d KiB; want at most %d KiB above",
			after>>10, (after-base)>>10, base>>10, heapSlack>>10)
	} else {
		t.Logf("heap %d KiB before, %d KiB after", base>>10, after>>10)
	}
}

// runLoad runs the load of TestLoad with nConns connections of nMsgs
// messages each, and checks that no goroutine of this module is left
// afterwards.
func runLoad(t *testing.T, nConns, nMsgs int) {
	e := &echoServer{}
	srv := httptest.NewServer(e.handler())
	defer srv.Close()
	began := time.Now()
	// Connect all before any sends, so that all are open at once.
	clients := make([]*conn.Conn, nConns)
	var dialErrs atomic.Int32
	var wg sync.WaitGroup
	dialers := make(chan int)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range dialers {
				ctx, cancel := context.WithTimeout(context.Background(), waitTime)
				c, _, err := conn.Dial(ctx, wsURL(srv, "/"), nil)
				cancel()
				if err != nil {
					if dialErrs.Add(1) <= 10 {
						t.Errorf("client %d: dial: %v", id, err)
					}
					continue
				}
				clients[id] = c
			}
		}()
	}
	for id := range clients {
		dialers <- id
	}
	close(dialers)
	wg.Wait()
	if t.Failed() {
		for _, c := range clients {
			if c != nil {
				c.CloseNow()
			}
		}
		t.FailNow()
	}
	// A client's Dial may return before its socket joins the registry.
	if !waitUntil(func() bool { return e.reg.Len() == nConns }) {
		t.Errorf("%d sockets open at once, want %d", e.reg.Len(), nConns)
	}
	connected := time.Now()
	var peak runtime.MemStats
	runtime.ReadMemStats(&peak)

	// Each client writes its messages on one goroutine and checks their
	// echoes on another; the first difference ends the client.
	var failures atomic.Int32
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 10 {
			t.Errorf(format, args...)
		}
	}
	var echoed atomic.Int64
	for id, c := range clients {
		wg.Add(2)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 4*waitTime)
			defer cancel()
			for i := range nMsgs {
				m := loadMessage(id, i)
				if err := c.WriteMessage(ctx, m.Type, m.Data); err != nil {
					fail("client %d: message %d: write: %v", id, i, err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 4*waitTime)
			defer cancel()
			for i := range nMsgs {
				typ, p, err := c.ReadMessage(ctx)
				if err != nil {
					fail("client %d: echo %d: %v", id, i, err)
					c.CloseNow() // releases the writer
					return
				}
				want := loadMessage(id, i)
				if typ != want.Type || !bytes.Equal(p, want.Data) {
					fail("client %d: echo %d: %v of %d octets, want %v of %d (first difference at %d)",
						id, i, typ, len(p), want.Type, len(want.Data), firstDifference(p, want.Data))
					c.CloseNow()
					return
				}
				echoed.Add(int64(len(p)))
			}
		}()
	}
	wg.Wait()
	exchanged := time.Now()

	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Close(frame.CloseNormal, ""); err != nil {
				fail("closing handshake: %v", err)
			}
		}()
	}
	wg.Wait()
	for range nConns {
		if err := e.nextEnd(t); !sameError(err, &conn.CloseError{Code: frame.CloseNormal}) {
			fail("socket ended with %v, want the client's 1000", err)
		}
	}
	srv.Close()
	t.Logf("%d connections × %d messages: %d octets echoed; connected in %v, exchanged in %v, closed in %v; heap with all connected %d MiB; %d goroutines at the end",
		nConns, nMsgs, echoed.Load(), connected.Sub(began).Round(time.Millisecond),
		exchanged.Sub(connected).Round(time.Millisecond), time.Since(exchanged).Round(time.Millisecond),
		peak.HeapAlloc>>20, runtime.NumGoroutine())

	if !waitUntil(func() bool { return len(moduleGoroutines()) == 0 }) {
		left := moduleGoroutines()
		t.Fatalf("%d goroutine(s) of this module left behind, the first:\n\n%s", len(left), left[0])
	}
}

// firstDifference returns the offset of the first octet where a and b
// differ, or the length of the shorter if one is the start of the other.
func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestLoadMessages checks the load test's messages: their sizes span the
// length encodings and buffer sizes, both types occur, and text is valid
// UTF-8, which the server would otherwise refuse.
func TestLoadMessages(t *testing.T) {
	var sizes [4]int // up to 125 octets, 16-bit lengths, over the server's buffer, over 64 KiB
	types := map[conn.MessageType]int{}
	for id := range 20 {
		for i := range 100 {
			m := loadMessage(id, i)
			if m.Type == conn.MessageText && !utf8.Valid(m.Data) {
				t.Fatalf("message %d of %d: invalid UTF-8", i, id)
			}
			if !bytes.Equal(m.Data, loadMessage(id, i).Data) {
				t.Fatalf("message %d of %d differs when made again", i, id)
			}
			types[m.Type]++
			switch n := len(m.Data); {
			case n > 0xffff:
				sizes[3]++
			case n > DefaultBufferSize:
				sizes[2]++
			case n > 125:
				sizes[1]++
			default:
				sizes[0]++
			}
		}
	}
	for i, n := range sizes {
		if n == 0 {
			t.Errorf("no message in size class %d of 2,000: %v", i, sizes)
		}
	}
	if types[conn.MessageText] == 0 || types[conn.MessageBinary] == 0 {
		t.Errorf("message types %v, want both", types)
	}
	t.Logf("sizes %v, types %v", sizes, types)
}
