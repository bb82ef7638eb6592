package main

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAcceptKeyRFCExample(t *testing.T) {
	// RFC 6455 §1.3.
	if got, want := acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; got != want {
		t.Errorf("acceptKey = %q, want %q", got, want)
	}
}

func TestParseUpgradeResponse(t *testing.T) {
	const ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
	tests := []struct {
		name    string
		in      string
		wantN   int
		wantErr string // substring; "" for success
	}{
		{"valid", ok, len(ok), ""},
		{"valid, frame after it", ok + "\x82\x00", len(ok), ""},
		{"header names in any case", strings.Replace(ok, "Sec-WebSocket-Accept", "sec-websocket-accept", 1), len(ok), ""},
		{"no reason phrase", strings.Replace(ok, "101 Switching Protocols", "101", 1), len(ok) - len(" Switching Protocols"), ""},
		{"incomplete", ok[:len(ok)-1], 0, "incomplete"},
		{"empty", "", 0, "incomplete"},
		{"status 400", strings.Replace(ok, "101 Switching Protocols", "400 Bad Request", 1), 0, "status"},
		{"status 1010", strings.Replace(ok, "101 Switching Protocols", "1010 Odd", 1), 0, "status"},
		{"HTTP/1.0", strings.Replace(ok, "HTTP/1.1", "HTTP/1.0", 1), 0, "status"},
		{"wrong accept", strings.Replace(ok, "xOo=", "xOx=", 1), 0, "Sec-WebSocket-Accept"},
		{"no accept", strings.Replace(ok, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", "", 1), 0, "no Sec-WebSocket-Accept"},
		{"extension not offered", strings.Replace(ok, "\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n", 1), 0, "extension"},
		{"line without colon", strings.Replace(ok, "Upgrade: websocket", "Upgrade websocket", 1), 0, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := parseUpgradeResponse([]byte(tt.in))
			if tt.wantErr == "" {
				if err != nil || n != tt.wantN {
					t.Errorf("= %d, %v; want %d, nil", n, err, tt.wantN)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one saying %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseFrameHeader(t *testing.T) {
	u64 := func(v uint64) string { return string(binary.BigEndian.AppendUint64(nil, v)) }
	tests := []struct {
		name    string
		in      string
		want    frameHeader
		wantN   int
		wantErr string
	}{
		{"binary, 7-bit length", "\x82\x05", frameHeader{true, opBinary, 5}, 2, ""},
		{"text fragment", "\x01\x7d", frameHeader{false, opText, 125}, 2, ""},
		{"continuation, 16-bit length", "\x80\x7e\x01\x00", frameHeader{true, opContinuation, 256}, 4, ""},
		{"64-bit length", "\x82\x7f" + u64(1<<20), frameHeader{true, opBinary, 1 << 20}, 10, ""},
		{"ping", "\x89\x00", frameHeader{true, opPing, 0}, 2, ""},
		{"close, 125 octets", "\x88\x7d", frameHeader{true, opClose, 125}, 2, ""},
		{"one octet", "\x82", frameHeader{}, 0, "incomplete"},
		{"16-bit length cut", "\x82\x7e\x01", frameHeader{}, 0, "incomplete"},
		{"64-bit length cut", "\x82\x7f" + u64(70000)[:7], frameHeader{}, 0, "incomplete"},
		{"masked (§5.1)", "\x82\x85abcd", frameHeader{}, 0, "masked"},
		{"RSV1 (§5.2)", "\xc2\x00", frameHeader{}, 0, "reserved bits"},
		{"RSV3 (§5.2)", "\x92\x00", frameHeader{}, 0, "reserved bits"},
		{"length MSB (§5.2)", "\x82\x7f" + u64(1<<63), frameHeader{}, 0, "most significant bit"},
		{"reserved data opcode", "\x83\x00", frameHeader{}, 0, "reserved opcode"},
		{"reserved control opcode", "\x8b\x00", frameHeader{}, 0, "reserved opcode"},
		{"fragmented ping (§5.5)", "\x09\x00", frameHeader{}, 0, "control frame"},
		{"long close (§5.5)", "\x88\x7e\x00\x7e", frameHeader{}, 0, "control frame"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, n, err := parseFrameHeader([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, h, cmp.AllowUnexported(frameHeader{})); diff != "" || n != tt.wantN {
				t.Errorf("header (-want +got):\n%s\nlength %d, want %d", diff, n, tt.wantN)
			}
		})
	}
}

func TestAppendClientFrame(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	for _, size := range []int{0, 1, 125, 126, 0xFFFF, 0x10000} {
		p := make([]byte, size)
		for i := range p {
			p[i] = byte(i * 31)
		}
		f := appendClientFrame(nil, opBinary, p, key)
		if f[0] != 0x82 || f[1]&0x80 == 0 {
			t.Fatalf("size %d: first octets %#x %#x, want FIN binary and MASK", size, f[0], f[1])
		}
		// Decode as a server would: the header without its mask bit.
		hdr := append([]byte{f[0], f[1] &^ 0x80}, f[2:min(len(f), 10)]...)
		h, n, err := parseFrameHeader(hdr)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if h.length != int64(size) {
			t.Fatalf("size %d: header says %d", size, h.length)
		}
		if got := [4]byte(f[n : n+4]); got != key {
			t.Fatalf("size %d: mask key %v, want %v", size, got, key)
		}
		payload := f[n+4:]
		for i := range payload {
			payload[i] ^= key[i%4]
		}
		if diff := cmp.Diff(p, payload); diff != "" {
			t.Errorf("size %d: unmasked payload differs (-want +got):\n%s", size, diff)
		}
	}
}
