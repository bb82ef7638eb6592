package deflate

import (
	"bytes"
	"io"
	"runtime"
	"testing"
)

// bombHeader is the start of a message whose every further zero byte
// inflates to 1032 bytes: a dynamic block whose literal/length code gives
// length 258 (symbol 285) the one-bit code 0 and whose distance code is a
// single one-bit code for distance 1, after one literal 'a'. From there
// on, each pair of zero bits is a match of 258 bytes, 1 back.
var bombHeader = bitstream(func(w *bitWriter) {
	// Literal/length lengths: 'a' 2, 256 2, 285 1; distance 0: 1.
	clens := [numCodeLen]uint8{0: 2, 1: 2, 2: 2, repeatZero11: 2}
	writeDynamic(w, false, 286, 1, clens, []clSym{
		{repeatZero11, 'a' - 11}, {2, 0},
		{repeatZero11, 127}, {repeatZero11, 256 - 'a' - 1 - 138 - 11},
		{2, 0},                                 // 256
		{repeatZero11, 285 - 257 - 11}, {1, 0}, // 257-284 unused, 285
		{1, 0}, // distance 0
	})
	w.writeCode(bombCodes['a'])
	// Pad with matches (zero bits) to a byte boundary.
	w.writeBits(0, -(w.nacc)&7)
})

// bombCodes is the literal/length code of bombHeader.
var bombCodes = func() (lit [numLitLen]hcode) {
	var lens [numLitLen]uint8
	lens['a'], lens[endOfBlock], lens[285] = 2, 2, 1
	assignCodes(lens[:], lit[:])
	return lit
}()

// bombReader yields bombHeader and then n zero bytes, counting what it
// handed out.
type bombReader struct {
	header []byte
	zeros  int64
	read   int64
}

func (b *bombReader) Read(p []byte) (int, error) {
	n := copy(p, b.header)
	b.header = b.header[n:]
	for ; n < len(p) && b.zeros > 0; n++ {
		p[n] = 0
		b.zeros--
	}
	b.read += int64(n)
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// TestBomb reads messages that inflate a thousandfold through a 1 MiB
// limit: reading stops at the limit, having read little of the input, and
// the heap does not grow.
func TestBomb(t *testing.T) {
	const limit = 1 << 20
	tests := []struct {
		name  string
		zeros int64
	}{
		{"4 KiB to 4 MiB", 4 << 10},
		{"1 MiB to 1 GiB", 1 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := NewDecompressor(MaxWindowBits)
			src := &bombReader{header: bombHeader, zeros: tc.zeros}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)

			d.Reset(src)
			n, err := io.Copy(io.Discard, io.LimitReader(d, limit+1))

			runtime.ReadMemStats(&after)
			if err != nil || n != limit+1 {
				t.Fatalf("read %d bytes, %v; want the limit passed", n, err)
			}
			// 1 MiB takes about 1 KiB of input; the input buffer
			// reads ahead a little.
			if src.read > limit/maxExpansion+2*inBufSize {
				t.Errorf("%d bytes of input read for %d bytes out", src.read, n)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
				t.Errorf("%d bytes allocated while reading", grew)
			}
		})
	}
}

// TestBombWhole reads the small bomb to its end: it is valid data, and
// inflates by the factor the construction promises.
func TestBombWhole(t *testing.T) {
	msg := append(bytes.Clone(bombHeader), make([]byte, 4<<10)...)
	msg = append(msg, bitstream(func(w *bitWriter) {
		w.writeCode(bombCodes[endOfBlock])
		syncFlush(w)
	})...)
	d, _ := NewDecompressor(MaxWindowBits)
	d.Reset(bytes.NewReader(msg))
	n, err := io.Copy(io.Discard, d)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(1 + 4<<10*maxExpansion); n < want {
		t.Errorf("%d bytes out, want at least %d", n, want)
	}
}
