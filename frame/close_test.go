package frame

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestValidOnWire is §7.4.1 and §7.4.2 as a table, with the IANA-registered
// 1012-1014 accepted.
func TestValidOnWire(t *testing.T) {
	tests := []struct {
		code CloseCode
		want bool
	}{
		{0, false},
		{999, false},
		{1000, true},
		{1001, true},
		{1002, true},
		{1003, true},
		{1004, false}, // reserved
		{1005, false}, // reporting only: no status code
		{1006, false}, // reporting only: abnormal closure
		{1007, true},
		{1008, true},
		{1009, true},
		{1010, true},
		{1011, true},
		{1012, true},  // IANA: service restart
		{1013, true},  // IANA: try again later
		{1014, true},  // IANA: bad gateway
		{1015, false}, // reporting only: TLS handshake failure
		{1016, false},
		{1100, false},
		{2000, false},
		{2999, false},
		{3000, true},
		{3999, true},
		{4000, true},
		{4999, true},
		{5000, false},
		{65535, false},
	}
	for _, tc := range tests {
		if got := tc.code.ValidOnWire(); got != tc.want {
			t.Errorf("CloseCode(%d).ValidOnWire() = %v, want %v", tc.code, got, tc.want)
		}
	}
}

// TestValidOnWireAutobahn holds the codes of the Autobahn testsuite's cases
// 7.7.x (a close with a valid code must be answered cleanly) and 7.9.x (an
// invalid code must be answered with 1002), as the suite has defined them
// since release 0.8.1. Older releases also counted 1014 and 1015 as invalid,
// and before 2016 1012 and 1013 too.
func TestValidOnWireAutobahn(t *testing.T) {
	for _, c := range []CloseCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999} {
		if !c.ValidOnWire() {
			t.Errorf("Autobahn 7.7.x: code %d must be valid", c)
		}
	}
	for _, c := range []CloseCode{0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999} {
		if c.ValidOnWire() {
			t.Errorf("Autobahn 7.9.x: code %d must be invalid", c)
		}
	}
}

func TestCloseCodeString(t *testing.T) {
	tests := []struct {
		code CloseCode
		want string
	}{
		{CloseNormal, "normal closure"},
		{CloseGoingAway, "going away"},
		{CloseProtocolError, "protocol error"},
		{CloseUnsupportedData, "unsupported data"},
		{CloseNoStatus, "no status received"},
		{CloseAbnormal, "abnormal closure"},
		{CloseInvalidPayload, "invalid payload data"},
		{ClosePolicyViolation, "policy violation"},
		{CloseMessageTooBig, "message too big"},
		{CloseMandatoryExtension, "mandatory extension"},
		{CloseInternalError, "internal error"},
		{CloseServiceRestart, "service restart"},
		{CloseTryAgainLater, "try again later"},
		{CloseBadGateway, "bad gateway"},
		{CloseTLSHandshake, "TLS handshake failure"},
		{1004, "close code 1004"},
		{4000, "close code 4000"},
		{0, "close code 0"},
	}
	for _, tc := range tests {
		if got := tc.code.String(); got != tc.want {
			t.Errorf("CloseCode(%d).String() = %q, want %q", uint16(tc.code), got, tc.want)
		}
	}
}

func TestParseClosePayload(t *testing.T) {
	reason123 := strings.Repeat("r", MaxCloseReason)
	tests := []struct {
		name       string
		payload    string
		wantCode   CloseCode
		wantReason string
		wantErr    error
	}{
		{"empty", "", CloseNoStatus, "", nil},
		{"one byte", "\x03", 0, "", ErrClosePayloadTooShort},
		{"code only", "\x03\xe8", CloseNormal, "", nil},
		{"code and reason", "\x03\xe9bye", CloseGoingAway, "bye", nil},
		{"application code", "\x0f\xa0κόσμε", 4000, "κόσμε", nil},
		{"IANA code", "\x03\xf6", CloseBadGateway, "", nil},
		{"longest reason", "\x03\xe8" + reason123, CloseNormal, reason123, nil},
		{"code 0", "\x00\x00", 0, "", ErrInvalidCloseCode},
		{"code 999", "\x03\xe7", 0, "", ErrInvalidCloseCode},
		{"code 1005", "\x03\xed", 0, "", ErrInvalidCloseCode},
		{"code 1006", "\x03\xee", 0, "", ErrInvalidCloseCode},
		{"code 1015", "\x03\xf7", 0, "", ErrInvalidCloseCode},
		{"code 5000", "\x13\x88ok", 0, "", ErrInvalidCloseCode},
		{"invalid code before invalid UTF-8", "\x00\x00\xff", 0, "", ErrInvalidCloseCode},
		{"reason not UTF-8", "\x03\xe8\xff", 0, "", ErrInvalidUTF8},
		{"reason a surrogate", "\x03\xe8\xed\xa0\x80", 0, "", ErrInvalidUTF8},
		{"reason cut inside a rune", "\x03\xe8\xce", 0, "", ErrInvalidUTF8},
	}
	for _, tc := range tests {
		code, reason, err := ParseClosePayload([]byte(tc.payload))
		if code != tc.wantCode || reason != tc.wantReason || err != tc.wantErr {
			t.Errorf("%s: ParseClosePayload(%q) = %d, %q, %v; want %d, %q, %v",
				tc.name, tc.payload, code, reason, err, tc.wantCode, tc.wantReason, tc.wantErr)
		}
	}
}

func TestAppendClosePayload(t *testing.T) {
	tests := []struct {
		name   string
		code   CloseCode
		reason string
		want   string
	}{
		{"no status", CloseNoStatus, "", ""},
		{"no status drops the reason", CloseNoStatus, "ignored", ""},
		{"normal", CloseNormal, "", "\x03\xe8"},
		{"reason", CloseGoingAway, "bye", "\x03\xe9bye"},
		{"123 bytes fit", CloseNormal, strings.Repeat("a", 123), "\x03\xe8" + strings.Repeat("a", 123)},
		{"124 bytes cut", CloseNormal, strings.Repeat("a", 124), "\x03\xe8" + strings.Repeat("a", 123)},
		// é is 2 octets: 62 of them are 124, and the 62nd would cross the limit.
		{"2-octet runes", CloseNormal, strings.Repeat("é", 62), "\x03\xe8" + strings.Repeat("é", 61)},
		// € is 3 octets: 41 of them are exactly 123.
		{"3-octet runes fit", CloseNormal, strings.Repeat("€", 41), "\x03\xe8" + strings.Repeat("€", 41)},
		{"3-octet runes cut", CloseNormal, strings.Repeat("€", 42), "\x03\xe8" + strings.Repeat("€", 41)},
		{"4-octet runes cut", CloseNormal, strings.Repeat("🙂", 40), "\x03\xe8" + strings.Repeat("🙂", 30)},
		{"cut after ASCII", CloseNormal, strings.Repeat("a", 122) + "🙂", "\x03\xe8" + strings.Repeat("a", 122)},
	}
	for _, tc := range tests {
		got := string(AppendClosePayload([]byte("prefix"), tc.code, tc.reason))
		if got != "prefix"+tc.want {
			t.Errorf("%s: AppendClosePayload(%d, %q) = %q, want %q", tc.name, tc.code, tc.reason, got, "prefix"+tc.want)
		}
	}
}

func FuzzClosePayload(f *testing.F) {
	f.Add([]byte{}, uint16(1000), "")
	f.Add([]byte{0x03}, uint16(1005), "x")
	f.Add([]byte("\x03\xe8bye"), uint16(4000), "κόσμε")
	f.Add([]byte("\x03\xe8\xff"), uint16(1015), strings.Repeat("🙂", 40))
	f.Add([]byte("\x13\x88"), uint16(3000), strings.Repeat("é", 62))
	f.Fuzz(func(t *testing.T, payload []byte, code uint16, reason string) {
		// Parsing: a payload is accepted exactly when §5.5.1 and §7.4 allow it,
		// and then encodes back to itself.
		c, r, err := ParseClosePayload(payload)
		switch {
		case len(payload) == 0:
			if c != CloseNoStatus || err != nil {
				t.Fatalf("ParseClosePayload(empty) = %d, %v", c, err)
			}
		case len(payload) == 1:
			if err != ErrClosePayloadTooShort {
				t.Fatalf("ParseClosePayload(% x) error = %v", payload, err)
			}
		case len(payload) > MaxControlPayload:
			if err != ErrControlTooLong {
				t.Fatalf("ParseClosePayload of %d bytes: error = %v, want ErrControlTooLong", len(payload), err)
			}
		case !CloseCode(uint16(payload[0])<<8 | uint16(payload[1])).ValidOnWire():
			if err != ErrInvalidCloseCode {
				t.Fatalf("ParseClosePayload(% x) error = %v, want ErrInvalidCloseCode", payload, err)
			}
		case !utf8.Valid(payload[2:]):
			if err != ErrInvalidUTF8 {
				t.Fatalf("ParseClosePayload(% x) error = %v, want ErrInvalidUTF8", payload, err)
			}
		default:
			if err != nil {
				t.Fatalf("ParseClosePayload(% x) error = %v", payload, err)
			}
			if got := AppendClosePayload(nil, c, r); string(got) != string(payload) {
				t.Fatalf("AppendClosePayload(ParseClosePayload(% x)) = % x", payload, got)
			}
		}

		// Encoding: the payload always fits a control frame, and a valid code
		// with a UTF-8 reason parses back to the code and a prefix of the reason.
		p := AppendClosePayload(nil, CloseCode(code), reason)
		if len(p) > MaxControlPayload {
			t.Fatalf("AppendClosePayload(%d, %q) is %d octets long", code, reason, len(p))
		}
		if !CloseCode(code).ValidOnWire() || !utf8.ValidString(reason) {
			return
		}
		c, r, err = ParseClosePayload(p)
		if err != nil || c != CloseCode(code) || !strings.HasPrefix(reason, r) {
			t.Fatalf("ParseClosePayload(AppendClosePayload(%d, %q)) = %d, %q, %v", code, reason, c, r, err)
		}
		if len(reason) <= MaxCloseReason && r != reason {
			t.Fatalf("AppendClosePayload(%d, %q) cut a reason that fits to %q", code, reason, r)
		}
		// A cut drops at most the octets of the one rune that crosses the limit.
		if len(reason) > MaxCloseReason && len(r) <= MaxCloseReason-utf8.UTFMax {
			t.Fatalf("AppendClosePayload(%d, %q) cut the reason to %d octets", code, reason, len(r))
		}
	})
}
