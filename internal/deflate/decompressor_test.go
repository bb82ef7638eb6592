package deflate

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/internal/deflate/deflatetest"
)

// clSym is a symbol of the code length alphabet with its extra bits.
type clSym struct{ sym, extra uint16 }

// writeDynamic writes a dynamic block header (RFC 1951 §3.2.7) with all
// 19 code length code lengths, then syms in that code.
func writeDynamic(w *bitWriter, final bool, hlit, hdist int, clens [numCodeLen]uint8, syms []clSym) {
	w.writeBits(uint64(blockDynamic<<1|b2u(final)), 3)
	w.writeBits(uint64(hlit-257), 5)
	w.writeBits(uint64(hdist-1), 5)
	w.writeBits(numCodeLen-4, 4)
	for _, sym := range codeLenOrder {
		w.writeBits(uint64(clens[sym]), 3)
	}
	var codes [numCodeLen]hcode
	assignCodes(clens[:], codes[:])
	for _, s := range syms {
		w.writeCode(codes[s.sym])
		w.writeBits(uint64(s.extra), repeatExtraBits(s.sym))
	}
}

func b2u(b bool) int {
	if b {
		return 1
	}
	return 0
}

// writeFixed writes a fixed block header and the given literal/length
// symbols; a symbol from 257 on is followed by its extra bits and a
// distance symbol with its extra bits, taken from the next three values.
func writeFixedSymbols(w *bitWriter, final bool, syms ...int) {
	w.writeBits(uint64(blockFixed<<1|b2u(final)), 3)
	for i := 0; i < len(syms); i++ {
		w.writeCode(fixedLitLenCodes[syms[i]])
		if syms[i] > endOfBlock {
			w.writeBits(uint64(syms[i+1]), uint(lengthExtra[syms[i]-firstLength]))
			w.writeCode(fixedDistCodes[syms[i+2]])
			if syms[i+2] < numDist {
				w.writeBits(uint64(syms[i+3]), uint(distExtra[syms[i+2]]))
			}
			i += 3
		}
	}
}

// writeFixedMatch writes a length/distance pair with the fixed codes.
func writeFixedMatch(w *bitWriter, length, dist int) {
	ls := lengthSymbol[length-minMatch]
	w.writeCode(fixedLitLenCodes[firstLength+int(ls)])
	w.writeBits(uint64(length-int(lengthBase[ls])), uint(lengthExtra[ls]))
	ds := distSymbol(uint32(dist - 1))
	w.writeCode(fixedDistCodes[ds])
	w.writeBits(uint64(dist-int(distBase[ds])), uint(distExtra[ds]))
}

func writeFixedLiterals(w *bitWriter, s string) {
	for i := range len(s) {
		w.writeCode(fixedLitLenCodes[s[i]])
	}
}

// validMessages are valid in the ways RFC 1951 and RFC 7692 allow.
var validMessages = []struct {
	name string
	msg  []byte
	want string
}{
	{"empty message is one octet (RFC 7692 §7.2.3.6)", []byte{0x00}, ""},
	{"RFC 7692 §7.2.3.1 example", []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, "Hello"},
	{"RFC 7692 §7.2.3.3 stored block", []byte{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}, "Hello"},
	{"stored block then sync flush", bitstream(func(w *bitWriter) {
		writeStored(w, []byte("hello"))
		syncFlush(w)
	}), "hello"},
	{"fixed block then sync flush", bitstream(func(w *bitWriter) {
		w.writeBits(blockFixed<<1, 3)
		writeFixedLiterals(w, "hi")
		w.writeCode(fixedLitLenCodes[endOfBlock])
		syncFlush(w)
	}), "hi"},
	{"overlapping match repeats (§3.2.3)", bitstream(func(w *bitWriter) {
		w.writeBits(blockFixed<<1, 3)
		writeFixedLiterals(w, "ab")
		writeFixedMatch(w, 7, 2)
		w.writeCode(fixedLitLenCodes[endOfBlock])
		syncFlush(w)
	}), "ababababa"},
	{"several blocks (RFC 7692 §7.2.3.5)", bitstream(func(w *bitWriter) {
		w.writeBits(blockFixed<<1, 3)
		writeFixedLiterals(w, "one ")
		w.writeCode(fixedLitLenCodes[endOfBlock])
		writeStored(w, []byte("two "))
		w.writeBits(blockFixed<<1, 3)
		writeFixedMatch(w, 4, 8)
		w.writeCode(fixedLitLenCodes[endOfBlock])
		syncFlush(w)
	}), "one two one "},
	{"final block ends the message (RFC 7692 §7.2.3.4)", bitstream(func(w *bitWriter) {
		w.writeBits(blockFixed<<1|1, 3)
		writeFixedLiterals(w, "end")
		w.writeCode(fixedLitLenCodes[endOfBlock])
	}), "end"},
	{"final block completed by the appended octets", bitstream(func(w *bitWriter) {
		// The end-of-block code of the fixed code is seven zero
		// bits, which the appended 00 supplies.
		w.writeBits(blockFixed<<1|1, 3)
		writeFixedLiterals(w, "cut")
	}), "cut"},
	{"dynamic block with one distance code of one bit (§3.2.7)", bitstream(func(w *bitWriter) {
		lit := oneDistanceCodeMatch(w)
		w.writeBits(0, 1) // distance symbol 0: distance 1
		w.writeCode(lit[256])
		syncFlush(w)
	}), "aaaa"},
}

// oneDistanceCodeMatch writes a dynamic block header whose literal/length
// code holds 'a', 256 and 257 (length 3) with lengths 1, 2, 2, and whose
// distance code is symbol 0 alone, then 'a' and the length 3 of a match
// whose distance bit is left to the caller. It returns the literal/length
// codes.
func oneDistanceCodeMatch(w *bitWriter) [258]hcode {
	clens := [numCodeLen]uint8{0: 2, 1: 2, 2: 2, repeatZero11: 2}
	writeDynamic(w, false, 258, 1, clens, []clSym{
		{repeatZero11, 'a' - 11}, {1, 0},
		{repeatZero11, 127}, {repeatZero11, 256 - 'a' - 1 - 138 - 11},
		{2, 0}, {2, 0}, {1, 0},
	})
	var lit [258]hcode
	lens := make([]uint8, 258)
	lens['a'], lens[256], lens[257] = 1, 2, 2
	assignCodes(lens, lit[:])
	w.writeCode(lit['a'])
	w.writeCode(lit[257]) // length 3, no extra bits
	return lit
}

// TestDecompressValid reads messages that are valid in the ways RFC 1951
// and RFC 7692 allow.
func TestDecompressValid(t *testing.T) {
	for _, tc := range validMessages {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := NewDecompressor(MaxWindowBits)
			got, err := decompress(d, tc.msg)
			if err != nil {
				t.Fatalf("error %v after %q", err, got)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

// invalidMessages break one rule each of RFC 1951 and RFC 7692, or end
// too soon; want is the error for it.
var invalidMessages = []struct {
	name       string
	windowBits int
	msg        []byte
	want       error
}{
	{"reserved block type (§3.2.3)", 15, bitstream(func(w *bitWriter) {
		w.writeBits(3<<1, 3)
	}), ErrBlockType},
	{"stored length without its complement (§3.2.4)", 15, bitstream(func(w *bitWriter) {
		w.writeBits(0, 3)
		w.alignToByte()
		w.writeAligned([]byte{5, 0, 5, 0, 'h', 'e', 'l', 'l', 'o'})
	}), ErrStoredLength},
	{"stored block cut short", 15, bitstream(func(w *bitWriter) {
		w.writeBits(0, 3)
		w.alignToByte()
		w.writeAligned([]byte{10, 0, 0xf5, 0xff, 'a', 'b', 'c'})
	}), io.ErrUnexpectedEOF},
	{"287 literal/length codes (§3.2.7)", 15, bitstream(func(w *bitWriter) {
		writeDynamic(w, false, 287, 1, [numCodeLen]uint8{}, nil)
	}), ErrTooManyCodes},
	{"31 distance codes (§3.2.7)", 15, bitstream(func(w *bitWriter) {
		writeDynamic(w, false, 257, 31, [numCodeLen]uint8{}, nil)
	}), ErrTooManyCodes},
	{"over-subscribed code length code", 15, bitstream(func(w *bitWriter) {
		writeDynamic(w, false, 257, 1, [numCodeLen]uint8{0: 1, 1: 1, 2: 1}, nil)
	}), ErrOversubscribed},
	{"incomplete code length code", 15, bitstream(func(w *bitWriter) {
		writeDynamic(w, false, 257, 1, [numCodeLen]uint8{0: 2, 1: 2}, nil)
	}), ErrIncompleteCode},
	{"repeat of no previous length (§3.2.7)", 15, bitstream(func(w *bitWriter) {
		writeDynamic(w, false, 257, 1, [numCodeLen]uint8{0: 1, repeatPrevious: 1}, []clSym{{repeatPrevious, 0}})
	}), ErrRepeatFirst},
	{"repeat past the last length (§3.2.7)", 15, bitstream(func(w *bitWriter) {
		writeDynamic(w, false, 257, 1, [numCodeLen]uint8{0: 1, repeatZero11: 1}, []clSym{{repeatZero11, 127}, {repeatZero11, 127}})
	}), ErrRepeatOverflow},
	{"no end-of-block code (§3.2.5)", 15, bitstream(func(w *bitWriter) {
		writeDynamic(w, false, 257, 1, [numCodeLen]uint8{0: 2, 1: 1, repeatZero11: 2}, []clSym{
			{1, 0}, {1, 0}, {repeatZero11, 127}, {repeatZero11, 106}, {1, 0},
		})
	}), ErrNoEndOfBlock},
	{"over-subscribed literal/length code", 15, bitstream(func(w *bitWriter) {
		writeDynamic(w, false, 257, 1, [numCodeLen]uint8{0: 2, 1: 1, repeatZero11: 2}, []clSym{
			{1, 0}, {1, 0}, {repeatZero11, 127}, {repeatZero11, 105}, {1, 0}, {1, 0},
		})
	}), ErrOversubscribed},
	{"incomplete literal/length code", 15, bitstream(func(w *bitWriter) {
		writeDynamic(w, false, 257, 1, [numCodeLen]uint8{0: 2, 2: 1, repeatZero11: 2}, []clSym{
			{2, 0}, {repeatZero11, 127}, {repeatZero11, 106}, {2, 0}, {2, 0},
		})
	}), ErrIncompleteCode},
	{"unused code of a one-code distance code", 15, bitstream(func(w *bitWriter) {
		// As "dynamic block with one distance code" in
		// TestDecompressValid, but the distance bit is 1.
		oneDistanceCodeMatch(w)
		w.writeBits(1, 1)
	}), ErrInvalidCode},
	{"literal/length symbol 286 (§3.2.6)", 15, bitstream(func(w *bitWriter) {
		w.writeBits(blockFixed<<1, 3)
		writeFixedLiterals(w, "x")
		w.writeCode(fixedLitLenCodes[286])
	}), ErrInvalidSymbol},
	{"distance symbol 30 (§3.2.6)", 15, bitstream(func(w *bitWriter) {
		w.writeBits(blockFixed<<1, 3)
		writeFixedLiterals(w, "x")
		w.writeCode(fixedLitLenCodes[firstLength])
		w.writeCode(fixedDistCodes[30])
	}), ErrInvalidSymbol},
	{"distance before the start (§3.2.5)", 15, bitstream(func(w *bitWriter) {
		w.writeBits(blockFixed<<1, 3)
		writeFixedLiterals(w, "ab")
		writeFixedMatch(w, 3, 3)
	}), ErrDistanceTooFar},
	{"distance beyond a 256-byte window (RFC 7692 §7.1.2)", 8, bitstream(func(w *bitWriter) {
		w.writeBits(blockFixed<<1, 3)
		writeFixedLiterals(w, string(bytes.Repeat([]byte("0123456789"), 30)))
		writeFixedMatch(w, 3, 257)
	}), ErrWindowExceeded},
	{"data after the final block (RFC 7692 §7.2.2)", 15, bitstream(func(w *bitWriter) {
		w.writeBits(blockFixed<<1|1, 3)
		writeFixedLiterals(w, "end")
		w.writeCode(fixedLitLenCodes[endOfBlock])
		w.alignToByte()
		w.writeAligned([]byte{0x55})
	}), ErrDataAfterFinal},
	{"block cut short", 15, bitstream(func(w *bitWriter) {
		w.writeBits(blockFixed<<1, 3)
		writeFixedLiterals(w, "abc")
	}), io.ErrUnexpectedEOF},
	{"no octets at all", 15, nil, io.ErrUnexpectedEOF},
}

// TestDecompressInvalid feeds one message per rule of RFC 1951 and RFC
// 7692 that data can break, and wants the error for that rule.
func TestDecompressInvalid(t *testing.T) {
	for _, tc := range invalidMessages {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := NewDecompressor(tc.windowBits)
			_, err := decompress(d, tc.msg)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			var ce *CorruptError
			if errors.As(tc.want, &ce) && !errors.Is(err, ErrCorrupt) {
				t.Errorf("errors.Is(%v, ErrCorrupt) = false", err)
			}
			// The error sticks.
			if _, again := d.Read(make([]byte, 1)); again != err {
				t.Errorf("second Read: %v, want %v", again, err)
			}
		})
	}
}

// TestDecompressFlate reads what compress/flate writes at every level, in
// messages with context takeover, through readers that return little at
// a time.
func TestDecompressFlate(t *testing.T) {
	inputs := map[string][][]byte{
		"json":   {deflatetest.JSON(1000, 1), deflatetest.JSON(3000, 2), deflatetest.JSON(200, 3), nil, deflatetest.JSON(70000, 4)},
		"text":   {deflatetest.Text(100000, 1), deflatetest.Text(10, 2), deflatetest.Text(40000, 3)},
		"random": {deflatetest.Random(70000, 1), deflatetest.Random(100, 2)},
		"runs":   {bytes.Repeat([]byte{'a'}, 100000), bytes.Repeat([]byte("ab"), 1000), make([]byte, 5000)},
		"mixed":  {append(deflatetest.Random(5000, 9), deflatetest.Text(5000, 9)...), deflatetest.Random(1, 9)},
	}
	readers := map[string]func(io.Reader) io.Reader{
		"plain":    func(r io.Reader) io.Reader { return r },
		"one-byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data+err": iotest.DataErrReader,
	}
	for name, msgs := range inputs {
		for level := HuffmanOnly; level <= BestCompression; level++ {
			wire := flateMessages(t, level, msgs)
			for rname, wrap := range readers {
				if rname != "plain" && (level%3 != 0 || name == "text") {
					continue // the slow readers on a sample
				}
				d, _ := NewDecompressor(MaxWindowBits)
				for i, c := range wire {
					d.Reset(wrap(bytes.NewReader(c)))
					got, err := io.ReadAll(d)
					if err != nil {
						t.Fatalf("%s level %d %s message %d: %v", name, level, rname, i, err)
					}
					if !bytes.Equal(got, msgs[i]) {
						t.Fatalf("%s level %d %s message %d: %d bytes differ from the %d sent", name, level, rname, i, len(got), len(msgs[i]))
					}
				}
			}
		}
	}
}

// TestDecompressSmallReads reads a message a few bytes at a time: Read
// must hand out what it decoded before it decodes more.
func TestDecompressSmallReads(t *testing.T) {
	msg := deflatetest.Text(50000, 5)
	wire := flateMessages(t, 6, [][]byte{msg})[0]
	for _, size := range []int{1, 3, 100, 4096} {
		d, _ := NewDecompressor(10)
		d.Reset(bytes.NewReader(wire))
		var got []byte
		buf := make([]byte, size)
		for range 2 * len(msg) {
			n, err := d.Read(buf)
			if n > size {
				t.Fatalf("Read returned %d > %d", n, size)
			}
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			// At window bits 10 flate's distances reach too far; the
			// error comes after the bytes before it.
			if errors.Is(err, ErrWindowExceeded) {
				if !bytes.HasPrefix(msg, got) {
					t.Fatalf("%d bytes before the error differ", len(got))
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestDecompressFinalBlockKeepsWindow: after a message that ends its
// DEFLATE stream with a final block, the next message starts a new
// stream, and with context takeover still refers to the old one's bytes.
func TestDecompressFinalBlockKeepsWindow(t *testing.T) {
	first := bitstream(func(w *bitWriter) {
		w.writeBits(blockFixed<<1|1, 3)
		writeFixedLiterals(w, "hello ")
		w.writeCode(fixedLitLenCodes[endOfBlock])
	})
	second := bitstream(func(w *bitWriter) {
		w.writeBits(blockFixed<<1, 3)
		writeFixedMatch(w, 6, 6)
		w.writeCode(fixedLitLenCodes[endOfBlock])
		syncFlush(w)
	})
	d, _ := NewDecompressor(MaxWindowBits)
	for i, tc := range []struct {
		msg  []byte
		want string
	}{{first, "hello "}, {second, "hello "}, {second, "hello "}} {
		got, err := decompress(d, tc.msg)
		if err != nil || string(got) != tc.want {
			t.Fatalf("message %d: %q, %v; want %q", i, got, err, tc.want)
		}
	}
	// Without context takeover the reference has nothing to reach.
	d.ResetHistory()
	if _, err := decompress(d, second); !errors.Is(err, ErrDistanceTooFar) {
		t.Fatalf("after ResetHistory: %v, want ErrDistanceTooFar", err)
	}
}

// TestDecompressResetMidMessage: a message not read to its end leaves the
// window without bytes the peer's window has; the next message's
// references to them fail instead of decoding to other bytes.
func TestDecompressResetMidMessage(t *testing.T) {
	msgs := [][]byte{deflatetest.Text(20000, 7), deflatetest.Text(20000, 7)}
	wire := flateMessages(t, 6, msgs)
	d, _ := NewDecompressor(MaxWindowBits)
	d.Reset(bytes.NewReader(wire[0]))
	if _, err := io.ReadFull(d, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	if _, err := decompress(d, wire[1]); !errors.Is(err, ErrDistanceTooFar) {
		t.Fatalf("second message: %v, want ErrDistanceTooFar", err)
	}
}

// TestDecompressSourceErrors: errors of the source reach the caller as
// they are, and a source that returns nothing forever is given up on.
func TestDecompressSourceErrors(t *testing.T) {
	d, _ := NewDecompressor(MaxWindowBits)
	if _, err := d.Read(make([]byte, 1)); err != ErrNoSource {
		t.Fatalf("Read before Reset: %v, want ErrNoSource", err)
	}
	boom := errors.New("boom")
	d.Reset(iotest.ErrReader(boom))
	if _, err := d.Read(make([]byte, 1)); err != boom {
		t.Fatalf("Read: %v, want %v", err, boom)
	}
	d.Reset(emptyReader{})
	if _, err := d.Read(make([]byte, 1)); err != io.ErrNoProgress {
		t.Fatalf("Read: %v, want io.ErrNoProgress", err)
	}
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

// TestDecompressNoAllocs: reading messages allocates nothing.
func TestDecompressNoAllocs(t *testing.T) {
	msgs := [][]byte{deflatetest.JSON(2000, 1), deflatetest.JSON(2000, 2)}
	wire := flateMessages(t, 6, msgs)
	d, _ := NewDecompressor(MaxWindowBits)
	var src bytes.Reader
	buf := make([]byte, 4096)
	i := 0
	allocs := testing.AllocsPerRun(100, func() {
		if i%2 == 0 {
			d.ResetHistory()
		}
		src.Reset(wire[i%2])
		d.Reset(&src)
		for {
			if _, err := d.Read(buf); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
		}
		i++
	})
	if allocs != 0 {
		t.Errorf("%v allocations per message", allocs)
	}
}
