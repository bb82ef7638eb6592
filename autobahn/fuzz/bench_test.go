package fuzz

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rfc6455/ws/frame"
)

// benchText is text that compresses like the suite's JSON corpus.
var benchText = []byte(strings.Repeat(`{"behavior": "OK", "behaviorClose": "OK", "duration": 12, "remoteCloseCode": 1000},`+"\n", 2000))

// BenchmarkDeflate measures the fuzzer's compressor on the message sizes
// of the compression cases, with the full window and with 512 octets.
func BenchmarkDeflate(b *testing.B) {
	for _, bits := range []int{15, 9} {
		for _, size := range []int{1024, 131072} {
			b.Run(fmt.Sprintf("window%d/%d", bits, size), func(b *testing.B) {
				d := newPermessageDeflate(false, DeflateParams{ClientMaxWindowBits: bits}, DefaultDeflateLevel)
				msg := benchText[:size]
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for range b.N {
					d.deflate(msg)
				}
			})
		}
	}
}

// BenchmarkInflate measures the fuzzer's decompressor.
func BenchmarkInflate(b *testing.B) {
	for _, size := range []int{1024, 131072} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			tx := newPermessageDeflate(false, DeflateParams{ClientNoContextTakeover: true}, DefaultDeflateLevel)
			rx := newPermessageDeflate(true, DeflateParams{ClientNoContextTakeover: true}, DefaultDeflateLevel)
			z := tx.deflate(benchText[:size])
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for range b.N {
				if _, err := rx.inflate(z, 1<<20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReceive measures the receiver on binary frames from a server,
// the path of the large echoes of group 9.
func BenchmarkReceive(b *testing.B) {
	for _, size := range []int{16, 65536} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			c, rec := openConn(&testing.T{}, false)
			payload := make([]byte, size)
			f := append(frame.AppendHeader(nil, frame.Header{Fin: true, Opcode: frame.OpBinary, Length: int64(size)}), payload...)
			b.SetBytes(int64(len(f)))
			b.ReportAllocs()
			for range b.N {
				c.dataReceived(f)
				rec.messages = rec.messages[:0]
			}
		})
	}
}
