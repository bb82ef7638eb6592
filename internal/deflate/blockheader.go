package deflate

// The steps that read block headers. Each takes the bits it needs only
// when all of them are at hand, so that input running short before the
// source ends leaves the state as it was: the step reports that it needs
// input and runs again from the start once more has come.

// readBlockHeader reads the header of the next block (RFC 1951 §3.2.3)
// with, for a stored block, LEN and NLEN (§3.2.4) and, for a dynamic
// block, HLIT, HDIST and HCLEN (§3.2.7); or it finds the end of the
// message.
func (d *Decompressor) readBlockHeader() (needInput bool) {
	if d.final {
		return d.endStream()
	}
	if !d.have(3) {
		if d.nbits == 0 && d.srcDone {
			// A message that ends with a sync flush ends here,
			// after the empty stored block the tail completed.
			d.endMessage()
			return false
		}
		return true
	}
	btype := d.bits >> 1 & 3
	n := uint(3)
	switch btype {
	case blockStored:
		// LEN and NLEN start at the next byte boundary; reading whole
		// bytes does not move it.
		n += (d.nbits-3)&7 + 32
	case blockDynamic:
		n += 14
	case blockFixed:
		// Its codes are known (§3.2.6): the header is all.
	default:
		d.err = ErrBlockType
		return false
	}
	if !d.have(n) {
		return true
	}
	d.final = d.take(1) == 1
	d.take(2)
	switch btype {
	case blockStored:
		d.take(d.nbits & 7)
		length, nlength := d.take(16), d.take(16)
		if length != ^nlength&0xffff {
			d.err = ErrStoredLength
			return false
		}
		d.stored = int(length)
		d.state = stateStored
	case blockFixed:
		d.lit, d.dist = fixedLitTable[:], fixedDistTable[:]
		d.state = stateHuffman
	case blockDynamic:
		d.nlit = int(d.take(5)) + firstLength
		d.ndist = int(d.take(5)) + 1
		d.nclen = int(d.take(4)) + 4
		if d.nlit > numLitLen || d.ndist > numDist {
			d.err = ErrTooManyCodes
			return false
		}
		d.state = stateCodeLenCode
	}
	return false
}

// While the code lengths of a dynamic block are read, the block's
// decoding tables are free, so they hold what reading needs: the distance
// table the code length code, the literal/length table the code lengths
// read so far, one to an entry. This keeps the Decompressor within the
// memory it has without dynamic blocks.

// codeLenTable is the table of the code length code.
func (d *Decompressor) codeLenTable() []uint32 {
	return d.distTable[:codeTableSize]
}

// codeLens holds the code lengths of the literal/length and distance
// codes read so far.
func (d *Decompressor) codeLens() []uint32 {
	return d.litTable[:d.nlit+d.ndist]
}

// readCodeLenCode reads the code lengths of the code length code of a
// dynamic block, three bits each (§3.2.7), and builds its table.
func (d *Decompressor) readCodeLenCode() (needInput bool) {
	if !d.have(3 * uint(d.nclen)) {
		return true
	}
	var clens [numCodeLen]uint8
	for _, sym := range codeLenOrder[:d.nclen] {
		clens[sym] = uint8(d.take(3))
	}
	if err := buildTable(d.codeLenTable(), codeRootBits, clens[:]); err != nil {
		d.err = err
		return false
	}
	d.nlens = 0
	d.state = stateCodeLens
	return false
}

// readCodeLens reads the code lengths of the literal/length and distance
// codes of a dynamic block (§3.2.7), each symbol with its extra bits only
// when all of them are at hand, and builds the block's decoding tables
// after the last.
func (d *Decompressor) readCodeLens() (needInput bool) {
	all := d.codeLens()
	for d.nlens < len(all) {
		d.have(maxCodeLenLen + 7)
		e := lookup(d.codeLenTable(), codeRootBits, d.bits)
		if e == 0 {
			d.err = ErrInvalidCode
			return false
		}
		n := uint(e & 0xf)
		if n > d.nbits {
			return true
		}
		sym := e >> 16
		if sym == repeatPrevious && d.nlens == 0 {
			d.err = ErrRepeatFirst
			return false
		}
		extra := repeatExtraBits(uint16(sym))
		if n+extra > d.nbits {
			return true
		}
		d.take(n)
		if sym < repeatPrevious {
			all[d.nlens] = sym
			d.nlens++
			continue
		}
		k := int(d.take(extra))
		var v uint32
		switch sym {
		case repeatPrevious:
			k, v = 3+k, all[d.nlens-1]
		case repeatZero3:
			k += 3
		default:
			k += 11
		}
		if d.nlens+k > len(all) {
			d.err = ErrRepeatOverflow
			return false
		}
		for ; k > 0; k-- {
			all[d.nlens] = v
			d.nlens++
		}
	}
	if all[endOfBlock] == 0 {
		d.err = ErrNoEndOfBlock
		return false
	}
	var lens [numLitLen + numDist]uint8
	for i, n := range all {
		lens[i] = uint8(n)
	}
	if err := buildTable(d.litTable[:], litRootBits, lens[:d.nlit]); err != nil {
		d.err = err
		return false
	}
	if err := buildTable(d.distTable[:], distRootBits, lens[d.nlit:len(all)]); err != nil {
		d.err = err
		return false
	}
	d.lit, d.dist = d.litTable[:], d.distTable[:]
	d.state = stateHuffman
	return false
}
