package deflate

import (
	"encoding/binary"
	"io"
)

// pairBits is the most a length/distance pair takes: a 15-bit code and 5
// extra bits for the length, a 15-bit code and 13 extra bits for the
// distance (RFC 1951 §3.2.5).
const pairBits = 15 + 5 + 15 + 13

// inflate decodes the symbols of the current Huffman block into the ring
// from wpos on (§3.2.5), and returns when the block ends, the ring is
// full up to its end, the data is bad, or the input at hand may not hold
// the next symbol; in that last case it reports that it needs input.
//
// The state it works on is copied into locals for the loop: this is where
// decompression spends its time.
func (d *Decompressor) inflate() (needInput bool) {
	win := d.win
	wpos := d.wpos
	// A distance may reach back over the history before this call and
	// everything written since: reach+wpos bytes.
	reach := d.hist - wpos

	if d.copyLen > 0 {
		k := min(d.copyLen, len(win)-wpos)
		copyBack(win, wpos, d.copyDist, k)
		wpos += k
		d.copyLen -= k
		if d.copyLen > 0 {
			d.wpos = wpos
			d.hist = min(reach+wpos, len(win))
			return false
		}
	}

	bits, nbits := d.bits, d.nbits
	in, ip := d.in[:d.inEnd], d.inPos
	lit, dist := d.lit, d.dist
	var err error
	for wpos < len(win) {
		if nbits < pairBits {
			if len(in)-ip >= 8 {
				bits |= binary.LittleEndian.Uint64(in[ip:]) << nbits
				k := (63 - nbits) >> 3
				ip += int(k)
				nbits += k << 3
			} else {
				for nbits <= 56 && ip < len(in) {
					bits |= uint64(in[ip]) << nbits
					ip++
					nbits += 8
				}
				if nbits < pairBits && !d.srcDone {
					needInput = true
					break
				}
			}
		}

		e := lit[bits&(1<<litRootBits-1)]
		if e&linkFlag != 0 {
			e = lit[e>>16+uint32(bits>>litRootBits)&(1<<(e&0xf)-1)]
		}
		n := uint(e & 0xf)
		if e == 0 || n > nbits {
			err = symbolError(e)
			break
		}
		bits >>= n
		nbits -= n
		sym := e >> 16
		if sym < endOfBlock {
			win[wpos] = byte(sym)
			wpos++
			continue
		}
		if sym == endOfBlock {
			d.state = stateHeader
			break
		}

		sym -= firstLength
		if sym >= uint32(len(lengthBase)) {
			err = ErrInvalidSymbol
			break
		}
		n = uint(lengthExtra[sym])
		if n > nbits {
			err = io.ErrUnexpectedEOF
			break
		}
		length := int(lengthBase[sym]) + int(bits&(1<<n-1))
		bits >>= n
		nbits -= n

		e = dist[bits&(1<<distRootBits-1)]
		if e&linkFlag != 0 {
			e = dist[e>>16+uint32(bits>>distRootBits)&(1<<(e&0xf)-1)]
		}
		n = uint(e & 0xf)
		if e == 0 || n > nbits {
			err = symbolError(e)
			break
		}
		bits >>= n
		nbits -= n
		sym = e >> 16
		if sym >= numDist {
			err = ErrInvalidSymbol
			break
		}
		n = uint(distExtra[sym])
		if n > nbits {
			err = io.ErrUnexpectedEOF
			break
		}
		back := int(distBase[sym]) + int(bits&(1<<n-1))
		bits >>= n
		nbits -= n
		if back > len(win) {
			err = ErrWindowExceeded
			break
		}
		if back > reach+wpos {
			err = ErrDistanceTooFar
			break
		}

		k := min(length, len(win)-wpos)
		copyBack(win, wpos, back, k)
		wpos += k
		if k < length {
			d.copyLen, d.copyDist = length-k, back
			break
		}
	}
	// The fast refill also loaded bytes beyond nbits; outside this loop
	// the bits above nbits are zero.
	d.bits, d.nbits = bits&(1<<nbits-1), nbits
	d.inPos = ip
	d.wpos = wpos
	d.hist = min(reach+wpos, len(win))
	if err != nil {
		d.err = err
	}
	return needInput
}

// symbolError tells why a table entry e gave no symbol: there is no such
// code, or the input ended inside one.
func symbolError(e uint32) error {
	if e == 0 {
		return ErrInvalidCode
	}
	return io.ErrUnexpectedEOF
}

// copyBack writes n bytes at win[wpos:] copied from dist bytes back in the
// ring. The copy may overlap what it writes: a distance shorter than the
// length repeats the last dist bytes (§3.2.3). wpos+n is within win.
func copyBack(win []byte, wpos, dist, n int) {
	src := wpos - dist
	if src < 0 {
		// The source starts near the end of the ring. The destination
		// is before it, so a forward copy reads every byte before it
		// overwrites it.
		src += len(win)
		k := copy(win[wpos:wpos+n], win[src:])
		if k == n {
			return
		}
		wpos += k
		n -= k
		src = 0
	}
	if n <= dist {
		copy(win[wpos:wpos+n], win[src:src+n])
		return
	}
	// Each pass copies everything from src written so far: the
	// pattern doubles until it covers the length.
	for end := wpos + n; wpos < end; {
		wpos += copy(win[wpos:end], win[src:wpos])
	}
}
