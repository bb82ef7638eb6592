package frame

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// MaskKey is the 32-bit masking key of RFC 6455 §5.3.
type MaskKey [4]byte

// Mask XORs b in place with key, as §5.3 defines masking and unmasking:
// octet i of the payload is XORed with key[i mod 4]. pos is the offset of
// b[0] within the payload (mod 4), so a payload can be masked in pieces;
// Mask returns the offset for the piece after b.
//
// Mask works a machine word at a time, and on amd64 a vector register at a
// time, so that masking a payload costs about as much as copying it.
func Mask(key MaskKey, pos int, b []byte) int {
	next := (pos + len(b)) & 3
	k := keyWord(key, pos)
	if len(b) >= maskVectorMin {
		// Vector loads and stores that straddle cache lines cost up to half
		// the speed: mask up to 31 octets on their own, so that the vector
		// code starts at an address aligned to 32.
		if head := int(-uintptr(unsafe.Pointer(unsafe.SliceData(b)))) & 31; head != 0 {
			k = maskShort(k, b[:head])
			b = b[head:]
		}
		// maskVector masks a prefix whose length is a multiple of 8, so the
		// rest starts at the same phase of the key.
		b = b[maskVector(k, b):]
	}
	maskWords(k, b)
	return next
}

// keyWord returns the key repeated over a 64-bit word in little-endian
// order and starting at octet pos of the key: XORing it into the
// little-endian word of b[0:8] masks those octets when b[0] is at payload
// offset pos. Since 4 divides 8, the same word then serves b[8:16] and on.
func keyWord(key MaskKey, pos int) uint64 {
	k := uint64(binary.LittleEndian.Uint32(key[:]))
	return bits.RotateLeft64(k|k<<32, -8*(pos&3))
}

// maskBlocks masks the longest prefix of b whose length is a multiple of
// 64 with k, the key word of b[0]'s phase, in portable Go, and returns the
// length of that prefix. It is maskVector where there is no vector code.
func maskBlocks(k uint64, b []byte) int {
	n := 0
	for len(b)-n >= 64 {
		// The array pointer lets the compiler drop the bounds checks.
		w := (*[64]byte)(b[n:])
		binary.LittleEndian.PutUint64(w[0:], binary.LittleEndian.Uint64(w[0:])^k)
		binary.LittleEndian.PutUint64(w[8:], binary.LittleEndian.Uint64(w[8:])^k)
		binary.LittleEndian.PutUint64(w[16:], binary.LittleEndian.Uint64(w[16:])^k)
		binary.LittleEndian.PutUint64(w[24:], binary.LittleEndian.Uint64(w[24:])^k)
		binary.LittleEndian.PutUint64(w[32:], binary.LittleEndian.Uint64(w[32:])^k)
		binary.LittleEndian.PutUint64(w[40:], binary.LittleEndian.Uint64(w[40:])^k)
		binary.LittleEndian.PutUint64(w[48:], binary.LittleEndian.Uint64(w[48:])^k)
		binary.LittleEndian.PutUint64(w[56:], binary.LittleEndian.Uint64(w[56:])^k)
		n += 64
	}
	return n
}

// maskWords masks b with k, the key word of b[0]'s phase, 8 octets at a
// time and then the rest with maskShort. Mask gives it short payloads and
// the tails that maskVector leaves.
func maskWords(k uint64, b []byte) {
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k)
		b = b[8:]
	}
	if len(b) > 0 {
		maskShort(k, b)
	}
}

// maskShort masks b, shorter than 32 octets, with k, the key word of
// b[0]'s phase, and returns the key word of the octet after b. It takes
// the pieces of 1, 2, 4, 8 and 16 octets that len(b) is made of, in that
// order: if b ends at an address aligned to 32, so does every piece.
func maskShort(k uint64, b []byte) uint64 {
	if len(b)&1 != 0 {
		b[0] ^= byte(k)
		k = bits.RotateLeft64(k, -8)
		b = b[1:]
	}
	if len(b)&2 != 0 {
		binary.LittleEndian.PutUint16(b, binary.LittleEndian.Uint16(b)^uint16(k))
		k = bits.RotateLeft64(k, -16)
		b = b[2:]
	}
	// From here on every piece is a multiple of 4 octets: k stays in phase.
	if len(b)&4 != 0 {
		binary.LittleEndian.PutUint32(b, binary.LittleEndian.Uint32(b)^uint32(k))
		b = b[4:]
	}
	if len(b)&8 != 0 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k)
		b = b[8:]
	}
	if len(b)&16 != 0 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k)
		binary.LittleEndian.PutUint64(b[8:], binary.LittleEndian.Uint64(b[8:])^k)
	}
	return k
}
