package deflate

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"testing"

	"github.com/rfc6455/ws/internal/deflate/deflatetest"
)

// maxExpansion bounds what DEFLATE data can inflate to: a match of 258
// bytes takes at least two bits (a one-bit length code and a one-bit
// distance code), so 1032 bytes per input byte.
const maxExpansion = 4 * maxMatch

// fuzzOutputCap bounds the output the fuzz targets compare, so that
// inputs that inflate a thousandfold stay quick to run.
const fuzzOutputCap = 1 << 20

// errCapped marks output cut at fuzzOutputCap.
var errCapped = errors.New("output capped")

// readAllBounded reads d to its end or first error, checking that no Read
// hands out more than asked or holds more than the window undelivered,
// and that the output stays below limit, the most the input can inflate
// to. It stops with errCapped after fuzzOutputCap bytes.
//
// If d reads from src, a flakySource, Read goes on past the errors src
// interrupts it with, each of which must reach the caller once, with no
// bytes.
func readAllBounded(t *testing.T, d *Decompressor, limit int, src *flakySource) ([]byte, error) {
	var out []byte
	buf := make([]byte, 3000)
	failures, stalls := 0, 0
	for {
		n, err := d.Read(buf)
		if n > len(buf) {
			t.Fatalf("Read returned %d bytes into %d", n, len(buf))
		}
		if src != nil && (err == errTransient || err == io.ErrNoProgress) {
			if n != 0 {
				t.Fatalf("Read returned %d bytes with %v", n, err)
			}
			if err == errTransient {
				failures++
			} else {
				stalls++
			}
			if failures > src.failures || stalls*maxEmptyReads > src.empty {
				t.Fatalf("%v returned %d times, more than the source gave it: it stuck", err, max(failures, stalls))
			}
			continue
		}
		if d.wpos-d.rpos > len(d.win) || d.wpos > len(d.win) {
			t.Fatalf("%d bytes undelivered in a %d-byte window", d.wpos-d.rpos, len(d.win))
		}
		out = append(out, buf[:n]...)
		if len(out) > limit {
			t.Fatalf("%d bytes out, beyond the most DEFLATE can inflate to (%d)", len(out), limit)
		}
		if err != nil {
			return out, err
		}
		if len(out) >= fuzzOutputCap {
			return out, errCapped
		}
	}
}

// FuzzDecompress feeds arbitrary messages to the Decompressor: it must not
// panic, must stay within its window, and must agree with compress/flate
// on what is valid and what it decodes to.
func FuzzDecompress(f *testing.F) {
	for _, msg := range [][]byte{
		{0x00},
		{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00},
		{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00},
	} {
		f.Add(byte(MaxWindowBits), msg)
	}
	for _, level := range []int{HuffmanOnly, BestSpeed, 6, BestCompression} {
		for _, m := range flateMessages(f, level, [][]byte{deflatetest.JSON(300, 1), deflatetest.Text(300, 1)}) {
			f.Add(byte(MaxWindowBits), m)
		}
	}
	f.Fuzz(func(t *testing.T, windowBits byte, msg []byte) {
		wb := MinWindowBits + int(windowBits)%(MaxWindowBits-MinWindowBits+1)
		d, _ := NewDecompressor(wb)
		d.Reset(bytes.NewReader(msg))
		got, err := readAllBounded(t, d, maxExpansion*(len(msg)+len(syncTail)), nil)
		if err == io.EOF {
			err = nil
		}
		if err != nil && err != errCapped && !errors.Is(err, ErrCorrupt) && err != io.ErrUnexpectedEOF {
			t.Fatalf("error %v is neither corrupt data nor a cut message", err)
		}

		fr := flate.NewReader(bytes.NewReader(append(bytes.Clone(msg), syncTail[:]...)))
		want, ferr := io.ReadAll(io.LimitReader(fr, fuzzOutputCap))
		if !bytes.HasPrefix(want, got) && !bytes.HasPrefix(got, want) {
			t.Fatalf("output differs from compress/flate's (%d and %d bytes; errors %v and %v)", len(got), len(want), err, ferr)
		}
		if len(want) == fuzzOutputCap {
			// Find compress/flate's verdict on the rest.
			_, ferr = io.Copy(io.Discard, fr)
		}
		var corrupt flate.CorruptInputError
		switch {
		case err == errCapped:
			// Too long to compare all of it; the prefix agreed.
		case err == nil:
			// A message ends with a sync flush, which compress/flate
			// reads as a stream cut short, or with a final block.
			if ferr != nil && ferr != io.ErrUnexpectedEOF || !bytes.Equal(got, want) {
				t.Fatalf("valid message: compress/flate read %d bytes of %d, %v", len(want), len(got), ferr)
			}
		case errors.Is(err, ErrDataAfterFinal):
			// compress/flate stops at a final block and leaves the rest.
			if ferr != nil || !bytes.Equal(got, want) {
				t.Fatalf("%v: compress/flate read %d bytes of %d, %v", err, len(want), len(got), ferr)
			}
		case errors.Is(err, ErrWindowExceeded):
			// compress/flate has a 32 KiB window.
		case errors.Is(err, ErrNoEndOfBlock):
			// compress/flate finds out later, when no end comes.
			if ferr == nil {
				t.Fatalf("%v: compress/flate read the message", err)
			}
		case err == io.ErrUnexpectedEOF:
			if ferr != io.ErrUnexpectedEOF && !errors.As(ferr, &corrupt) {
				t.Fatalf("%v: compress/flate: %v", err, ferr)
			}
		default:
			if !errors.As(ferr, &corrupt) {
				t.Fatalf("%v: compress/flate: %v", err, ferr)
			}
		}
	})
}

// FuzzDecompressInterrupted reads arbitrary messages through a source
// that fails, stalls and returns little where the fuzzer's schedule says
// (see flakySource): the reading must end as one without interruptions
// does, with the same bytes and the same error.
func FuzzDecompressInterrupted(f *testing.F) {
	f.Add(byte(MaxWindowBits), []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, []byte{0, 3, 0, 3, 4, 3, 1, 3})
	f.Add(byte(MaxWindowBits), []byte{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}, []byte{3, 0, 3, 3, 0, 3, 1, 3, 3, 3, 0, 2})
	for i, level := range []int{HuffmanOnly, BestSpeed, BestCompression} {
		msgs := [][]byte{deflatetest.JSON(300, uint64(i)), deflatetest.Text(300, uint64(i))}
		schedule := randomSchedule(200, uint64(i))
		for _, m := range flateMessages(f, level, msgs) {
			f.Add(byte(MaxWindowBits), m, schedule)
		}
	}
	f.Fuzz(func(t *testing.T, windowBits byte, msg, schedule []byte) {
		wb := MinWindowBits + int(windowBits)%(MaxWindowBits-MinWindowBits+1)
		d, _ := NewDecompressor(wb)
		want, wantErr, _ := decodeThrough(t, d, msg, nil)
		d, _ = NewDecompressor(wb)
		got, err, _ := decodeThrough(t, d, msg, schedule)
		if err != wantErr {
			t.Fatalf("error %v, want %v", err, wantErr)
		}
		// Output past the cap depends on where Reads stop.
		want, got = want[:min(len(want), fuzzOutputCap)], got[:min(len(got), fuzzOutputCap)]
		if !bytes.Equal(got, want) {
			t.Fatalf("%d bytes differ from the %d read without interruptions", len(got), len(want))
		}
	})
}

// FuzzRoundTrip compresses arbitrary data, cut into messages, at any level
// and window size, and reads it back with the Decompressor and with
// compress/flate.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("hello, hello, hello"), byte(15), byte(1), byte(0))
	f.Add(deflatetest.JSON(1500, 1), byte(8), byte(7), byte(0x13))
	f.Add(deflatetest.Text(1500, 1), byte(9), byte(3), byte(0x92))
	f.Add(deflatetest.Random(700, 1), byte(9), byte(0), byte(0x41))
	f.Fuzz(func(t *testing.T, data []byte, windowBits, level, shape byte) {
		wb := MinWindowBits + int(windowBits)%(MaxWindowBits-MinWindowBits+1)
		lvl := HuffmanOnly + int(level)%(BestCompression-HuffmanOnly+1)
		// shape: bits 0-1 the number of messages less one, bits 2-5
		// the size of the pieces written, bit 7 no context takeover.
		nmsg := 1 + int(shape&3)
		piece := 1 + int(shape>>2&15)*97
		takeover := shape&0x80 == 0

		var msgs [][]byte
		for i := range nmsg {
			msgs = append(msgs, data[i*len(data)/nmsg:(i+1)*len(data)/nmsg])
		}
		z, err := NewCompressor(wb, lvl)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := NewDecompressor(wb)
		wire := make([][]byte, nmsg)
		for i, m := range msgs {
			if !takeover {
				z.ResetHistory()
				d.ResetHistory()
			}
			var buf bytes.Buffer
			z.Reset(&buf)
			writeInPieces(t, z, m, piece)
			if err := z.Close(); err != nil {
				t.Fatal(err)
			}
			wire[i] = buf.Bytes()
			got, err := decompress(d, wire[i])
			if err != nil || !bytes.Equal(got, m) {
				t.Fatalf("message %d: Decompressor read %d bytes (%v) of %d", i, len(got), err, len(m))
			}
			if !takeover {
				got, err := io.ReadAll(flate.NewReader(bytes.NewReader(append(wire[i], syncTail[:]...))))
				if err != io.ErrUnexpectedEOF || !bytes.Equal(got, m) {
					t.Fatalf("message %d: compress/flate read %d bytes (%v) of %d", i, len(got), err, len(m))
				}
			}
		}
		if takeover {
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
	})
}
