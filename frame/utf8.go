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
	state uint8
}

// The states of the validator: how many continuation octets are owed, and
// for the lead octets E0, ED, F0 and F4 the narrower range the next one
// must fall in (Unicode Table 3-7).
const (
	utf8Accept uint8 = iota // between characters
	utf8Need1               // one continuation octet 80-BF owed
	utf8Need2               // two owed
	utf8Need3               // three owed
	utf8AfterE0             // next A0-BF, then one more
	utf8AfterED             // next 80-9F, then one more
	utf8AfterF0             // next 90-BF, then two more
	utf8AfterF4             // next 80-8F, then two more
	utf8Reject
)

// next returns the state after octet b in state s.
func next(s uint8, b byte) uint8 {
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

// Feed validates the next piece of the stream. It returns false as soon as
// the stream so far cannot be the start of valid UTF-8; once false, it stays
// false until Reset.
func (v *UTF8Validator) Feed(p []byte) bool {
	s := v.state
	for len(p) > 0 && s != utf8Reject {
		if s == utf8Accept {
			// ASCII fast path: eight octets at a time while no high bit is set.
			for len(p) >= 8 && binary.LittleEndian.Uint64(p)&0x8080808080808080 == 0 {
				p = p[8:]
			}
			for len(p) > 0 && p[0] < 0x80 {
				p = p[1:]
			}
			if len(p) == 0 {
				break
			}
		}
		s = next(s, p[0])
		p = p[1:]
	}
	v.state = s
	return s != utf8Reject
}

// Complete reports whether the stream fed so far is valid UTF-8 that ends
// between characters, as a whole text message must.
func (v *UTF8Validator) Complete() bool { return v.state == utf8Accept }

// Reset makes v ready for a new stream.
func (v *UTF8Validator) Reset() { v.state = utf8Accept }
