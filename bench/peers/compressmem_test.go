package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/lxzan/gws"
	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/handshake"
)

// The heap of an idle compressed connection, measured alike for this
// module's conn, gorilla/websocket and lxzan/gws, as the root bench
// package's BenchmarkCompressedMemory measures conn alone: pairs of ends
// in this process over loopback, one 1 KiB JSON-like text message each
// way so that compressor and decompressor state exist, and the growth of
// runtime.MemStats.HeapInuse divided among the ends.
//
// Every end is left with one goroutine blocked reading its next message:
// a loop of ReadMessage for conn and gorilla, gws's own ReadLoop. Goroutine
// stacks are not in HeapInuse (they are in StackInuse), so no library pays
// for its goroutine's stack, and warmGoroutines makes the runtime's
// goroutine records before the first reading, so none pays for those.

// compressedPeers are the libraries and context modes measured.
var compressedPeers = []struct {
	name  string
	start func(testing.TB) opener
}{
	{"ours/takeover", func(tb testing.TB) opener { return startOurs(tb, &handshake.DeflateConfig{}) }},
	{"ours/nocontext", func(tb testing.TB) opener {
		return startOurs(tb, &handshake.DeflateConfig{ServerNoContextTakeover: true, ClientNoContextTakeover: true})
	}},
	{"gorilla/nocontext", startGorilla}, // gorilla offers and accepts no other mode
	{"gws/takeover", func(tb testing.TB) opener { return startGWS(tb, true) }},
	{"gws/nocontext", func(tb testing.TB) opener { return startGWS(tb, false) }},
}

// An opener opens a connection pair to its server through dial, checks
// that permessage-deflate was agreed in its mode, sends msg from the
// client to the server and back, and leaves each end with a goroutine
// blocked reading. The function it returns closes both ends and waits for
// those goroutines.
type opener func(dial dialFunc, msg []byte) (func(), error)

type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

var plainDial dialFunc = (&net.Dialer{}).DialContext

// BenchmarkCompressedMemory reports the heap one end of an idle compressed
// connection holds, from 500 connections (1,000 ends).
func BenchmarkCompressedMemory(b *testing.B) {
	const pairs = 500
	msg := jsonText(1024)
	for _, p := range compressedPeers {
		b.Run(p.name, func(b *testing.B) {
			open := p.start(b)
			checkCompressed(b, open, msg)
			for range b.N {
				b.ReportMetric(heapPerIdleEnd(b, pairs, open, msg), "heap-B/end")
			}
		})
	}
}

// TestCompressedPeers checks, without measuring, that every library of
// BenchmarkCompressedMemory agrees on permessage-deflate in its mode and
// sends its messages compressed.
func TestCompressedPeers(t *testing.T) {
	for _, p := range compressedPeers {
		t.Run(p.name, func(t *testing.T) { checkCompressed(t, p.start(t), jsonText(1024)) })
	}
}

// heapPerIdleEnd opens n pairs and returns the growth of the heap in use
// divided by the 2n ends, before closing them.
func heapPerIdleEnd(b *testing.B, n int, open opener, msg []byte) float64 {
	closers := make([]func(), 0, n)
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	warmGoroutines(4 * n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		c, err := open(plainDial, msg)
		if err != nil {
			b.Fatal(err)
		}
		closers = append(closers, c)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	return float64(int64(after.HeapInuse)-int64(before.HeapInuse)) / float64(2*n)
}

// warmGoroutines starts and ends n goroutines. The runtime keeps the
// record of every goroutine that ends for the next one, and never frees
// it; without this, whichever measurement came first would pay for them.
func warmGoroutines(n int) {
	var wg sync.WaitGroup
	release := make(chan struct{})
	wg.Add(n)
	for range n {
		go func() { defer wg.Done(); <-release }()
	}
	close(release)
	wg.Wait()
}

// checkCompressed opens one pair through a dialer that counts the octets
// the client sends and receives, and fails unless each way, handshake
// included, carried fewer octets than the message: uncompressed, the
// message alone would not fit.
func checkCompressed(tb testing.TB, open opener, msg []byte) {
	tb.Helper()
	var cc *countingConn
	closePair, err := open(func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := plainDial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cc = &countingConn{Conn: nc}
		return cc, nil
	}, msg)
	if err != nil {
		tb.Fatal(err)
	}
	sent, received := cc.out.Load(), cc.in.Load()
	closePair()
	if sent >= int64(len(msg)) || received >= int64(len(msg)) {
		tb.Fatalf("a %d-octet message each way took %d octets out and %d in: not compressed", len(msg), sent, received)
	}
}

// countingConn counts the octets read from and written to its Conn.
type countingConn struct {
	net.Conn
	in, out atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out.Add(int64(n))
	return n, err
}

// checkAgreed fails unless the server's response agreed on
// permessage-deflate, with context takeover both ways or neither.
func checkAgreed(h http.Header, takeover bool) error {
	ext := strings.Join(h.Values("Sec-WebSocket-Extensions"), ", ")
	if !strings.Contains(ext, "permessage-deflate") ||
		strings.Contains(ext, "server_no_context_takeover") == takeover ||
		strings.Contains(ext, "client_no_context_takeover") == takeover {
		return fmt.Errorf("Sec-WebSocket-Extensions %q: not permessage-deflate with context takeover %v", ext, takeover)
	}
	return nil
}

// serveLoopback serves upgrade on a loopback server closed with tb and
// returns its ws:// URL.
func serveLoopback(tb testing.TB, upgrade http.HandlerFunc) string {
	srv := httptest.NewServer(upgrade)
	tb.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// readUntilEnd starts a goroutine that reads messages with read until it
// fails.
func readUntilEnd(wg *sync.WaitGroup, read func() error) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for read() == nil {
		}
	}()
}

func startOurs(tb testing.TB, cfg *handshake.DeflateConfig) opener {
	accepted := make(chan *conn.Conn)
	url := serveLoopback(tb, func(w http.ResponseWriter, r *http.Request) {
		c, err := conn.Accept(w, r, &conn.AcceptOptions{ServerOptions: handshake.ServerOptions{Deflate: cfg}})
		if err == nil {
			accepted <- c
		}
	})
	return func(dial dialFunc, msg []byte) (func(), error) {
		ctx := context.Background()
		client, resp, err := conn.Dial(ctx, url, &conn.DialOptions{
			ClientOptions: handshake.ClientOptions{Deflate: cfg, NetDialContext: dial},
		})
		if err != nil {
			return nil, err
		}
		ends := [2]*conn.Conn{client, <-accepted}
		var wg sync.WaitGroup
		closePair := func() {
			for _, c := range ends {
				c.CloseNow()
			}
			wg.Wait()
		}
		if err := checkAgreed(resp.Header, !cfg.ServerNoContextTakeover); err != nil {
			closePair()
			return nil, err
		}
		for i, from := range ends {
			if err := from.WriteMessage(ctx, conn.MessageText, msg); err != nil {
				closePair()
				return nil, err
			}
			if _, got, err := ends[1-i].ReadMessage(ctx); err != nil || !bytes.Equal(got, msg) {
				closePair()
				return nil, fmt.Errorf("message not received whole: %v", err)
			}
		}
		for _, c := range ends {
			readUntilEnd(&wg, func() error { _, _, err := c.ReadMessage(ctx); return err })
		}
		return closePair, nil
	}
}

func startGorilla(tb testing.TB) opener {
	accepted := make(chan *websocket.Conn)
	up := websocket.Upgrader{EnableCompression: true}
	url := serveLoopback(tb, func(w http.ResponseWriter, r *http.Request) {
		if c, err := up.Upgrade(w, r, nil); err == nil {
			accepted <- c
		}
	})
	return func(dial dialFunc, msg []byte) (func(), error) {
		d := websocket.Dialer{EnableCompression: true, NetDialContext: dial}
		client, resp, err := d.Dial(url, nil)
		if err != nil {
			return nil, err
		}
		ends := [2]*websocket.Conn{client, <-accepted}
		var wg sync.WaitGroup
		closePair := func() {
			for _, c := range ends {
				c.Close()
			}
			wg.Wait()
		}
		if err := checkAgreed(resp.Header, false); err != nil {
			closePair()
			return nil, err
		}
		for i, from := range ends {
			if err := from.WriteMessage(websocket.TextMessage, msg); err != nil {
				closePair()
				return nil, err
			}
			if _, got, err := ends[1-i].ReadMessage(); err != nil || !bytes.Equal(got, msg) {
				closePair()
				return nil, fmt.Errorf("message not received whole: %v", err)
			}
		}
		for _, c := range ends {
			readUntilEnd(&wg, func() error { _, _, err := c.ReadMessage(); return err })
		}
		return closePair, nil
	}
}

// gwsReceiver is the event handler of both gws ends: it tells, for each
// message, whether it is the one expected.
type gwsReceiver struct {
	gws.BuiltinEventHandler
	want []byte
	got  chan bool
}

func (h *gwsReceiver) OnMessage(c *gws.Conn, m *gws.Message) {
	h.got <- bytes.Equal(m.Bytes(), h.want)
	m.Close()
}

// gwsDialer dials for gws's client.
type gwsDialer dialFunc

func (d gwsDialer) Dial(network, addr string) (net.Conn, error) {
	return d(context.Background(), network, addr)
}

// startGWS uses 32 KiB windows both ways, as conn's agreement does; gws's
// server would otherwise ask for 4 KiB windows under context takeover.
func startGWS(tb testing.TB, takeover bool) opener {
	pd := gws.PermessageDeflate{
		Enabled:               true,
		ServerContextTakeover: takeover,
		ClientContextTakeover: takeover,
		ServerMaxWindowBits:   15,
		ClientMaxWindowBits:   15,
	}
	h := &gwsReceiver{got: make(chan bool)}
	accepted := make(chan *gws.Conn)
	up := gws.NewUpgrader(h, &gws.ServerOption{PermessageDeflate: pd})
	url := serveLoopback(tb, func(w http.ResponseWriter, r *http.Request) {
		if c, err := up.Upgrade(w, r); err == nil {
			accepted <- c
		}
	})
	return func(dial dialFunc, msg []byte) (func(), error) {
		h.want = msg
		client, resp, err := gws.NewClient(h, &gws.ClientOption{
			Addr:              url,
			PermessageDeflate: pd,
			NewDialer:         func() (gws.Dialer, error) { return gwsDialer(dial), nil },
		})
		if err != nil {
			return nil, err
		}
		ends := [2]*gws.Conn{client, <-accepted}
		var wg sync.WaitGroup
		for _, c := range ends {
			wg.Add(1)
			go func() { defer wg.Done(); c.ReadLoop() }()
		}
		closePair := func() {
			for _, c := range ends {
				c.NetConn().Close()
			}
			wg.Wait()
		}
		if err := checkAgreed(resp.Header, takeover); err != nil {
			closePair()
			return nil, err
		}
		for _, from := range ends {
			if err := from.WriteMessage(gws.OpcodeText, msg); err != nil {
				closePair()
				return nil, err
			}
			if !<-h.got {
				closePair()
				return nil, fmt.Errorf("message not received whole")
			}
		}
		return closePair, nil
	}
}

// jsonText returns n octets of JSON-like text, the same on every call: an
// array of small records whose numbers vary, as an API might answer.
func jsonText(n int) []byte {
	tags := [...]string{"new", "admin", "beta", "staff"}
	b := []byte("[")
	x := uint32(1)
	for i := 0; len(b) < n; i++ {
		x = x*1664525 + 1013904223
		b = fmt.Appendf(b, `{"id":%d,"name":"user%d","active":%t,"score":%d.%02d,"tags":["%s"]},`,
			1000+i, x>>18, x&(1<<9) != 0, x>>25, (x>>11)%100, tags[(x>>14)&3])
	}
	return b[:n]
}
