package frame

// Error is a violation of the protocol by the peer. Code is the status
// code the receiver sends in its close frame when it fails the connection
// (RFC 6455 §7.1.7, §7.4.1).
type Error struct {
	Code   CloseCode
	Reason string
}

func (e *Error) Error() string { return "websocket: " + e.Reason }

// Errors a receiver of frames can raise. They are values, so callers can
// test for them with errors.Is; each carries the close code to answer with.
var (
	// §5.2: opcodes 0x3-0x7 and 0xB-0xF are reserved.
	ErrReservedOpcode = &Error{CloseProtocolError, "reserved opcode"}
	// §5.2: RSV bits must be 0 unless an extension defines them.
	ErrReservedBits = &Error{CloseProtocolError, "reserved bits set without a negotiated extension"}
	// §5.5: control frames carry at most 125 bytes of payload.
	ErrControlTooLong = &Error{CloseProtocolError, "control frame payload over 125 bytes"}
	// §5.5: control frames must not be fragmented.
	ErrFragmentedControl = &Error{CloseProtocolError, "fragmented control frame"}
	// §5.2: the most significant bit of a 64-bit length must be 0.
	ErrLengthOverflow = &Error{CloseProtocolError, "64-bit payload length has its top bit set"}
	// §5.1: a server must close on an unmasked frame from a client.
	ErrUnmaskedFrame = &Error{CloseProtocolError, "unmasked frame from client"}
	// §5.1: a client must close on a masked frame from a server.
	ErrMaskedFrame = &Error{CloseProtocolError, "masked frame from server"}
	// §5.4: a continuation frame needs a message to continue.
	ErrUnexpectedContinuation = &Error{CloseProtocolError, "continuation frame without a message to continue"}
	// §5.4: a new data frame cannot start inside a fragmented message.
	ErrExpectedContinuation = &Error{CloseProtocolError, "new data frame inside a fragmented message"}
	// §5.5.1: a close payload is empty or at least two bytes long.
	ErrClosePayloadTooShort = &Error{CloseProtocolError, "close frame payload of one byte"}
	// §7.4: the close code is not one an endpoint may send.
	ErrInvalidCloseCode = &Error{CloseProtocolError, "invalid close code"}
	// §8.1: text messages and close reasons are UTF-8.
	ErrInvalidUTF8 = &Error{CloseInvalidPayload, "invalid UTF-8 in text"}
	// §10.4: the message exceeds the receiver's limit.
	ErrMessageTooBig = &Error{CloseMessageTooBig, "message exceeds the read limit"}
)
