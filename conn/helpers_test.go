package conn

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/rfc6455/ws/frame"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t testing.TB) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		c   net.Conn
		err error
	}
	accepted := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		accepted <- result{c, err}
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	res := <-accepted
	if res.err != nil {
		t.Fatal(res.err)
	}
	t.Cleanup(func() {
		client.Close()
		res.c.Close()
	})
	return client, res.c
}

// connPair returns a client and a server Conn talking over loopback TCP.
func connPair(t testing.TB, clientOpts, serverOpts *Options) (client, server *Conn) {
	t.Helper()
	cn, sn := tcpPair(t)
	return New(cn, nil, Client, clientOpts), New(sn, nil, Server, serverOpts)
}

// rawPeer is the far end of a Conn under test, speaking raw frames so that
// it can break every rule.
type rawPeer struct {
	t    testing.TB
	nc   net.Conn
	mask bool // a client peer masks its frames
}

// newRawPeer returns a Conn in role under test and the raw peer facing it.
func newRawPeer(t testing.TB, role Role, opts *Options) (*Conn, *rawPeer) {
	t.Helper()
	cn, sn := tcpPair(t)
	if role == Server {
		return New(sn, nil, Server, opts), &rawPeer{t: t, nc: cn, mask: true}
	}
	return New(cn, nil, Client, opts), &rawPeer{t: t, nc: sn}
}

// frameBytes encodes a frame as the peer sends it.
func (p *rawPeer) frameBytes(h frame.Header, payload []byte) []byte {
	h.Length = int64(len(payload))
	if p.mask {
		h.Masked = true
		h.Mask = frame.MaskKey{0x37, 0xfa, 0x21, 0x3d}
	}
	b := frame.AppendHeader(nil, h)
	start := len(b)
	b = append(b, payload...)
	if h.Masked {
		frame.Mask(h.Mask, 0, b[start:])
	}
	return b
}

func (p *rawPeer) write(b []byte) {
	p.t.Helper()
	if _, err := p.nc.Write(b); err != nil {
		p.t.Fatalf("raw peer write: %v", err)
	}
}

func (p *rawPeer) send(h frame.Header, payload []byte) {
	p.t.Helper()
	p.write(p.frameBytes(h, payload))
}

// readFrame reads one frame from the Conn under test, unmasking it.
func (p *rawPeer) readFrame() (frame.Header, []byte, error) {
	p.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var scratch [frame.MaxHeaderSize]byte
	h, err := frame.ReadHeader(p.nc, &scratch)
	if err != nil {
		return h, nil, err
	}
	payload := make([]byte, h.Length)
	if _, err := io.ReadFull(p.nc, payload); err != nil {
		return h, nil, err
	}
	if h.Masked {
		frame.Mask(h.Mask, 0, payload)
	}
	return h, payload, nil
}

// expectClose reads frames up to a close frame and returns its code; then
// it expects the TCP connection to end.
func (p *rawPeer) expectClose() frame.CloseCode {
	p.t.Helper()
	for {
		h, payload, err := p.readFrame()
		if err != nil {
			p.t.Fatalf("waiting for a close frame: %v", err)
		}
		if h.Opcode != frame.OpClose {
			continue
		}
		code, _, err := frame.ParseClosePayload(payload)
		if err != nil {
			p.t.Fatalf("invalid close frame from the Conn: %v", err)
		}
		return code
	}
}

// expectEOF expects the TCP connection to end with nothing more on it.
func (p *rawPeer) expectEOF() {
	p.t.Helper()
	p.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(p.nc)
	if err != nil && !errors.Is(err, net.ErrClosed) && !isReset(err) {
		p.t.Fatalf("waiting for the end of TCP: %v", err)
	}
	if len(b) > 0 {
		p.t.Fatalf("%d unexpected bytes before the end of TCP: % x", len(b), b[:min(len(b), 32)])
	}
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) && bytes.Contains([]byte(ne.Err.Error()), []byte("reset"))
}

// readAsync reads a message on another goroutine and returns its error.
func readAsync(c *Conn) <-chan error {
	errc := make(chan error, 1)
	go func() {
		_, _, err := c.ReadMessage(context.Background())
		errc <- err
	}()
	return errc
}
