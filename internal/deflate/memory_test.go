package deflate

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/rfc6455/ws/internal/deflate/deflatetest"
)

// heapPerObject returns the heap bytes each of n objects made by mk holds.
func heapPerObject(n int, mk func() any) int {
	keep := make([]any, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = mk()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return int(after.HeapAlloc-before.HeapAlloc) / n
}

// TestMemoryPerObject holds the memory of a Compressor and a
// Decompressor, after a message, to the sizes the documentation states.
// The benchmarks in package bench report the same beside compress/flate.
func TestMemoryPerObject(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	msg := deflatetest.JSON(1024, 1)
	wire := flateMessages(t, 6, [][]byte{msg})[0]
	tests := []struct {
		name string
		most int
		mk   func() any
	}{}
	for _, tc := range []struct{ bits, level, most int }{
		{15, BestSpeed, 88 << 10},
		{15, 6, 152 << 10},
		{15, NoCompression, 56 << 10},
		{15, HuffmanOnly, 72 << 10},
		{8, BestSpeed, 14 << 10},
		{8, 6, 15 << 10},
	} {
		tests = append(tests, struct {
			name string
			most int
			mk   func() any
		}{fmt.Sprintf("Compressor bits=%d level=%d", tc.bits, tc.level), tc.most, func() any {
			z, _ := NewCompressor(tc.bits, tc.level)
			compressMessages(t, z, [][]byte{msg})
			return z
		}})
	}
	for _, tc := range []struct{ bits, most int }{{15, 42 << 10}, {8, 9 << 10}} {
		tests = append(tests, struct {
			name string
			most int
			mk   func() any
		}{fmt.Sprintf("Decompressor bits=%d", tc.bits), tc.most, func() any {
			d, _ := NewDecompressor(tc.bits)
			d.Reset(bytes.NewReader(wire))
			io.Copy(io.Discard, d)
			return d
		}})
	}
	for _, tc := range tests {
		per := heapPerObject(200, tc.mk)
		t.Logf("%s: %d bytes", tc.name, per)
		if per > tc.most {
			t.Errorf("%s: %d bytes, more than %d", tc.name, per, tc.most)
		}
	}
}
