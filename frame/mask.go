package frame

import "encoding/binary"

// MaskKey is the 32-bit masking key of RFC 6455 §5.3.
type MaskKey [4]byte

// Mask XORs b in place with key, as §5.3 defines masking and unmasking:
// octet i of the payload is XORed with key[i mod 4]. pos is the offset of
// b[0] within the payload (mod 4), so a payload can be masked in pieces;
// Mask returns the offset for the piece after b.
func Mask(key MaskKey, pos int, b []byte) int {
	pos &= 3
	// Bring the key into the phase of b[0], then widen it to a word.
	k32 := binary.LittleEndian.Uint32(key[:])
	k32 = k32>>(8*pos) | k32<<(32-8*pos)
	if len(b) < 8 {
		for i := range b {
			b[i] ^= byte(k32 >> (8 * ((i) & 3)))
		}
		return (pos + len(b)) & 3
	}
	k64 := uint64(k32) | uint64(k32)<<32
	n := len(b)
	for len(b) >= 32 {
		v0 := binary.LittleEndian.Uint64(b[0:8]) ^ k64
		v1 := binary.LittleEndian.Uint64(b[8:16]) ^ k64
		v2 := binary.LittleEndian.Uint64(b[16:24]) ^ k64
		v3 := binary.LittleEndian.Uint64(b[24:32]) ^ k64
		binary.LittleEndian.PutUint64(b[0:8], v0)
		binary.LittleEndian.PutUint64(b[8:16], v1)
		binary.LittleEndian.PutUint64(b[16:24], v2)
		binary.LittleEndian.PutUint64(b[24:32], v3)
		b = b[32:]
	}
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
		b = b[8:]
	}
	for i := range b {
		b[i] ^= byte(k64 >> (8 * i))
	}
	return (pos + n) & 3
}
