package bench

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rfc6455/ws/handshake"
)

// browserRequest is an upgrade request as a browser sends it, with the
// fields the server must read and some it must skip.
const browserRequest = "GET /chat HTTP/1.1\r\n" +
	"Host: example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: */*\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Sec-WebSocket-Version: 13\r\n" +
	"Origin: https://example.com\r\n" +
	"Sec-WebSocket-Protocol: chat\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
	"Connection: keep-alive, Upgrade\r\n" +
	"Pragma: no-cache\r\n" +
	"Cache-Control: no-cache\r\n" +
	"Upgrade: websocket\r\n"

const deflateOffer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"

// handshakeCases are the requests the server benchmarks answer: without
// and with a permessage-deflate offer the server accepts.
var handshakeCases = []struct {
	name string
	raw  string
	opts *handshake.ServerOptions
}{
	{"ext=none", browserRequest + "\r\n", &handshake.ServerOptions{Subprotocols: []string{"chat"}}},
	{"ext=deflate", browserRequest + deflateOffer + "\r\n", &handshake.ServerOptions{Subprotocols: []string{"chat"}, Deflate: &handshake.DeflateConfig{}}},
}

func readBenchRequest(b *testing.B, raw string) *http.Request {
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func BenchmarkAcceptKey(b *testing.B) {
	buf := make([]byte, 0, 28)
	b.ReportAllocs()
	for range b.N {
		buf = handshake.AppendAcceptKey(buf[:0], "dGhlIHNhbXBsZSBub25jZQ==")
	}
}

func BenchmarkCheck(b *testing.B) {
	for _, tc := range handshakeCases {
		b.Run(tc.name, func(b *testing.B) {
			r := readBenchRequest(b, tc.raw)
			b.ReportAllocs()
			for range b.N {
				if _, err := handshake.Check(r, tc.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// replayConn is a net.Conn whose peer has sent one packet, replayed on
// demand, and which discards what is written to it.
type replayConn struct {
	in strings.Reader
}

func (c *replayConn) Read(p []byte) (int, error)       { return c.in.Read(p) }
func (c *replayConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *replayConn) Close() error                     { return nil }
func (c *replayConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *replayConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *replayConn) SetDeadline(time.Time) error      { return nil }
func (c *replayConn) SetReadDeadline(time.Time) error  { return nil }
func (c *replayConn) SetWriteDeadline(time.Time) error { return nil }

// hijackWriter is the http.ResponseWriter net/http hands a handler, reduced
// to what Upgrade uses, so that the benchmark counts the upgrade's own work
// and not the server's.
type hijackWriter struct {
	header http.Header
	conn   replayConn
	brw    *bufio.ReadWriter
}

func (w *hijackWriter) Header() http.Header         { return w.header }
func (w *hijackWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *hijackWriter) WriteHeader(int)             {}
func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return &w.conn, w.brw, nil
}

func BenchmarkUpgrade(b *testing.B) {
	for _, tc := range handshakeCases {
		b.Run(tc.name, func(b *testing.B) {
			r := readBenchRequest(b, tc.raw)
			w := &hijackWriter{header: http.Header{}}
			w.brw = bufio.NewReadWriter(bufio.NewReader(&w.conn), bufio.NewWriter(&w.conn))
			b.ReportAllocs()
			for range b.N {
				if _, _, _, err := handshake.Upgrade(w, r, tc.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkUpgradeConn(b *testing.B) {
	for _, tc := range handshakeCases {
		b.Run(tc.name, func(b *testing.B) {
			c := &replayConn{}
			b.SetBytes(int64(len(tc.raw)))
			b.ReportAllocs()
			for range b.N {
				c.in.Reset(tc.raw)
				if _, _, _, err := handshake.UpgradeConn(c, tc.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// answerConn is a server that answers an upgrade request with a 101, in
// memory.
type answerConn struct {
	replayConn
	request []byte
}

func (c *answerConn) Write(p []byte) (int, error) {
	c.request = append(c.request, p...)
	_, rest, ok := bytes.Cut(c.request, []byte("Sec-Websocket-Key: "))
	if key, _, found := bytes.Cut(rest, []byte("\r\n")); ok && found {
		c.in.Reset("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Accept: " + handshake.AcceptKey(string(key)) + "\r\n\r\n")
	}
	return len(p), nil
}

// BenchmarkClientHandshake measures the client's request and the
// validation of the response, without dialing.
func BenchmarkClientHandshake(b *testing.B) {
	u, err := url.Parse("ws://example.com/chat")
	if err != nil {
		b.Fatal(err)
	}
	c := &answerConn{}
	b.ReportAllocs()
	for range b.N {
		c.request = c.request[:0]
		if _, _, _, err := handshake.ClientHandshake(context.Background(), c, u, nil); err != nil {
			b.Fatal(err)
		}
	}
}
