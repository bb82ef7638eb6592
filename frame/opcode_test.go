package frame

import "testing"

// TestOpcode is the opcode table of RFC 6455 §5.2: what each of the 16
// values is, and its name.
func TestOpcode(t *testing.T) {
	tests := []struct {
		op       Opcode
		control  bool
		reserved bool
		name     string
	}{
		{0x0, false, false, "continuation"},
		{0x1, false, false, "text"},
		{0x2, false, false, "binary"},
		{0x3, false, true, "opcode(3)"},
		{0x4, false, true, "opcode(4)"},
		{0x5, false, true, "opcode(5)"},
		{0x6, false, true, "opcode(6)"},
		{0x7, false, true, "opcode(7)"},
		{0x8, true, false, "close"},
		{0x9, true, false, "ping"},
		{0xA, true, false, "pong"},
		{0xB, true, true, "opcode(11)"},
		{0xC, true, true, "opcode(12)"},
		{0xD, true, true, "opcode(13)"},
		{0xE, true, true, "opcode(14)"},
		{0xF, true, true, "opcode(15)"},
	}
	for _, tc := range tests {
		if got := tc.op.IsControl(); got != tc.control {
			t.Errorf("Opcode(%#x).IsControl() = %v, want %v", byte(tc.op), got, tc.control)
		}
		if got := tc.op.IsReserved(); got != tc.reserved {
			t.Errorf("Opcode(%#x).IsReserved() = %v, want %v", byte(tc.op), got, tc.reserved)
		}
		if got := tc.op.String(); got != tc.name {
			t.Errorf("Opcode(%#x).String() = %q, want %q", byte(tc.op), got, tc.name)
		}
	}
}
