package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/handshake"
)

// This file holds the two ends the hardening tests put face to face: an
// echo server that reports how each of its sockets ended, and a raw peer
// that speaks frames octet by octet so that it can break every rule.

// echoServer serves every WebSocket with an echo handler and every plain
// request with "plain", under Accept with the test's options.
type echoServer struct {
	*httptest.Server
	reg  *Registry  // every socket's handler, while it runs
	ends chan error // Err of each socket, once its handler returns
}

// startEcho starts an echoServer on a loopback port; it checks for leaked
// goroutines when the test ends, as startServer does.
func startEcho(t *testing.T, opts ...Option) *echoServer {
	t.Helper()
	e := &echoServer{}
	e.Server = startServer(t, e.handler(opts...))
	return e
}

// handler returns the echo handler under Accept with opts. The socket's
// end is sent on e.ends without blocking: a test that does not look at
// it must not hold the handler up.
func (e *echoServer) handler(opts ...Option) http.Handler {
	e.reg, e.ends = new(Registry), make(chan error, 4096)
	opts = append([]Option{WithRegistry(e.reg)}, opts...)
	return Accept(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := WebSocket(r)
		if ws == nil {
			io.WriteString(w, "plain")
			return
		}
		for m := range ws.Messages() {
			if ws.Send(m) != nil {
				break
			}
		}
		<-ws.Done()
		select {
		case e.ends <- ws.Err():
		default:
		}
	}), opts...)
}

// nextEnd returns the end of the next socket whose handler returned.
func (e *echoServer) nextEnd(t *testing.T) error {
	t.Helper()
	return recv(t, e.ends, "a handler to return")
}

// expectNoSocket fails the test if a socket's handler runs, or ran since
// the last end taken with nextEnd. A handler whose end was taken may still
// be leaving the registry, so the registry is given time to empty.
func (e *echoServer) expectNoSocket(t *testing.T) {
	t.Helper()
	if !waitUntil(func() bool { return e.reg.Len() == 0 }) {
		t.Errorf("%d WebSocket handlers running, want none", e.reg.Len())
	}
	select {
	case err := <-e.ends:
		t.Errorf("a WebSocket was served (it ended with %v), want none", err)
	default:
	}
}

// servesFreshClient checks that srv still serves a well-behaved client
// normally after an abuse: a text and a binary message, one of them
// larger than the buffers, are echoed whole and the closing handshake
// ends cleanly.
func servesFreshClient(t *testing.T, srv *httptest.Server) {
	t.Helper()
	c := dial(t, srv, "/", nil)
	ctx := timeout(t)
	big := bytes.Repeat([]byte("fresh client "), 5000)
	for _, m := range []Message{Text("still there?"), Binary(big)} {
		if err := c.WriteMessage(ctx, m.Type, m.Data); err != nil {
			t.Fatalf("fresh client: write: %v", err)
		}
		typ, p, err := c.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("fresh client: read the echo: %v", err)
		}
		if typ != m.Type || !bytes.Equal(p, m.Data) {
			t.Fatalf("fresh client: echo of %v of %d octets is %v of %d octets, %q…", m.Type, len(m.Data), typ, len(p), p[:min(len(p), 40)])
		}
	}
	if err := c.Close(frame.CloseNormal, ""); err != nil {
		t.Errorf("fresh client: closing handshake: %v", err)
	}
}

// rawPeer is a client over loopback TCP that writes raw octets, so that it
// can break every rule, and reads the server's frames.
type rawPeer struct {
	t  testing.TB
	nc *net.TCPConn
	r  *bufio.Reader // the server's octets, those read with the 101 first
}

// dialRaw opens a TCP connection to srv and runs the opening handshake
// with opts, which may be nil.
func dialRaw(t testing.TB, srv *httptest.Server, opts *handshake.ClientOptions) *rawPeer {
	t.Helper()
	p := dialTCP(t, srv.Listener.Addr().String())
	u, err := url.Parse(wsURL(srv, "/"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTime)
	defer cancel()
	buffered, _, _, err := handshake.ClientHandshake(ctx, p.nc, u, opts)
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	p.r = bufio.NewReader(io.MultiReader(bytes.NewReader(buffered), p.nc))
	return p
}

// dialTCP opens a TCP connection to addr, without a handshake.
func dialTCP(t testing.TB, addr string) *rawPeer {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, waitTime)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawPeer{t: t, nc: nc.(*net.TCPConn), r: bufio.NewReader(nc)}
}

// clientMask is the masking key of the raw peer's frames: §5.3 wants it
// unpredictable, but the server must unmask whatever key it gets.
var clientMask = frame.MaskKey{0x9d, 0x21, 0x5e, 0xc4}

// clientFrame encodes a frame as a client sends it: masked, its length
// that of payload.
func clientFrame(h frame.Header, payload []byte) []byte {
	h.Length, h.Masked, h.Mask = int64(len(payload)), true, clientMask
	b := frame.AppendHeader(nil, h)
	start := len(b)
	b = append(b, payload...)
	frame.Mask(h.Mask, 0, b[start:])
	return b
}

// write sends b and returns the error, which a peer the server has cut off
// expects.
func (p *rawPeer) write(b []byte) error {
	p.nc.SetWriteDeadline(time.Now().Add(waitTime))
	_, err := p.nc.Write(b)
	return err
}

// mustWrite sends b, failing the test on error.
func (p *rawPeer) mustWrite(b []byte) {
	p.t.Helper()
	if err := p.write(b); err != nil {
		p.t.Fatalf("raw peer write: %v", err)
	}
}

// readFrame reads one frame of the server, within waitTime.
func (p *rawPeer) readFrame() (frame.Header, []byte, error) {
	p.nc.SetReadDeadline(time.Now().Add(waitTime))
	var scratch [frame.MaxHeaderSize]byte
	h, err := frame.ReadHeader(p.r, &scratch)
	if err != nil {
		return h, nil, err
	}
	if h.Masked {
		return h, nil, errors.New("masked frame from the server")
	}
	if h.Length > 1<<20 {
		return h, nil, errors.New("frame from the server longer than any the tests send")
	}
	payload := make([]byte, h.Length)
	_, err = io.ReadFull(p.r, payload)
	return h, payload, err
}

// expectClose reads the server's frames up to its close frame, returns
// its status code, and then checks that the server ends the TCP
// connection with nothing after the close frame (§5.5.1).
func (p *rawPeer) expectClose() frame.CloseCode {
	p.t.Helper()
	for {
		h, payload, err := p.readFrame()
		if err != nil {
			p.t.Fatalf("waiting for the server's close frame: %v", err)
		}
		if h.Opcode != frame.OpClose {
			continue
		}
		code, _, err := frame.ParseClosePayload(payload)
		if err != nil {
			p.t.Fatalf("invalid close frame from the server: %v", err)
		}
		p.expectEOF()
		return code
	}
}

// expectEOF checks that the server ends the TCP connection, within
// waitTime, without sending anything more; then it ends its own side, as
// the server waits for (§7.1.1).
func (p *rawPeer) expectEOF() {
	p.t.Helper()
	p.nc.SetReadDeadline(time.Now().Add(waitTime))
	rest, err := io.ReadAll(p.r)
	if err != nil && !isReset(err) {
		p.t.Fatalf("waiting for the server to end TCP: %v", err)
	}
	if len(rest) > 0 {
		p.t.Fatalf("%d octets after the close frame: % x", len(rest), rest[:min(len(rest), 32)])
	}
	p.nc.CloseWrite()
}

// reset ends the connection abruptly: with SO_LINGER 0 the close sends a
// TCP reset instead of a FIN.
func (p *rawPeer) reset() {
	p.nc.SetLinger(0)
	p.nc.Close()
}

// isReset reports whether err is the error of a connection the other end
// reset, or closed with data unread: what a peer cut off gets.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
