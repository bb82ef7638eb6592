package conn

import (
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/rfc6455/ws/frame"
)

// scriptedConn is a net.Conn whose peer is a script: Read returns the
// script's octets, at most chunk at a time, then io.EOF; Write records what
// the Conn sends. Nothing blocks, so deadlines are accepted and ignored.
type scriptedConn struct {
	mu     sync.Mutex
	in     []byte
	chunk  int
	out    bytes.Buffer
	closed bool
}

func (c *scriptedConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return 0, net.ErrClosed
	case len(c.in) == 0:
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.chunk)], c.in)
	c.in = c.in[n:]
	return n, nil
}

func (c *scriptedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.out.Write(p)
}

func (c *scriptedConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

// written returns a copy of what the Conn sent.
func (c *scriptedConn) written() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.out.Bytes())
}

var scriptAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}

func (c *scriptedConn) LocalAddr() net.Addr              { return scriptAddr }
func (c *scriptedConn) RemoteAddr() net.Addr             { return scriptAddr }
func (c *scriptedConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptedConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptedConn) SetWriteDeadline(time.Time) error { return nil }

// fuzzMode is what FuzzServerConn's first argument selects, bit by bit,
// besides the octets the peer sends.
type fuzzMode byte

const (
	modeCompression fuzzMode = 1 << iota // permessage-deflate agreed
	modeNoContext                        // without context takeover, both ways
	modeSmallLimit                       // a read limit of a KiB, to reach 1009
	modeSmallBuffer                      // the smallest read buffer
	modeStream                           // NextReader and small reads, not ReadMessage
	// The last three bits pick the most octets a Read of the socket
	// returns, from chunkSizes.
)

var chunkSizes = [8]int{1, 2, 3, 5, 13, 100, 1000, 1 << 16}

// options returns the Conn's options and the size of the socket's reads
// under mode m.
func (m fuzzMode) options() (*Options, int) {
	opts := &Options{CloseTimeout: time.Second}
	if m&modeCompression != 0 {
		nocx := m&modeNoContext != 0
		opts.Compression = deflateParams(nocx, nocx, 15, 15)
		opts.CompressionThreshold = -1 // compress every echo
	}
	if m&modeSmallLimit != 0 {
		opts.ReadLimit = 1 << 10
	}
	if m&modeSmallBuffer != 0 {
		opts.ReadBufferSize = minBufferSize
	}
	return opts, chunkSizes[m>>5]
}

// fuzzBound is how long one input may take: the Conn never waits on a
// scripted peer, so only a loop that does not end can reach it.
const fuzzBound = 10 * time.Second

// FuzzServerConn feeds arbitrary octets, as if from a client, to a
// server-side Conn that echoes every message, and checks that it never
// panics or hangs, that it ends with one of the errors the package
// documents, and that what it wrote is frames a client accepts: unmasked,
// the echoes of the messages read, in order, and at the end a close frame
// with a code an endpoint may send, after which nothing, or no close frame
// at all if the peer vanished (RFC 6455 §7.1.5).
func FuzzServerConn(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(byte(s.mode), s.input)
	}
	f.Fuzz(func(t *testing.T, mode byte, input []byte) {
		m := fuzzMode(mode)
		opts, chunk := m.options()
		nc := &scriptedConn{in: input, chunk: chunk}
		c := New(nc, nil, Server, opts)
		type result struct {
			msgs []fuzzMessage
			err  error
		}
		done := make(chan result, 1)
		go func() {
			msgs, err := echo(c, m&modeStream != 0)
			// Closing again must add nothing after the close frame.
			c.Close(frame.CloseNormal, "")
			done <- result{msgs, err}
		}()
		var res result
		select {
		case res = <-done:
		case <-time.After(fuzzBound):
			buf := make([]byte, 1<<20)
			t.Fatalf("the Conn did not end within %v:\n%s", fuzzBound, buf[:runtime.Stack(buf, true)])
		}

		var ce *CloseError
		var fe *frame.Error
		switch {
		case errors.As(res.err, &ce), errors.As(res.err, &fe), res.err == io.ErrUnexpectedEOF:
		default:
			t.Fatalf("the Conn ended with %v (%T), not a documented error", res.err, res.err)
		}
		wire := nc.written()
		code, closed := checkServerFrames(t, wire, opts.Compression != nil)
		switch {
		case ce != nil && (!closed || code != ce.Code):
			t.Errorf("peer closed with %d; the Conn's close frame: %v, code %d", ce.Code, closed, code)
		case fe != nil && (!closed || code != fe.Code):
			t.Errorf("the Conn failed with %v; its close frame: %v, code %d, want %d", fe, closed, code, fe.Code)
		case res.err == io.ErrUnexpectedEOF && closed:
			t.Errorf("the peer vanished, yet the Conn sent a close frame with %d", code)
		}

		// A client reads back the same messages, then the close frame.
		copts, _ := m.options()
		copts.ReadLimit = -1
		client := New(&scriptedConn{in: wire, chunk: 1 << 16}, nil, Client, copts)
		for i, want := range res.msgs {
			typ, p, err := client.ReadMessage(context.Background())
			if err != nil {
				t.Fatalf("client reading echo %d of %d: %v", i, len(res.msgs), err)
			}
			if typ != want.typ || !bytes.Equal(p, want.data) {
				t.Fatalf("echo %d: %v %q, want %v %q", i, typ, p, want.typ, want.data)
			}
		}
		_, _, end := client.ReadMessage(context.Background())
		if errors.As(end, &ce) != closed || ce != nil && ce.Code != code {
			t.Fatalf("after the echoes the client read %v; the server's close frame: %v, code %d", end, closed, code)
		}
	})
}

// fuzzMessage is a message the fuzzed Conn read.
type fuzzMessage struct {
	typ  MessageType
	data []byte
}

// echo reads messages from c and writes each back until an error ends it;
// stream reads them with NextReader, a few octets at a time.
func echo(c *Conn, stream bool) ([]fuzzMessage, error) {
	ctx := context.Background()
	var msgs []fuzzMessage
	for {
		var m fuzzMessage
		var err error
		if stream {
			var r io.Reader
			if m.typ, r, err = c.NextReader(ctx); err == nil {
				m.data, err = readSmall(r)
			}
		} else {
			m.typ, m.data, err = c.ReadMessage(ctx)
		}
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, m)
		if stream {
			err = writeInPieces(c, m)
		} else {
			err = c.WriteMessage(ctx, m.typ, m.data)
		}
		if err != nil {
			return msgs, fmt.Errorf("echo: %w", err)
		}
	}
}

// writeInPieces sends m through NextWriter in writes of growing size, so
// that the streamed writer buffers some and sends some as frames of their
// own.
func writeInPieces(c *Conn, m fuzzMessage) error {
	w, err := c.NextWriter(context.Background(), m.typ)
	if err != nil {
		return err
	}
	p := m.data
	for n := 1; len(p) > 0; n *= 3 {
		k := min(n, len(p))
		if _, err := w.Write(p[:k]); err != nil {
			w.Close()
			return err
		}
		p = p[k:]
	}
	return w.Close()
}

// readSmall reads r to its end seven octets at a time.
func readSmall(r io.Reader) ([]byte, error) {
	data := []byte{}
	var buf [7]byte
	for {
		n, err := r.Read(buf[:])
		data = append(data, buf[:n]...)
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// checkServerFrames checks that wire is a sequence of whole frames as a
// server may send them (RFC 6455 §5): unmasked, RSV1 only on the first
// frame of a compressed message, control frames whole and short, a close
// frame only at the end, with a payload that parses and a code an endpoint
// may send. It returns the close frame's code and whether there was one.
func checkServerFrames(t *testing.T, wire []byte, compression bool) (code frame.CloseCode, closed bool) {
	t.Helper()
	inMessage := false
	for len(wire) > 0 {
		if closed {
			t.Fatalf("%d octets after the close frame: % x", len(wire), wire[:min(len(wire), 16)])
		}
		h, n, err := frame.ParseHeader(wire)
		if err == nil {
			err = h.Validate()
		}
		if err != nil {
			t.Fatalf("the Conn wrote an invalid frame header % x: %v", wire[:min(len(wire), 14)], err)
		}
		if int64(len(wire)-n) < h.Length {
			t.Fatalf("the Conn wrote a frame of %d octets, cut after %d", h.Length, len(wire)-n)
		}
		payload := wire[n : n+int(h.Length)]
		wire = wire[n+int(h.Length):]
		if h.Masked {
			t.Fatal("the server masked a frame (RFC 6455 §5.1)")
		}
		first := h.Opcode == frame.OpText || h.Opcode == frame.OpBinary
		if h.Rsv != 0 && !(compression && first && h.Rsv == frame.Rsv1) {
			t.Fatalf("RSV bits %03b on a frame of %v", h.Rsv, h.Opcode)
		}
		switch {
		case h.Opcode == frame.OpClose:
			c, _, err := frame.ParseClosePayload(payload)
			if err != nil {
				t.Fatalf("invalid close payload % x: %v", payload, err)
			}
			if c != frame.CloseNoStatus && !c.ValidOnWire() {
				t.Fatalf("close code %d may not be sent", c)
			}
			code, closed = c, true
		case h.Opcode.IsControl():
		case first == inMessage:
			t.Fatalf("frame of %v; a fragmented message in progress: %v (RFC 6455 §5.4)", h.Opcode, inMessage)
		default:
			inMessage = !h.Fin
		}
	}
	return code, closed
}

// fuzzSeed is an input of FuzzServerConn.
type fuzzSeed struct {
	mode  fuzzMode
	input []byte
}

// fuzzSeeds returns inputs that reach each part of the Conn: whole and
// fragmented messages of both types, control frames between fragments,
// compressed messages with and without context takeover, and one of each
// way to break the protocol.
func fuzzSeeds(tb testing.TB) []fuzzSeed {
	masked := func(h frame.Header, p []byte) []byte {
		h.Length, h.Masked, h.Mask = int64(len(p)), true, frame.MaskKey{1, 2, 3, 4}
		b := frame.AppendHeader(nil, h)
		start := len(b)
		b = append(b, p...)
		frame.Mask(h.Mask, 0, b[start:])
		return b
	}
	// announced is the start of a frame of n octets: its header and p.
	announced := func(op frame.Opcode, n int64, p []byte) []byte {
		h := frame.Header{Fin: true, Opcode: op, Length: n, Masked: true, Mask: frame.MaskKey{1, 2, 3, 4}}
		return append(frame.AppendHeader(nil, h), p...)
	}
	fin := func(op frame.Opcode, p string) []byte { return masked(frame.Header{Fin: true, Opcode: op}, []byte(p)) }
	frag := func(op frame.Opcode, p string) []byte { return masked(frame.Header{Opcode: op}, []byte(p)) }
	closeWith := func(code frame.CloseCode, reason string) []byte {
		return masked(frame.Header{Fin: true, Opcode: frame.OpClose}, frame.AppendClosePayload(nil, code, reason))
	}
	cat := func(frames ...[]byte) []byte { return bytes.Join(frames, nil) }
	var out bytes.Buffer
	fw, _ := flate.NewWriter(&out, flate.BestSpeed)
	deflated := func(p string) []byte { return flateMessage(tb, fw, &out, []byte(p)) }
	compressed := func(p []byte) []byte {
		return masked(frame.Header{Fin: true, Opcode: frame.OpText, Rsv: frame.Rsv1}, p)
	}
	hello := deflated("hello, hello, hello")
	again := deflated("hello, hello, hello, again") // refers to the first with context takeover
	long := bytes.Repeat([]byte("sixteen octets.."), 100)
	return []fuzzSeed{
		{0, cat(fin(frame.OpText, "hello"), closeWith(frame.CloseNormal, "bye"))},
		{7 << 5, cat(fin(frame.OpBinary, string(long)), fin(frame.OpText, ""), closeWith(frame.CloseNoStatus, ""))},
		{modeStream | 2<<5, cat(frag(frame.OpText, "frag"), fin(frame.OpPing, "ping"), frag(frame.OpContinuation, "men"),
			fin(frame.OpPong, ""), fin(frame.OpContinuation, "ted"), closeWith(4000, "app"))},
		{modeSmallBuffer | 4<<5, cat(fin(frame.OpBinary, string(long[:300])), announced(frame.OpBinary, 70000, long[:10]))},
		{modeCompression | 6<<5, cat(compressed(hello), compressed(again), closeWith(frame.CloseNormal, ""))},
		{modeCompression | modeNoContext | modeStream | 1<<5, cat(compressed(deflated("no context")), fin(frame.OpText, "plain"), closeWith(frame.CloseGoingAway, ""))},
		{modeCompression | 6<<5, cat(masked(frame.Header{Opcode: frame.OpBinary, Rsv: frame.Rsv1}, hello[:4]), fin(frame.OpContinuation, string(hello[4:])))},
		{modeCompression | 6<<5, compressed([]byte{0xff, 0xff, 0xff})},
		{modeSmallLimit | 6<<5, fin(frame.OpBinary, string(long))},
		{modeCompression | modeSmallLimit | 6<<5, compressed(deflated(string(bytes.Repeat([]byte{'z'}, 4096))))},
		{6 << 5, fin(frame.OpText, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80")},
		{6 << 5, cat(frag(frame.OpText, "\xce"), fin(frame.OpContinuation, "\xba"), closeWith(frame.CloseNormal, "\xff"))},
		{6 << 5, masked(frame.Header{Fin: true, Opcode: frame.OpClose}, []byte{0x03})},
		{6 << 5, masked(frame.Header{Fin: true, Opcode: frame.OpClose}, []byte{0x03, 0xed})},
		{6 << 5, frame.AppendHeader(nil, frame.Header{Fin: true, Opcode: frame.OpText})},
		{6 << 5, masked(frame.Header{Fin: true, Opcode: 3}, nil)},
		{6 << 5, masked(frame.Header{Opcode: frame.OpPing}, nil)},
		{6 << 5, masked(frame.Header{Fin: true, Opcode: frame.OpText, Rsv: frame.Rsv2}, nil)},
		{6 << 5, fin(frame.OpContinuation, "orphan")},
		{6 << 5, cat(frag(frame.OpText, "a"), fin(frame.OpText, "b"))},
		{6 << 5, append([]byte{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4}, "hello"...)},
		{0, fin(frame.OpText, "cut short")[:9]},
	}
}
