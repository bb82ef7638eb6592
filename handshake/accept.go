package handshake

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
)

// acceptGUID is the GUID RFC 6455 §1.3 appends to the key before hashing.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// AppendAcceptKey appends to dst the Sec-WebSocket-Accept value for the
// Sec-WebSocket-Key key (RFC 6455 §4.2.2 step 5.4): the base64 encoding of
// the SHA-1 hash of key followed by the protocol's GUID. It does not
// allocate when dst has room for the 28 bytes it appends.
func AppendAcceptKey(dst []byte, key string) []byte {
	// A valid key is 24 bytes, so the concatenation fits this array and
	// stays on the stack; append moves a longer one to the heap.
	var in [24 + len(acceptGUID)]byte
	b := append(append(in[:0], key...), acceptGUID...)
	sum := sha1.Sum(b)
	return base64.StdEncoding.AppendEncode(dst, sum[:])
}

// AcceptKey returns the Sec-WebSocket-Accept value for the
// Sec-WebSocket-Key key.
func AcceptKey(key string) string {
	var buf [28]byte
	return string(AppendAcceptKey(buf[:0], key))
}

// validKey reports whether key is what RFC 6455 §4.2.1 item 5 requires: the
// base64 encoding of 16 bytes (24 characters with their padding).
func validKey(key string) bool {
	if len(key) != 24 {
		return false
	}
	var raw [18]byte
	n, err := base64.StdEncoding.Strict().Decode(raw[:], []byte(key))
	return err == nil && n == 16
}

// newKey returns a fresh Sec-WebSocket-Key: 16 random bytes, base64-encoded
// (RFC 6455 §4.1). The bytes must be unpredictable, hence crypto/rand.
func newKey() (string, error) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(raw[:]), nil
}
