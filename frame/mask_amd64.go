//go:build !purego

package frame

// maskVectorMin is the length from which Mask hands a payload to
// maskVector: below it the call and the register setup cost more than
// they save.
const maskVectorMin = 32

// useAVX2 reports whether the processor and the operating system support
// AVX2; SSE2 is part of amd64 itself. maskVector reads it.
var useAVX2 = hasAVX2()

// maskVector masks b, at least maskVectorMin octets long, with k, the key
// word of b[0]'s phase: an aligned body with AVX2 or SSE2 (vector loads and
// stores that straddle cache lines run up to half as fast), and an
// unaligned vector at each end, or with AVX2 only at the end if b[0] is
// aligned. It is in mask_amd64.s.
//
//go:noescape
func maskVector(k uint64, b []byte)

// In mask_amd64.s: the CPUID and XGETBV instructions.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// hasAVX2 asks the processor (CPUID leaves 1 and 7) whether it has AVX2,
// and the operating system (XGETBV) whether it saves the YMM registers
// across context switches; both must hold to use AVX2 (Intel SDM vol. 1
// §14.3).
func hasAVX2() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	const (
		osxsave = 1 << 27 // CPUID.1:ECX
		avx     = 1 << 28 // CPUID.1:ECX
		avx2    = 1 << 5  // CPUID.(7,0):EBX
	)
	_, _, ecx1, _ := cpuid(1, 0)
	if ecx1&(osxsave|avx) != osxsave|avx {
		return false
	}
	// XCR0 bits 1 and 2: the OS saves the XMM and the YMM state.
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&avx2 != 0
}
