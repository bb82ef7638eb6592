package frame

import "encoding/binary"

// UTF8Validator checks that a byte stream is UTF-8, one piece at a time, as
// a text message arrives fragment by fragment (RFC 6455 §8.1). It fails on
// the first octet that no valid UTF-8 can follow, not at the end of the
// message: a message is rejected as soon as it cannot become valid.
//
// It accepts exactly what unicode/utf8.Valid accepts: no overlong forms, no
// surrogates (U+D800-U+DFFF), nothing above U+10FFFF. The zero value is
// ready to use.
type UTF8Validator struct {
	state uint8 // a state of the automaton below, times utf8StateBits
}

// The states of the validator: how many continuation octets are owed, and
// for the lead octets E0, ED, F0 and F4 the narrower range the next one
// must fall in (Unicode Table 3-7, "Well-Formed UTF-8 Byte Sequences").
const (
	utf8Accept  = iota // between characters
	utf8Need1          // one continuation octet 80-BF owed
	utf8Need2          // two owed
	utf8Need3          // three owed
	utf8AfterE0        // next A0-BF, then one more
	utf8AfterED        // next 80-9F, then one more
	utf8AfterF0        // next 90-BF, then two more
	utf8AfterF4        // next 80-8F, then two more
	utf8Reject         // no valid UTF-8 starts like this; stays rejected
	utf8States
)

// next returns the state after octet b in state s: the automaton as Table
// 3-7 reads.
func next(s int, b byte) int {
	switch s {
	case utf8Accept:
		switch {
		case b < 0x80:
			return utf8Accept
		case b >= 0xC2 && b <= 0xDF:
			return utf8Need1
		case b == 0xE0:
			return utf8AfterE0
		case b == 0xED:
			return utf8AfterED
		case b >= 0xE1 && b <= 0xEF:
			return utf8Need2
		case b == 0xF0:
			return utf8AfterF0
		case b >= 0xF1 && b <= 0xF3:
			return utf8Need3
		case b == 0xF4:
			return utf8AfterF4
		}
	case utf8Need1, utf8Need2, utf8Need3:
		if b >= 0x80 && b <= 0xBF {
			return s - 1
		}
	case utf8AfterE0:
		if b >= 0xA0 && b <= 0xBF {
			return utf8Need1
		}
	case utf8AfterED:
		if b >= 0x80 && b <= 0x9F {
			return utf8Need1
		}
	case utf8AfterF0:
		if b >= 0x90 && b <= 0xBF {
			return utf8Need2
		}
	case utf8AfterF4:
		if b >= 0x80 && b <= 0x8F {
			return utf8Need2
		}
	}
	return utf8Reject
}

// utf8StateBits is the width of a state in a row of utf8Rows.
const utf8StateBits = 6

// utf8Rows is the automaton as one 64-bit row per octet: the field at bit
// utf8StateBits*s of row b holds utf8StateBits times next(s, b). A state is
// kept as its bit offset, so one step is a table load that does not depend
// on the state and a shift that does,
//
//	s = utf8Rows[b] >> (s & 63)
//
// after which the low bits of s are the next state's offset (the higher bits
// are other fields, dropped by the mask of the next step).
var utf8Rows = func() (rows [256]uint64) {
	for b := range rows {
		for s := range utf8States {
			rows[b] |= uint64(next(s, byte(b))*utf8StateBits) << (s * utf8StateBits)
		}
	}
	return rows
}()

const (
	accept = utf8Accept * utf8StateBits
	reject = utf8Reject * utf8StateBits
)

// Feed validates the next piece of the stream. It returns false as soon as
// the stream so far cannot be the start of valid UTF-8; once false, it stays
// false until Reset.
func (v *UTF8Validator) Feed(p []byte) bool {
	s := uint64(v.state)
	for len(p) >= 8 {
		if s == accept {
			// Between characters ASCII leaves the state as it is.
			p = p[asciiPrefix(p):]
			if len(p) < 8 {
				break
			}
		}
		w := (*[8]byte)(p)
		s = utf8Rows[w[0]] >> (s & 63)
		s = utf8Rows[w[1]] >> (s & 63)
		s = utf8Rows[w[2]] >> (s & 63)
		s = utf8Rows[w[3]] >> (s & 63)
		s = utf8Rows[w[4]] >> (s & 63)
		s = utf8Rows[w[5]] >> (s & 63)
		s = utf8Rows[w[6]] >> (s & 63)
		s = utf8Rows[w[7]] >> (s & 63)
		s &= 63
		if s == reject {
			break
		}
		p = p[8:]
	}
	if s != reject {
		for _, b := range p {
			s = utf8Rows[b] >> (s & 63)
		}
		s &= 63
	}
	v.state = uint8(s)
	return s != reject
}

// asciiPrefix returns the length of the leading ASCII octets of p, counted
// in whole 8-octet words: 64 octets at a time while it can, then 8.
func asciiPrefix(p []byte) int {
	const hiBits = 0x8080808080808080 // the high bit of each octet of a word
	n := len(p)
	// With the capacity equal to the length, reslicing needs no capacity
	// arithmetic (as in unicode/utf8.Valid).
	p = p[:len(p):len(p)]
	for len(p) >= 64 {
		w := (*[64]byte)(p)
		if (binary.LittleEndian.Uint64(w[0:])|binary.LittleEndian.Uint64(w[8:])|
			binary.LittleEndian.Uint64(w[16:])|binary.LittleEndian.Uint64(w[24:])|
			binary.LittleEndian.Uint64(w[32:])|binary.LittleEndian.Uint64(w[40:])|
			binary.LittleEndian.Uint64(w[48:])|binary.LittleEndian.Uint64(w[56:]))&hiBits != 0 {
			break
		}
		p = p[64:]
	}
	for len(p) >= 8 && binary.LittleEndian.Uint64(p)&hiBits == 0 {
		p = p[8:]
	}
	return n - len(p)
}

// Complete reports whether the stream fed so far is valid UTF-8 that ends
// between characters, as a whole text message must.
func (v *UTF8Validator) Complete() bool { return v.state == accept }

// Reset makes v ready for a new stream.
func (v *UTF8Validator) Reset() { v.state = accept }
