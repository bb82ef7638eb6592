package deflate

import "math/bits"

// hcode is one symbol's Huffman code ready to be written: the code's bits in
// the low 16 bits, reversed because DEFLATE packs codes starting with their
// most significant bit into a stream read from the least significant bit
// of each byte (RFC 1951 §3.1.1), and the code's length above them.
type hcode uint32

func newHcode(code uint16, length uint8) hcode {
	return hcode(bits.Reverse16(code)>>(16-length)) | hcode(length)<<16
}

func (c hcode) bits() uint64 { return uint64(c & 0xffff) }
func (c hcode) len() uint    { return uint(c >> 16) }

// lengthCounts holds the number of codes of each length of a code, 1 to
// maxCodeBits; the count at 0 is not used.
type lengthCounts [maxCodeBits + 1]uint16

func countLengths(lengths []uint8) lengthCounts {
	var count lengthCounts
	for _, n := range lengths {
		count[n]++
	}
	return count
}

// assignCodes gives each symbol with a non-zero length its canonical code
// (§3.2.2): shorter codes first, and among codes of one length, symbols in
// order. The lengths must form a prefix code.
func assignCodes(lengths []uint8, codes []hcode) {
	assignCounted(lengths, codes, countLengths(lengths))
}

// assignCounted is assignCodes for lengths whose counts are known.
func assignCounted(lengths []uint8, codes []hcode, count lengthCounts) {
	count[0] = 0
	var next [maxCodeBits + 1]uint16
	code := uint16(0)
	for n := 1; n <= maxCodeBits; n++ {
		code = (code + count[n-1]) << 1
		next[n] = code
	}
	for sym, n := range lengths {
		if n == 0 {
			codes[sym] = 0
			continue
		}
		codes[sym] = newHcode(next[n], n)
		next[n]++
	}
}

// codeBuilder computes Huffman code lengths. Its scratch arrays live in the
// block encoder so that building a code allocates nothing.
type codeBuilder struct {
	syms, tmp [288]uint16 // the used symbols, sorted by frequency
	depth     [288]uint32
}

// buildLengths sets lengths[sym] to the code length of sym in an optimal
// prefix code for freq whose codes are at most limit bits long; unused
// symbols get 0. The code is complete: a decoder that rejects incomplete
// codes (as zlib and compress/flate do for most alphabets) accepts it.
// With fewer than two used symbols, the code has two codes of one bit.
// It returns the number of codes of each length.
func (b *codeBuilder) buildLengths(freq []uint32, lengths []uint8, limit int) lengthCounts {
	n := 0
	var all uint32 // the bits set in any frequency
	for sym, f := range freq {
		lengths[sym] = 0
		if f != 0 {
			b.syms[n] = uint16(sym)
			n++
			all |= f
		}
	}
	if n < 2 {
		// One code of one bit would do, but decoders reject incomplete
		// codes; a second one-bit code pads the first: the used symbol
		// and symbol 0 (1 if 0 is the used one).
		used := 0
		if n == 1 {
			used = int(b.syms[0])
		}
		lengths[used] = 1
		lengths[min(used, 1)^1] = 1
		return lengthCounts{1: 2}
	}
	syms := b.sortByFreq(freq, n, all)
	depth := b.depth[:n]
	for i, sym := range syms {
		depth[i] = freq[sym]
	}
	minimumRedundancy(depth)

	// Lengths beyond limit are cut to limit. That makes the code
	// over-full; lengthening the deepest codes below limit one at a time
	// brings the Kraft sum back to exactly 1.
	var count lengthCounts
	for _, d := range depth {
		count[min(int(d), limit)]++
	}
	target := 1 << limit
	kraft := 0
	for n := 1; n <= limit; n++ {
		kraft += int(count[n]) << (limit - n)
	}
	for kraft > target {
		short := limit - 1
		for count[short] == 0 {
			short--
		}
		if count[limit] > 0 {
			// A code of length short and one of length limit become
			// two siblings of length short+1: the sum drops by one unit.
			count[short]--
			count[short+1] += 2
			count[limit]--
			kraft--
		} else {
			// All codes are at most short bits long, so the sum is a
			// multiple of 2^(limit-short) and exceeds target by at
			// least that much: halving one code's share cannot
			// undershoot.
			count[short]--
			count[short+1]++
			kraft -= 1 << (limit - short - 1)
		}
	}

	// The least frequent symbols come first; they get the longest codes.
	i := 0
	for n := limit; n >= 1; n-- {
		for c := count[n]; c > 0; c-- {
			lengths[syms[i]] = uint8(n)
			i++
		}
	}
	return count
}

// sortByFreq sorts the n used symbols in b.syms, in increasing order, by
// increasing frequency, and returns them; all has the bits set in any
// frequency. The alphabets are small and the frequencies bounded by the
// size of a block, so a radix sort on a byte of the frequency at a time,
// stable and skipping the bytes that are zero in all, beats comparison
// sorting; a few symbols take an insertion sort.
func (b *codeBuilder) sortByFreq(freq []uint32, n int, all uint32) []uint16 {
	syms, tmp := b.syms[:n], b.tmp[:n]
	if n <= 32 {
		for i := 1; i < n; i++ {
			s := syms[i]
			f := freq[s]
			j := i
			for ; j > 0 && freq[syms[j-1]] > f; j-- {
				syms[j] = syms[j-1]
			}
			syms[j] = s
		}
		return syms
	}
	for shift := uint(0); all>>shift != 0; shift += 8 {
		if (all>>shift)&0xff == 0 {
			continue
		}
		var start [256]uint16
		for _, s := range syms {
			start[freq[s]>>shift&0xff]++
		}
		sum := uint16(0)
		for d, c := range start {
			start[d] = sum
			sum += c
		}
		for _, s := range syms {
			d := freq[s] >> shift & 0xff
			tmp[start[d]] = s
			start[d]++
		}
		syms, tmp = tmp, syms
	}
	return syms
}

// minimumRedundancy replaces the weights in a, sorted in increasing order
// and at least two, by the depths of their leaves in a Huffman tree. It
// works in place and in linear time: the algorithm of A. Moffat and J.
// Katajainen, "In-place calculation of minimum-redundancy codes" (1995).
// The depths come out in decreasing order.
func minimumRedundancy(a []uint32) {
	n := len(a)
	// Phase 1: combine the two lightest of the unused leaves and the
	// unused internal nodes, as Huffman's algorithm does. Internal node
	// next takes slot next, whose leaf is already used; a used internal
	// node's slot then holds the index of its parent.
	leaf, node := 0, 0
	for next := 0; next < n-1; next++ {
		if leaf >= n || (node < next && a[node] < a[leaf]) {
			a[next] = a[node]
			a[node] = uint32(next)
			node++
		} else {
			a[next] = a[leaf]
			leaf++
		}
		if leaf >= n || (node < next && a[node] < a[leaf]) {
			a[next] += a[node]
			a[node] = uint32(next)
			node++
		} else {
			a[next] += a[leaf]
			leaf++
		}
	}
	// Phase 2: the depth of each internal node, from the root (slot n-2)
	// down; parents always sit above their children.
	a[n-2] = 0
	for t := n - 3; t >= 0; t-- {
		a[t] = a[a[t]] + 1
	}
	// Phase 3: the number of leaves at each depth is the number of free
	// slots there, 2 per internal node one level up, less the internal
	// nodes at this depth. Leaves are written from the last slot down.
	avail, depth := 1, uint32(0)
	t, x := n-2, n-1
	for avail > 0 {
		used := 0
		for t >= 0 && a[t] == depth {
			used++
			t--
		}
		for avail > used {
			a[x] = depth
			x--
			avail--
		}
		avail = 2 * used
		depth++
	}
}
