package deflate

import (
	"encoding/binary"
	"math/bits"
)

// The LZ77 stage: finding earlier occurrences of the input in the window.
// Both matchers hash the four bytes at a position, so the shortest match
// they find is four bytes long; a three-byte match rarely pays for its
// distance code.

const hashMatch = 4

func load32(b []byte, i int) uint32 { return binary.LittleEndian.Uint32(b[i:]) }
func load64(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i:]) }

// hash4 maps four bytes to a bucket of a table of 2^(32-shift) entries.
func hash4(u uint32, shift uint) uint32 { return (u * 0x1e35a7bd) >> shift }

// matchLen returns the length of the common prefix of win[a:] and
// win[b:end], for a < b.
func matchLen(win []byte, a, b, end int) int {
	n := 0
	for b+n+8 <= end {
		if x := load64(win, a+n) ^ load64(win, b+n); x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		n += 8
	}
	for b+n < end && win[a+n] == win[b+n] {
		n++
	}
	return n
}

// skipLog sets how fast tokenizeFast skips through input that does not
// match: after 2^skipLog positions without a match it tries every second
// position, then every third, and so on.
const skipLog = 5

// tokenizeFast is the BestSpeed matcher: greedy, with one candidate per
// hash bucket, the most recent position with that hash. It tokenizes the
// positions before limit, or all the input if final.
func (z *Compressor) tokenizeFast(limit int, final bool) {
	win := z.win[:z.end]
	head, shift := z.head, z.hashShift
	histStart, wsize, base := z.histStart, z.wsize, z.base
	b := z.blk
	s, lit := z.cur, z.cur // lit: first byte not yet emitted
	for s < limit && s+hashMatch <= len(win) {
		x := load32(win, s)
		h := hash4(x, shift)
		now := uint16(s + base)
		d := int(now - head[h])
		head[h] = now
		cand := s - d
		if d == 0 || d > wsize || cand < histStart || load32(win, cand) != x {
			s += 1 + (s-lit)>>skipLog
			continue
		}
		n := hashMatch + matchLen(win, cand+hashMatch, s+hashMatch, min(s+maxMatch, len(win)))
		// The bytes before a match may match too; they were about to
		// become literals.
		for s > lit && cand > histStart && n < maxMatch && win[s-1] == win[cand-1] {
			s--
			cand--
			n++
		}
		// emitMatch, inlined by hand: this is the loop's hottest path.
		if b.full(s - lit) {
			lit = z.makeRoom(lit, s)
		}
		b.addLiterals(win[lit:s])
		b.tokens = append(b.tokens, matchToken(n, s-cand))
		s += n
		lit = s
		// The position before the next search is one a following match
		// is likely to start near.
		if s+hashMatch-1 <= len(win) {
			head[hash4(load32(win, s-1), shift)] = uint16(s - 1 + base)
		}
	}
	if final || s > len(win) {
		s = len(win)
	}
	z.emitLiterals(lit, s)
	z.cur = s
}

// lazyParams tune the matcher of levels 2 to 9 (the names are zlib's).
type lazyParams struct {
	lazy  int // a match at least this long is taken without looking one byte further; 0: never look (greedy)
	good  int // when the previous match is this long, search a quarter of the chain
	nice  int // stop searching at a match this long
	chain int // candidates examined per position
}

var lazyLevels = [BestCompression + 1]lazyParams{
	2: {lazy: 0, good: 4, nice: 16, chain: 8},
	3: {lazy: 0, good: 8, nice: 32, chain: 32},
	4: {lazy: 4, good: 4, nice: 16, chain: 16},
	5: {lazy: 16, good: 8, nice: 32, chain: 32},
	6: {lazy: 16, good: 8, nice: 128, chain: 128},
	7: {lazy: 32, good: 8, nice: 128, chain: 256},
	8: {lazy: 128, good: 32, nice: 258, chain: 1024},
	9: {lazy: 258, good: 32, nice: 258, chain: 4096},
}

// insert records position s in the hash chains and returns the previous
// position with the same hash, or -1.
func (z *Compressor) insert(s int) int {
	h := hash4(load32(z.win, s), z.hashShift)
	now := uint16(s + z.base)
	d := int(now - z.head[h])
	if d > z.wsize {
		d = 0
	}
	// wsize divides 2^16, so now indexes prev as s+base would.
	z.prev[int(now)&(z.wsize-1)] = uint16(d)
	z.head[h] = now
	if d == 0 {
		return -1
	}
	return s - d
}

// longestMatch follows the chain from cand for a match at s longer than
// have and returns its length and distance, or 0, 0 if there is none.
func (z *Compressor) longestMatch(s, cand, have, chain, nice int) (length, dist int) {
	win := z.win[:z.end]
	maxLen := min(maxMatch, len(win)-s)
	floor := max(z.histStart, s-z.wsize)
	best := have
	if best >= maxLen {
		return 0, 0
	}
	for ; cand >= floor && chain > 0; chain-- {
		if win[cand+best] == win[s+best] && load32(win, cand) == load32(win, s) {
			if n := matchLen(win, cand, s, s+maxLen); n > best {
				best, dist = n, s-cand
				if n >= nice || n == maxLen {
					break
				}
			}
		}
		d := z.prev[(cand+z.base)&(z.wsize-1)]
		if d == 0 {
			break
		}
		cand -= int(d)
	}
	if dist == 0 {
		return 0, 0
	}
	return best, dist
}

// tokenizeLazy is the matcher of levels 2 to 9: it follows hash chains for
// the longest match and, at levels 4 and up, takes a match only if the
// next position does not start a longer one (lazy matching). It tokenizes
// the positions before limit, or all the input if final.
func (z *Compressor) tokenizeLazy(limit int, final bool) {
	p := lazyLevels[z.level]
	win := z.win[:z.end]
	s := z.cur
	// When pending, the byte at s-1 is not yet emitted: it is a literal,
	// or the start of the match prevLen, prevDist.
	pending := false
	prevLen, prevDist := 0, 0
	for s < limit && s+hashMatch <= len(win) {
		cand := z.insert(s)
		length, dist := 0, 0
		if !pending || prevLen < p.lazy {
			chain := p.chain
			if pending && prevLen >= p.good {
				chain >>= 2
			}
			length, dist = z.longestMatch(s, cand, max(prevLen, hashMatch-1), chain, p.nice)
		}
		switch {
		case p.lazy == 0 && length > 0:
			z.emitMatch(s, s, length, dist)
			z.insertRange(s+1, s+length)
			s += length
		case p.lazy == 0:
			z.emitLiterals(s, s+1)
			s++
		case pending && prevLen > 0 && length == 0:
			// Nothing longer starts at s: take the previous match.
			z.emitMatch(s-1, s-1, prevLen, prevDist)
			z.insertRange(s+1, s-1+prevLen)
			s += prevLen - 1
			pending = false
			prevLen = 0
		default:
			if pending {
				z.emitLiterals(s-1, s)
			}
			pending = true
			prevLen, prevDist = length, dist
			s++
		}
	}
	if pending {
		if prevLen > 0 {
			z.emitMatch(s-1, s-1, prevLen, prevDist)
			s += prevLen - 1
		} else {
			z.emitLiterals(s-1, s)
		}
	}
	if final {
		z.emitLiterals(s, len(win))
		s = len(win)
	}
	z.cur = s
}

// insertRange records the positions from s to end (exclusive) in the hash
// chains, as far as four bytes remain to hash.
func (z *Compressor) insertRange(s, end int) {
	end = min(end, z.end-hashMatch+1)
	for ; s < end; s++ {
		z.insert(s)
	}
}
