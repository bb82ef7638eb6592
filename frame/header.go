package frame

import (
	"encoding/binary"
	"io"
)

// The bits of the first header octet (RFC 6455 §5.2).
const (
	finBit  = 0x80
	Rsv1    = 0x40 // RSV1; permessage-deflate marks compressed messages with it
	Rsv2    = 0x20 // RSV2
	Rsv3    = 0x10 // RSV3
	maskBit = 0x80
)

// MaxHeaderSize is the size of the longest header: 2 octets, an 8-octet
// extended length and a 4-octet masking key.
const MaxHeaderSize = 14

// MaxControlPayload is the largest payload of a control frame (§5.5).
const MaxControlPayload = 125

// Header is a frame header as RFC 6455 §5.2 draws it:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-------+-+-------------+-------------------------------+
//	|F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//	|I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//	|N|V|V|V|       |S|             |   (if payload len==126/127)   |
//	| |1|2|3|       |K|             |                               |
//	+-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//	|     Extended payload length continued, if payload len == 127  |
//	+ - - - - - - - - - - - - - - - +-------------------------------+
//	|                               |Masking-key, if MASK set to 1  |
//	+-------------------------------+-------------------------------+
type Header struct {
	Fin    bool
	Rsv    byte // RSV1-3 as they sit in the first octet: a mix of Rsv1, Rsv2, Rsv3
	Opcode Opcode
	Masked bool
	Mask   MaskKey // meaningful only when Masked
	Length int64   // payload length, never negative
}

// Size returns the number of octets AppendHeader writes for h.
func (h *Header) Size() int {
	n := 2
	switch {
	case h.Length > 0xFFFF:
		n += 8
	case h.Length > 125:
		n += 2
	}
	if h.Masked {
		n += 4
	}
	return n
}

// sizeFromPrefix returns the size of a header from its first two octets.
func sizeFromPrefix(b1 byte) int {
	n := 2
	switch b1 & 0x7F {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&maskBit != 0 {
		n += 4
	}
	return n
}

// ParseHeader parses the header at the start of b and returns it with the
// number of octets it took. If b holds only part of a header it returns
// io.ErrUnexpectedEOF (io.EOF for an empty b). A 64-bit length with its top
// bit set is ErrLengthOverflow. The header's fields are not checked against
// each other: see Validate.
func ParseHeader(b []byte) (Header, int, error) {
	if len(b) < 2 {
		if len(b) == 0 {
			return Header{}, 0, io.EOF
		}
		return Header{}, 0, io.ErrUnexpectedEOF
	}
	n := sizeFromPrefix(b[1])
	if len(b) < n {
		return Header{}, 0, io.ErrUnexpectedEOF
	}
	h, err := decode(b[:n])
	if err != nil {
		return Header{}, 0, err
	}
	return h, n, nil
}

// decode parses a header whose octets are all in b.
func decode(b []byte) (Header, error) {
	h := Header{
		Fin:    b[0]&finBit != 0,
		Rsv:    b[0] & (Rsv1 | Rsv2 | Rsv3),
		Opcode: Opcode(b[0] & 0x0F),
		Masked: b[1]&maskBit != 0,
	}
	i := 2
	switch l := b[1] & 0x7F; l {
	case 126:
		h.Length = int64(binary.BigEndian.Uint16(b[2:]))
		i = 4
	case 127:
		u := binary.BigEndian.Uint64(b[2:])
		if u>>63 != 0 {
			return Header{}, ErrLengthOverflow
		}
		h.Length = int64(u)
		i = 10
	default:
		h.Length = int64(l)
	}
	if h.Masked {
		copy(h.Mask[:], b[i:i+4])
	}
	return h, nil
}

// ReadHeader reads one header from r, using scratch for the octets so that
// nothing escapes to the heap. It returns io.EOF if r ends before the first
// octet and io.ErrUnexpectedEOF if it ends inside the header.
func ReadHeader(r io.Reader, scratch *[MaxHeaderSize]byte) (Header, error) {
	if _, err := io.ReadFull(r, scratch[:2]); err != nil {
		return Header{}, err
	}
	n := sizeFromPrefix(scratch[1])
	if n > 2 {
		if _, err := io.ReadFull(r, scratch[2:n]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return Header{}, err
		}
	}
	return decode(scratch[:n])
}

// AppendHeader appends the wire form of h to dst, using the shortest length
// encoding as §5.2 requires.
func AppendHeader(dst []byte, h Header) []byte {
	b0 := byte(h.Opcode&0x0F) | h.Rsv&(Rsv1|Rsv2|Rsv3)
	if h.Fin {
		b0 |= finBit
	}
	var b1 byte
	if h.Masked {
		b1 = maskBit
	}
	switch {
	case h.Length > 0xFFFF:
		dst = append(dst, b0, b1|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(h.Length))
	case h.Length > 125:
		dst = append(dst, b0, b1|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(h.Length))
	default:
		dst = append(dst, b0, b1|byte(h.Length))
	}
	if h.Masked {
		dst = append(dst, h.Mask[:]...)
	}
	return dst
}

// Validate checks the rules of §5.2 and §5.5 that a header must obey on its
// own: no reserved opcode, and control frames unfragmented and at most 125
// bytes long. Rules that depend on the connection (masking by role, RSV bits
// an extension allows, continuation order) are the caller's.
func (h *Header) Validate() error {
	if h.Opcode.IsReserved() {
		return ErrReservedOpcode
	}
	if h.Opcode.IsControl() {
		if h.Length > MaxControlPayload {
			return ErrControlTooLong
		}
		if !h.Fin {
			return ErrFragmentedControl
		}
	}
	return nil
}
