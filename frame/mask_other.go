//go:build !amd64 || purego

package frame

// maskVectorMin is the length from which Mask hands a payload to
// maskVector.
const maskVectorMin = 64

// maskVector masks a prefix of b, a multiple of 64 octets long, with k,
// the key word of b[0]'s phase, and returns its length. This architecture
// has no vector code in this package, so it is the portable loop.
func maskVector(k uint64, b []byte) int { return maskBlocks(k, b) }
