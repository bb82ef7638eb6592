package deflate

import "sync"

// A token is one item of LZ77 output: a run of literal bytes, whose bytes
// are the next ones of the block's lits, or a match of a length (3-258)
// and a distance (1-32768) packed as matchFlag | (length-3)<<16 |
// (distance-1). A run token holds its number of bytes.
type token uint32

const matchFlag = 1 << 31

func matchToken(length, dist int) token {
	return matchFlag | token(length-minMatch)<<16 | token(dist-1)
}

// The size of a block: it ends when it holds maxBlockLits literal bytes or
// maxBlockTokens tokens, whichever comes first. Large blocks pay for their
// code tables over many bytes; a block of literals alone is as long as the
// largest stored block.
const (
	maxBlockLits   = maxStoredLen
	maxBlockTokens = 1 << 14
)

// A block gathers the LZ77 output of one DEFLATE block: its tokens, and
// the bytes of its literal runs in a buffer of their own, so that the
// block does not depend on the input staying in the window.
//
// Blocks are scratch space: a Compressor borrows one from blockPool for
// the length of a Write or Close call and writes it out before returning,
// so that only the window and the hash table stay with the Compressor
// between calls.
type block struct {
	tokens []token
	lits   []byte
	enc    blockEncoder

	tokenBuf [maxBlockTokens]token
	litBuf   [maxBlockLits]byte
}

var blockPool = sync.Pool{New: func() any {
	b := new(block)
	b.tokens, b.lits = b.tokenBuf[:0], b.litBuf[:0]
	return b
}}

// full reports whether the block has no room for a match and the run of
// literals before it.
func (b *block) full(literals int) bool {
	return len(b.tokens)+2 > maxBlockTokens || len(b.lits)+literals > maxBlockLits
}

// addLiterals appends p, which fits, as literals.
func (b *block) addLiterals(p []byte) {
	if len(p) == 0 {
		return
	}
	b.lits = append(b.lits, p...)
	if n := len(b.tokens); n > 0 && b.tokens[n-1] < matchFlag {
		b.tokens[n-1] += token(len(p))
		return
	}
	b.tokens = append(b.tokens, token(len(p)))
}

func (b *block) empty() bool { return len(b.tokens) == 0 }

func (b *block) clear() {
	b.tokens, b.lits = b.tokens[:0], b.lits[:0]
}

// The fixed Huffman codes of RFC 1951 §3.2.6.
var fixedLitLenCodes, fixedDistCodes = func() (lit [288]hcode, dist [32]hcode) {
	assignCodes(fixedLitLenLengths[:], lit[:])
	assignCodes(fixedDistLengths[:], dist[:])
	return lit, dist
}()
