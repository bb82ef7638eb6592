package handshake

import (
	"encoding/base64"
	"testing"
)

func TestAcceptKey(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		// RFC 6455 §1.3 and §4.2.2 step 5.4.
		{"dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
		// Values computed independently (SHA-1 and base64 of key+GUID).
		{"x3JJHMbDL1EzLkh9GBhXDw==", "HSmrc0sMlYUkAGmm5OPpG2HaGWk="},
		// A key longer than any valid one still hashes correctly.
		{"a-much-longer-key-than-any-valid-sec-websocket-key-would-be", "2oPuE/mBczWvEL7keQ8Vfr6cM24="},
	} {
		if got := AcceptKey(tc.key); got != tc.want {
			t.Errorf("AcceptKey(%q) = %q, want %q", tc.key, got, tc.want)
		}
		if got := string(AppendAcceptKey([]byte("x"), tc.key)); got != "x"+tc.want {
			t.Errorf("AppendAcceptKey(x, %q) = %q, want %q", tc.key, got, "x"+tc.want)
		}
	}
}

func TestAppendAcceptKeyAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { AppendAcceptKey(buf[:0], testKey) }); n != 0 {
		t.Errorf("AppendAcceptKey allocates %v times, want 0", n)
	}
}

func TestValidKey(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{testKey, true},
		{base64.StdEncoding.EncodeToString(make([]byte, 16)), true},
		{"", false},
		{base64.StdEncoding.EncodeToString(make([]byte, 15)), false},
		{base64.StdEncoding.EncodeToString(make([]byte, 17)), false},
		{base64.RawStdEncoding.EncodeToString(make([]byte, 16)), false},
		{base64.URLEncoding.EncodeToString([]byte{0xfb, 0xff, 15: 0}), false}, // "-" and "_" are not standard base64
		{"dGhlIHNhbXBsZSBub25jZR==", false},                                   // non-zero padding bits
		{"dGhlIHNhbXBsZSBub25j ZQ=", false},
	} {
		if got := validKey(tc.key); got != tc.want {
			t.Errorf("validKey(%q) = %v, want %v", tc.key, got, tc.want)
		}
	}
}

func TestNewKey(t *testing.T) {
	a, err := newKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := newKey()
	if err != nil {
		t.Fatal(err)
	}
	if !validKey(a) || !validKey(b) || a == b {
		t.Errorf("newKey() = %q, %q; want two different valid keys", a, b)
	}
}
