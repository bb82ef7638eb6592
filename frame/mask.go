package frame

import (
	"encoding/binary"
	"math/bits"
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
	k := keyWord(key, pos)
	if len(b) < maskVectorMin {
		maskWords(k, b)
	} else {
		maskVector(k, b)
	}
	return (pos + len(b)) & 3
}

// keyWord returns the key repeated over a 64-bit word in little-endian
// order and starting at octet pos of the key: XORing it into the
// little-endian word of b[0:8] masks those octets when b[0] is at payload
// offset pos. Since 4 divides 8, the same word then serves b[8:16] and on.
func keyWord(key MaskKey, pos int) uint64 {
	k := uint64(binary.LittleEndian.Uint32(key[:]))
	return bits.RotateLeft64(k|k<<32, -8*(pos&3))
}

// maskPortable masks b with k, the key word of b[0]'s phase, in portable
// Go: 64 octets per iteration while it can, then with maskWords. It is
// maskVector where there is no vector code.
func maskPortable(k uint64, b []byte) {
	for len(b) >= 64 {
		// The array pointer lets the compiler drop the bounds checks.
		w := (*[64]byte)(b)
		binary.LittleEndian.PutUint64(w[0:], binary.LittleEndian.Uint64(w[0:])^k)
		binary.LittleEndian.PutUint64(w[8:], binary.LittleEndian.Uint64(w[8:])^k)
		binary.LittleEndian.PutUint64(w[16:], binary.LittleEndian.Uint64(w[16:])^k)
		binary.LittleEndian.PutUint64(w[24:], binary.LittleEndian.Uint64(w[24:])^k)
		binary.LittleEndian.PutUint64(w[32:], binary.LittleEndian.Uint64(w[32:])^k)
		binary.LittleEndian.PutUint64(w[40:], binary.LittleEndian.Uint64(w[40:])^k)
		binary.LittleEndian.PutUint64(w[48:], binary.LittleEndian.Uint64(w[48:])^k)
		binary.LittleEndian.PutUint64(w[56:], binary.LittleEndian.Uint64(w[56:])^k)
		b = b[64:]
	}
	maskWords(k, b)
}

// maskWords masks b with k, the key word of b[0]'s phase, 8 octets at a
// time and the last 0-7 in pieces of 4, 2 and 1. It is small enough to
// inline into Mask, which gives it the payloads too short for maskVector.
func maskWords(k uint64, b []byte) {
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k)
		b = b[8:]
	}
	if len(b)&4 != 0 {
		binary.LittleEndian.PutUint32(b, binary.LittleEndian.Uint32(b)^uint32(k))
		b = b[4:]
	}
	if len(b)&2 != 0 {
		binary.LittleEndian.PutUint16(b, binary.LittleEndian.Uint16(b)^uint16(k))
		b = b[2:]
		k >>= 16 // the next octet is 2 further into the key
	}
	if len(b) != 0 {
		b[0] ^= byte(k)
	}
}
