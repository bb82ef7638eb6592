package deflate

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// huffmanCost returns the cost (sum of weight × depth) of an optimal
// prefix code for w by Huffman's algorithm, done the slow, obvious way.
func huffmanCost(w []uint32) int {
	q := make([]int, len(w))
	for i, x := range w {
		q[i] = int(x)
	}
	cost := 0
	for len(q) > 1 {
		slices.Sort(q)
		s := q[0] + q[1]
		cost += s
		q = append(q[2:], s)
	}
	return cost
}

// kraft returns the Kraft sum of lengths in units of 2^-limit.
func kraft(lengths []uint8, limit int) int {
	k := 0
	for _, n := range lengths {
		if n > 0 {
			k += 1 << (limit - int(n))
		}
	}
	return k
}

func randomWeights(r *rand.Rand, n int) []uint32 {
	w := make([]uint32, n)
	for i := range w {
		switch r.IntN(3) {
		case 0:
			w[i] = 1 + r.Uint32N(10)
		case 1:
			w[i] = 1 + r.Uint32N(1000)
		default:
			w[i] = 1 + r.Uint32N(1<<20)
		}
	}
	return w
}

// TestMinimumRedundancy: the in-place algorithm gives depths of an optimal
// code: a complete code whose cost is Huffman's.
func TestMinimumRedundancy(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fib := []uint32{1, 1}
	for len(fib) < 30 {
		fib = append(fib, fib[len(fib)-1]+fib[len(fib)-2])
	}
	cases := [][]uint32{{1, 1}, {1, 2, 3}, {5, 5, 5, 5}, {1, 1, 1, 1000000}, fib}
	for range 500 {
		cases = append(cases, randomWeights(r, 2+r.IntN(300)))
	}
	for _, w := range cases {
		sorted := slices.Clone(w)
		slices.Sort(sorted)
		depth := slices.Clone(sorted)
		minimumRedundancy(depth)
		cost, k := 0, 0.0
		for i, d := range depth {
			cost += int(sorted[i]) * int(d)
			k += 1 / float64(uint64(1)<<d)
		}
		if want := huffmanCost(w); cost != want {
			t.Fatalf("weights %v: cost %d, want %d", sorted, cost, want)
		}
		if k != 1 {
			t.Fatalf("weights %v: Kraft sum %v, want 1", sorted, k)
		}
	}
}

// TestBuildLengths: codes are complete, no longer than the limit, give
// every used symbol a code and no unused one, and are optimal when the
// limit does not bind.
func TestBuildLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var b codeBuilder
	for i := range 2000 {
		n, limit := numLitLen, maxCodeBits
		if i%2 == 1 {
			n, limit = numCodeLen, maxCodeLenLen
		}
		freq := make([]uint32, n)
		used := 2 + r.IntN(n-1)
		for _, sym := range r.Perm(n)[:used] {
			freq[sym] = randomWeights(r, 1)[0]
			if i%5 == 0 { // steep weights force long codes
				freq[sym] = 1 << r.IntN(30)
			}
		}
		lengths := make([]uint8, n)
		b.buildLengths(freq, lengths, limit)
		if k := kraft(lengths, limit); k != 1<<limit {
			t.Fatalf("freq %v: lengths %v: Kraft sum %d/%d", freq, lengths, k, 1<<limit)
		}
		cost, longest := 0, 0
		var nonzero []uint32
		for sym, f := range freq {
			if (f == 0) != (lengths[sym] == 0) {
				t.Fatalf("freq %v: symbol %d of weight %d has length %d", freq, sym, f, lengths[sym])
			}
			if f > 0 {
				nonzero = append(nonzero, f)
			}
			cost += int(f) * int(lengths[sym])
			longest = max(longest, int(lengths[sym]))
		}
		if longest > limit {
			t.Fatalf("freq %v: a code of %d bits, limit %d", freq, longest, limit)
		}
		sorted := slices.Clone(nonzero)
		slices.Sort(sorted)
		minimumRedundancy(sorted)
		if int(slices.Max(sorted)) <= limit {
			if want := huffmanCost(nonzero); cost != want {
				t.Fatalf("freq %v: cost %d, optimal %d", freq, cost, want)
			}
		}
	}
}

// TestBuildLengthsFewSymbols: fewer than two used symbols still give a
// complete code of two one-bit codes, one of them the used symbol's.
func TestBuildLengthsFewSymbols(t *testing.T) {
	tests := []struct {
		name string
		freq []uint32
		want []uint8
	}{
		{"none", []uint32{0, 0, 0, 0}, []uint8{1, 1, 0, 0}},
		{"symbol 0", []uint32{9, 0, 0, 0}, []uint8{1, 1, 0, 0}},
		{"symbol 1", []uint32{0, 9, 0, 0}, []uint8{1, 1, 0, 0}},
		{"symbol 3", []uint32{0, 0, 0, 9}, []uint8{1, 0, 0, 1}},
	}
	var b codeBuilder
	for _, tc := range tests {
		got := make([]uint8, len(tc.freq))
		b.buildLengths(tc.freq, got, maxCodeBits)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: lengths (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestAssignCodes: the example of RFC 1951 §3.2.2.
func TestAssignCodes(t *testing.T) {
	lengths := []uint8{3, 3, 3, 3, 3, 2, 4, 4}
	want := []string{"010", "011", "100", "101", "110", "00", "1110", "1111"}
	codes := make([]hcode, len(lengths))
	assignCodes(lengths, codes)
	for sym, c := range codes {
		// Codes are stored reversed, first bit lowest.
		got := ""
		for i := range c.len() {
			got += string('0' + byte(c.bits()>>i&1))
		}
		if got != want[sym] || c.len() != uint(lengths[sym]) {
			t.Errorf("symbol %c: code %s (%d bits), want %s", 'A'+sym, got, c.len(), want[sym])
		}
	}
}

// randomCompleteLengths returns the code lengths of a random complete
// code for n symbols (2 <= n <= 286) with codes of at most 15 bits, grown
// by splitting leaves, deep ones more often than not.
func randomCompleteLengths(r *rand.Rand, n int) []uint8 {
	leaves := []uint8{1, 1}
	for len(leaves) < n {
		i := r.IntN(len(leaves))
		if r.IntN(3) > 0 {
			// Prefer the deepest splittable leaf.
			for j, d := range leaves {
				if d < maxCodeBits && d >= leaves[i] {
					i = j
				}
			}
		}
		if leaves[i] == maxCodeBits {
			continue
		}
		leaves[i]++
		leaves = append(leaves, leaves[i])
	}
	r.Shuffle(len(leaves), func(i, j int) { leaves[i], leaves[j] = leaves[j], leaves[i] })
	return leaves
}

// TestBuildTable: tables of random complete codes, many with codes of 15
// bits, fit their fixed sizes and decode every code to its symbol.
func TestBuildTable(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var lit [litTableSize]uint32
	var dist [distTableSize]uint32
	for i := range 5000 {
		table, rootBits, n := lit[:], uint(litRootBits), 2+r.IntN(numLitLen-1)
		if i%2 == 1 {
			table, rootBits, n = dist[:], distRootBits, 2+r.IntN(numDist-1)
		}
		lengths := randomCompleteLengths(r, n)
		if err := buildTable(table, rootBits, lengths); err != nil {
			t.Fatalf("lengths %v: %v", lengths, err)
		}
		codes := make([]hcode, n)
		assignCodes(lengths, codes)
		for sym, c := range codes {
			// The bits after a code must not matter.
			e := lookup(table, rootBits, c.bits()|r.Uint64()<<c.len())
			if e>>16 != uint32(sym) || uint(e&0xf) != c.len() || e&leafFlag == 0 {
				t.Fatalf("lengths %v: symbol %d decodes as entry %#x", lengths, sym, e)
			}
		}
	}
}
