package deflate

// The constants of the DEFLATE format, RFC 1951 §3.2.

// Block types, the BTYPE field of a block header (§3.2.3).
const (
	blockStored  = 0
	blockFixed   = 1
	blockDynamic = 2
)

const (
	minMatch      = 3     // shortest length a match can have (§3.2.5)
	maxMatch      = 258   // longest length a match can have (§3.2.5)
	maxDistance   = 32768 // farthest a distance can reach (§3.2.5)
	maxStoredLen  = 65535 // LEN of a stored block is 16 bits (§3.2.4)
	endOfBlock    = 256   // the literal/length symbol that ends a block
	firstLength   = 257   // the first length symbol
	numLitLen     = 286   // literal/length symbols that may occur (0-285)
	numDist       = 30    // distance symbols that may occur (0-29)
	numCodeLen    = 19    // symbols of the code length alphabet (§3.2.7)
	maxCodeBits   = 15    // longest literal/length or distance code
	maxCodeLenLen = 7     // longest code of the code length alphabet
)

// Code length symbols that repeat (§3.2.7).
const (
	repeatPrevious = 16 // copy the previous length 3-6 times (2 extra bits)
	repeatZero3    = 17 // repeat a zero length 3-10 times (3 extra bits)
	repeatZero11   = 18 // repeat a zero length 11-138 times (7 extra bits)
)

// lengthBase and lengthExtra give, for length symbol 257+i, the shortest
// length it codes and its number of extra bits (§3.2.5).
var (
	lengthBase = [29]uint16{
		3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
		35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
	}
	lengthExtra = [29]uint8{
		0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
		3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
	}
)

// distBase and distExtra give, for distance symbol i, the shortest distance
// it codes and its number of extra bits (§3.2.5).
var (
	distBase = [numDist]uint16{
		1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
		257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
	}
	distExtra = [numDist]uint8{
		0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
		7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
	}
)

// codeLenOrder is the order in which a dynamic block header lists the
// lengths of the code length code (§3.2.7).
var codeLenOrder = [numCodeLen]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// fixedLitLenLengths and fixedDistLengths are the code lengths of the fixed
// Huffman codes (§3.2.6). The fixed literal/length code has 288 symbols and
// the distance code 32, of which 286, 287, 30 and 31 never occur in valid
// data.
var fixedLitLenLengths, fixedDistLengths = fixedLengths()

func fixedLengths() (litLen [288]uint8, dist [32]uint8) {
	for i := range litLen {
		switch {
		case i < 144:
			litLen[i] = 8
		case i < 256:
			litLen[i] = 9
		case i < 280:
			litLen[i] = 7
		default:
			litLen[i] = 8
		}
	}
	for i := range dist {
		dist[i] = 5
	}
	return litLen, dist
}

// lengthSymbol maps a match length minus 3 to its length symbol minus 257.
var lengthSymbol = func() (t [maxMatch - minMatch + 1]uint8) {
	// Symbol 284 with all five extra bits set would reach 258, but §3.2.5
	// gives it 227-257 only: 285, written last, takes 258.
	for sym := range lengthBase {
		lo := int(lengthBase[sym]) - minMatch
		hi := lo + 1<<lengthExtra[sym]
		for i := lo; i < hi && i < len(t); i++ {
			t[i] = uint8(sym)
		}
	}
	return t
}()

// distSymbolNear maps distance-1 below 256 to its distance symbol, and
// distSymbolFar maps (distance-1)>>7 to it for longer distances: every
// symbol from 16 on spans a multiple of 128 distances.
var distSymbolNear, distSymbolFar = func() (near [256]uint8, far [256]uint8) {
	for sym := range distBase {
		lo := int(distBase[sym]) - 1
		hi := lo + 1<<distExtra[sym]
		for d := lo; d < hi; d++ {
			if d < 256 {
				near[d] = uint8(sym)
			} else {
				far[d>>7] = uint8(sym)
			}
		}
	}
	return near, far
}()

// distSymbol returns the distance symbol of distance d+1.
func distSymbol(d uint32) uint32 {
	if d < 256 {
		return uint32(distSymbolNear[d])
	}
	return uint32(distSymbolFar[d>>7])
}
