package fuzz

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/rfc6455/ws/frame"
)

// fastTimers shrinks the engine's timeouts of a second to 200 ms: short
// for the tests that wait them out, long enough for a loaded machine.
var fastTimers = &Options{TimeScale: 0.2}

// onOpenFunc is a Handler that runs a function on open and records the
// rest.
type onOpenFunc struct {
	recorder
	open func(c *Conn)
}

func (h *onOpenFunc) Open(c *Conn) {
	h.recorder.Open(c)
	if h.open != nil {
		h.open(c)
	}
}

// rawServer accepts one connection on loopback, answers the opening
// handshake, and hands the connection to fn.
func rawServer(t *testing.T, fn func(nc net.Conn, br *bufio.Reader)) ClientTarget {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	go func() {
		defer close(done)
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		br := bufio.NewReader(nc)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.WriteString(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "+
			acceptKey(req.Header.Get("Sec-WebSocket-Key"))+"\r\n\r\n")
		fn(nc, br)
	}()
	target, err := TargetFromURL("ws://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return target
}

// runClient runs a fuzzing client against target until the connection is
// lost, calling open when it opens, and returns it.
func runClient(t *testing.T, target ClientTarget, opts *Options, open func(c *Conn)) (*Conn, *onOpenFunc) {
	t.Helper()
	nc, err := net.Dial("tcp", target.Address())
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(nc, target, opts)
	h := &onOpenFunc{open: open}
	c.Run(h)
	return c, h
}

// readFrame reads one frame from a fuzzing client, unmasked.
func readFrame(br *bufio.Reader) (frame.Header, []byte, error) {
	var scratch [frame.MaxHeaderSize]byte
	h, err := frame.ReadHeader(br, &scratch)
	if err != nil {
		return h, nil, err
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(br, p); err != nil {
		return h, nil, err
	}
	frame.Mask(h.Mask, 0, p)
	return h, p, nil
}

func serverFrame(op frame.Opcode, payload []byte) []byte {
	return append(frame.AppendHeader(nil, frame.Header{Fin: true, Opcode: op, Length: int64(len(payload))}), payload...)
}

func normalClose(c *Conn) {
	code := 1000
	c.SendClose(&code, nil)
}

// TestClosingHandshake runs the closing handshake against peers that
// answer it, ignore it, or do not close TCP, and checks how the engine
// records each (the original's closedByMe, wasClean, droppedByMe and
// timeouts).
func TestClosingHandshake(t *testing.T) {
	for _, tc := range []struct {
		name string
		peer func(nc net.Conn, br *bufio.Reader)
		want CloseStatus // reasons are not compared
	}{
		{"clean", func(nc net.Conn, br *bufio.Reader) {
			readFrame(br)
			nc.Write(serverFrame(frame.OpClose, []byte{0x03, 0xe8}))
		}, CloseStatus{ClosedByMe: true, WasClean: true, LocalCloseCode: intp(1000), RemoteCloseCode: intp(1000)}},
		{"no answer", func(nc net.Conn, br *bufio.Reader) {
			io.Copy(io.Discard, br)
		}, CloseStatus{ClosedByMe: true, DroppedByMe: true, WasCloseHandshakeTimeout: true, LocalCloseCode: intp(1000)}},
		{"answer but no TCP close", func(nc net.Conn, br *bufio.Reader) {
			readFrame(br)
			nc.Write(serverFrame(frame.OpClose, []byte{0x03, 0xe8}))
			io.Copy(io.Discard, br)
		}, CloseStatus{ClosedByMe: true, DroppedByMe: true, WasServerConnectionDropTimeout: true, LocalCloseCode: intp(1000), RemoteCloseCode: intp(1000)}},
		{"TCP closed without answer", func(nc net.Conn, br *bufio.Reader) {
			readFrame(br)
		}, CloseStatus{ClosedByMe: true, LocalCloseCode: intp(1000)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := runClient(t, rawServer(t, tc.peer), fastTimers, normalClose)
			got := c.CloseStatus()
			got.WasNotCleanReason = nil
			if !equalStatus(got, tc.want) {
				t.Errorf("close status\n got %s\nwant %s", statusString(got), statusString(tc.want))
			}
		})
	}
}

// TestPeerCloses checks the fuzzing client's answer to a close the server
// starts: 1000, whatever the server's code.
func TestPeerCloses(t *testing.T) {
	answer := make(chan []byte, 1)
	target := rawServer(t, func(nc net.Conn, br *bufio.Reader) {
		nc.Write(serverFrame(frame.OpClose, []byte{0x0f, 0xa0, 'b', 'y', 'e'}))
		_, p, _ := readFrame(br)
		answer <- p
	})
	c, _ := runClient(t, target, fastTimers, nil)
	want := CloseStatus{WasClean: true, LocalCloseCode: intp(1000), RemoteCloseCode: intp(4000), RemoteCloseReason: strp("bye")}
	if got := c.CloseStatus(); !equalStatus(got, want) {
		t.Errorf("close status\n got %s\nwant %s", statusString(got), statusString(want))
	}
	if p := <-answer; string(p) != "\x03\xe8" {
		t.Errorf("answer %x, want 03e8", p)
	}
}

// TestKillAfter checks that KillAfter fails the connection with 1001.
func TestKillAfter(t *testing.T) {
	got := make(chan []byte, 1)
	target := rawServer(t, func(nc net.Conn, br *bufio.Reader) {
		_, p, _ := readFrame(br)
		got <- p
	})
	c, _ := runClient(t, target, fastTimers, func(c *Conn) { c.KillAfter(time.Second) })
	if p := <-got; string(p) != "\x03\xe9Going Away" {
		t.Errorf("close payload %q, want 1001 Going Away", p)
	}
	if cs := c.CloseStatus(); !cs.FailedByMe || !cs.ClosedByMe {
		t.Errorf("close status %s, want failed and closed by me", statusString(cs))
	}
	var kinds []string
	for _, e := range c.Wirelog() {
		if e.Kind == KindKillAfter || e.Kind == KindKillFired {
			kinds = append(kinds, e.Kind)
		}
	}
	if len(kinds) != 2 {
		t.Errorf("wire log kill entries %v, want KL and KLE", kinds)
	}
}

// TestOpenHandshakeTimeout checks a server that never answers.
func TestOpenHandshakeTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		nc, err := ln.Accept()
		if err == nil {
			io.Copy(io.Discard, nc)
			nc.Close()
		}
	}()
	target, _ := TargetFromURL("ws://" + ln.Addr().String())
	c, h := runClient(t, target, fastTimers, nil)
	if h.opened || !c.CloseStatus().WasOpenHandshakeTimeout {
		t.Errorf("opened %v, status %s: want an opening handshake timeout", h.opened, statusString(c.CloseStatus()))
	}
}

// TestChoppedFrame checks that a frame written in chops arrives whole and
// that the wire log shows one chunk per chop.
func TestChoppedFrame(t *testing.T) {
	got := make(chan []byte, 1)
	target := rawServer(t, func(nc net.Conn, br *bufio.Reader) {
		_, p, _ := readFrame(br)
		got <- p
		nc.Write(serverFrame(frame.OpClose, nil))
	})
	payload := []byte("chopped into pieces of three octets")
	c, _ := runClient(t, target, fastTimers, func(c *Conn) {
		c.SendFrame(Frame{Opcode: 2, Payload: payload, ChopSize: 3})
		c.CloseAfter(time.Second)
	})
	if p := <-got; string(p) != string(payload) {
		t.Errorf("payload %q, want %q", p, payload)
	}
	want := (2 + 4 + len(payload)) / 3 // header, mask and payload in full chops
	if n := c.Stats().TxOctets[3]; n != want {
		t.Errorf("%d chunks of 3 octets, want %d", n, want)
	}
}

func intp(v int) *int       { return &v }
func strp(s string) *string { return &s }

func equalStatus(a, b CloseStatus) bool {
	return statusString(a) == statusString(b)
}

func statusString(s CloseStatus) string {
	str := func(p *string) string {
		if p == nil {
			return "nil"
		}
		return *p
	}
	num := func(p *int) any {
		if p == nil {
			return "nil"
		}
		return *p
	}
	return fmt.Sprint("closedByMe=", s.ClosedByMe, " failedByMe=", s.FailedByMe, " droppedByMe=", s.DroppedByMe,
		" wasClean=", s.WasClean, " serverDrop=", s.WasServerConnectionDropTimeout, " openTimeout=", s.WasOpenHandshakeTimeout,
		" closeTimeout=", s.WasCloseHandshakeTimeout, " local=", num(s.LocalCloseCode), "/", str(s.LocalCloseReason),
		" remote=", num(s.RemoteCloseCode), "/", str(s.RemoteCloseReason), " reason=", str(s.WasNotCleanReason))
}
