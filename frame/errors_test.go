package frame

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestErrorCodes checks the close code each error answers with (§7.4.1):
// 1002 for protocol violations, 1007 for bad text, 1009 for size.
func TestErrorCodes(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want CloseCode
	}{
		{"ErrReservedOpcode", ErrReservedOpcode, CloseProtocolError},
		{"ErrReservedBits", ErrReservedBits, CloseProtocolError},
		{"ErrControlTooLong", ErrControlTooLong, CloseProtocolError},
		{"ErrFragmentedControl", ErrFragmentedControl, CloseProtocolError},
		{"ErrLengthOverflow", ErrLengthOverflow, CloseProtocolError},
		{"ErrUnmaskedFrame", ErrUnmaskedFrame, CloseProtocolError},
		{"ErrMaskedFrame", ErrMaskedFrame, CloseProtocolError},
		{"ErrUnexpectedContinuation", ErrUnexpectedContinuation, CloseProtocolError},
		{"ErrExpectedContinuation", ErrExpectedContinuation, CloseProtocolError},
		{"ErrClosePayloadTooShort", ErrClosePayloadTooShort, CloseProtocolError},
		{"ErrInvalidCloseCode", ErrInvalidCloseCode, CloseProtocolError},
		{"ErrInvalidUTF8", ErrInvalidUTF8, CloseInvalidPayload},
		{"ErrMessageTooBig", ErrMessageTooBig, CloseMessageTooBig},
	}
	for _, tc := range tests {
		if tc.err.Code != tc.want {
			t.Errorf("%s.Code = %d, want %d", tc.name, tc.err.Code, tc.want)
		}
		if msg := tc.err.Error(); !strings.HasPrefix(msg, "websocket: ") || len(msg) <= len("websocket: ") {
			t.Errorf("%s.Error() = %q, want \"websocket: \" and a reason", tc.name, msg)
		}

		// A caller that wraps the error can still find it and its code.
		wrapped := fmt.Errorf("reading frame: %w", tc.err)
		if !errors.Is(wrapped, tc.err) {
			t.Errorf("errors.Is(wrapped %s, %s) = false", tc.name, tc.name)
		}
		var e *Error
		if !errors.As(wrapped, &e) || e.Code != tc.want {
			t.Errorf("errors.As(wrapped %s) gave %v, want code %d", tc.name, e, tc.want)
		}
		for _, other := range tests {
			if other.err != tc.err && errors.Is(wrapped, other.err) {
				t.Errorf("errors.Is(wrapped %s, %s) = true", tc.name, other.name)
			}
		}
	}
}
