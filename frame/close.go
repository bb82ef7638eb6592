package frame

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// CloseCode is a status code of a close frame (RFC 6455 §7.4).
type CloseCode uint16

// The status codes of RFC 6455 §7.4.1 and the IANA registry.
const (
	CloseNormal             CloseCode = 1000
	CloseGoingAway          CloseCode = 1001
	CloseProtocolError      CloseCode = 1002
	CloseUnsupportedData    CloseCode = 1003
	CloseNoStatus           CloseCode = 1005 // never on the wire: the close frame had no code
	CloseAbnormal           CloseCode = 1006 // never on the wire: the connection ended without a close frame
	CloseInvalidPayload     CloseCode = 1007
	ClosePolicyViolation    CloseCode = 1008
	CloseMessageTooBig      CloseCode = 1009
	CloseMandatoryExtension CloseCode = 1010
	CloseInternalError      CloseCode = 1011
	CloseServiceRestart     CloseCode = 1012 // IANA registry
	CloseTryAgainLater      CloseCode = 1013 // IANA registry
	CloseBadGateway         CloseCode = 1014 // IANA registry
	CloseTLSHandshake       CloseCode = 1015 // never on the wire: the TLS handshake failed
)

// ValidOnWire reports whether an endpoint may send c in a close frame, and
// so whether a receiver accepts it (§7.4.1, §7.4.2). Valid are 1000-1003,
// 1007-1011, the IANA-registered 1012-1014, and 3000-4999 (libraries,
// frameworks and applications). Invalid are codes below 1000, 1004 (reserved),
// 1005, 1006 and 1015 (reserved for reporting, never sent), 1016-2999
// (reserved for future protocol revisions) and 5000 and above.
//
// RFC 6455 itself leaves 1012-1014 unassigned; they were registered since
// (service restart, try again later, bad gateway) and peers send them, so
// this package accepts them.
func (c CloseCode) ValidOnWire() bool {
	switch {
	case c >= 1000 && c <= 1003:
		return true
	case c >= 1007 && c <= 1014:
		return true
	case c >= 3000 && c <= 4999:
		return true
	}
	return false
}

func (c CloseCode) String() string {
	switch c {
	case CloseNormal:
		return "normal closure"
	case CloseGoingAway:
		return "going away"
	case CloseProtocolError:
		return "protocol error"
	case CloseUnsupportedData:
		return "unsupported data"
	case CloseNoStatus:
		return "no status received"
	case CloseAbnormal:
		return "abnormal closure"
	case CloseInvalidPayload:
		return "invalid payload data"
	case ClosePolicyViolation:
		return "policy violation"
	case CloseMessageTooBig:
		return "message too big"
	case CloseMandatoryExtension:
		return "mandatory extension"
	case CloseInternalError:
		return "internal error"
	case CloseServiceRestart:
		return "service restart"
	case CloseTryAgainLater:
		return "try again later"
	case CloseBadGateway:
		return "bad gateway"
	case CloseTLSHandshake:
		return "TLS handshake failure"
	}
	return "close code " + strconv.Itoa(int(c))
}

// ValidateClose reports whether an endpoint may send a close frame with
// code and reason: code is ValidOnWire, or CloseNoStatus for a close frame
// without a code, and reason fits in MaxCloseReason bytes.
func ValidateClose(code CloseCode, reason string) error {
	if code != CloseNoStatus && !code.ValidOnWire() {
		return fmt.Errorf("websocket: close code %d may not be sent", code)
	}
	if len(reason) > MaxCloseReason {
		return fmt.Errorf("websocket: close reason of %d bytes is over the limit of %d", len(reason), MaxCloseReason)
	}
	return nil
}

// MaxCloseReason is the longest reason that fits a close frame: 125 bytes
// of payload less the 2-byte code.
const MaxCloseReason = MaxControlPayload - 2

// AppendClosePayload appends the payload of a close frame to dst: the code
// in network byte order, then the reason (§5.5.1). CloseNoStatus gives an
// empty payload. A reason longer than MaxCloseReason is cut at a rune
// boundary so that the frame stays valid.
func AppendClosePayload(dst []byte, code CloseCode, reason string) []byte {
	if code == CloseNoStatus {
		return dst
	}
	if len(reason) > MaxCloseReason {
		// Cut before the rune that crosses the limit, not inside it.
		cut := MaxCloseReason
		for cut > 0 && !utf8.RuneStart(reason[cut]) {
			cut--
		}
		reason = reason[:cut]
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(code))
	return append(dst, reason...)
}

// ParseClosePayload parses the payload of a received close frame. An empty
// payload means no code was given and returns CloseNoStatus. A payload of
// one byte is ErrClosePayloadTooShort, one over 125 bytes
// ErrControlTooLong, a code that is not ValidOnWire is
// ErrInvalidCloseCode (both 1002), and a reason that is not UTF-8 is
// ErrInvalidUTF8 (1007).
func ParseClosePayload(p []byte) (CloseCode, string, error) {
	switch len(p) {
	case 0:
		return CloseNoStatus, "", nil
	case 1:
		return 0, "", ErrClosePayloadTooShort
	}
	if len(p) > MaxControlPayload {
		return 0, "", ErrControlTooLong // §5.5
	}
	code := CloseCode(binary.BigEndian.Uint16(p))
	if !code.ValidOnWire() {
		return 0, "", ErrInvalidCloseCode
	}
	if !utf8.Valid(p[2:]) {
		return 0, "", ErrInvalidUTF8
	}
	return code, string(p[2:]), nil
}
