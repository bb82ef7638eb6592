//go:build !purego

package frame

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// Mask uses AVX2 where the processor has it; the tests check the SSE2 code
// as well, which older amd64 processors run.
func init() {
	maskImpls = append(maskImpls, maskImpl{"SSE2", func(key MaskKey, pos int, b []byte) int {
		defer func(saved bool) { useAVX2 = saved }(useAVX2)
		useAVX2 = false
		return Mask(key, pos, b)
	}})
}

// TestHasAVX2 checks the CPUID and XGETBV probe against what the
// operating system reports, where it reports it.
func TestHasAVX2(t *testing.T) {
	cpuinfo, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo to compare with")
	}
	_, rest, _ := strings.Cut(string(cpuinfo), "\nflags")
	flags, _, _ := strings.Cut(rest, "\n")
	want := slices.Contains(strings.Fields(flags), "avx2")
	if got := hasAVX2(); got != want {
		t.Fatalf("hasAVX2() = %v; /proc/cpuinfo flags say %v", got, want)
	}
	t.Logf("AVX2: %v", want)
}
