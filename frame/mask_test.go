package frame

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// maskDefinition is masking as RFC 6455 §5.3 defines it: octet i of the
// payload is XORed with octet i mod 4 of the key, one octet at a time.
func maskDefinition(key MaskKey, pos int, b []byte) int {
	for i := range b {
		b[i] ^= key[(pos+i)&3]
	}
	return (pos + len(b)) & 3
}

type maskImpl struct {
	name string
	mask func(MaskKey, int, []byte) int
}

// maskImpls are the implementations every masking test checks: Mask as
// built for this machine and the portable code, plus any
// architecture-specific variants that a file for the architecture adds.
var maskImpls = []maskImpl{
	{"Mask", Mask},
	{"generic", maskGeneric},
}

func TestMaskRFCExample(t *testing.T) {
	// §5.7: "Hello" from a client, masked with 37 fa 21 3d.
	key := MaskKey{0x37, 0xfa, 0x21, 0x3d}
	want := []byte{0x7f, 0x9f, 0x4d, 0x51, 0x58}
	for _, impl := range maskImpls {
		b := []byte("Hello")
		if next := impl.mask(key, 0, b); next != 1 {
			t.Errorf("%s: returned offset %d, want 1", impl.name, next)
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%s: masked Hello = % x, want % x", impl.name, b, want)
		}
	}
}

// TestMaskDifferential compares every implementation with the definition
// over random lengths, key offsets and buffer alignments, and checks that
// no octet outside b is touched.
func TestMaskDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := []int{1<<16 + 13, 1<<20 + 5, 1 << 20}
	for n := range 300 {
		lengths = append(lengths, n) // every short length
	}
	for range 300 {
		lengths = append(lengths, rng.IntN(3000))
	}
	const guard = 40
	for _, impl := range maskImpls {
		for _, n := range lengths {
			key := MaskKey{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}
			pos := rng.IntN(4)
			off := rng.IntN(32)
			buf := make([]byte, guard+n+guard)
			for i := range buf {
				buf[i] = byte(rng.Uint32())
			}
			want := bytes.Clone(buf)
			wantNext := maskDefinition(key, pos, want[guard+off:guard+off+n])
			gotNext := impl.mask(key, pos, buf[guard+off:guard+off+n])
			if gotNext != wantNext {
				t.Fatalf("%s(key % x, pos %d, len %d) returned %d, want %d", impl.name, key, pos, n, gotNext, wantNext)
			}
			if !bytes.Equal(buf, want) {
				i := 0
				for buf[i] == want[i] {
					i++
				}
				t.Fatalf("%s(key % x, pos %d, len %d, offset %d): first difference at octet %d of the buffer (b starts at %d)",
					impl.name, key, pos, n, off, i, guard+off)
			}
		}
	}
}

// TestMaskAlignments tries every alignment of the payload in memory with
// every short length around the point where Mask switches to vector code,
// and every key offset: the cases where the vector code's unaligned head
// and tail overlap its aligned body in every way, and (at the one offset
// in 32 that is aligned) where the body starts at b[0], with up to two
// rounds of its widest loop.
func TestMaskAlignments(t *testing.T) {
	const maxLen = 300
	key := MaskKey{0x01, 0x23, 0x45, 0x67}
	buf := make([]byte, 32+maxLen+32)
	want := make([]byte, len(buf))
	for _, impl := range maskImpls {
		for off := range 32 {
			for n := maskVectorMin - 4; n <= maxLen; n++ {
				for pos := range 4 {
					for i := range buf {
						buf[i] = byte(i * 7)
					}
					copy(want, buf)
					maskDefinition(key, pos, want[off:off+n])
					impl.mask(key, pos, buf[off:off+n])
					if !bytes.Equal(buf, want) {
						t.Fatalf("%s(pos %d) of %d octets at offset %d differs from the definition", impl.name, pos, n, off)
					}
				}
			}
		}
	}
}

// TestMaskPieces masks a payload in random pieces, carrying the offset
// from one call to the next, and compares it with masking it whole.
func TestMaskPieces(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, impl := range maskImpls {
		for range 200 {
			n := rng.IntN(5000)
			key := MaskKey{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}
			payload := make([]byte, n)
			for i := range payload {
				payload[i] = byte(rng.Uint32())
			}
			whole := bytes.Clone(payload)
			maskDefinition(key, 0, whole)

			pos := 0
			for rest := payload; len(rest) > 0; {
				// Mostly short pieces, to cross every phase and tail, some long.
				m := rng.IntN(min(len(rest), 70) + 1)
				if rng.IntN(8) == 0 {
					m = rng.IntN(len(rest) + 1)
				}
				pos = impl.mask(key, pos, rest[:m])
				rest = rest[m:]
			}
			if pos != n&3 {
				t.Fatalf("%s: after %d octets in pieces the offset is %d, want %d", impl.name, n, pos, n&3)
			}
			if !bytes.Equal(payload, whole) {
				t.Fatalf("%s: %d octets masked in pieces differ from masking them whole", impl.name, n)
			}
		}
	}
}

// TestMaskInvolution: masking twice with the same key restores the
// payload, which is how a receiver unmasks (§5.3).
func TestMaskInvolution(t *testing.T) {
	payload := []byte("The quick brown fox jumps over the lazy dog, twice over: the quick brown fox jumps over the lazy dog.")
	b := bytes.Clone(payload)
	Mask(testKey, 2, b)
	if bytes.Equal(b, payload) {
		t.Fatal("Mask left the payload unchanged")
	}
	Mask(testKey, 2, b)
	if !bytes.Equal(b, payload) {
		t.Fatalf("masking twice gave %q", b)
	}
}

func TestMaskNoAllocs(t *testing.T) {
	b := make([]byte, 4096)
	if n := testing.AllocsPerRun(100, func() { Mask(testKey, 1, b[3:]) }); n != 0 {
		t.Errorf("Mask: %v allocations, want 0", n)
	}
}

func FuzzMask(f *testing.F) {
	f.Add(uint32(0x3d21fa37), uint8(0), uint8(0), []byte("Hello"), []byte{2})
	f.Add(uint32(0xdeadbeef), uint8(3), uint8(31), bytes.Repeat([]byte{0xAA}, 200), []byte{1, 33, 64})
	f.Add(uint32(0), uint8(1), uint8(7), bytes.Repeat([]byte("κόσμε"), 50), []byte{})
	f.Fuzz(func(t *testing.T, k uint32, pos, off uint8, data, cuts []byte) {
		key := MaskKey{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
		// off shifts the payload in its buffer, to vary its alignment.
		off %= 32
		want := bytes.Clone(data)
		wantNext := maskDefinition(key, int(pos), want)
		for _, impl := range maskImpls {
			buf := make([]byte, int(off)+len(data))
			got := buf[off:]
			copy(got, data)
			// Mask in the pieces cuts gives, the rest whole.
			p := int(pos)
			rest := got
			for _, c := range cuts {
				m := min(int(c), len(rest))
				p = impl.mask(key, p, rest[:m])
				rest = rest[m:]
			}
			p = impl.mask(key, p, rest)
			if p != wantNext {
				t.Fatalf("%s: offset after the payload is %d, want %d", impl.name, p, wantNext)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: masked payload differs from the definition", impl.name)
			}
		}
	})
}
