package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/rfc6455/ws/conn"
)

var messageSizes = []int{16, 1 << 10, 64 << 10, 1 << 20}

// loopbackPair returns both ends of a TCP connection over 127.0.0.1.
func loopbackPair(b *testing.B) (net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	server := <-accepted
	if server == nil {
		b.Fatal("accept failed")
	}
	return client, server
}

// echo runs a server Conn that sends every message back, reading with
// NextReader into its own buffer and writing with WriteMessage.
func echo(c *conn.Conn, size int) {
	ctx := context.Background()
	buf := make([]byte, size+1) // room to see the end without an empty read
	for {
		typ, r, err := c.NextReader(ctx)
		if err != nil {
			return
		}
		n, err := readMessage(r, buf)
		if err != nil {
			return
		}
		if c.WriteMessage(ctx, typ, buf[:n]) != nil {
			return
		}
	}
}

// BenchmarkRoundTrip measures a client sending a message and reading the
// echo back, over net.Pipe and loopback TCP, whole (WriteMessage and
// ReadMessage) and streamed (NextWriter and NextReader into a buffer).
func BenchmarkRoundTrip(b *testing.B) {
	transports := []struct {
		name string
		pair func(*testing.B) (net.Conn, net.Conn)
	}{
		{"pipe", func(*testing.B) (net.Conn, net.Conn) { return net.Pipe() }},
		{"loopback", loopbackPair},
	}
	for _, tr := range transports {
		for _, api := range []string{"whole", "stream"} {
			for _, size := range messageSizes {
				b.Run(fmt.Sprintf("%s/%s/%s", tr.name, api, sizeName(size)), func(b *testing.B) {
					cn, sn := tr.pair(b)
					client := conn.New(cn, nil, conn.Client, nil)
					server := conn.New(sn, nil, conn.Server, nil)
					go echo(server, size)
					defer client.CloseNow()
					msg := make([]byte, size)
					buf := make([]byte, size+1)
					ctx := context.Background()
					b.SetBytes(int64(2 * size))
					b.ReportAllocs()
					b.ResetTimer()
					for range b.N {
						if api == "whole" {
							if err := client.WriteMessage(ctx, conn.MessageBinary, msg); err != nil {
								b.Fatal(err)
							}
							if _, _, err := client.ReadMessage(ctx); err != nil {
								b.Fatal(err)
							}
							continue
						}
						w, err := client.NextWriter(ctx, conn.MessageBinary)
						if err != nil {
							b.Fatal(err)
						}
						w.Write(msg)
						if err := w.Close(); err != nil {
							b.Fatal(err)
						}
						_, r, err := client.NextReader(ctx)
						if err != nil {
							b.Fatal(err)
						}
						if _, err := readMessage(r, buf); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// readMessage reads a whole message into buf, up to its end. buf must be
// larger than the message: a reader may answer an empty read with
// nothing, end or not.
func readMessage(r io.Reader, buf []byte) (int, error) {
	n := 0
	for {
		k, err := r.Read(buf[n:])
		n += k
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
