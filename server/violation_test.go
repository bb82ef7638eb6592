package server

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/handshake"
)

// TestAnswersBeforeFailure sends messages and, in the same write, a frame
// that breaks the protocol: the handler's echoes of the messages must go
// out before the close frame, although the reader saw the violation while
// they were still queued.
func TestAnswersBeforeFailure(t *testing.T) {
	srv := startServer(t, Accept(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := WebSocket(r)
		for m := range s.Messages() {
			time.Sleep(20 * time.Millisecond) // a handler slower than the reader
			s.Send(m)
		}
	})))
	u, _ := url.Parse(wsURL(srv, "/"))
	nc, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, _, _, err := handshake.ClientHandshake(timeout(t), nc, u, nil); err != nil {
		t.Fatal(err)
	}
	var wire []byte
	for _, h := range []frame.Header{
		{Fin: true, Opcode: frame.OpText},
		{Fin: true, Opcode: frame.OpText},
		{Fin: true, Opcode: frame.OpText, Rsv: frame.Rsv2}, // §5.2: no extension gives RSV2 a meaning
		{Fin: true, Opcode: frame.OpPing},
	} {
		h.Length, h.Masked = 5, true
		wire = frame.AppendHeader(wire, h)
		wire = append(wire, "hello"...)
		frame.Mask(h.Mask, 0, wire[len(wire)-5:])
	}
	if _, err := nc.Write(wire); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(waitTime))
	var got []frame.Opcode
	var scratch [frame.MaxHeaderSize]byte
	for {
		h, err := frame.ReadHeader(nc, &scratch)
		if err != nil {
			break
		}
		io.CopyN(io.Discard, nc, h.Length)
		got = append(got, h.Opcode)
		if h.Opcode == frame.OpClose {
			break
		}
	}
	want := []frame.Opcode{frame.OpText, frame.OpText, frame.OpClose}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("frames from the server %v, want %v (echoes, then the close; no pong)", got, want)
	}
}
