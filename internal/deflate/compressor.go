package deflate

import (
	"errors"
	"fmt"
	"io"
)

// Window sizes a permessage-deflate extension may negotiate (RFC 7692
// §7.1.2): the LZ77 window is 2^windowBits bytes.
const (
	MinWindowBits = 8
	MaxWindowBits = 15
)

// Compression levels, with the meanings compress/flate gives them.
const (
	HuffmanOnly        = -2 // no back-references: Huffman-coded literals only
	DefaultCompression = -1 // BestSpeed: the speed/size balance WebSocket traffic wants
	NoCompression      = 0  // stored blocks only
	BestSpeed          = 1  // greedy matching, one candidate per hash bucket
	BestCompression    = 9  // lazy matching along long hash chains
)

// ErrNoSink is returned by Write and Close outside a message: before the
// first Reset, or after Close and before the next Reset.
var ErrNoSink = errors.New("deflate: Compressor written outside a message; Reset starts one")

// A Compressor compresses the messages of one direction of a WebSocket
// connection as RFC 7692 permessage-deflate defines: each message is
// DEFLATE data (RFC 1951) ending with an empty non-final stored block whose
// last four octets, 00 00 ff ff, are left off (§7.2.1).
//
// With context takeover, messages share one LZ77 window: a message may
// refer back to the ones before it, up to 2^windowBits bytes. ResetHistory
// forgets the window, as no_context_takeover requires before each message.
//
// The memory of a Compressor is fixed when it is made (see NewCompressor);
// compressing allocates nothing. A Compressor is not safe for concurrent
// use.
type Compressor struct {
	level      int // as normalLevel gives it
	windowBits int
	wsize      int // 1 << windowBits: how far back a match may reach

	w bitWriter

	// win holds up to wsize bytes of history before cur, then the input
	// not yet turned into tokens, up to end. When it is full, the oldest
	// bytes slide out.
	win       []byte
	cur       int // first byte not yet tokenized
	end       int // end of the input
	histStart int // first byte a match may refer to
	base      int // how far win has slid since the start: win[i] is input byte base+i

	// blk is the block being gathered, borrowed from blockPool during a
	// Write or Close that tokenizes input, nil between calls. It starts
	// at input byte blockStart, -1 once that byte has slid out of win.
	blk        *block
	blockStart int

	// head maps the hash of the four bytes at a position to the latest
	// such position, as the low 16 bits of its offset in the input
	// (base+i): the distance back to it is the difference modulo 2^16.
	// So head needs no update when win slides; an entry older than 64 KiB
	// points at a wrong position, which the byte comparison rejects as it
	// does any hash collision. prev, for the levels that follow chains,
	// holds at each offset modulo wsize the distance back to the previous
	// position with the same hash (0: none).
	head      []uint16
	prev      []uint16
	hashShift uint

	dirty bool // input was accepted since the last successful Close
}

// NewCompressor returns a Compressor whose matches reach back at most
// 2^windowBits bytes (8 to 15) and which compresses at the given level
// (HuffmanOnly, DefaultCompression, or 0 to 9).
//
// Its memory at windowBits 15 is 81 KiB at BestSpeed (and
// DefaultCompression), 145 KiB at levels 2 to 9, which follow hash chains,
// 65 KiB at HuffmanOnly and 49 KiB at NoCompression; at windowBits 8 it is
// 13 to 14 KiB. The package documentation says what takes it.
func NewCompressor(windowBits, level int) (*Compressor, error) {
	if err := checkCompressorArgs(windowBits, level); err != nil {
		return nil, err
	}
	level = normalLevel(level)
	wsize := 1 << windowBits
	// The input buffer holds the window and a lookahead of a quarter of it
	// (at least 1 KiB, so that a slide always makes room for input).
	lookahead := max(wsize/4, 1024)
	z := &Compressor{
		level:      level,
		windowBits: windowBits,
		wsize:      wsize,
		win:        make([]byte, wsize+lookahead),
	}
	if level >= BestSpeed {
		hashBits := min(windowBits, 13)
		z.head = make([]uint16, 1<<hashBits)
		z.hashShift = uint(32 - hashBits)
	}
	if level > BestSpeed {
		z.prev = make([]uint16, wsize)
	}
	return z, nil
}

func checkWindowBits(windowBits int) error {
	if windowBits < MinWindowBits || windowBits > MaxWindowBits {
		return fmt.Errorf("deflate: window bits %d outside %d-%d", windowBits, MinWindowBits, MaxWindowBits)
	}
	return nil
}

func checkCompressorArgs(windowBits, level int) error {
	if level < HuffmanOnly || level > BestCompression {
		return fmt.Errorf("deflate: compression level %d outside %d-%d", level, HuffmanOnly, BestCompression)
	}
	return checkWindowBits(windowBits)
}

// normalLevel maps DefaultCompression to the level it stands for.
func normalLevel(level int) int {
	if level == DefaultCompression {
		return BestSpeed
	}
	return level
}

// Reset starts a new message whose compressed bytes go to sink. The window
// carries over from the previous message, unless that message was not
// ended by a successful Close: then the peer cannot share the window, and
// Reset forgets it.
func (z *Compressor) Reset(sink io.Writer) {
	if z.dirty || z.w.err != nil {
		z.cur = z.end // drop the unfinished message's input
		z.ResetHistory()
		z.dirty = false
	}
	z.w.reset(sink)
}

// ResetHistory forgets the window: the next bytes compressed refer to
// nothing before them. Call it between messages when no context takeover
// was negotiated for this direction (RFC 7692 §7.1.1).
func (z *Compressor) ResetHistory() {
	z.histStart = z.cur
}

// Write compresses p as the next bytes of the message. Compressed bytes
// reach the sink as they are produced; the last of them only at Close.
func (z *Compressor) Write(p []byte) (int, error) {
	if z.w.sink == nil {
		return 0, ErrNoSink
	}
	if z.w.err != nil {
		return 0, z.w.err
	}
	n := 0
	z.dirty = z.dirty || len(p) > 0
	for len(p) > 0 && z.w.err == nil {
		if z.end == len(z.win) {
			z.compress(false)
			z.slide()
			continue
		}
		k := copy(z.win[z.end:], p)
		z.end += k
		n += k
		p = p[k:]
	}
	z.endBlock()
	return n, z.w.err
}

// Close ends the message: it compresses the rest of the input, then writes
// the empty stored block of a sync flush without its last four octets
// (RFC 7692 §7.2.1), and hands everything to the sink, which it then lets
// go of. The window stays for the next message. A message with no input comes out as the single
// octet 0x00 (§7.2.3.6).
func (z *Compressor) Close() error {
	if z.w.sink == nil {
		return ErrNoSink
	}
	if z.w.err != nil {
		return z.w.err
	}
	z.compress(true)
	z.endBlock()
	z.w.writeBits(blockStored<<1, 3)
	z.w.alignToByte()
	z.w.flushBuf()
	if z.w.err != nil {
		return z.w.err
	}
	z.dirty = false
	z.w.sink = nil // the message is over; do not hold on to the sink
	return nil
}

// compress turns the input into tokens, all of it if final, otherwise as
// far as a match cannot run past the end of the input.
func (z *Compressor) compress(final bool) {
	limit := z.end
	if !final {
		limit -= maxMatch
	}
	if limit <= z.cur {
		return
	}
	if z.level == NoCompression {
		writeStored(&z.w, z.win[z.cur:limit])
		z.cur = limit
		return
	}
	if z.blk == nil {
		z.blk = blockPool.Get().(*block)
		z.blockStart = z.cur
	}
	switch {
	case z.level == HuffmanOnly:
		z.emitLiterals(z.cur, limit)
		z.cur = limit
	case z.level == BestSpeed:
		z.tokenizeFast(limit, final)
	default:
		z.tokenizeLazy(limit, final)
	}
}

// slide drops input that no match can reach any more to make room at the
// end of win.
func (z *Compressor) slide() {
	shift := max(z.cur-z.wsize, z.histStart)
	if shift <= 0 {
		return
	}
	copy(z.win, z.win[shift:z.end])
	z.end -= shift
	z.cur -= shift
	z.base += shift
	z.histStart = max(z.histStart-shift, 0)
	if z.blockStart >= shift {
		z.blockStart -= shift
	} else {
		z.blockStart = -1
	}
}

// flushBlock writes the block gathered so far, which ends at input byte
// end, and starts the next one there.
func (z *Compressor) flushBlock(end int) {
	var raw []byte
	if z.blockStart >= 0 {
		raw = z.win[z.blockStart:end]
	}
	b := z.blk
	b.enc.writeBlock(&z.w, b.tokens, b.lits, raw, z.level == BestSpeed)
	b.clear()
	z.blockStart = end
}

// endBlock writes the block gathered during this call, if any, and gives
// it back to the pool.
func (z *Compressor) endBlock() {
	if z.blk == nil {
		return
	}
	if !z.blk.empty() && z.w.err == nil {
		z.flushBlock(z.cur)
	}
	z.blk.clear()
	blockPool.Put(z.blk)
	z.blk = nil
}

// emitLiterals appends win[from:to] as literals.
func (z *Compressor) emitLiterals(from, to int) {
	if z.blk.full(to - from) {
		from = z.makeRoom(from, to)
	}
	z.blk.addLiterals(z.win[from:to])
}

// emitMatch appends a match of length bytes at input byte at, dist bytes
// back, after the literals from input byte lit on.
func (z *Compressor) emitMatch(lit, at, length, dist int) {
	b := z.blk
	if b.full(at - lit) {
		lit = z.makeRoom(lit, at)
	}
	b.addLiterals(z.win[lit:at])
	b.tokens = append(b.tokens, matchToken(length, dist))
}

// makeRoom emits the literals before input byte at, from lit on, flushing
// the block as it fills, until the block has room for the rest of them
// and a match. It returns where the rest starts.
func (z *Compressor) makeRoom(lit, at int) int {
	for b := z.blk; b.full(at - lit); {
		if len(b.tokens) < maxBlockTokens {
			k := min(at-lit, maxBlockLits-len(b.lits))
			b.addLiterals(z.win[lit : lit+k])
			lit += k
		}
		z.flushBlock(lit)
	}
	return lit
}
