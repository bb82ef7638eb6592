//go:build !amd64 || purego

package frame

// maskVectorMin is the length from which Mask hands a payload to
// maskVector.
const maskVectorMin = 64

// maskVector masks b with k, the key word of b[0]'s phase. This
// architecture has no vector code in this package: it is the portable loop.
func maskVector(k uint64, b []byte) { maskPortable(k, b) }
