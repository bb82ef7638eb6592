package bench

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rfc6455/ws/frame"
)

// benchHeaders are the three length encodings of RFC 6455 §5.2, masked as a
// client sends them.
var benchHeaders = []struct {
	name string
	h    frame.Header
}{
	{"len=7bit", frame.Header{Fin: true, Opcode: frame.OpText, Masked: true, Mask: frame.MaskKey{1, 2, 3, 4}, Length: 125}},
	{"len=16bit", frame.Header{Fin: true, Opcode: frame.OpBinary, Masked: true, Mask: frame.MaskKey{1, 2, 3, 4}, Length: 65535}},
	{"len=64bit", frame.Header{Fin: true, Opcode: frame.OpBinary, Masked: true, Mask: frame.MaskKey{1, 2, 3, 4}, Length: 1 << 40}},
}

func BenchmarkAppendHeader(b *testing.B) {
	for _, tc := range benchHeaders {
		b.Run(tc.name, func(b *testing.B) {
			buf := make([]byte, 0, frame.MaxHeaderSize)
			b.SetBytes(int64(tc.h.Size()))
			b.ReportAllocs()
			for range b.N {
				buf = frame.AppendHeader(buf[:0], tc.h)
			}
		})
	}
}

func BenchmarkParseHeader(b *testing.B) {
	for _, tc := range benchHeaders {
		b.Run(tc.name, func(b *testing.B) {
			wire := frame.AppendHeader(nil, tc.h)
			b.SetBytes(int64(len(wire)))
			b.ReportAllocs()
			for range b.N {
				if _, _, err := frame.ParseHeader(wire); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// headerReader is how a connection holds its reader and scratch: in one
// struct on the heap, so that ReadHeader's scratch never needs to move.
type headerReader struct {
	src     bytes.Reader
	br      *bufio.Reader
	scratch [frame.MaxHeaderSize]byte
}

func BenchmarkReadHeader(b *testing.B) {
	for _, tc := range benchHeaders {
		b.Run(tc.name, func(b *testing.B) {
			wire := frame.AppendHeader(nil, tc.h)
			r := &headerReader{}
			r.br = bufio.NewReader(&r.src)
			b.SetBytes(int64(len(wire)))
			b.ReportAllocs()
			for range b.N {
				r.src.Reset(wire)
				r.br.Reset(&r.src)
				if _, err := frame.ReadHeader(r.br, &r.scratch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// maskSizes span a small control frame to a large message.
var maskSizes = []struct {
	name string
	n    int
}{
	{"16B", 16},
	{"1KiB", 1 << 10},
	{"16KiB", 16 << 10},
	{"64KiB", 64 << 10},
	{"1MiB", 1 << 20},
}

// BenchmarkMask measures Mask beside a copy of the same size, the memory
// bandwidth that masking in place should approach.
func BenchmarkMask(b *testing.B) {
	key := frame.MaskKey{0x12, 0x34, 0x56, 0x78}
	for _, sz := range maskSizes {
		buf := make([]byte, sz.n)
		dst := make([]byte, sz.n)
		b.Run("impl=mask/size="+sz.name, func(b *testing.B) {
			b.SetBytes(int64(sz.n))
			b.ReportAllocs()
			for range b.N {
				frame.Mask(key, 1, buf)
			}
		})
		b.Run("impl=copy/size="+sz.name, func(b *testing.B) {
			b.SetBytes(int64(sz.n))
			b.ReportAllocs()
			for range b.N {
				copy(dst, buf)
			}
		})
	}
}

// utf8Texts are a message of English and one of mixed scripts (Latin,
// Greek, CJK, emoji), each about 16 KiB.
var utf8Texts = []struct {
	name string
	text []byte
}{
	{"ascii", []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 16<<10/45))},
	{"mixed", []byte(strings.Repeat("Grüße, κόσμε! 你好，世界。🙂 ", 16<<10/48))},
}

func BenchmarkUTF8(b *testing.B) {
	for _, tc := range utf8Texts {
		b.Run("impl=validator/text="+tc.name, func(b *testing.B) {
			var v frame.UTF8Validator
			b.SetBytes(int64(len(tc.text)))
			b.ReportAllocs()
			for range b.N {
				v.Reset()
				if !v.Feed(tc.text) || !v.Complete() {
					b.Fatal("valid text rejected")
				}
			}
		})
		b.Run("impl=utf8.Valid/text="+tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			b.ReportAllocs()
			for range b.N {
				if !utf8.Valid(tc.text) {
					b.Fatal("valid text rejected")
				}
			}
		})
	}
}
