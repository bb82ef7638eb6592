package conn

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/frame"
)

// TestProtocolViolations checks each rule a receiver enforces: the frames
// break it, ReadMessage reports the error, and the Conn fails the
// connection with the close code RFC 6455 names, then ends TCP.
func TestProtocolViolations(t *testing.T) {
	fin := func(op frame.Opcode) frame.Header { return frame.Header{Fin: true, Opcode: op} }
	frag := func(op frame.Opcode) frame.Header { return frame.Header{Opcode: op} }
	type sent struct {
		h       frame.Header
		payload []byte
	}
	tests := []struct {
		name   string
		role   Role
		frames []sent
		raw    []byte // sent as is, instead of frames (may be masked already)
		limit  int64
		want   error
		code   frame.CloseCode
	}{
		{name: "unmasked frame from client", role: Server, raw: frame.AppendHeader(nil, frame.Header{Fin: true, Opcode: frame.OpText}), want: frame.ErrUnmaskedFrame, code: 1002},
		{name: "masked frame from server", role: Client, raw: frame.AppendHeader(nil, frame.Header{Fin: true, Opcode: frame.OpText, Masked: true}), want: frame.ErrMaskedFrame, code: 1002},
		{name: "RSV1 without extension", role: Server, frames: []sent{{frame.Header{Fin: true, Opcode: frame.OpText, Rsv: frame.Rsv1}, []byte("a")}}, want: frame.ErrReservedBits, code: 1002},
		{name: "RSV2", role: Server, frames: []sent{{frame.Header{Fin: true, Opcode: frame.OpBinary, Rsv: frame.Rsv2}, nil}}, want: frame.ErrReservedBits, code: 1002},
		{name: "RSV3 on ping", role: Client, frames: []sent{{frame.Header{Fin: true, Opcode: frame.OpPing, Rsv: frame.Rsv3}, nil}}, want: frame.ErrReservedBits, code: 1002},
		{name: "reserved opcode 3", role: Server, frames: []sent{{fin(3), nil}}, want: frame.ErrReservedOpcode, code: 1002},
		{name: "reserved opcode 7", role: Server, frames: []sent{{fin(7), nil}}, want: frame.ErrReservedOpcode, code: 1002},
		{name: "reserved opcode 0xB", role: Client, frames: []sent{{fin(0xB), nil}}, want: frame.ErrReservedOpcode, code: 1002},
		{name: "reserved opcode 0xF", role: Server, frames: []sent{{fin(0xF), []byte("x")}}, want: frame.ErrReservedOpcode, code: 1002},
		{name: "ping over 125 bytes", role: Server, frames: []sent{{fin(frame.OpPing), make([]byte, 126)}}, want: frame.ErrControlTooLong, code: 1002},
		{name: "close over 125 bytes", role: Client, frames: []sent{{fin(frame.OpClose), append([]byte{3, 232}, make([]byte, 124)...)}}, want: frame.ErrControlTooLong, code: 1002},
		{name: "fragmented ping", role: Server, frames: []sent{{frag(frame.OpPing), []byte("a")}}, want: frame.ErrFragmentedControl, code: 1002},
		{name: "continuation without a message", role: Server, frames: []sent{{fin(frame.OpContinuation), []byte("a")}}, want: frame.ErrUnexpectedContinuation, code: 1002},
		{name: "new message inside a fragmented one", role: Server, frames: []sent{{frag(frame.OpText), []byte("a")}, {fin(frame.OpText), []byte("b")}}, want: frame.ErrExpectedContinuation, code: 1002},
		{name: "64-bit length with top bit", role: Client, raw: []byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1}, want: frame.ErrLengthOverflow, code: 1002},
		{name: "close payload of one byte", role: Server, frames: []sent{{fin(frame.OpClose), []byte{3}}}, want: frame.ErrClosePayloadTooShort, code: 1002},
		{name: "close code 999", role: Server, frames: []sent{{fin(frame.OpClose), []byte{3, 231}}}, want: frame.ErrInvalidCloseCode, code: 1002},
		{name: "close code 1005 on the wire", role: Server, frames: []sent{{fin(frame.OpClose), []byte{3, 237}}}, want: frame.ErrInvalidCloseCode, code: 1002},
		{name: "close code 5000", role: Client, frames: []sent{{fin(frame.OpClose), []byte{0x13, 0x88}}}, want: frame.ErrInvalidCloseCode, code: 1002},
		{name: "close reason not UTF-8", role: Server, frames: []sent{{fin(frame.OpClose), []byte{3, 232, 0xff}}}, want: frame.ErrInvalidUTF8, code: 1007},
		{name: "text not UTF-8", role: Server, frames: []sent{{fin(frame.OpText), []byte("ok\xc0\xafok")}}, want: frame.ErrInvalidUTF8, code: 1007},
		{name: "text ends inside a character", role: Client, frames: []sent{{fin(frame.OpText), []byte("\xe2\x82")}}, want: frame.ErrInvalidUTF8, code: 1007},
		{name: "text surrogate across fragments", role: Server, frames: []sent{{frag(frame.OpText), []byte("a\xed")}, {frag(frame.OpContinuation), []byte("\xa0\x80")}, {fin(frame.OpContinuation), nil}}, want: frame.ErrInvalidUTF8, code: 1007},
		{name: "message over the limit, one frame", role: Server, limit: 10, frames: []sent{{fin(frame.OpBinary), make([]byte, 11)}}, want: frame.ErrMessageTooBig, code: 1009},
		{name: "message over the limit, fragments", role: Client, limit: 10, frames: []sent{{frag(frame.OpBinary), make([]byte, 6)}, {fin(frame.OpContinuation), make([]byte, 6)}}, want: frame.ErrMessageTooBig, code: 1009},
		{name: "huge length announced", role: Server, raw: []byte{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4}, want: frame.ErrMessageTooBig, code: 1009},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, peer := newRawPeer(t, tt.role, &Options{ReadLimit: tt.limit, CloseTimeout: 2 * time.Second})
			if tt.raw != nil {
				peer.write(tt.raw)
			}
			for _, f := range tt.frames {
				peer.send(f.h, f.payload)
			}
			errc := readAsync(c)
			if code := peer.expectClose(); code != tt.code {
				t.Errorf("close code = %d, want %d", code, tt.code)
			}
			if tt.role == Server {
				// The server ends TCP first (§7.1.1).
				peer.expectEOF()
			}
			peer.nc.Close()
			if err := <-errc; !errors.Is(err, tt.want) {
				t.Fatalf("ReadMessage error = %v, want %v", err, tt.want)
			}
			if _, _, err := c.ReadMessage(context.Background()); !errors.Is(err, tt.want) {
				t.Errorf("second ReadMessage error = %v, want the same %v", err, tt.want)
			}
			if err := c.WriteMessage(context.Background(), MessageText, []byte("x")); !errors.Is(err, ErrClosed) {
				t.Errorf("WriteMessage after failure = %v, want ErrClosed", err)
			}
		})
	}
}

// TestInvalidUTF8FailsFast checks that a text message is rejected at its
// first invalid octet, before the rest of the message arrives (§8.1).
func TestInvalidUTF8FailsFast(t *testing.T) {
	tests := []struct {
		name  string
		first []byte // fragment that already makes the text invalid
	}{
		{"code point above U+10FFFF", []byte("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90")},
		{"surrogate", []byte("ab\xed\xa0")},
		{"overlong", []byte("\xc0")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, peer := newRawPeer(t, Server, nil)
			peer.send(frame.Header{Opcode: frame.OpText}, tt.first)
			// The message is never finished: the Conn must fail on what it has.
			errc := readAsync(c)
			if code := peer.expectClose(); code != frame.CloseInvalidPayload {
				t.Errorf("close code = %d, want 1007", code)
			}
			peer.nc.Close()
			if err := <-errc; !errors.Is(err, frame.ErrInvalidUTF8) {
				t.Fatalf("ReadMessage error = %v, want ErrInvalidUTF8", err)
			}
		})
	}
	t.Run("inside one frame", func(t *testing.T) {
		// Half of a frame whose payload is already invalid: fail before the
		// rest of the frame.
		c, peer := newRawPeer(t, Server, nil)
		b := peer.frameBytes(frame.Header{Fin: true, Opcode: frame.OpText}, []byte("hello\xf5 world and more"))
		peer.write(b[:len(b)-10])
		errc := readAsync(c)
		if code := peer.expectClose(); code != frame.CloseInvalidPayload {
			t.Errorf("close code = %d, want 1007", code)
		}
		peer.nc.Close()
		if err := <-errc; !errors.Is(err, frame.ErrInvalidUTF8) {
			t.Fatalf("ReadMessage error = %v, want ErrInvalidUTF8", err)
		}
	})
}

// TestReassembly checks that fragments make one message, with control
// frames between them handled at once (§5.4).
func TestReassembly(t *testing.T) {
	c, peer := newRawPeer(t, Server, nil)
	var pongs []string
	c.onPong = func(p []byte) { pongs = append(pongs, string(p)) }
	peer.send(frame.Header{Opcode: frame.OpText}, []byte("Hello, "))
	peer.send(frame.Header{Fin: true, Opcode: frame.OpPing}, []byte("ping 1"))
	peer.send(frame.Header{Opcode: frame.OpContinuation}, nil)
	peer.send(frame.Header{Fin: true, Opcode: frame.OpPong}, []byte("pong 1"))
	peer.send(frame.Header{Fin: true, Opcode: frame.OpContinuation}, []byte("wörld"))
	peer.send(frame.Header{Fin: true, Opcode: frame.OpBinary}, nil)
	peer.send(frame.Header{Opcode: frame.OpBinary}, []byte{1})
	peer.send(frame.Header{Fin: true, Opcode: frame.OpContinuation}, []byte{2, 3})

	type msg struct {
		Type MessageType
		Data string
	}
	var got []msg
	for range 3 {
		typ, p, err := c.ReadMessage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, msg{typ, string(p)})
	}
	want := []msg{{MessageText, "Hello, wörld"}, {MessageBinary, ""}, {MessageBinary, "\x01\x02\x03"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"pong 1"}, pongs); diff != "" {
		t.Errorf("pongs (-want +got):\n%s", diff)
	}
	h, p, err := peer.readFrame()
	if err != nil || h.Opcode != frame.OpPong || string(p) != "ping 1" || h.Masked {
		t.Errorf("answer to ping = %v %q %v, want an unmasked pong \"ping 1\"", h, p, err)
	}
}

// TestPeerClose checks the answer to the peer's close frame: the same code
// echoed, a *CloseError for the reader, and the TCP connection ended by the
// server.
func TestPeerClose(t *testing.T) {
	tests := []struct {
		name       string
		payload    []byte
		wantErr    *CloseError
		wantAnswer frame.CloseCode
	}{
		{"normal with reason", frame.AppendClosePayload(nil, 1000, "bye"), &CloseError{1000, "bye"}, 1000},
		{"going away", frame.AppendClosePayload(nil, 1001, ""), &CloseError{1001, ""}, 1001},
		{"application code", frame.AppendClosePayload(nil, 4000, "app"), &CloseError{4000, "app"}, 4000},
		{"no status", nil, &CloseError{frame.CloseNoStatus, ""}, frame.CloseNoStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, peer := newRawPeer(t, Server, nil)
			peer.send(frame.Header{Fin: true, Opcode: frame.OpText}, []byte("before"))
			peer.send(frame.Header{Fin: true, Opcode: frame.OpClose}, tt.payload)
			// The message sent before the close is not lost.
			if _, p, err := c.ReadMessage(context.Background()); err != nil || string(p) != "before" {
				t.Fatalf("ReadMessage = %q, %v; want \"before\"", p, err)
			}
			errc := readAsync(c)
			if code := peer.expectClose(); code != tt.wantAnswer {
				t.Errorf("answer code = %d, want %d", code, tt.wantAnswer)
			}
			peer.expectEOF()
			peer.nc.Close()
			var ce *CloseError
			if err := <-errc; !errors.As(err, &ce) {
				t.Fatalf("ReadMessage error = %v, want *CloseError", err)
			}
			if diff := cmp.Diff(tt.wantErr, ce); diff != "" {
				t.Errorf("CloseError (-want +got):\n%s", diff)
			}
			if err := c.WriteMessage(context.Background(), MessageText, nil); !errors.Is(err, ErrClosed) {
				t.Errorf("WriteMessage after close = %v, want ErrClosed", err)
			}
		})
	}
}

// TestPeerVanishes checks that the end of TCP without a close frame ends
// reads with io.ErrUnexpectedEOF (§7.1.5: code 1006).
func TestPeerVanishes(t *testing.T) {
	for _, mid := range []bool{false, true} {
		c, peer := newRawPeer(t, Server, nil)
		if mid {
			b := peer.frameBytes(frame.Header{Fin: true, Opcode: frame.OpBinary}, make([]byte, 100))
			peer.write(b[:50])
		}
		peer.nc.Close()
		if _, _, err := c.ReadMessage(context.Background()); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("mid-frame=%v: ReadMessage error = %v, want io.ErrUnexpectedEOF", mid, err)
		}
	}
}

// TestReadLimitDefault checks the documented default and that the limit
// counts whole messages.
func TestReadLimitDefault(t *testing.T) {
	c, peer := newRawPeer(t, Client, nil)
	if c.readLimit != DefaultReadLimit {
		t.Fatalf("default read limit = %d, want %d", c.readLimit, DefaultReadLimit)
	}
	c.readLimit = 100
	peer.send(frame.Header{Fin: true, Opcode: frame.OpBinary}, make([]byte, 100))
	if _, p, err := c.ReadMessage(context.Background()); err != nil || len(p) != 100 {
		t.Fatalf("message at the limit: %d bytes, %v", len(p), err)
	}
}

// TestReadInterrupted checks that a read interrupted by its context or a
// deadline part-way through a message loses nothing.
func TestReadInterrupted(t *testing.T) {
	c, peer := newRawPeer(t, Server, nil)
	msg := strings.Repeat("0123456789", 1000)
	b := peer.frameBytes(frame.Header{Fin: true, Opcode: frame.OpText}, []byte(msg))
	peer.write(b[:3]) // part of the header only

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := c.ReadMessage(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReadMessage error = %v, want context.DeadlineExceeded", err)
	}
	peer.write(b[3:5000])
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, _, err := c.ReadMessage(context.Background())
	if !isTimeout(err) {
		t.Fatalf("ReadMessage error = %v, want a deadline error", err)
	}
	c.SetReadDeadline(time.Time{})
	peer.write(b[5000:])
	typ, p, err := c.ReadMessage(context.Background())
	if err != nil || typ != MessageText || string(p) != msg {
		t.Fatalf("resumed ReadMessage = %v, %d bytes, %v; want the whole text message", typ, len(p), err)
	}

	// The same through NextReader: the reader continues after a timeout.
	peer.write(b[:100])
	_, rd, err := c.NextReader(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(msg))
	n, _ := io.ReadFull(rd, buf[:50])
	c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	k, err := io.ReadFull(rd, buf[n:])
	if !isTimeout(err) {
		t.Fatalf("Read error = %v, want a deadline error", err)
	}
	c.SetReadDeadline(time.Time{})
	peer.write(b[100:])
	if _, err := io.ReadFull(rd, buf[n+k:]); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, []byte(msg)) {
		t.Error("message read across a timeout differs")
	}
}

// TestNextReaderSkips checks that an unread rest of a message is skipped
// by the next NextReader, and still validated.
func TestNextReaderSkips(t *testing.T) {
	c, peer := newRawPeer(t, Server, nil)
	peer.send(frame.Header{Opcode: frame.OpBinary}, []byte("first part"))
	peer.send(frame.Header{Fin: true, Opcode: frame.OpContinuation}, []byte("second part"))
	peer.send(frame.Header{Fin: true, Opcode: frame.OpText}, []byte("next"))
	_, rd, err := c.NextReader(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(rd, buf); err != nil || string(buf) != "first" {
		t.Fatalf("read %q, %v", buf, err)
	}
	typ, p, err := c.ReadMessage(context.Background())
	if err != nil || typ != MessageText || string(p) != "next" {
		t.Fatalf("ReadMessage = %v %q %v, want text \"next\"", typ, p, err)
	}
	if n, err := rd.Read(buf); n != 0 || err != io.EOF {
		t.Errorf("stale reader Read = %d, %v; want 0, io.EOF", n, err)
	}
}

// TestBeforeFail checks that the hook runs before the close frame goes
// out, so that an answer written meanwhile precedes it.
func TestBeforeFail(t *testing.T) {
	var c *Conn
	var hookErr error
	c, peer := newRawPeer(t, Server, &Options{BeforeFail: func(err error) {
		hookErr = err
		c.WriteMessage(context.Background(), MessageText, []byte("answer first"))
	}})
	peer.send(frame.Header{Fin: true, Opcode: 5}, nil)
	errc := readAsync(c)
	h, p, err := peer.readFrame()
	if err != nil || h.Opcode != frame.OpText || string(p) != "answer first" {
		t.Fatalf("first frame %v %q %v, want the answer", h.Opcode, p, err)
	}
	if code := peer.expectClose(); code != frame.CloseProtocolError {
		t.Errorf("close code %d", code)
	}
	peer.nc.Close()
	if err := <-errc; !errors.Is(err, frame.ErrReservedOpcode) || !errors.Is(hookErr, frame.ErrReservedOpcode) {
		t.Errorf("errors: read %v, hook %v", err, hookErr)
	}
}

// TestIdleTimeout checks Options.IdleTimeout: a peer that stalls in the
// middle of a frame is cut off with 1001, one that trickles steadily is
// not.
func TestIdleTimeout(t *testing.T) {
	t.Run("stalled", func(t *testing.T) {
		const timeout = 100 * time.Millisecond
		c, peer := newRawPeer(t, Server, &Options{IdleTimeout: timeout})
		b := peer.frameBytes(frame.Header{Fin: true, Opcode: frame.OpBinary}, make([]byte, 100))
		start := time.Now()
		peer.write(b[:40])
		errc := readAsync(c)
		if code := peer.expectClose(); code != frame.CloseGoingAway {
			t.Errorf("close code %d, want 1001", code)
		}
		if elapsed := time.Since(start); elapsed < timeout {
			t.Errorf("cut off after %v, sooner than the idle timeout of %v", elapsed, timeout)
		}
		peer.nc.Close()
		if err := <-errc; !errors.Is(err, ErrIdleTimeout) {
			t.Errorf("ReadMessage = %v, want ErrIdleTimeout", err)
		}
	})
	t.Run("trickling", func(t *testing.T) {
		c, peer := newRawPeer(t, Server, &Options{IdleTimeout: time.Second})
		b := peer.frameBytes(frame.Header{Fin: true, Opcode: frame.OpBinary}, make([]byte, 10))
		go func() {
			for i := range b {
				time.Sleep(150 * time.Millisecond) // 16 octets over 2.4s, never 1s apart
				peer.nc.Write(b[i : i+1])
			}
		}()
		if _, p, err := c.ReadMessage(context.Background()); err != nil || len(p) != 10 {
			t.Fatalf("ReadMessage = %d bytes, %v", len(p), err)
		}
	})
	t.Run("user deadline first", func(t *testing.T) {
		c, _ := newRawPeer(t, Server, &Options{IdleTimeout: time.Second})
		c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		if _, _, err := c.ReadMessage(context.Background()); !isTimeout(err) || errors.Is(err, ErrIdleTimeout) {
			t.Fatalf("ReadMessage = %v, want the user's deadline", err)
		}
	})
}

// TestMessageBuffer checks Options.MessageBuffer: ReadMessage asks it for
// each message's buffer at the message's size, whole or fragmented, small
// or large, compressed or not, and returns the message in it; a buffer
// too small is not used.
func TestMessageBuffer(t *testing.T) {
	tests := []struct {
		name       string
		size       int
		fragmented bool
		compressed bool
	}{
		{"empty", 0, false, false},
		{"small", 100, false, false},
		{"fragmented", 5000, true, false},
		{"larger than exactLimit", exactLimit + 1000, false, false},
		{"compressed", 5000, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []int
			arena := make([]byte, 0, 2*exactLimit)
			opts := &Options{MessageBuffer: func(size int) []byte {
				asked = append(asked, size)
				return arena
			}}
			// The client sends a frame per 512 octets through NextWriter.
			clientOpts := &Options{WriteBufferSize: 512}
			if tt.compressed {
				p := deflateParams(false, false, 15, 15)
				opts.Compression = p
				clientOpts.Compression, clientOpts.CompressionThreshold = p, -1
			}
			client, server := connPair(t, clientOpts, opts)
			msg := bytes.Repeat([]byte("0123456789"), tt.size/10+1)[:tt.size]
			go func() {
				if !tt.fragmented {
					client.WriteMessage(context.Background(), MessageBinary, msg)
					return
				}
				w, _ := client.NextWriter(context.Background(), MessageBinary)
				w.Write(msg)
				w.Close()
			}()
			_, p, err := server.ReadMessage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(p, msg) {
				t.Fatalf("ReadMessage returned %d octets, not the %d sent", len(p), len(msg))
			}
			if diff := cmp.Diff([]int{tt.size}, asked); diff != "" {
				t.Errorf("sizes asked (-want +got):\n%s", diff)
			}
			if cap(p) > 0 && &p[:1][0] != &arena[:1][0] {
				t.Error("the message is not in the buffer MessageBuffer gave")
			}
		})
	}
	t.Run("too small", func(t *testing.T) {
		client, server := connPair(t, nil, &Options{MessageBuffer: func(size int) []byte { return make([]byte, 0, size/2) }})
		go client.WriteMessage(context.Background(), MessageText, []byte("a message of 30 octets or so."))
		if _, p, err := server.ReadMessage(context.Background()); err != nil || string(p) != "a message of 30 octets or so." {
			t.Fatalf("ReadMessage = %q, %v", p, err)
		}
	})
}
