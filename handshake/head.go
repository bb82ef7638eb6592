package handshake

import (
	"errors"
	"io"
)

// errHeadTooLarge reports a head that does not fit the bound; each role
// turns it into its own error.
var errHeadTooLarge = errors.New("head too large")

// readHead reads from r into buf (appending to buf[:0], growing it up to
// limit bytes) until it holds a whole HTTP head: the start line and the header
// fields up to and including the empty line. It returns the buffer, the
// length of the head and the number of bytes read; the bytes past the head
// are what the peer sent after it.
func readHead(r io.Reader, buf []byte, limit int) (b []byte, headLen, n int, err error) {
	b = buf[:cap(buf)]
	if len(b) > limit {
		b = b[:limit]
	}
	// Reads that make no progress are bounded, as in bufio.
	for empty := 0; empty < 100; {
		if n == len(b) {
			if n >= limit {
				return b[:n], 0, n, errHeadTooLarge
			}
			grown := make([]byte, min(limit, 2*len(b)+512))
			copy(grown, b[:n])
			b = grown
		}
		m, err := r.Read(b[n:])
		if m == 0 && err == nil {
			empty++
			continue
		}
		// The head's end may straddle the previous read.
		from := max(n-3, 0)
		n += m
		if end := headEnd(b[from:n]); end >= 0 {
			return b[:n], from + end, n, nil
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return b[:n], 0, n, err
		}
	}
	return b[:n], 0, n, io.ErrNoProgress
}

// headEnd returns the length of the head at the start of b, up to and
// including the empty line that ends it, or -1 if b holds no empty line.
// Lines may end in LF alone (RFC 7230 §3.5), which a server's own parser
// then refuses; it is found here so that such a head is answered rather
// than waited on.
func headEnd(b []byte) int {
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		switch {
		case i+1 < len(b) && b[i+1] == '\n':
			return i + 2
		case i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			return i + 3
		}
	}
	return -1
}
