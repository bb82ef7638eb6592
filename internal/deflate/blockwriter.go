package deflate

// blockEncoder turns a block into the cheapest of the three block types
// (RFC 1951 §3.2.3): a stored block, a block with the fixed codes, or a
// block with codes of its own. Its arrays are scratch space kept between
// blocks so that encoding allocates nothing.
type blockEncoder struct {
	litFreq   [numLitLen]uint32
	distFreq  [numDist]uint32
	litLens   [numLitLen]uint8
	distLens  [numDist]uint8
	litCodes  [numLitLen]hcode
	distCodes [numDist]hcode

	// The header of a dynamic block: the code lengths of both codes
	// written with the code length alphabet (§3.2.7).
	allLens     [numLitLen + numDist]uint8
	runs        [numLitLen + numDist]codeLenRun
	nruns       int
	codeLenFreq [numCodeLen]uint32
	codeLenLens [numCodeLen]uint8
	codeLenCode [numCodeLen]hcode
	hlit, hdist int
	hclen       int

	// The number of codes of each length of the three codes.
	litCount, distCount, codeLenCount lengthCounts

	builder codeBuilder
}

// writeBlock writes a non-final block of tokens and lits. raw is the
// input they stand for, or nil if it is no longer at hand; a block of
// literals alone is its own input. A block whose input is not at hand is
// not stored.
//
// If fast, the block is stored unless coding saves more than a
// seventeenth of it: copying bytes costs far less time than coding them,
// and data that Huffman coding shrinks so little (samples, compressed or
// encrypted data) is seldom worth it. compress/flate chooses so too.
func (e *blockEncoder) writeBlock(w *bitWriter, tokens []token, lits, raw []byte, fast bool) {
	e.litFreq = [numLitLen]uint32{}
	e.distFreq = [numDist]uint32{}
	litFreq := (*[256]uint32)(e.litFreq[:256])
	for _, b := range lits {
		litFreq[b]++
	}
	matches := 0
	for _, t := range tokens {
		if t < matchFlag {
			continue
		}
		matches++
		e.litFreq[firstLength+int(lengthSymbol[(t>>16)&0xff])]++
		e.distFreq[distSymbol(uint32(t&0xffff))]++
	}
	e.litFreq[endOfBlock] = 1
	if matches == 0 {
		raw = lits
	}

	// Extra bits cost the same in a fixed and a dynamic block.
	extra := 0
	if matches > 0 {
		for i, f := range e.litFreq[firstLength:] {
			extra += int(f) * int(lengthExtra[i])
		}
		for i, f := range e.distFreq {
			extra += int(f) * int(distExtra[i])
		}
	}
	fixedBits := 3 + extra + 5*matches
	dynamicBits := e.prepareDynamic() + extra
	for sym, f := range e.litFreq {
		fixedBits += int(f) * int(fixedLitLenLengths[sym])
		dynamicBits += int(f) * int(e.litLens[sym])
	}
	for sym, f := range e.distFreq[:e.hdist] {
		dynamicBits += int(f) * int(e.distLens[sym])
	}

	storedBits := -1
	if raw != nil {
		storedBits = storedSize(w.nacc, len(raw))
	}
	codedBits := min(fixedBits, dynamicBits)
	if fast {
		codedBits += codedBits >> 4
	}

	switch {
	case storedBits >= 0 && storedBits <= codedBits:
		writeStored(w, raw)
	case fixedBits <= dynamicBits:
		w.writeBits(blockFixed<<1, 3)
		writeTokens(w, tokens, lits, (*[numLitLen]hcode)(fixedLitLenCodes[:]), (*[numDist]hcode)(fixedDistCodes[:]))
	default:
		e.writeDynamicHeader(w)
		writeTokens(w, tokens, lits, &e.litCodes, &e.distCodes)
	}
}

// storedSize returns the bits that stored blocks holding n bytes take when
// the writer has pending bits: per block a 3-bit header, padding to a byte
// and LEN and NLEN (§3.2.4).
func storedSize(pending uint, n int) int {
	bits := 0
	for {
		k := min(n, maxStoredLen)
		bits += 3
		bits += int(-(pending + 3) & 7)
		bits += 32 + 8*k
		pending = 0
		n -= k
		if n == 0 {
			return bits
		}
	}
}

// writeStored writes raw as stored blocks, none of them final.
func writeStored(w *bitWriter, raw []byte) {
	for {
		k := min(len(raw), maxStoredLen)
		w.writeBits(blockStored<<1, 3)
		w.alignToByte()
		w.writeBits(uint64(k)|uint64(^uint16(k))<<16, 32) // LEN, NLEN
		w.writeAligned(raw[:k])
		raw = raw[k:]
		if len(raw) == 0 {
			return
		}
	}
}

// prepareDynamic computes the code lengths of the block's own codes and
// the header that describes them, and returns the size of the header in
// bits. The codes themselves are assigned only if the block is written
// with them.
func (e *blockEncoder) prepareDynamic() int {
	e.litCount = e.builder.buildLengths(e.litFreq[:], e.litLens[:], maxCodeBits)
	e.distCount = e.builder.buildLengths(e.distFreq[:], e.distLens[:], maxCodeBits)

	e.hlit = numLitLen
	for e.hlit > firstLength && e.litLens[e.hlit-1] == 0 {
		e.hlit--
	}
	e.hdist = numDist
	for e.hdist > 1 && e.distLens[e.hdist-1] == 0 {
		e.hdist--
	}
	n := copy(e.allLens[:], e.litLens[:e.hlit])
	n += copy(e.allLens[n:], e.distLens[:e.hdist])
	e.runLengths(e.allLens[:n])

	e.codeLenCount = e.builder.buildLengths(e.codeLenFreq[:], e.codeLenLens[:], maxCodeLenLen)
	e.hclen = numCodeLen
	for e.hclen > 4 && e.codeLenLens[codeLenOrder[e.hclen-1]] == 0 {
		e.hclen--
	}

	bits := 3 + 5 + 5 + 4 + 3*e.hclen
	for _, r := range e.runs[:e.nruns] {
		bits += int(e.codeLenLens[r.symbol()]) + int(r.extraBits())
	}
	return bits
}

// A codeLenRun is one symbol of the code length alphabet in the header of
// a dynamic block with its extra bits: symbol | value<<8 | number<<16.
type codeLenRun uint32

func newCodeLenRun(sym uint16, value int) codeLenRun {
	return codeLenRun(sym) | codeLenRun(value)<<8 | codeLenRun(repeatExtraBits(sym))<<16
}

func (r codeLenRun) symbol() uint8      { return uint8(r) }
func (r codeLenRun) extraValue() uint64 { return uint64(r>>8) & 0xff }
func (r codeLenRun) extraBits() uint    { return uint(r >> 16) }

// runLengths writes the code lengths as code length symbols, using the
// repeat symbols for runs (§3.2.7); a run may cross from the
// literal/length lengths into the distance lengths.
func (e *blockEncoder) runLengths(lens []uint8) {
	e.nruns = 0
	e.codeLenFreq = [numCodeLen]uint32{}
	emit := func(sym uint16, extra int) {
		e.runs[e.nruns] = newCodeLenRun(sym, extra)
		e.nruns++
		e.codeLenFreq[sym]++
	}
	for i := 0; i < len(lens); {
		n := lens[i]
		run := 1
		for i+run < len(lens) && lens[i+run] == n {
			run++
		}
		i += run
		if n == 0 {
			for run >= 11 {
				k := min(run, 138)
				emit(repeatZero11, k-11)
				run -= k
			}
			if run >= 3 {
				emit(repeatZero3, run-3)
				run = 0
			}
		} else {
			emit(uint16(n), 0)
			run--
			for run >= 3 {
				k := min(run, 6)
				emit(repeatPrevious, k-3)
				run -= k
			}
		}
		for ; run > 0; run-- {
			emit(uint16(n), 0)
		}
	}
}

// repeatExtraBits returns the number of extra bits after code length
// symbol sym.
func repeatExtraBits(sym uint16) uint {
	switch sym {
	case repeatPrevious:
		return 2
	case repeatZero3:
		return 3
	case repeatZero11:
		return 7
	}
	return 0
}

// writeDynamicHeader assigns the codes prepareDynamic sized and writes the
// header of a dynamic block.
func (e *blockEncoder) writeDynamicHeader(w *bitWriter) {
	assignCounted(e.litLens[:e.hlit], e.litCodes[:e.hlit], e.litCount)
	assignCounted(e.distLens[:e.hdist], e.distCodes[:e.hdist], e.distCount)
	assignCounted(e.codeLenLens[:], e.codeLenCode[:], e.codeLenCount)
	w.writeBits(blockDynamic<<1|uint64(e.hlit-firstLength)<<3|uint64(e.hdist-1)<<8|uint64(e.hclen-4)<<13, 17)
	for _, sym := range codeLenOrder[:e.hclen] {
		w.writeBits(uint64(e.codeLenLens[sym]), 3)
	}
	acc, nacc := w.acc, w.nacc
	for _, r := range e.runs[:e.nruns] {
		// A code of at most 7 bits and at most 7 extra bits.
		if nacc > 63-2*maxCodeLenLen {
			acc, nacc = w.spill(acc, nacc)
		}
		acc, nacc = addCode(acc, nacc, e.codeLenCode[r.symbol()])
		acc, nacc = addBits(acc, nacc, r.extraValue(), r.extraBits())
	}
	w.acc, w.nacc = w.spill(acc, nacc)
}

// writeTokens writes the tokens of a block with the given codes and ends
// the block. This loop is where compression spends most of its encoding
// time: it keeps the bit accumulator and the buffer position in locals,
// stores the accumulator eight bytes at a time, and checks for room in
// the buffer once per match or per run of up to litsPerCheck literals.
func writeTokens(w *bitWriter, tokens []token, lits []byte, lit *[numLitLen]hcode, dist *[numDist]hcode) {
	// A literal code takes at most 15 bits; a match at most 48: a length
	// code and a distance code of at most 15 bits, with 5 and 13 extra
	// bits. acc never holds more than 63 bits.
	const (
		litsPerCheck = 64
		litRoom      = litsPerCheck*maxCodeBits/8 + 8
		matchRoom    = 6 + 8
	)
	acc, nacc := w.acc, w.nacc
	buf, n := w.buf[:], w.n
	for _, t := range tokens {
		if t < matchFlag {
			run := lits[:t]
			lits = lits[t:]
			for len(run) > 0 {
				if n > len(buf)-litRoom {
					w.n = n
					w.flushBuf()
					n = w.n
				}
				part := run[:min(len(run), litsPerCheck)]
				run = run[len(part):]
				for _, b := range part {
					if nacc > 63-maxCodeBits {
						n, acc, nacc = putBits(buf, n, acc, nacc)
					}
					acc, nacc = addCode(acc, nacc, lit[b])
				}
			}
			continue
		}
		if n > len(buf)-matchRoom {
			w.n = n
			w.flushBuf()
			n = w.n
		}
		if nacc > 63-48 {
			n, acc, nacc = putBits(buf, n, acc, nacc)
		}
		l := uint32(t>>16) & 0xff
		ls := lengthSymbol[l]
		acc, nacc = addCode(acc, nacc, lit[firstLength+int(ls)])
		acc, nacc = addBits(acc, nacc, uint64(l-uint32(lengthBase[ls]-minMatch)), uint(lengthExtra[ls]))
		d := uint32(t & 0xffff)
		ds := distSymbol(d)
		acc, nacc = addCode(acc, nacc, dist[ds])
		acc, nacc = addBits(acc, nacc, uint64(d-uint32(distBase[ds]-1)), uint(distExtra[ds]))
	}
	w.n = n
	w.acc, w.nacc = w.spill(acc, nacc)
	w.writeCode(lit[endOfBlock])
}
