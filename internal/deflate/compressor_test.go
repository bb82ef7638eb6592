package deflate

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/rfc6455/ws/internal/deflate/deflatetest"
)

var allLevels = []int{HuffmanOnly, DefaultCompression, NoCompression, 1, 2, 3, 4, 5, 6, 7, 8, 9}

// roundTripInputs are sequences of messages; each exercises something
// else: matches within and across messages, no matches, long runs.
var roundTripInputs = map[string][][]byte{
	"json":   {deflatetest.JSON(1000, 1), deflatetest.JSON(1000, 2), nil, deflatetest.JSON(20000, 3), deflatetest.JSON(10, 4)},
	"text":   {deflatetest.Text(70000, 1), deflatetest.Text(300, 2), deflatetest.Text(300, 2)},
	"random": {deflatetest.Random(20000, 1), {0}, deflatetest.Random(5, 2)},
	"runs":   {bytes.Repeat([]byte{'x'}, 70000), bytes.Repeat([]byte("abc"), 300), make([]byte, 3)},
	"mixed":  {append(append(deflatetest.Random(3000, 3), deflatetest.Text(9000, 3)...), deflatetest.Random(3000, 4)...)},
}

// writeInPieces writes msg to z in pieces of the given size.
func writeInPieces(t testing.TB, z *Compressor, msg []byte, piece int) {
	t.Helper()
	for len(msg) > 0 {
		k := min(piece, len(msg))
		if n, err := z.Write(msg[:k]); n != k || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
		msg = msg[k:]
	}
}

// TestCompressRoundTrip compresses message sequences with context
// takeover at every level and window size, written whole and in pieces,
// and reads them back with this package's Decompressor at the same window
// size, which rejects any distance beyond the window, and with
// compress/flate's reader.
func TestCompressRoundTrip(t *testing.T) {
	for name, msgs := range roundTripInputs {
		for _, level := range allLevels {
			for _, wb := range []int{8, 9, 12, 15} {
				for _, piece := range []int{1 << 30, 1000, 7} {
					if piece == 7 && (wb != 9 || name == "text") {
						continue // tiny writes on a sample
					}
					t.Run(fmt.Sprintf("%s/level=%d/bits=%d/piece=%d", name, level, wb, piece), func(t *testing.T) {
						z, err := NewCompressor(wb, level)
						if err != nil {
							t.Fatal(err)
						}
						wire := make([][]byte, len(msgs))
						for i, m := range msgs {
							var buf bytes.Buffer
							z.Reset(&buf)
							writeInPieces(t, z, m, piece)
							if err := z.Close(); err != nil {
								t.Fatal(err)
							}
							wire[i] = buf.Bytes()
						}
						checkMessages(t, wb, msgs, wire)
					})
				}
			}
		}
	}
}

// checkMessages decompresses wire with this package and compress/flate
// and wants msgs back.
func checkMessages(t *testing.T, windowBits int, msgs, wire [][]byte) {
	t.Helper()
	d, _ := NewDecompressor(windowBits)
	for i, c := range wire {
		if bytes.HasSuffix(c, syncTail[:]) {
			t.Errorf("message %d ends in 00 00 ff ff", i)
		}
		got, err := decompress(d, c)
		if err != nil || !bytes.Equal(got, msgs[i]) {
			t.Fatalf("message %d: Decompressor read %d bytes (%v) of the %d sent", i, len(got), err, len(msgs[i]))
		}
	}
	got, err := flateInflate(wire, sizes(msgs))
	if err != nil {
		t.Fatalf("compress/flate: %v", err)
	}
	for i := range msgs {
		if !bytes.Equal(got[i], msgs[i]) {
			t.Fatalf("message %d: compress/flate read other bytes", i)
		}
	}
}

// TestCompressNoContextTakeover: after ResetHistory each message stands
// alone: a fresh reader decodes it.
func TestCompressNoContextTakeover(t *testing.T) {
	msgs := [][]byte{deflatetest.JSON(3000, 1), deflatetest.JSON(3000, 1), deflatetest.Text(50000, 2), deflatetest.Text(50000, 2)}
	for _, level := range []int{BestSpeed, 6, BestCompression} {
		z, _ := NewCompressor(MaxWindowBits, level)
		for i, m := range msgs {
			z.ResetHistory()
			c := compressMessages(t, z, [][]byte{m})
			got, err := io.ReadAll(flate.NewReader(bytes.NewReader(append(c[0], syncTail[:]...))))
			if err != io.ErrUnexpectedEOF || !bytes.Equal(got, m) {
				t.Fatalf("level %d message %d: %d bytes, %v", level, i, len(got), err)
			}
		}
	}
}

// TestCompressEmptyMessage: an empty message is the single octet 0x00
// (RFC 7692 §7.2.3.6).
func TestCompressEmptyMessage(t *testing.T) {
	for _, level := range allLevels {
		z, _ := NewCompressor(MaxWindowBits, level)
		for i := range 2 {
			c := compressMessages(t, z, [][]byte{nil})
			if !bytes.Equal(c[0], []byte{0}) {
				t.Errorf("level %d message %d: % x, want 00", level, i, c[0])
			}
		}
	}
}

// TestCompressRatio guards the block choice: text must shrink, and data
// that does not compress must not grow beyond the stored blocks' headers.
func TestCompressRatio(t *testing.T) {
	text := deflatetest.Text(100000, 1)
	random := deflatetest.Random(100000, 1)
	for _, level := range allLevels {
		z, _ := NewCompressor(MaxWindowBits, level)
		c := compressMessages(t, z, [][]byte{text, random})
		// Huffman coding alone gets English-like text to about 4.2 bits
		// a byte; LZ77 does much better.
		textLimit := map[int]int{NoCompression: len(text) + len(text)/400 + 8, HuffmanOnly: len(text) * 6 / 10}[level]
		if textLimit == 0 {
			textLimit = len(text) * 4 / 10
		}
		if len(c[0]) > textLimit {
			t.Errorf("level %d: text compressed to %d of %d bytes, more than %d", level, len(c[0]), len(text), textLimit)
		}
		// Stored blocks cost 5 bytes each; blocks hold at least 4096
		// bytes of such data.
		if limit := len(random) + len(random)/400 + 8; len(c[1]) > limit {
			t.Errorf("level %d: random compressed to %d of %d bytes, more than %d", level, len(c[1]), len(random), limit)
		}
	}
}

// sinkRecorder records the size of each write.
type sinkRecorder struct {
	writes []int
	buf    bytes.Buffer
}

func (s *sinkRecorder) Write(p []byte) (int, error) {
	s.writes = append(s.writes, len(p))
	return s.buf.Write(p)
}

// TestCompressStreams: compressed bytes of a long message reach the sink
// while it is written, in writes of bounded size, not all at Close.
func TestCompressStreams(t *testing.T) {
	msg := append(deflatetest.Text(1<<20, 1), deflatetest.Random(1<<20, 1)...)
	for _, level := range []int{NoCompression, BestSpeed, 6} {
		z, _ := NewCompressor(MaxWindowBits, level)
		var sink sinkRecorder
		z.Reset(&sink)
		writeInPieces(t, z, msg, 4096)
		before := sink.buf.Len()
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		if after := sink.buf.Len(); after-before > 64<<10 {
			t.Errorf("level %d: %d of %d bytes came at Close", level, after-before, after)
		}
		for _, n := range sink.writes {
			if n > len(z.win) {
				t.Fatalf("level %d: a write of %d bytes, more than the %d-byte input buffer", level, n, len(z.win))
			}
		}
	}
}

// failingWriter fails after n bytes.
type failingWriter struct{ n int }

var errSink = errors.New("sink failed")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errSink
	}
	w.n -= len(p)
	return len(p), nil
}

// TestCompressSinkError: the sink's first error sticks until Reset, and a
// message after a failed one does not refer to the failed one's bytes,
// which the peer may not have.
func TestCompressSinkError(t *testing.T) {
	text := deflatetest.Text(200000, 1)
	z, _ := NewCompressor(MaxWindowBits, BestSpeed)
	z.Reset(&failingWriter{n: 100})
	_, werr := z.Write(text)
	cerr := z.Close()
	if werr != errSink && cerr != errSink {
		t.Fatalf("Write: %v, Close: %v; want %v", werr, cerr, errSink)
	}
	if _, err := z.Write([]byte("more")); err != errSink {
		t.Errorf("Write after the error: %v, want %v", err, errSink)
	}
	c := compressMessages(t, z, [][]byte{text[:5000]})
	checkMessages(t, MaxWindowBits, [][]byte{text[:5000]}, c)
}

// TestCompressResetUnfinished: Reset in the middle of a message drops it
// and the window; the next message stands alone.
func TestCompressResetUnfinished(t *testing.T) {
	text := deflatetest.Text(30000, 1)
	for _, level := range []int{HuffmanOnly, BestSpeed, 6} {
		z, _ := NewCompressor(MaxWindowBits, level)
		compressMessages(t, z, [][]byte{text})
		z.Reset(io.Discard)
		z.Write(text[:10000])
		c := compressMessages(t, z, [][]byte{text})
		checkMessages(t, MaxWindowBits, [][]byte{text}, c)
	}
}

func TestCompressArguments(t *testing.T) {
	for _, tc := range []struct{ bits, level int }{{7, 1}, {16, 1}, {15, -3}, {15, 10}} {
		if _, err := NewCompressor(tc.bits, tc.level); err == nil {
			t.Errorf("NewCompressor(%d, %d) made a Compressor", tc.bits, tc.level)
		}
	}
	for _, bits := range []int{0, 7, 16} {
		if _, err := NewDecompressor(bits); err == nil {
			t.Errorf("NewDecompressor(%d) made a Decompressor", bits)
		}
	}
	z, _ := NewCompressor(MaxWindowBits, BestSpeed)
	if _, err := z.Write([]byte("x")); err != ErrNoSink {
		t.Errorf("Write before Reset: %v, want ErrNoSink", err)
	}
	if err := z.Close(); err != ErrNoSink {
		t.Errorf("Close before Reset: %v, want ErrNoSink", err)
	}
	var buf bytes.Buffer
	z.Reset(&buf)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := z.Write([]byte("x")); err != ErrNoSink {
		t.Errorf("Write after Close: %v, want ErrNoSink", err)
	}
	if err := z.Close(); err != ErrNoSink {
		t.Errorf("Close after Close: %v, want ErrNoSink", err)
	}
	if buf.Len() != 1 {
		t.Errorf("the sink got % x, want only the empty message 00", buf.Bytes())
	}
}

// TestCompressNoAllocs: compressing messages allocates nothing.
func TestCompressNoAllocs(t *testing.T) {
	msgs := [][]byte{deflatetest.JSON(2000, 1), deflatetest.Text(50000, 2)}
	for _, level := range []int{HuffmanOnly, NoCompression, BestSpeed, 6} {
		z, _ := NewCompressor(MaxWindowBits, level)
		i := 0
		allocs := testing.AllocsPerRun(50, func() {
			z.Reset(io.Discard)
			z.Write(msgs[i%2])
			if err := z.Close(); err != nil {
				t.Fatal(err)
			}
			i++
		})
		if allocs != 0 {
			t.Errorf("level %d: %v allocations per message", level, allocs)
		}
	}
}

// TestPools: objects from the pools start with an empty window.
func TestPools(t *testing.T) {
	text := deflatetest.Text(10000, 1)
	for range 3 {
		z, err := GetCompressor(10, DefaultCompression)
		if err != nil {
			t.Fatal(err)
		}
		c := compressMessages(t, z, [][]byte{text})
		PutCompressor(z)
		d, err := GetDecompressor(10)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decompress(d, c[0])
		if err != nil || !bytes.Equal(got, text) {
			t.Fatalf("%d bytes, %v", len(got), err)
		}
		PutDecompressor(d)
	}
	if _, err := GetCompressor(16, 1); err == nil {
		t.Error("GetCompressor(16, 1) gave a Compressor")
	}
	if _, err := GetDecompressor(7); err == nil {
		t.Error("GetDecompressor(7) gave a Decompressor")
	}
}

// TestCompressManyMessages sends a hundred and fifty messages of all sizes with
// context takeover, so that the window slides many times between and
// inside messages, and ResetHistory now and then.
func TestCompressManyMessages(t *testing.T) {
	var msgs [][]byte
	for i := range 150 {
		size := []int{0, 1, 17, 300, 1024, 5000, 20000}[i%7]
		if i%5 == 0 {
			msgs = append(msgs, deflatetest.Text(size, uint64(i)))
		} else {
			msgs = append(msgs, deflatetest.JSON(size, uint64(i%40)))
		}
	}
	for _, level := range []int{HuffmanOnly, NoCompression, BestSpeed, 4, 9} {
		for _, wb := range []int{8, 15} {
			z, _ := NewCompressor(wb, level)
			checkMessages(t, wb, msgs, compressMessages(t, z, msgs))

			// With ResetHistory every third message, the messages
			// after a reset stand alone: a fresh Decompressor, reset
			// alike, reads them all.
			z, _ = NewCompressor(wb, level)
			d, _ := NewDecompressor(wb)
			for i, m := range msgs {
				if i%3 == 0 {
					z.ResetHistory()
					d.ResetHistory()
				}
				c := compressMessages(t, z, [][]byte{m})
				got, err := decompress(d, c[0])
				if err != nil || !bytes.Equal(got, m) {
					t.Fatalf("level %d bits %d message %d: %d bytes, %v", level, wb, i, len(got), err)
				}
			}
		}
	}
}
