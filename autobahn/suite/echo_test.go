package suite

import (
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/internal/loopback"
)

// This file is a minimal, correct WebSocket echo server written on package
// frame alone: the reference peer of the runner's tests. Broken peers are
// this server behind a frame-rewriting net.Conn (see broken_test.go).

// startEcho serves the reference echo server on a loopback port; wrap, if
// not nil, wraps each accepted connection. It returns the ws:// URL.
func startEcho(t testing.TB, wrap func(net.Conn) net.Conn) string {
	return serveReference(t, wrap, false)
}

// startDeflateEcho is startEcho with permessage-deflate (see
// negotiateDeflate).
func startDeflateEcho(t testing.TB, wrap func(net.Conn) net.Conn) string {
	return serveReference(t, wrap, true)
}

func serveReference(t testing.TB, wrap func(net.Conn) net.Conn, deflate bool) string {
	t.Helper()
	addr := loopback.Serve(t, func(nc net.Conn) {
		if wrap != nil {
			nc = wrap(nc)
		}
		serveEcho(nc, deflate)
	})
	return "ws://" + addr + "/"
}

// echoReadLimit bounds a message of the reference server.
const echoReadLimit = 32 << 20

// echoConn is one connection of the reference echo peer, server or
// client.
type echoConn struct {
	nc            net.Conn
	br            *bufio.Reader
	client        bool
	scratch       [frame.MaxHeaderSize]byte
	closeReceived bool

	deflate      bool // offers are accepted
	inflating    bool // permessage-deflate was negotiated
	compressEcho bool // echoes are compressed too
}

// errFailed ends the frame loop once the connection was failed.
var errFailed = errors.New("connection failed")

func serveEcho(nc net.Conn, deflate bool) {
	defer nc.Close()
	c := &echoConn{nc: nc, br: bufio.NewReader(nc), deflate: deflate}
	if err := c.handshake(); err != nil {
		return
	}
	c.loop()
}

func (c *echoConn) handshake() error {
	c.nc.SetDeadline(time.Now().Add(5 * time.Second))
	defer c.nc.SetDeadline(time.Time{})
	req, err := http.ReadRequest(c.br)
	if err != nil {
		return err
	}
	key := req.Header.Get("Sec-WebSocket-Key")
	if key == "" {
		io.WriteString(c.nc, "HTTP/1.1 400 Bad Request\r\n\r\n")
		return errors.New("no key")
	}
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	ext := ""
	if c.deflate {
		ext = c.negotiateDeflate(req.Header.Get("Sec-WebSocket-Extensions"))
	}
	_, err = fmt.Fprintf(c.nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nServer: reference-echo\r\nSec-WebSocket-Accept: %s\r\n%s\r\n",
		base64.StdEncoding.EncodeToString(h[:]), ext)
	return err
}

// negotiateDeflate accepts the first permessage-deflate offer (RFC 7692
// §7.1) and returns the response header line, or "". It always asks the
// client to drop its context, so that each message inflates alone; it
// compresses its echoes, each alone too, only when its window may be the
// full 32 KiB of compress/flate, and sends them uncompressed otherwise,
// which §6 allows.
func (c *echoConn) negotiateDeflate(offers string) string {
	for _, offer := range strings.Split(offers, ",") {
		params := strings.Split(offer, ";")
		if strings.TrimSpace(params[0]) != "permessage-deflate" {
			continue
		}
		resp := "permessage-deflate; client_no_context_takeover"
		c.compressEcho = true
		for _, p := range params[1:] {
			name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
			switch name {
			case "server_no_context_takeover":
				resp += "; server_no_context_takeover"
			case "server_max_window_bits":
				resp += "; server_max_window_bits=" + value
				c.compressEcho = value == "15"
			}
		}
		c.inflating = true
		return "Sec-WebSocket-Extensions: " + resp + "\r\n"
	}
	return ""
}

// inflate decompresses a message (RFC 7692 §7.2.2).
func inflate(p []byte) ([]byte, error) {
	src := append(append(p[:len(p):len(p)], 0, 0, 0xff, 0xff), 1, 0, 0, 0xff, 0xff)
	return io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(src)), echoReadLimit))
}

// deflate compresses a message alone (RFC 7692 §7.2.1).
func deflate(p []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed)
	w.Write(p)
	w.Flush()
	return bytes.TrimSuffix(b.Bytes(), []byte{0, 0, 0xff, 0xff})
}

func (c *echoConn) write(op frame.Opcode, payload []byte) error {
	return c.writeFrame(op, 0, payload)
}

func (c *echoConn) writeFrame(op frame.Opcode, rsv byte, payload []byte) error {
	h := frame.Header{Fin: true, Opcode: op, Rsv: rsv, Length: int64(len(payload)), Masked: c.client}
	if c.client {
		h.Mask = frame.MaskKey{0x12, 0x34, 0x56, 0x78}
	}
	b := frame.AppendHeader(nil, h)
	b = append(b, payload...)
	if c.client {
		frame.Mask(h.Mask, 0, b[len(b)-len(payload):])
	}
	_, err := c.nc.Write(b)
	return err
}

// closeTCP ends the connection: a server at once, a client once the
// server closed TCP or after a second (RFC 6455 §7.1.1).
func (c *echoConn) closeTCP() {
	if c.client {
		c.nc.SetReadDeadline(time.Now().Add(time.Second))
		io.Copy(io.Discard, c.br)
	}
}

// echoCloseWait bounds the wait for the peer's close frame after failing
// the connection, as conn.DefaultCloseTimeout does. It is longer than any
// timer of the cases (at the tests' time scale), so that a fuzzer which
// never answers is always the one to give up first.
var echoCloseWait = time.Duration(5*testTimeScale) * time.Second

// fail sends a close frame with the error's code and closes: at once if
// the peer's close frame came already, else after the peer's answer or
// echoCloseWait. skip is what is left of the payload of the offending
// frame.
func (c *echoConn) fail(err error, skip int64) error {
	code := frame.CloseProtocolError
	var fe *frame.Error
	if errors.As(err, &fe) {
		code = fe.Code
	}
	c.write(frame.OpClose, frame.AppendClosePayload(nil, code, ""))
	defer c.closeTCP()
	if c.closeReceived {
		return errFailed
	}
	c.nc.SetReadDeadline(time.Now().Add(echoCloseWait))
	if _, err := io.CopyN(io.Discard, c.br, skip); err != nil {
		return errFailed
	}
	for {
		h, err := frame.ReadHeader(c.br, &c.scratch)
		if err != nil {
			return errFailed
		}
		if _, err := io.CopyN(io.Discard, c.br, h.Length); err != nil || h.Opcode == frame.OpClose {
			return errFailed
		}
	}
}

// loop reads frames and answers them until the connection ends.
func (c *echoConn) loop() {
	var (
		msgOp      frame.Opcode
		msg        []byte
		inside     bool
		compressed bool
		utf8       frame.UTF8Validator
	)
	for {
		h, err := frame.ReadHeader(c.br, &c.scratch)
		if err != nil {
			if errors.Is(err, frame.ErrLengthOverflow) {
				c.fail(err, 0)
			}
			return
		}
		// A bad close frame is still the peer's close frame.
		c.closeReceived = h.Opcode == frame.OpClose
		switch {
		case h.Validate() != nil:
			c.fail(h.Validate(), h.Length)
			return
		case h.Rsv != 0 && !(c.inflating && h.Rsv == frame.Rsv1 && (h.Opcode == frame.OpText || h.Opcode == frame.OpBinary)):
			// RFC 7692 §6: RSV1 marks the first frame of a compressed message.
			c.fail(frame.ErrReservedBits, h.Length)
			return
		case !h.Masked && !c.client:
			c.fail(frame.ErrUnmaskedFrame, h.Length)
			return
		case h.Masked && c.client:
			c.fail(frame.ErrMaskedFrame, h.Length)
			return
		case h.Opcode == frame.OpContinuation && !inside:
			c.fail(frame.ErrUnexpectedContinuation, h.Length)
			return
		case (h.Opcode == frame.OpText || h.Opcode == frame.OpBinary) && inside:
			c.fail(frame.ErrExpectedContinuation, h.Length)
			return
		case !h.Opcode.IsControl() && int64(len(msg))+h.Length > echoReadLimit:
			c.fail(frame.ErrMessageTooBig, 0)
			return
		}
		if h.Opcode == frame.OpText || h.Opcode == frame.OpBinary {
			msgOp, msg, inside = h.Opcode, msg[:0], true
			compressed = h.Rsv == frame.Rsv1
			utf8.Reset()
		}
		// Read the payload as it arrives, checking text on the way, so
		// that invalid UTF-8 fails the connection as soon as it is seen.
		payload := make([]byte, 0, h.Length)
		for pos := int64(0); pos < h.Length; {
			chunk := make([]byte, min(h.Length-pos, 64<<10))
			n, err := c.br.Read(chunk)
			if err != nil {
				return
			}
			chunk = chunk[:n]
			frame.Mask(h.Mask, int(pos&3), chunk)
			pos += int64(n)
			payload = append(payload, chunk...)
			if !h.Opcode.IsControl() && msgOp == frame.OpText && !compressed && !utf8.Feed(chunk) {
				c.fail(frame.ErrInvalidUTF8, h.Length-pos)
				return
			}
		}
		switch h.Opcode {
		case frame.OpPing:
			c.write(frame.OpPong, payload)
		case frame.OpPong:
		case frame.OpClose:
			c.closeReceived = true
			code, _, err := frame.ParseClosePayload(payload)
			if err != nil {
				c.fail(err, 0)
				return
			}
			// Answer with the code received (none for none), then close
			// TCP: the server closes first (RFC 6455 §7.1.1).
			c.write(frame.OpClose, frame.AppendClosePayload(nil, code, ""))
			c.closeTCP()
			return
		default:
			msg = append(msg, payload...)
			if !h.Fin {
				continue
			}
			inside = false
			if compressed {
				plain, err := inflate(msg)
				if err != nil {
					c.fail(frame.ErrInvalidUTF8, 0)
					return
				}
				msg = plain
				if msgOp == frame.OpText {
					utf8.Feed(msg)
				}
			}
			if msgOp == frame.OpText && !utf8.Complete() {
				c.fail(frame.ErrInvalidUTF8, 0)
				return
			}
			var rsv byte
			echo := msg
			if c.compressEcho {
				rsv, echo = frame.Rsv1, deflate(msg)
			}
			if err := c.writeFrame(msgOp, rsv, echo); err != nil {
				return
			}
		}
	}
}

// dialReference opens a connection of the reference peer as a client.
// wrap, if not nil, wraps the TCP connection.
func dialReference(url string, wrap func(net.Conn) net.Conn) (*echoConn, error) {
	u, err := neturl.Parse(url)
	if err != nil {
		return nil, err
	}
	nc, err := net.Dial("tcp", u.Host)
	if err != nil {
		return nil, err
	}
	if wrap != nil {
		nc = wrap(nc)
	}
	c := &echoConn{nc: nc, br: bufio.NewReader(nc), client: true}
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(nc, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", u.RequestURI(), u.Host)
	resp, err := http.ReadResponse(c.br, nil)
	if err == nil && resp.StatusCode != http.StatusSwitchingProtocols {
		err = fmt.Errorf("%s: %s", url, resp.Status)
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	return c, nil
}

// dialEcho connects the reference echo peer as a client to url and echoes
// until the connection ends.
func dialEcho(url string, wrap func(net.Conn) net.Conn) error {
	c, err := dialReference(url, wrap)
	if err != nil {
		return err
	}
	defer c.nc.Close()
	c.loop()
	return nil
}

// getCaseCount asks a fuzzing server for its number of cases.
func getCaseCount(t testing.TB, base string) int {
	t.Helper()
	c, err := dialReference(base+"/getCaseCount", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.nc.Close()
	h, err := frame.ReadHeader(c.br, &c.scratch)
	if err != nil || h.Opcode != frame.OpText {
		t.Fatalf("getCaseCount: %v, opcode %v", err, h.Opcode)
	}
	payload := make([]byte, h.Length)
	if _, err := io.ReadFull(c.br, payload); err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(string(payload))
	if err != nil {
		t.Fatalf("getCaseCount: %q", payload)
	}
	return n
}

// runEchoClient drives the reference echo client through every case of a
// fuzzing server at base (ws://host:port), as the original's testee
// client does but testParallel cases at a time, and asks for the reports.
func runEchoClient(t testing.TB, base, agent string, wrap func(net.Conn) net.Conn) {
	t.Helper()
	n := getCaseCount(t, base)
	slots := make(chan struct{}, testParallel)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := 1; i <= n; i++ {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			errs <- dialEcho(fmt.Sprintf("%s/runCase?case=%d&agent=%s", base, i, agent), wrap)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := dialEcho(base+"/updateReports?agent="+agent, nil); err != nil {
		t.Fatal(err)
	}
}
