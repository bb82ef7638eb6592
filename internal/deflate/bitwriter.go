package deflate

import (
	"encoding/binary"
	"io"
)

// outBufSize is the size of the Compressor's output buffer: compressed
// bytes reach the sink in writes of this size, except at the end of a
// message. The sink is expected to buffer on its own if it wants larger
// frames.
const outBufSize = 1024

// bitWriter packs bits into bytes, least significant bit first (RFC 1951
// §3.1.1), and passes full buffers to a sink. The first error of the sink
// sticks.
type bitWriter struct {
	acc  uint64 // pending bits, the oldest in the low bits
	nacc uint   // number of pending bits, below 16 between calls
	n    int    // bytes used in buf
	buf  [outBufSize]byte
	sink io.Writer
	err  error
}

func (w *bitWriter) reset(sink io.Writer) {
	w.acc, w.nacc, w.n = 0, 0, 0
	w.sink = sink
	w.err = nil
}

// writeBits appends the low nb bits of b; nb is at most 48.
func (w *bitWriter) writeBits(b uint64, nb uint) {
	w.acc, w.nacc = addBits(w.acc, w.nacc, b, nb)
	if w.nacc >= 16 {
		w.flushBytes()
	}
}

// flushBytes moves the whole bytes of the accumulator to the buffer,
// leaving fewer than 8 pending bits.
func (w *bitWriter) flushBytes() {
	w.acc, w.nacc = w.spill(w.acc, w.nacc)
}

// spill moves the whole bytes of acc, which holds nacc bits (at most 63),
// to the buffer and returns the bits left over, fewer than 8.
func (w *bitWriter) spill(acc uint64, nacc uint) (uint64, uint) {
	if w.n > len(w.buf)-8 {
		w.flushBuf()
	}
	w.n, acc, nacc = putBits(w.buf[:], w.n, acc, nacc)
	return acc, nacc
}

// addBits appends the low nb bits of b to acc, which holds nacc bits and
// must have room for them.
func addBits(acc uint64, nacc uint, b uint64, nb uint) (uint64, uint) {
	return acc | b<<(nacc&63), nacc + nb
}

func addCode(acc uint64, nacc uint, c hcode) (uint64, uint) {
	return addBits(acc, nacc, c.bits(), c.len())
}

// putBits stores the whole bytes of acc, which holds nacc bits (at most
// 63), at buf[n:], eight bytes at once, and returns the position after
// them and the bits left over, fewer than 8. buf must have 8 bytes of
// room at n. Loops that write many codes keep acc, nacc and n in locals
// and call it when acc runs out of room.
func putBits(buf []byte, n int, acc uint64, nacc uint) (int, uint64, uint) {
	binary.LittleEndian.PutUint64(buf[n:], acc)
	k := nacc >> 3
	return n + int(k), acc >> (k * 8 & 63), nacc & 7
}

func (w *bitWriter) writeCode(c hcode) { w.writeBits(c.bits(), c.len()) }

// alignToByte pads the pending bits with zeros to a byte boundary and moves
// them to the buffer.
func (w *bitWriter) alignToByte() {
	w.nacc = (w.nacc + 7) &^ 7
	w.flushBytes()
}

// writeAligned writes p as whole bytes; the writer must be byte-aligned.
// Long runs go to the sink directly rather than through the buffer.
func (w *bitWriter) writeAligned(p []byte) {
	if len(p) >= len(w.buf)-w.n {
		w.flushBuf()
		if w.err == nil {
			_, w.err = w.sink.Write(p)
		}
		return
	}
	w.n += copy(w.buf[w.n:], p)
}

// flushBuf hands the buffered bytes to the sink.
func (w *bitWriter) flushBuf() {
	if w.n > 0 && w.err == nil {
		_, w.err = w.sink.Write(w.buf[:w.n])
	}
	w.n = 0
}
