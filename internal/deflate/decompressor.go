package deflate

import (
	"errors"
	"io"
)

// inBufSize is the size of the Decompressor's input buffer: compressed
// bytes are read from the source in reads of up to this size.
const inBufSize = 2048

// syncTail is what a sender removes from the end of each compressed
// message and the receiver appends again (RFC 7692 §7.2.1, §7.2.2): the
// LEN and NLEN of an empty stored block.
var syncTail = [4]byte{0x00, 0x00, 0xff, 0xff}

// ErrNoSource is returned by Read before the first Reset.
var ErrNoSource = errors.New("deflate: Decompressor used before Reset gave it a source")

// maxEmptyReads bounds the reads in a row that return no bytes and no
// error before Read gives up with io.ErrNoProgress.
const maxEmptyReads = 100

type decodeState uint8

const (
	stateHeader  decodeState = iota // at a block boundary
	stateStored                     // inside a stored block
	stateHuffman                    // inside a block with fixed or dynamic codes
)

// A Decompressor decompresses the messages of one direction of a
// WebSocket connection compressed with RFC 7692 permessage-deflate.
//
// Each message is read from the source given to Reset, which yields the
// message's payload as it came in its frames and then io.EOF; the
// Decompressor appends the four octets 00 00 ff ff itself (§7.2.2). Read
// returns the decompressed message and io.EOF at its end.
//
// The LZ77 window, of 2^windowBits bytes, carries over from one message
// to the next (context takeover), also past a message that ends its
// DEFLATE stream with a final block; ResetHistory forgets it, as
// no_context_takeover requires before each message.
//
// Read decodes at most one window ahead of what it returns, so a caller
// bounds the memory and work spent on a message by how much it reads:
// a few kilobytes that would inflate to gigabytes cost no more than the
// caller's limit. Decompressing allocates nothing. A Decompressor is not
// safe for concurrent use.
type Decompressor struct {
	src     io.Reader
	in      [inBufSize]byte
	inPos   int  // next byte of in to use
	inEnd   int  // end of the bytes in in
	srcDone bool // src ended and the tail was appended to in

	bits  uint64 // input bits not yet used, the next in the low bits
	nbits uint

	// win is the LZ77 window, a ring: decoded bytes go to win[wpos:]
	// and Read hands out win[rpos:wpos].
	win  []byte
	wpos int
	rpos int
	hist int // bytes before wpos a distance may reach, at most len(win)

	state    decodeState
	final    bool // the current block is the last of its DEFLATE stream
	stored   int  // bytes left in the current stored block
	copyLen  int  // bytes left of a match that did not fit before the ring's end
	copyDist int
	lit      []uint32 // the current block's decoding tables
	dist     []uint32

	litTable  [litTableSize]uint32
	distTable [distTableSize]uint32

	err      error // sticky; io.EOF at the end of a message
	complete bool  // the last message was read to its end
}

// NewDecompressor returns a Decompressor for a peer that compresses with
// a window of 2^windowBits bytes (8 to 15): a message that refers further
// back fails with ErrWindowExceeded.
//
// Its memory is the window plus about 8 KiB: 40 KiB at windowBits 15, 8.3
// KiB at 8.
func NewDecompressor(windowBits int) (*Decompressor, error) {
	if err := checkWindowBits(windowBits); err != nil {
		return nil, err
	}
	return &Decompressor{
		win:      make([]byte, 1<<windowBits),
		err:      ErrNoSource,
		complete: true,
	}, nil
}

// Reset starts a new message whose compressed payload src yields. The
// window carries over from the previous message if that message was read
// to its end; if it was not, the peer's window holds bytes this one never
// saw, and Reset forgets the window so that a reference to them fails
// rather than decoding to the wrong bytes. (To skip a message and keep the
// window, read the message to its end into io.Discard.)
func (d *Decompressor) Reset(src io.Reader) {
	if !d.complete {
		d.ResetHistory()
	}
	d.src = src
	d.inPos, d.inEnd = 0, 0
	d.srcDone = false
	d.bits, d.nbits = 0, 0
	d.rpos = d.wpos
	d.state = stateHeader
	d.final = false
	d.stored = 0
	d.copyLen = 0
	d.err = nil
	d.complete = false
}

// ResetHistory forgets the window: the next message may not refer to
// anything before it. Call it before each message when no context
// takeover was negotiated for this direction (RFC 7692 §7.1.1).
func (d *Decompressor) ResetHistory() {
	d.hist = 0
}

// Read reads decompressed bytes of the message. At its end it returns
// io.EOF. Invalid data gives an error matching ErrCorrupt, a message cut
// short io.ErrUnexpectedEOF, and an error of the source that error.
func (d *Decompressor) Read(p []byte) (int, error) {
	for d.rpos == d.wpos {
		if d.err != nil {
			return 0, d.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		d.decode()
	}
	n := copy(p, d.win[d.rpos:d.wpos])
	d.rpos += n
	return n, nil
}

// decode decodes into the ring from wpos to its end, and returns when that
// is full, on an error or the end of the message, or when going on would
// wait for the source while decoded bytes are ready to be read.
func (d *Decompressor) decode() {
	if d.wpos == len(d.win) {
		d.wpos, d.rpos = 0, 0
	}
	for d.err == nil && d.wpos < len(d.win) {
		switch d.state {
		case stateHeader:
			if d.wpos > d.rpos {
				return
			}
			d.readBlockHeader()
		case stateStored:
			if d.copyStored() {
				if d.wpos > d.rpos {
					return
				}
				d.fill()
			}
		case stateHuffman:
			if d.inflate() {
				if d.wpos > d.rpos {
					return
				}
				d.fill()
			}
		}
	}
}

// fill reads more input from the source. At the source's end it appends
// the tail that the sender removed.
func (d *Decompressor) fill() {
	if d.srcDone {
		return
	}
	d.inEnd = copy(d.in[:], d.in[d.inPos:d.inEnd])
	d.inPos = 0
	room := d.in[:len(d.in)-len(syncTail)] // the tail always fits
	for range maxEmptyReads {
		n, err := d.src.Read(room[d.inEnd:])
		d.inEnd += n
		if err == io.EOF {
			d.inEnd += copy(d.in[d.inEnd:], syncTail[:])
			d.srcDone = true
			return
		}
		if err != nil {
			d.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	d.err = io.ErrNoProgress
}

// pull tries to have at least n bits at hand, reading from the source as
// needed; at the end of the input it may have fewer.
func (d *Decompressor) pull(n uint) {
	for d.nbits < n && d.err == nil {
		if d.inPos < d.inEnd {
			d.bits |= uint64(d.in[d.inPos]) << d.nbits
			d.inPos++
			d.nbits += 8
			continue
		}
		if d.srcDone {
			return
		}
		d.fill()
	}
}

// need is pull for bits that must be there: it reports whether they are,
// and if not records why.
func (d *Decompressor) need(n uint) bool {
	d.pull(n)
	if d.err != nil {
		return false
	}
	if d.nbits < n {
		d.err = io.ErrUnexpectedEOF
		return false
	}
	return true
}

func (d *Decompressor) take(n uint) uint32 {
	v := uint32(d.bits & (1<<n - 1))
	d.bits >>= n
	d.nbits -= n
	return v
}

// readSymbol decodes one symbol with table outside the hot loop.
func (d *Decompressor) readSymbol(table []uint32, rootBits uint) (uint32, bool) {
	d.pull(maxCodeBits)
	if d.err != nil {
		return 0, false
	}
	e := lookup(table, rootBits, d.bits)
	switch {
	case e == 0:
		d.err = ErrInvalidCode
		return 0, false
	case uint(e&0xf) > d.nbits:
		d.err = io.ErrUnexpectedEOF
		return 0, false
	}
	d.take(uint(e & 0xf))
	return e >> 16, true
}

// readBlockHeader reads the header of the next block (RFC 1951 §3.2.3),
// or finds the end of the message.
func (d *Decompressor) readBlockHeader() {
	if d.final {
		d.endStream()
		return
	}
	if d.nbits == 0 && d.inPos == d.inEnd {
		if !d.srcDone {
			d.fill()
			return
		}
		// A message that ends with a sync flush ends here, after the
		// empty stored block the tail completed.
		d.endMessage()
		return
	}
	if !d.need(3) {
		return
	}
	d.final = d.take(1) == 1
	switch d.take(2) {
	case blockStored:
		d.take(d.nbits & 7) // stored data starts at a byte boundary
		if !d.need(32) {
			return
		}
		n, nn := d.take(16), d.take(16)
		if n != ^nn&0xffff {
			d.err = ErrStoredLength
			return
		}
		d.stored = int(n)
		d.state = stateStored
	case blockFixed:
		d.lit, d.dist = fixedLitTable[:], fixedDistTable[:]
		d.state = stateHuffman
	case blockDynamic:
		if d.readCodes() {
			d.lit, d.dist = d.litTable[:], d.distTable[:]
			d.state = stateHuffman
		}
	default:
		d.err = ErrBlockType
	}
}

// readCodes reads the code lengths of a dynamic block (§3.2.7) and builds
// its decoding tables.
func (d *Decompressor) readCodes() bool {
	if !d.need(14) {
		return false
	}
	nlit := int(d.take(5)) + firstLength
	ndist := int(d.take(5)) + 1
	nclen := int(d.take(4)) + 4
	if nlit > numLitLen || ndist > numDist {
		d.err = ErrTooManyCodes
		return false
	}
	var clens [numCodeLen]uint8
	for _, sym := range codeLenOrder[:nclen] {
		if !d.need(3) {
			return false
		}
		clens[sym] = uint8(d.take(3))
	}
	var codeTable [codeTableSize]uint32
	if err := buildTable(codeTable[:], codeRootBits, clens[:]); err != nil {
		d.err = err
		return false
	}

	var lens [numLitLen + numDist]uint8
	all := lens[:nlit+ndist]
	for i := 0; i < len(all); {
		sym, ok := d.readSymbol(codeTable[:], codeRootBits)
		if !ok {
			return false
		}
		if sym < repeatPrevious {
			all[i] = uint8(sym)
			i++
			continue
		}
		var n int
		var v uint8
		switch sym {
		case repeatPrevious:
			if i == 0 {
				d.err = ErrRepeatFirst
				return false
			}
			if !d.need(2) {
				return false
			}
			n, v = 3+int(d.take(2)), all[i-1]
		case repeatZero3:
			if !d.need(3) {
				return false
			}
			n = 3 + int(d.take(3))
		default:
			if !d.need(7) {
				return false
			}
			n = 11 + int(d.take(7))
		}
		if i+n > len(all) {
			d.err = ErrRepeatOverflow
			return false
		}
		for ; n > 0; n-- {
			all[i] = v
			i++
		}
	}
	if all[endOfBlock] == 0 {
		d.err = ErrNoEndOfBlock
		return false
	}
	if err := buildTable(d.litTable[:], litRootBits, all[:nlit]); err != nil {
		d.err = err
		return false
	}
	if err := buildTable(d.distTable[:], distRootBits, all[nlit:]); err != nil {
		d.err = err
		return false
	}
	return true
}

// copyStored copies stored bytes to the ring and reports whether it needs
// more input to go on.
func (d *Decompressor) copyStored() (needInput bool) {
	start := d.wpos
	// The block started at a byte boundary, so the bits at hand are
	// whole bytes.
	for d.stored > 0 && d.nbits >= 8 && d.wpos < len(d.win) {
		d.win[d.wpos] = byte(d.take(8))
		d.wpos++
		d.stored--
	}
	k := min(d.stored, len(d.win)-d.wpos, d.inEnd-d.inPos)
	copy(d.win[d.wpos:d.wpos+k], d.in[d.inPos:])
	d.inPos += k
	d.wpos += k
	d.stored -= k
	d.hist = min(d.hist+d.wpos-start, len(d.win))
	switch {
	case d.stored == 0:
		d.state = stateHeader
	case d.wpos == len(d.win):
	case d.srcDone:
		d.err = io.ErrUnexpectedEOF
	default:
		return true
	}
	return false
}

// endStream checks the end of a message whose DEFLATE stream ended with a
// final block: after the block's last byte only the tail may remain, or
// the part of it the final block did not use up.
func (d *Decompressor) endStream() {
	d.take(d.nbits & 7)
	var rest [len(syncTail) + 1]byte
	n := 0
	for {
		if d.nbits == 0 && d.inPos == d.inEnd {
			if d.srcDone {
				break
			}
			d.fill()
			if d.err != nil {
				return
			}
			continue
		}
		var b byte
		if d.nbits > 0 {
			b = byte(d.take(8))
		} else {
			b = d.in[d.inPos]
			d.inPos++
		}
		if n == len(rest)-1 {
			d.err = ErrDataAfterFinal
			return
		}
		rest[n] = b
		n++
	}
	if string(rest[:n]) != string(syncTail[len(syncTail)-n:]) {
		d.err = ErrDataAfterFinal
		return
	}
	d.final = false
	d.endMessage()
}

func (d *Decompressor) endMessage() {
	d.err = io.EOF
	d.complete = true
	d.src = nil // the message is over; do not hold on to the source
}
