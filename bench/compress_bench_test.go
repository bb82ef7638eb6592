package bench

import (
	"context"
	"runtime"
	"testing"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/handshake"
	"github.com/rfc6455/ws/internal/deflate/deflatetest"
)

// compressionModes are the permessage-deflate settings the compressed
// benchmarks compare: none, context takeover both ways, and none kept.
var compressionModes = []struct {
	name   string
	params *handshake.DeflateParams
}{
	{"deflate=off", nil},
	{"deflate=takeover", &handshake.DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
	{"deflate=nocontext", &handshake.DeflateParams{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
}

// compressedPair returns a client and a server Conn over loopback with the
// given permessage-deflate agreement.
func compressedPair(b *testing.B, p *handshake.DeflateParams) (*conn.Conn, *conn.Conn) {
	cn, sn := loopbackPair(b)
	opts := &conn.Options{Compression: p}
	return conn.New(cn, nil, conn.Client, opts), conn.New(sn, nil, conn.Server, opts)
}

// BenchmarkCompressedRoundTrip sends 1 KiB JSON-like text and 64 KiB text
// through an echo server, compressed both ways, beside the same messages
// uncompressed. Bytes per second count the payload both ways.
func BenchmarkCompressedRoundTrip(b *testing.B) {
	workloads := []struct {
		name string
		msgs [][]byte
	}{
		{"msg=json1KiB", messages(64, func(i uint64) []byte { return deflatetest.JSON(1024, i) })},
		{"msg=text64KiB", messages(8, func(i uint64) []byte { return deflatetest.Text(64<<10, i) })},
	}
	for _, wl := range workloads {
		for _, mode := range compressionModes {
			b.Run(wl.name+"/"+mode.name, func(b *testing.B) {
				client, server := compressedPair(b, mode.params)
				defer client.CloseNow()
				size := 0
				for _, m := range wl.msgs {
					size = max(size, len(m))
				}
				go echo(server, size)
				buf := make([]byte, size+1)
				ctx := context.Background()
				b.SetBytes(2 * meanSize(wl.msgs))
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					m := wl.msgs[i%len(wl.msgs)]
					if err := client.WriteMessage(ctx, conn.MessageText, m); err != nil {
						b.Fatal(err)
					}
					_, r, err := client.NextReader(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if n, err := readMessage(r, buf); err != nil || n != len(m) {
						b.Fatalf("echo of %d bytes: %d, %v", len(m), n, err)
					}
				}
			})
		}
	}
}

// BenchmarkCompressedMemory measures the heap one end of an idle connection
// holds, after one compressed message each way, with and without
// permessage-deflate: 500 connections (1,000 ends) are opened, and the heap
// in use divided among them. It reports bytes per end.
func BenchmarkCompressedMemory(b *testing.B) {
	const pairs = 500
	msg := deflatetest.JSON(1024, 1)
	for _, mode := range compressionModes {
		b.Run(mode.name, func(b *testing.B) {
			for range b.N {
				perEnd := heapPerEnd(b, pairs, func() (*conn.Conn, *conn.Conn) {
					client, server := compressedPair(b, mode.params)
					ctx := context.Background()
					for _, pair := range [][2]*conn.Conn{{client, server}, {server, client}} {
						if err := pair[0].WriteMessage(ctx, conn.MessageText, msg); err != nil {
							b.Fatal(err)
						}
						if _, _, err := pair[1].ReadMessage(ctx); err != nil {
							b.Fatal(err)
						}
					}
					return client, server
				})
				b.ReportMetric(perEnd, "heap-B/end")
			}
		})
	}
}

// heapPerEnd opens n connections with open and returns the growth of the
// heap in use divided by the 2n ends, before closing them.
func heapPerEnd(b *testing.B, n int, open func() (*conn.Conn, *conn.Conn)) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	conns := make([]*conn.Conn, 0, 2*n)
	for range n {
		c, s := open()
		conns = append(conns, c, s)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	for _, c := range conns {
		c.CloseNow()
	}
	return float64(int64(after.HeapInuse)-int64(before.HeapInuse)) / float64(2*n)
}
