package main

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"
)

func FuzzParseFrameHeader(f *testing.F) {
	for _, s := range []string{"\x82\x05", "\x80\x7e\x01\x00", "\x82\x7f\x00\x00\x00\x00\x00\x10\x00\x00", "\x89\x00", "\x82\x85abcd", "\x09\x00", "\x82"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		h, n, err := parseFrameHeader(p)
		if err != nil {
			return
		}
		if n != 2 && n != 4 && n != 10 || n > len(p) {
			t.Fatalf("header length %d of %d octets", n, len(p))
		}
		if h.length < 0 {
			t.Fatalf("negative payload length %d", h.length)
		}
		if h.opcode >= opClose && (!h.fin || h.length > 125) {
			t.Fatalf("accepted control frame %+v", h)
		}
		// The header is a prefix: what follows it does not change it.
		h2, n2, err := parseFrameHeader(append(p[:n:n], 0xFF, 0xFF))
		if err != nil || h2 != h || n2 != n {
			t.Fatalf("header %+v (%d) then %+v (%d), %v with other octets after it", h, n, h2, n2, err)
		}
	})
}

func FuzzParseUpgradeResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 101\r\nsec-websocket-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: x\r\n\r\n"))
	f.Fuzz(func(t *testing.T, p []byte) {
		n, err := parseUpgradeResponse(p)
		if err != nil {
			return
		}
		if n > len(p) || !bytes.HasSuffix(p[:n], []byte("\r\n\r\n")) {
			t.Fatalf("length %d does not end the header block of %q", n, p)
		}
		if !bytes.Contains(bytes.ToLower(p[:n]), []byte("s3pplmbitxaq9kygzzhzrbk+xoo=")) {
			t.Fatalf("accepted %q without the accept key", p[:n])
		}
	})
}

// FuzzUTF8Reader compares the streaming check, with the input cut into
// reads at arbitrary places, with utf8.Valid on the whole.
func FuzzUTF8Reader(f *testing.F) {
	for _, s := range []string{"hello", "κόσμε", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf0\x9f\x98", "\xe2\x82"} {
		f.Add([]byte(s), uint8(1))
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, p []byte, chunk uint8) {
		v := &utf8Reader{r: &choppedReader{p: p, n: int(chunk%8) + 1}}
		_, err := io.Copy(io.Discard, v)
		if valid := utf8.Valid(p); valid != (err == nil) {
			t.Fatalf("%q read %d octets at a time: error %v, utf8.Valid %v", p, chunk%8+1, err, valid)
		}
		if err != nil && !errors.Is(err, errInvalidUTF8) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// choppedReader returns p at most n octets per Read.
type choppedReader struct {
	p []byte
	n int
}

func (r *choppedReader) Read(b []byte) (int, error) {
	if len(r.p) == 0 {
		return 0, io.EOF
	}
	n := copy(b[:min(len(b), r.n)], r.p)
	r.p = r.p[n:]
	return n, nil
}
