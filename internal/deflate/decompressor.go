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

// The decoding state says which step comes next. Each step either
// completes or, when the input at hand runs short before the source has
// ended, changes nothing, so that it can run again once there is more.
type decodeState uint8

const (
	stateHeader      decodeState = iota // at a block boundary
	stateCodeLenCode                    // the code length code of a dynamic block
	stateCodeLens                       // the code lengths of a dynamic block
	stateStored                         // inside a stored block
	stateHuffman                        // inside a block with fixed or dynamic codes
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

	// The header of a dynamic block being read (RFC 1951 §3.2.7): the
	// numbers of code lengths it has, and of those read so far.
	nlit, ndist, nclen int
	nlens              int

	litTable  [litTableSize]uint32
	distTable [distTableSize]uint32

	// err is a data error, io.ErrUnexpectedEOF or, at the end of a
	// message, io.EOF: it sticks until Reset. Errors of the source are
	// not kept.
	err      error
	complete bool // the last message was read to its end
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
//
// src may fail for a while: a Read that ends in an error of src other
// than io.EOF leaves the message where it was, to be read on from the
// same src. src is read no more once it has returned io.EOF.
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
// io.EOF. Invalid data gives an error matching ErrCorrupt and a message
// cut short io.ErrUnexpectedEOF; these errors and io.EOF stay, every
// later Read returns them until Reset.
//
// An error of the source other than io.EOF (or io.ErrNoProgress, if the
// source returns nothing too many times in a row) is returned with no
// bytes and is not kept. Nothing is lost: what the source returned
// before the error is kept, and every step of decoding either completes
// or waits for input without changing anything, so the next Read asks
// the source again and goes on exactly where this one stopped, as if
// the error had never happened. This is what lets a connection's read
// deadline or context interrupt a message and a later Read resume it.
func (d *Decompressor) Read(p []byte) (int, error) {
	for d.rpos == d.wpos {
		if d.err != nil {
			return 0, d.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		if err := d.decode(); err != nil {
			return 0, err
		}
	}
	n := copy(p, d.win[d.rpos:d.wpos])
	d.rpos += n
	return n, nil
}

// decode decodes into the ring from wpos to its end, and returns when that
// is full, on an error or the end of the message, or when going on would
// wait for the source while decoded bytes are ready to be read. It returns
// the error of a source that failed before it decoded anything; d.err
// holds the errors that stay.
func (d *Decompressor) decode() error {
	if d.wpos == len(d.win) {
		d.wpos, d.rpos = 0, 0
	}
	for d.err == nil && d.wpos < len(d.win) {
		var needInput bool
		switch d.state {
		case stateHeader:
			needInput = d.readBlockHeader()
		case stateCodeLenCode:
			needInput = d.readCodeLenCode()
		case stateCodeLens:
			needInput = d.readCodeLens()
		case stateStored:
			needInput = d.copyStored()
		case stateHuffman:
			needInput = d.inflate()
		}
		if !needInput {
			continue
		}
		switch {
		case d.srcDone:
			d.err = io.ErrUnexpectedEOF
		case d.wpos > d.rpos:
			return nil
		default:
			if err := d.fill(); err != nil {
				return err
			}
		}
	}
	return nil
}

// fill reads more input from the source. At the source's end it appends
// the tail that the sender removed. It returns an error of the source
// after keeping the bytes that came with it.
func (d *Decompressor) fill() error {
	d.inEnd = copy(d.in[:], d.in[d.inPos:d.inEnd])
	d.inPos = 0
	room := d.in[:len(d.in)-len(syncTail)] // the tail always fits
	for range maxEmptyReads {
		n, err := d.src.Read(room[d.inEnd:])
		d.inEnd += n
		if err == io.EOF {
			d.inEnd += copy(d.in[d.inEnd:], syncTail[:])
			d.srcDone = true
			return nil
		}
		if err != nil || n > 0 {
			return err
		}
	}
	return io.ErrNoProgress
}

// have reports whether n bits, at most 57, are at hand, moving them from
// the input buffer as needed. It does not read the source.
func (d *Decompressor) have(n uint) bool {
	for d.nbits < n && d.inPos < d.inEnd {
		d.bits |= uint64(d.in[d.inPos]) << d.nbits
		d.inPos++
		d.nbits += 8
	}
	return d.nbits >= n
}

func (d *Decompressor) take(n uint) uint32 {
	v := uint32(d.bits & (1<<n - 1))
	d.bits >>= n
	d.nbits -= n
	return v
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
	if d.stored == 0 {
		d.state = stateHeader
	}
	return d.stored > 0 && d.wpos < len(d.win)
}

// endStream checks the end of a message whose DEFLATE stream ended with a
// final block: after the block's last byte only the tail may remain, or
// the part of it the final block did not use up (RFC 7692 §7.2.2). Until
// the source ends the tail is not there, so any byte left is one too many.
func (d *Decompressor) endStream() (needInput bool) {
	d.take(d.nbits & 7) // the rest of the block's last byte
	left := int(d.nbits/8) + d.inEnd - d.inPos
	if !d.srcDone {
		if left > 0 {
			d.err = ErrDataAfterFinal
			return false
		}
		return true
	}
	if left > len(syncTail) {
		d.err = ErrDataAfterFinal
		return false
	}
	var rest [len(syncTail)]byte
	n := 0
	for ; d.nbits > 0; n++ {
		rest[n] = byte(d.take(8))
	}
	n += copy(rest[n:], d.in[d.inPos:d.inEnd])
	d.inPos = d.inEnd
	if string(rest[:n]) != string(syncTail[len(syncTail)-n:]) {
		d.err = ErrDataAfterFinal
		return false
	}
	d.final = false
	d.endMessage()
	return false
}

func (d *Decompressor) endMessage() {
	d.err = io.EOF
	d.complete = true
	d.src = nil // the message is over; do not hold on to the source
}
