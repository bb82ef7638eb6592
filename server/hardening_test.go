package server

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/handshake"
	"github.com/rfc6455/ws/internal/loopback"
)

// The tests of this file play abusive peers against a server over
// loopback: each checks the answer the RFC calls for, that the socket
// under abuse ends within a bound, and that a fresh client is served
// normally afterwards.

// upgradeHead returns the head of an opening handshake for host in the
// HTTP version proto, with more header fields, without the empty line that
// ends it.
func upgradeHead(proto, host string, fields ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "GET / %s\r\nHost: %s\r\n", proto, host)
	base := []string{
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", // RFC 6455 §1.3's sample
		"Sec-WebSocket-Version: 13",
	}
	for _, f := range append(base, fields...) {
		b.WriteString(f + "\r\n")
	}
	return b.String()
}

// quietServer is an unstarted httptest server of h whose error log is
// discarded: the abuse makes net/http log what it refuses.
func quietServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	return srv
}

// trickle writes b one octet every interval until it is all sent, the
// connection fails or stop is closed, and returns how many octets went
// out.
func trickle(p *rawPeer, b []byte, interval time.Duration, stop <-chan struct{}) int {
	t := time.NewTicker(interval)
	defer t.Stop()
	for i := range b {
		select {
		case <-t.C:
		case <-stop:
			return i
		}
		if p.write(b[i:i+1]) != nil {
			return i
		}
	}
	return len(b)
}

// TestTrickledHandshake sends a valid opening handshake one octet at a
// time, too slowly to finish within the bound on reading it: the server
// must drop the connection without upgrading it, the peer having sent
// only part of its request. Through net/http the bound is
// http.Server.ReadHeaderTimeout; without it, conn.AcceptConn's
// handshake.ServerOptions.Timeout.
func TestTrickledHandshake(t *testing.T) {
	const (
		bound    = 300 * time.Millisecond // on reading the request head
		interval = 20 * time.Millisecond  // between two octets of it
	)
	// attack trickles a request to addr and checks the server's answer.
	attack := func(t *testing.T, addr string) {
		p := dialTCP(t, addr)
		req := []byte(upgradeHead("HTTP/1.1", addr) + "\r\n")
		stop := make(chan struct{})
		sent := make(chan int, 1)
		go func() { sent <- trickle(p, req, interval, stop) }()
		p.nc.SetReadDeadline(time.Now().Add(waitTime))
		answer, err := io.ReadAll(p.r)
		close(stop)
		n := recv(t, sent, "the trickling writer")
		if err != nil && !isReset(err) {
			t.Fatalf("waiting for the server to end the connection: %v", err)
		}
		if bytes.HasPrefix(answer, []byte("HTTP/1.1 101")) {
			t.Fatalf("the trickled request was upgraded: %q", answer)
		}
		// A few octets may still go out after the server's close, before
		// its reset comes back; a full request would take twice as many.
		if n >= len(req)/2 {
			t.Errorf("the server let %d of the %d octets arrive (%v) before ending the connection; the bound is %v",
				n, len(req), time.Duration(n)*interval, bound)
		}
	}

	t.Run("net/http", func(t *testing.T) {
		checkNoLeaks(t)
		e := &echoServer{}
		srv := quietServer(e.handler())
		srv.Config.ReadHeaderTimeout = bound
		srv.Start()
		defer srv.Close()
		attack(t, srv.Listener.Addr().String())
		e.expectNoSocket(t)
		servesFreshClient(t, srv)
	})

	t.Run("AcceptConn", func(t *testing.T) {
		checkNoLeaks(t)
		addr, refused := serveAcceptConn(t, &conn.AcceptOptions{ServerOptions: handshake.ServerOptions{Timeout: bound}})
		attack(t, addr)
		if err := recv(t, refused, "AcceptConn to fail"); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("AcceptConn: %v, want a timeout", err)
		}
		ctx := timeout(t)
		c, _, err := conn.Dial(ctx, "ws://"+addr+"/", nil)
		if err != nil {
			t.Fatalf("fresh client: %v", err)
		}
		defer c.CloseNow()
		if err := c.WriteMessage(ctx, conn.MessageText, []byte("still there?")); err != nil {
			t.Fatal(err)
		}
		if _, p, err := c.ReadMessage(ctx); err != nil || string(p) != "still there?" {
			t.Fatalf("fresh client: echo %q, %v", p, err)
		}
		if err := c.Close(frame.CloseNormal, ""); err != nil {
			t.Errorf("fresh client: closing handshake: %v", err)
		}
	})
}

// serveAcceptConn serves echo WebSockets on a loopback listener with
// conn.AcceptConn, without net/http, until the test ends; refused receives
// the error of each handshake that failed.
func serveAcceptConn(t *testing.T, opts *conn.AcceptOptions) (addr string, refused <-chan error) {
	errs := make(chan error, 16)
	addr = loopback.Serve(t, func(nc net.Conn) {
		c, _, err := conn.AcceptConn(nc, opts)
		if err != nil {
			nc.Close()
			errs <- err
			return
		}
		defer c.CloseNow()
		ctx, cancel := context.WithTimeout(context.Background(), waitTime)
		defer cancel()
		for {
			typ, p, err := c.ReadMessage(ctx)
			if err != nil || c.WriteMessage(ctx, typ, p) != nil {
				return
			}
		}
	})
	return addr, errs
}

// TestRefusedUpgradeRequests sends opening handshakes that RFC 6455 or
// HTTP forbids: each gets 400 Bad Request (426 for a version) with a body
// naming the rule, no handler runs, and when the connection stays open (HTTP/1.1) it still
// speaks HTTP: a request sent right behind the refused one is answered as
// plain HTTP, so the octets of a body were taken as a body, never as
// frames.
func TestRefusedUpgradeRequests(t *testing.T) {
	// A frame in the body, which a server that upgraded anyway would read.
	frameInBody := clientFrame(frame.Header{Fin: true, Opcode: frame.OpText}, []byte("smuggled"))
	chunked := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(frameInBody), frameInBody)
	const (
		key      = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
		otherKey = "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw=="
	)
	tests := []struct {
		name       string
		proto      string
		fields     []string // added to upgradeHead's
		replace    []string // old, new: a change to upgradeHead's fields
		body       string
		wantStatus int
		wantMsg    string // in the answer's body
	}{
		{"Content-Length body", "HTTP/1.1", []string{fmt.Sprintf("Content-Length: %d", len(frameInBody))}, nil,
			string(frameInBody), 400, "has a body"},
		{"chunked body", "HTTP/1.1", []string{"Transfer-Encoding: chunked"}, nil, chunked, 400, "has a body"},
		{"repeated key", "HTTP/1.1", []string{otherKey}, nil, "", 400, "repeated Sec-WebSocket-Key"},
		{"two keys in one field", "HTTP/1.1", nil, []string{key, key + ", x3JJHMbDL1EzLkh9GBhXDw=="}, "",
			400, "Sec-WebSocket-Key"},
		{"repeated version", "HTTP/1.1", []string{"Sec-WebSocket-Version: 13"}, nil, "", 400, "repeated Sec-WebSocket-Version"},
		// §4.2.2 step 4: a version the server does not speak, which a
		// list is, gets 426 and the versions it speaks.
		{"two versions in one field", "HTTP/1.1", nil, []string{"Version: 13", "Version: 13, 13"}, "", 426, "not 13"},
		{"HTTP/1.0", "HTTP/1.0", nil, nil, "", 400, "not 1.1"},
	}
	e := &echoServer{}
	srv := quietServer(e.handler())
	checkNoLeaks(t)
	srv.Start()
	defer srv.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := dialTCP(t, srv.Listener.Addr().String())
			head := upgradeHead(tt.proto, srv.Listener.Addr().String(), tt.fields...)
			if tt.replace != nil {
				head = strings.Replace(head, tt.replace[0], tt.replace[1], 1)
			}
			wire := head + "\r\n" + tt.body
			keepAlive := tt.proto == "HTTP/1.1"
			if keepAlive {
				wire += "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n"
			}
			p.mustWrite([]byte(wire))
			p.nc.SetReadDeadline(time.Now().Add(waitTime))
			resp, err := http.ReadResponse(p.r, nil)
			if err != nil {
				t.Fatalf("reading the answer: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantMsg) {
				t.Errorf("answer %d %q, want %d naming %q", resp.StatusCode, body, tt.wantStatus, tt.wantMsg)
			}
			if keepAlive {
				next, err := http.ReadResponse(p.r, nil)
				if err != nil {
					t.Fatalf("reading the answer to the request behind: %v", err)
				}
				b, _ := io.ReadAll(next.Body)
				if next.StatusCode != http.StatusOK || string(b) != "plain" {
					t.Errorf("request behind the refused one: %d %q, want 200 \"plain\"", next.StatusCode, b)
				}
			} else {
				p.expectEOF()
			}
			e.expectNoSocket(t)
			servesFreshClient(t, srv)
			e.nextEnd(t) // the fresh client's
		})
	}
}

// heapGrowth returns how many bytes of heap were allocated while f ran,
// garbage or not: the whole process's, which in these tests is mostly the
// server's.
func heapGrowth(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// allocBound is what the tests of absurd lengths let the server allocate
// while it refuses a frame: far less than the frames claim (16 MiB and
// more), more than the buffers and errors of one connection need.
const allocBound = 1 << 20

// TestAbsurdLengths sends frame headers that announce lengths a server
// must not believe: past the read limit, past what 63 bits hold, or too
// long for a control frame. Each gets its close code (1009 or 1002) at
// once, before any payload arrives, and the server allocates nothing near
// the length claimed. A length within the limit that never arrives is
// ended by the idle timeout, its memory still unallocated.
func TestAbsurdLengths(t *testing.T) {
	long := func(op byte, length uint64) []byte {
		// A masked frame header with a 64-bit length, written out by
		// hand so that it can break §5.2's rules.
		b := []byte{op, 0x80 | 127}
		b = binary.BigEndian.AppendUint64(b, length)
		return append(b, clientMask[:]...)
	}
	header := func(h frame.Header) []byte {
		h.Masked, h.Mask = true, clientMask
		return frame.AppendHeader(nil, h)
	}
	fragment := clientFrame(frame.Header{Opcode: frame.OpBinary}, make([]byte, 1024))
	tests := []struct {
		name     string
		wire     []byte
		wantCode frame.CloseCode
		wantErr  error
	}{
		// The frame of 19 octets that crashes servers which allocate
		// the length they read: a 64-bit length of 2^63-1 and 5 octets.
		{"19-octet frame claiming 2^63-1 octets", append(long(0x82, 1<<63-1), "hello"...),
			frame.CloseMessageTooBig, frame.ErrMessageTooBig},
		{"64-bit length with its top bit set", long(0x82, 1<<64-1),
			frame.CloseProtocolError, frame.ErrLengthOverflow},
		{"one octet over the read limit", append(header(frame.Header{Fin: true, Opcode: frame.OpBinary, Length: conn.DefaultReadLimit + 1}), "a few octets"...),
			frame.CloseMessageTooBig, frame.ErrMessageTooBig},
		{"fragments over the read limit", append(fragment, header(frame.Header{Fin: true, Opcode: frame.OpContinuation, Length: conn.DefaultReadLimit - 1023})...),
			frame.CloseMessageTooBig, frame.ErrMessageTooBig},
		{"ping claiming 126 octets", append([]byte{0x89, 0x80 | 126, 0, 126}, clientMask[:]...),
			frame.CloseProtocolError, frame.ErrControlTooLong},
		{"close claiming 2^63-1 octets", long(0x88, 1<<63-1),
			frame.CloseProtocolError, frame.ErrControlTooLong},
		{"within the limit but never sent", append(header(frame.Header{Fin: true, Opcode: frame.OpBinary, Length: conn.DefaultReadLimit - 1}), "a few octets"...),
			frame.CloseGoingAway, conn.ErrIdleTimeout},
	}
	e := startEcho(t, WithIdleTimeout(300*time.Millisecond), WithCloseTimeout(200*time.Millisecond))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := dialRaw(t, e.Server, nil)
			var code frame.CloseCode
			var end error
			grew := heapGrowth(func() {
				p.mustWrite(tt.wire)
				code = p.expectClose()
				end = e.nextEnd(t)
			})
			if code != tt.wantCode {
				t.Errorf("close code %d, want %d", code, tt.wantCode)
			}
			if end != tt.wantErr {
				t.Errorf("socket ended with %v, want %v", end, tt.wantErr)
			}
			if grew > allocBound {
				t.Errorf("%d bytes allocated while refusing the frame, want at most %d", grew, allocBound)
			}
			t.Logf("%d bytes allocated", grew)
			servesFreshClient(t, e.Server)
			e.nextEnd(t)
		})
	}
}

// bombChunk returns DEFLATE data that inflates to n zero octets and ends
// with a sync flush (RFC 7692 §7.2.1): it leaves the stream at a block
// boundary with the window full of zeros, so that any number of copies in
// a row are a valid stream of n zeros per copy.
func bombChunk(n int) []byte {
	var b bytes.Buffer
	zw, _ := flate.NewWriter(&b, flate.BestCompression)
	zw.Write(make([]byte, n))
	zw.Flush()
	return b.Bytes()
}

// TestCompressionBomb sends a compressed message that would inflate to a
// tebibyte in fragments of a kibibyte: the read limit counts decompressed
// octets, so the server fails the connection with 1009 once the message
// passes it, having inflated and allocated little more than the limit.
func TestCompressionBomb(t *testing.T) {
	const limit = 1 << 20
	e := startEcho(t, WithCompression(&handshake.DeflateConfig{}), WithReadLimit(limit),
		WithCloseTimeout(200*time.Millisecond))
	p := dialRaw(t, e.Server, &handshake.ClientOptions{Deflate: &handshake.DeflateConfig{}})
	// Fragments of a KiB, each inflating to a MiB: RSV1 on the first
	// (RFC 7692 §6), none of them final. The socket buffers take several
	// MiB before a peer that is no longer read blocks; 64 Ki copies, a
	// TiB inflated, are far more.
	chunk := bombChunk(1 << 20)
	first := clientFrame(frame.Header{Opcode: frame.OpBinary, Rsv: frame.Rsv1}, chunk)
	next := clientFrame(frame.Header{Opcode: frame.OpContinuation}, chunk)
	const copies = 1 << 16
	var code frame.CloseCode
	var end error
	grew := heapGrowth(func() {
		sent := make(chan int, 1)
		go func() {
			f := first
			for i := range copies {
				if p.write(f) != nil {
					sent <- i
					return
				}
				f = next
			}
			sent <- copies
		}()
		code = p.expectClose()
		end = e.nextEnd(t)
		if n := recv(t, sent, "the bomb's writer"); n == copies {
			t.Errorf("the server read the whole bomb, %d fragments of %d octets", n, len(chunk))
		}
	})
	if code != frame.CloseMessageTooBig || end != frame.ErrMessageTooBig {
		t.Errorf("close code %d and end %v, want 1009 and %v", code, end, frame.ErrMessageTooBig)
	}
	// The octets inflated are kept up to the limit, and not one more is
	// inflated; four times the limit leaves room for how they are kept,
	// and is a quarter-millionth of the bomb.
	if grew > 4*limit {
		t.Errorf("%d bytes allocated against a bomb, want at most %d", grew, 4*limit)
	}
	t.Logf("%d bytes allocated against a bomb with a read limit of %d", grew, limit)
	servesFreshClient(t, e.Server)
	e.nextEnd(t)
}

// TestCompressedWireSize sends a compressed message of empty DEFLATE
// blocks, five octets each that inflate to nothing, far past the read
// limit: a message the limit never sees, since it counts decompressed
// octets, which could occupy the reader for ever (pongs between the
// fragments keep keepalive content). The octets a compressed message may
// take on the wire need a bound of their own, a little above the limit,
// since DEFLATE expands nothing by more than an eighth.
func TestCompressedWireSize(t *testing.T) {
	const limit = 1 << 20
	e := startEcho(t, WithCompression(&handshake.DeflateConfig{}), WithReadLimit(limit),
		WithCloseTimeout(200*time.Millisecond))
	p := dialRaw(t, e.Server, &handshake.ClientOptions{Deflate: &handshake.DeflateConfig{}})
	// A non-final stored block of no octets (RFC 1951 §3.2.4).
	empty := bytes.Repeat([]byte{0x00, 0x00, 0x00, 0xff, 0xff}, 4<<10)
	first := clientFrame(frame.Header{Opcode: frame.OpBinary, Rsv: frame.Rsv1}, empty)
	next := clientFrame(frame.Header{Opcode: frame.OpContinuation}, empty)
	sent := make(chan int, 1)
	go func() {
		n, f := 0, first
		for n < 64*limit && p.write(f) == nil {
			n += len(f)
			f = next
		}
		sent <- n
	}()
	code := p.expectClose()
	if n := recv(t, sent, "the writer"); n >= 64*limit {
		t.Errorf("the server read %d MiB of one compressed message with a read limit of %d MiB", n>>20, limit>>20)
	}
	if err := e.nextEnd(t); code != frame.CloseMessageTooBig || err != frame.ErrMessageTooBig {
		t.Errorf("close code %d, end %v; want 1009, %v", code, err, frame.ErrMessageTooBig)
	}
	servesFreshClient(t, e.Server)
	e.nextEnd(t)
}

// stallingConn is a server connection whose writes, once stall is set,
// send nothing and wait for the write deadline: what a write does when
// the peer has stopped reading and the socket buffer is exactly full, so
// that the timeout hits before a single octet of the frame goes out.
type stallingConn struct {
	net.Conn
	stall  atomic.Bool
	closed chan struct{}
	once   sync.Once

	mu       sync.Mutex
	deadline time.Time // for writes
}

func (c *stallingConn) SetDeadline(t time.Time) error {
	c.setWriteDeadline(t)
	return c.Conn.SetDeadline(t)
}

func (c *stallingConn) SetWriteDeadline(t time.Time) error {
	c.setWriteDeadline(t)
	return c.Conn.SetWriteDeadline(t)
}

func (c *stallingConn) setWriteDeadline(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deadline = t
}

func (c *stallingConn) Write(b []byte) (int, error) {
	if !c.stall.Load() {
		return c.Conn.Write(b)
	}
	c.mu.Lock()
	d := c.deadline
	c.mu.Unlock()
	wait := waitTime // no deadline: blocked until closed, within reason
	if !d.IsZero() {
		wait = time.Until(d)
	}
	select {
	case <-time.After(wait):
		return 0, &net.OpError{Op: "write", Net: "tcp", Err: os.ErrDeadlineExceeded}
	case <-c.closed:
		return 0, net.ErrClosed
	}
}

// CloseWrite lets the server end its side first after a closing
// handshake, as it does over TCP.
func (c *stallingConn) CloseWrite() error { return c.Conn.(*net.TCPConn).CloseWrite() }

func (c *stallingConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// stallingListener hands out stallingConns.
type stallingListener struct{ net.Listener }

func (l stallingListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &stallingConn{Conn: nc, closed: make(chan struct{})}, nil
}

// TestPeerStopsReading floods a peer that reads nothing from two
// goroutines at once: once the socket buffers are full, both writers must
// get an error within the write timeout, and the socket must end, and the
// connection with it, even if the handler carries on. It does so whether
// the timeout cut a frame in two or hit before any of it went out.
func TestPeerStopsReading(t *testing.T) {
	const writeTimeout = 300 * time.Millisecond
	// flood is what the flooding handler saw.
	type flood struct {
		errs [2]error
		took time.Duration // from the writers' errors to the socket's end
		end  error
	}
	floods := make(chan flood, 1)
	e := &echoServer{}
	echo := e.handler(WithWriteTimeout(writeTimeout))
	flooder := Accept(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := WebSocket(r)
		if r.URL.Query().Has("stall") {
			ws.c.UnderlyingConn().(*stallingConn).stall.Store(true)
		}
		var f flood
		var wg sync.WaitGroup
		msg := bytes.Repeat([]byte("flood "), 20)
		for i := range f.errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Bounded: the socket buffers hold a few MiB, this is a
				// GiB.
				for range 1 << 30 / len(msg) {
					if f.errs[i] = ws.SendBinary(msg); f.errs[i] != nil {
						return
					}
				}
			}()
		}
		wg.Wait()
		failed := time.Now()
		select {
		case <-ws.Done():
			f.took, f.end = time.Since(failed), ws.Err()
		case <-time.After(waitTime / 2):
			f.took = waitTime / 2
		}
		floods <- f
	}), WithWriteTimeout(writeTimeout), WithCloseTimeout(200*time.Millisecond))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/flood" {
			flooder.ServeHTTP(w, r)
			return
		}
		echo.ServeHTTP(w, r)
	}))
	srv.Listener = stallingListener{srv.Listener}
	checkNoLeaks(t)
	srv.Start()
	defer srv.Close()

	for _, path := range []string{"/flood", "/flood?stall"} {
		t.Run(path, func(t *testing.T) {
			nc, _, _, _, err := handshake.Dial(timeout(t), wsURL(srv, path), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			f := recv(t, floods, "the flood to end")
			for i, err := range f.errs {
				if err == nil {
					t.Errorf("writer %d: no error", i)
				}
			}
			if f.took >= waitTime/2 || f.end == nil {
				t.Errorf("the socket did not end after its writes failed (%v, %v)", f.took, f.end)
			}
			// The peer finds the end of the connection behind what the
			// socket buffers held.
			nc.SetReadDeadline(time.Now().Add(waitTime))
			if _, err := io.Copy(io.Discard, nc); err != nil && !isReset(err) {
				t.Errorf("peer reading to the end: %v", err)
			}
			t.Logf("writers ended with %q and %q; the socket %v later, with %q", f.errs[0], f.errs[1], f.took, f.end)
			servesFreshClient(t, srv)
			e.nextEnd(t)
		})
	}
}

// TestStalledPeers plays peers that stop sending: in the middle of a
// frame, between messages, or so slowly that each octet comes before the
// idle timeout. The idle timeout ends the first two, keepalive the first
// and the last, since a peer in the middle of a frame cannot answer a
// ping; each is closed with 1001 (going away, RFC 6455 §7.4.1).
func TestStalledPeers(t *testing.T) {
	payload := bytes.Repeat([]byte("stall"), 200)
	wire := clientFrame(frame.Header{Fin: true, Opcode: frame.OpBinary}, payload)
	half := wire[:len(wire)/2]
	const (
		idle     = 200 * time.Millisecond
		interval = 100 * time.Millisecond // of keepalive, and its timeout
	)
	tests := []struct {
		name    string
		opts    []Option
		trickle bool // send wire an octet at a time, instead of half of it at once
		send    []byte
		wantErr error
	}{
		{"half a frame, idle timeout", []Option{WithIdleTimeout(idle)}, false, half, conn.ErrIdleTimeout},
		{"half a frame, keepalive", []Option{WithKeepalive(interval, interval)}, false, half, ErrPongTimeout},
		{"silent, idle timeout", []Option{WithIdleTimeout(idle)}, false, nil, conn.ErrIdleTimeout},
		// An octet every 50 ms keeps a whole second of idle timeout
		// content, and the socket open for as long as the frame takes,
		// but no message or pong arrives for keepalive.
		{"frame trickled octet by octet", []Option{WithIdleTimeout(time.Second), WithKeepalive(interval, interval)}, true, wire, ErrPongTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := startEcho(t, append(tt.opts, WithCloseTimeout(200*time.Millisecond))...)
			p := dialRaw(t, e.Server, nil)
			stop := make(chan struct{})
			sent := make(chan int, 1)
			if tt.trickle {
				go func() { sent <- trickle(p, tt.send, 50*time.Millisecond, stop) }()
			} else {
				p.mustWrite(tt.send)
				sent <- len(tt.send)
			}
			code := p.expectClose()
			close(stop)
			n := recv(t, sent, "the peer's writes")
			if code != frame.CloseGoingAway {
				t.Errorf("close code %d, want 1001", code)
			}
			if err := e.nextEnd(t); err != tt.wantErr {
				t.Errorf("socket ended with %v, want %v", err, tt.wantErr)
			}
			if tt.trickle && n == len(tt.send) {
				t.Errorf("the whole frame trickled in before the server ended the connection")
			}
			servesFreshClient(t, e.Server)
			e.nextEnd(t)
		})
	}
}

// stalledPeers opens n connections to srv that each send half a frame and
// stall.
func stalledPeers(tb testing.TB, srv *httptest.Server, n int) []*rawPeer {
	half := clientFrame(frame.Header{Fin: true, Opcode: frame.OpText}, []byte("half of this frame"))[:12]
	peers := make([]*rawPeer, n)
	for i := range peers {
		peers[i] = dialRaw(tb, srv, nil)
		peers[i].mustWrite(half)
	}
	return peers
}

// manyStalled is the number of stalled peers TestManyStalledPeers and its
// benchmark hold open: the thousand, fewer under -short.
func manyStalled() int {
	if testing.Short() {
		return 200
	}
	return 1000
}

// TestManyStalledPeers holds many connections stalled in the middle of a
// frame, with the default options, while a fresh client's echoes go
// through: a stalled socket must hold nothing the others need. Each echo
// must come back within echoBound, far less than the stalled peers wait
// (keepalive ends them after a minute); how fast it is, is measured by
// BenchmarkEchoBesideStalledPeers.
func TestManyStalledPeers(t *testing.T) {
	const echoBound = 2 * time.Second
	n := manyStalled()
	e := startEcho(t)
	peers := stalledPeers(t, e.Server, n)
	if !waitUntil(func() bool { return e.reg.Len() == n }) {
		t.Fatalf("%d sockets open, want %d", e.reg.Len(), n)
	}

	c := dial(t, e.Server, "/", nil)
	msg := bytes.Repeat([]byte("x"), 1024)
	var slowest time.Duration
	for i := range 100 {
		ctx, cancel := context.WithTimeout(context.Background(), echoBound)
		start := time.Now()
		err := c.WriteMessage(ctx, conn.MessageBinary, msg)
		var p []byte
		if err == nil {
			_, p, err = c.ReadMessage(ctx)
		}
		cancel()
		if err != nil || !bytes.Equal(p, msg) {
			t.Fatalf("echo %d beside %d stalled peers: %v", i, n, err)
		}
		slowest = max(slowest, time.Since(start))
	}
	t.Logf("slowest of 100 echoes beside %d stalled peers: %v", n, slowest)
	c.Close(frame.CloseNormal, "")
	if err := e.nextEnd(t); !sameError(err, &conn.CloseError{Code: frame.CloseNormal}) {
		t.Errorf("fresh client's socket ended with %v", err)
	}
	// The fresh socket leaves the registry just after it ends.
	if !waitUntil(func() bool { return e.reg.Len() == n }) {
		t.Errorf("%d stalled sockets left open, want %d: none has cause to end yet", e.reg.Len(), n)
	}

	// Ending the stalled peers abruptly ends their sockets, each with the
	// network's error.
	for i, p := range peers {
		if i%2 == 0 {
			p.reset()
		} else {
			p.nc.Close()
		}
	}
	for range n {
		if err := e.nextEnd(t); !isReset(err) && err != io.ErrUnexpectedEOF {
			t.Errorf("stalled socket ended with %v, want a reset or io.ErrUnexpectedEOF", err)
		}
	}
	if !waitUntil(func() bool { return e.reg.Len() == 0 }) {
		t.Errorf("%d handlers still running", e.reg.Len())
	}
	servesFreshClient(t, e.Server)
}

// BenchmarkEchoBesideStalledPeers measures a client's echo of 1 KiB, alone
// and beside many peers stalled in the middle of a frame.
func BenchmarkEchoBesideStalledPeers(b *testing.B) {
	for _, n := range []int{0, manyStalled()} {
		b.Run(fmt.Sprintf("stalled=%d", n), func(b *testing.B) {
			e := &echoServer{}
			srv := httptest.NewServer(e.handler())
			defer srv.Close()
			stalledPeers(b, srv, n)
			ctx := context.Background()
			c, _, err := conn.Dial(ctx, wsURL(srv, "/"), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer c.CloseNow()
			msg := bytes.Repeat([]byte("x"), 1024)
			b.SetBytes(int64(len(msg)))
			b.ResetTimer()
			for range b.N {
				if err := c.WriteMessage(ctx, conn.MessageBinary, msg); err != nil {
					b.Fatal(err)
				}
				if _, _, err := c.ReadMessage(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestResets ends connections with a TCP reset in the middle of a frame,
// of a message, of a compressed message, of a close frame, and while the
// server writes to the peer: each socket ends with the network's error,
// its handler returns, and nothing else is harmed.
func TestResets(t *testing.T) {
	deflate := &handshake.ClientOptions{Deflate: &handshake.DeflateConfig{}}
	text := frame.Header{Fin: true, Opcode: frame.OpText}
	payload := bytes.Repeat([]byte("reset "), 100)
	whole := clientFrame(text, payload)
	compressed := bombChunk(64 << 10)
	tests := []struct {
		name string
		opts *handshake.ClientOptions
		wire []byte // sent before the reset
		echo bool   // wait for the start of the server's echo of wire
	}{
		{"mid-header", nil, whole[:3], false},
		{"mid-payload", nil, whole[:len(whole)/2], false},
		{"between fragments", nil, clientFrame(frame.Header{Opcode: frame.OpText}, payload), false},
		{"mid-compressed message", deflate, clientFrame(frame.Header{Fin: true, Opcode: frame.OpBinary, Rsv: frame.Rsv1}, compressed)[:len(compressed)/2], false},
		{"mid-close frame", nil, clientFrame(frame.Header{Fin: true, Opcode: frame.OpClose}, []byte{0x03, 0xe8, 'b', 'y', 'e'})[:8], false},
		{"while the server writes", nil, clientFrame(frame.Header{Fin: true, Opcode: frame.OpBinary}, make([]byte, 4<<20)), true},
	}
	e := startEcho(t, WithCompression(&handshake.DeflateConfig{}))
	ping := clientFrame(frame.Header{Fin: true, Opcode: frame.OpPing}, []byte("sync"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := dialRaw(t, e.Server, tt.opts)
			if tt.echo {
				p.mustWrite(tt.wire)
			} else {
				// The pong tells that the server has read what came with
				// the ping, so the reset meets the frame half read.
				p.mustWrite(append(ping, tt.wire...))
			}
			// Only the header of the answer is read: the rest of an echo
			// must be in flight when the reset comes.
			p.nc.SetReadDeadline(time.Now().Add(waitTime))
			var scratch [frame.MaxHeaderSize]byte
			h, err := frame.ReadHeader(p.r, &scratch)
			switch {
			case err != nil:
				t.Fatalf("waiting for the server's answer: %v", err)
			case tt.echo && h.Opcode != frame.OpBinary, !tt.echo && h.Opcode != frame.OpPong:
				t.Fatalf("server answered with a frame of %v", h.Opcode)
			}
			p.reset()
			// The socket's writer may take the reset's error first; the
			// reader then finds the input ended without a close frame, or
			// the connection closed by the writer.
			err = e.nextEnd(t)
			if !isReset(err) && !(tt.echo && (err == io.ErrUnexpectedEOF || errors.Is(err, net.ErrClosed))) {
				t.Errorf("socket ended with %v, want a reset", err)
			}
			servesFreshClient(t, e.Server)
			e.nextEnd(t)
		})
	}
}

// TestCloseStorms closes many sockets at once: all their clients at the
// same moment, each in one of the ways a client ends (a closing
// handshake, a FIN without one, a reset); then the server closing every
// socket while their clients close them too and send messages. Every
// socket ends with what its peer did, every handler returns, and the
// server serves a fresh client afterwards.
func TestCloseStorms(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 60
	}
	// dialAll connects n clients to srv and has each echo a message, so
	// that every socket's handler is running.
	dialAll := func(t *testing.T, srv *httptest.Server) []*conn.Conn {
		clients := make([]*conn.Conn, n)
		ctx := timeout(t)
		for i := range clients {
			clients[i] = dial(t, srv, "/", nil)
			if err := clients[i].WriteMessage(ctx, conn.MessageText, []byte("hello")); err != nil {
				t.Fatal(err)
			}
			if _, _, err := clients[i].ReadMessage(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return clients
	}
	// together runs f(i) for every client at once.
	together := func(f func(i int)) {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				f(i)
			}()
		}
		close(start)
		wg.Wait()
	}

	t.Run("clients", func(t *testing.T) {
		e := startEcho(t)
		clients := dialAll(t, e.Server)
		closeErrs := make([]error, n)
		together(func(i int) {
			c := clients[i]
			switch i % 3 {
			case 0:
				closeErrs[i] = c.Close(frame.CloseNormal, "bye")
			case 1:
				c.CloseNow()
			case 2:
				c.UnderlyingConn().(*net.TCPConn).SetLinger(0)
				c.CloseNow()
			}
		})
		var handshakes, eofs, resets int
		for range n {
			switch err := e.nextEnd(t); {
			case sameError(err, &conn.CloseError{Code: frame.CloseNormal, Reason: "bye"}):
				handshakes++
			case err == io.ErrUnexpectedEOF:
				eofs++
			case isReset(err):
				resets++
			default:
				t.Errorf("socket ended with %v", err)
			}
		}
		// Each way of ending is told apart from the others, so the
		// counts are exact.
		if want := n / 3; handshakes != want || eofs != want || resets != want {
			t.Errorf("ends: %d closing handshakes, %d EOFs, %d resets; want %d of each", handshakes, eofs, resets, want)
		}
		for i, err := range closeErrs {
			if err != nil {
				t.Errorf("client %d: Close: %v", i, err)
			}
		}
		if !waitUntil(func() bool { return e.reg.Len() == 0 }) {
			t.Errorf("%d handlers still running", e.reg.Len())
		}
		servesFreshClient(t, e.Server)
	})

	t.Run("both sides", func(t *testing.T) {
		// The first n sockets close themselves when storm is closed; the
		// fresh client's afterwards does not.
		storm := make(chan struct{})
		var opened atomic.Int32
		e := &echoServer{}
		echo := e.handler()
		srv := startServer(t, Accept(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if opened.Add(1) <= int32(n) {
				ws := WebSocket(r)
				go func() {
					select {
					case <-storm:
						ws.Close(frame.CloseGoingAway, "storm")
					case <-ws.Done():
					}
				}()
			}
			echo.ServeHTTP(w, r)
		})))
		clients := dialAll(t, srv)
		readErrs := make([]error, n)
		closeErrs := make([]error, n)
		close(storm)
		together(func(i int) {
			c := clients[i]
			ctx := timeout(t)
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					if _, _, err := c.ReadMessage(ctx); err != nil {
						readErrs[i] = err
						return
					}
				}
			}()
			c.WriteMessage(ctx, conn.MessageText, []byte("caught in the storm"))
			closeErrs[i] = c.Close(frame.CloseNormal, "")
			await(done)
		})
		// The closing handshake ran, started by either side or both:
		// each side saw the other's close frame, 1000 or 1001, or (the
		// client's reader) the end of its own closing handshake.
		handshake := func(err error) bool {
			var ce *conn.CloseError
			return errors.As(err, &ce) && (ce.Code == frame.CloseNormal || ce.Code == frame.CloseGoingAway)
		}
		for range n {
			if err := e.nextEnd(t); !handshake(err) {
				t.Errorf("socket ended with %v, want a closing handshake with 1000 or 1001", err)
			}
		}
		for i := range n {
			if closeErrs[i] != nil {
				t.Errorf("client %d: Close: %v", i, closeErrs[i])
			}
			if !handshake(readErrs[i]) && readErrs[i] != conn.ErrClosed {
				t.Errorf("client %d: reading ended with %v, want a close frame or ErrClosed", i, readErrs[i])
			}
		}
		if !waitUntil(func() bool { return e.reg.Len() == 0 }) {
			t.Errorf("%d handlers still running", e.reg.Len())
		}
		servesFreshClient(t, srv)
	})
}

// plainConn hides every method of a connection but net.Conn's, as the
// connections of wrapping listeners do (a limit on connections, PROXY
// protocol), so that the server cannot half-close it.
type plainConn struct{ net.Conn }

// plainListener hands out plainConns.
type plainListener struct{ net.Listener }

func (l plainListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	return plainConn{nc}, err
}

// TestClosingHandshakeWithoutHalfClose runs a closing handshake over a
// connection the server cannot half-close. After the close frames,
// RFC 6455 §7.1.1 has the server end TCP first while the client waits for
// it; if the server waits for the client's end instead, both wait for the
// close timeout, and every socket outlives its handshake by that long.
func TestClosingHandshakeWithoutHalfClose(t *testing.T) {
	const closeTimeout = waitTime / 2
	e := &echoServer{}
	srv := quietServer(e.handler(WithCloseTimeout(closeTimeout)))
	srv.Listener = plainListener{srv.Listener}
	checkNoLeaks(t)
	srv.Start()
	defer srv.Close()
	c := dial(t, srv, "/", &conn.DialOptions{Options: conn.Options{CloseTimeout: closeTimeout}})
	start := time.Now()
	if err := c.Close(frame.CloseNormal, ""); err != nil {
		t.Errorf("Close: %v", err)
	}
	if took := time.Since(start); took >= closeTimeout/2 {
		t.Errorf("the closing handshake took %v, with a close timeout of %v: the server did not end TCP", took, closeTimeout)
	}
	if err := e.nextEnd(t); !sameError(err, &conn.CloseError{Code: frame.CloseNormal}) {
		t.Errorf("socket ended with %v", err)
	}
}
