package deflate

import "errors"

// ErrCorrupt matches, with errors.Is, every error a Decompressor returns
// for a message that is not valid DEFLATE data or that reaches outside the
// window. The variables below say which rule the data broke.
var ErrCorrupt = errors.New("deflate: corrupt input")

// A CorruptError reports compressed data that breaks a rule of RFC 1951
// or RFC 7692. errors.Is(err, ErrCorrupt) holds for every CorruptError.
type CorruptError struct {
	Reason string
}

func (e *CorruptError) Error() string { return "deflate: corrupt input: " + e.Reason }

// Is makes errors.Is(e, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// The ways compressed data can be corrupt.
var (
	// RFC 1951 §3.2.3: BTYPE 11 is reserved.
	ErrBlockType = &CorruptError{"reserved block type 3"}
	// §3.2.4: NLEN is the one's complement of LEN.
	ErrStoredLength = &CorruptError{"stored block length does not match its complement"}
	// §3.2.7: HLIT codes at most 286 symbols, HDIST at most 30.
	ErrTooManyCodes = &CorruptError{"more than 286 literal/length or 30 distance codes"}
	// §3.2.2: the code lengths claim more codes than there are bit patterns.
	ErrOversubscribed = &CorruptError{"over-subscribed Huffman code"}
	// §3.2.2: the code lengths leave bit patterns unused (allowed only
	// for a single code of one bit).
	ErrIncompleteCode = &CorruptError{"incomplete Huffman code"}
	// §3.2.7: code length 16 repeats the previous length; there must be one.
	ErrRepeatFirst = &CorruptError{"code length repeat with no previous length"}
	// §3.2.7: repeats cannot run past HLIT + HDIST code lengths.
	ErrRepeatOverflow = &CorruptError{"code length repeat past the last code"}
	// §3.2.5: every block ends with symbol 256, so it needs a code.
	ErrNoEndOfBlock = &CorruptError{"literal/length code without an end-of-block code"}
	// The bits match no code of an incomplete code.
	ErrInvalidCode = &CorruptError{"bits that are no code"}
	// §3.2.6: literal/length symbols 286 and 287 and distance symbols 30
	// and 31 of the fixed codes never occur in valid data.
	ErrInvalidSymbol = &CorruptError{"reserved literal/length or distance symbol"}
	// §3.2.5: a distance reaches before the first byte of the data (or of
	// the data since the window was last reset).
	ErrDistanceTooFar = &CorruptError{"distance too far back"}
	// RFC 7692 §7.1.2: a distance beyond the window size the peer agreed
	// to use.
	ErrWindowExceeded = &CorruptError{"distance beyond the negotiated window"}
	// RFC 7692 §7.2.2: a message that ends its DEFLATE stream with a
	// final block carries nothing after it.
	ErrDataAfterFinal = &CorruptError{"data after the final block of a message"}
)
