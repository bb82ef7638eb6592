package deflate

import "math/bits"

// A decoding table maps the next bits of the input to a symbol in one or
// two lookups. The root level is indexed by the next rootBits bits; codes
// longer than that continue in a subtable, indexed by the bits after the
// root bits, whose size fits the longest code sharing that root slot.
//
// An entry is one of
//
//	0                                   no code starts with these bits
//	symbol<<16 | leafFlag | length      a code of length bits for symbol
//	offset<<16 | linkFlag | subBits     a subtable of 2^subBits entries at offset
const (
	leafFlag = 0x100
	linkFlag = 0x200

	litRootBits  = 9
	distRootBits = 8
	codeRootBits = maxCodeLenLen // code length codes fit the root level
)

// Table sizes. A complete canonical code (§3.2.2) fills each root slot with
// codes of one length, one entry per code, except where the length grows
// inside a slot; such a slot's subtable has 2^(longest-root) entries, and
// since lengths only grow along the code, each longest length occurs in at
// most one such slot, and it is not root+1. Hence at most 2^root + symbols
// + 2^(15-root) + ... + 2^2 entries. The one incomplete code allowed, a
// single code of one bit, needs no subtable.
const (
	litTableSize  = 1<<litRootBits + numLitLen + (1<<6 + 1<<5 + 1<<4 + 1<<3 + 1<<2)
	distTableSize = 1<<distRootBits + numDist + (1<<7 + 1<<6 + 1<<5 + 1<<4 + 1<<3 + 1<<2)
	codeTableSize = 1 << codeRootBits
)

// The fixed codes (§3.2.6) are shared by every Decompressor.
var fixedLitTable, fixedDistTable = func() (lit [1 << litRootBits]uint32, dist [1 << distRootBits]uint32) {
	if buildTable(lit[:], litRootBits, fixedLitLenLengths[:]) != nil ||
		buildTable(dist[:], distRootBits, fixedDistLengths[:]) != nil {
		panic("deflate: fixed codes do not build")
	}
	return lit, dist
}()

// lookup returns the table entry for the next bits of the input.
func lookup(table []uint32, rootBits uint, b uint64) uint32 {
	e := table[b&(1<<rootBits-1)]
	if e&linkFlag != 0 {
		e = table[e>>16+uint32(b>>rootBits)&(1<<(e&0xf)-1)]
	}
	return e
}

// buildTable fills table for the canonical code with the given code
// lengths (§3.2.2). An empty code (all lengths zero) gives a table in which
// every lookup fails.
func buildTable(table []uint32, rootBits uint, lengths []uint8) error {
	var count [maxCodeBits + 1]int
	for _, n := range lengths {
		count[n]++
	}
	count[0] = 0
	codes := 0
	left := 1 // bit patterns of the current length not yet taken
	for n := 1; n <= maxCodeBits; n++ {
		left = left<<1 - count[n]
		if left < 0 {
			return ErrOversubscribed
		}
		codes += count[n]
	}
	if left > 0 && codes > 0 && !(codes == 1 && count[1] == 1) {
		return ErrIncompleteCode
	}

	var next [maxCodeBits + 1]uint16
	code := uint16(0)
	for n := 1; n <= maxCodeBits; n++ {
		code = (code + uint16(count[n-1])) << 1
		next[n] = code
	}

	rootSize := 1 << rootBits
	clear(table[:rootSize])
	// Size each subtable by the longest code that shares its root slot.
	var subBits [1 << litRootBits]uint8
	var rev [288]uint16
	for sym, n := range lengths {
		if n == 0 {
			continue
		}
		rev[sym] = bits.Reverse16(next[n]) >> (16 - n)
		next[n]++
		if uint(n) > rootBits {
			slot := rev[sym] & uint16(rootSize-1)
			subBits[slot] = max(subBits[slot], n-uint8(rootBits))
		}
	}
	end := rootSize
	for slot, sb := range subBits[:rootSize] {
		if sb == 0 {
			continue
		}
		size := 1 << sb
		if end+size > len(table) {
			return ErrOversubscribed // cannot happen for a complete code
		}
		table[slot] = uint32(end)<<16 | linkFlag | uint32(sb)
		clear(table[end : end+size])
		end += size
	}

	for sym, n := range lengths {
		if n == 0 {
			continue
		}
		leaf := uint32(sym)<<16 | leafFlag | uint32(n)
		r := int(rev[sym])
		if uint(n) <= rootBits {
			for i := r; i < rootSize; i += 1 << n {
				table[i] = leaf
			}
			continue
		}
		link := table[r&(rootSize-1)]
		sub := table[link>>16 : link>>16+1<<(link&0xf)]
		for i := r >> rootBits; i < len(sub); i += 1 << (uint(n) - rootBits) {
			sub[i] = leaf
		}
	}
	return nil
}
