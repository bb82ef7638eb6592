package handshake

import (
	"net/http"
	"strings"
)

// fields gives access to the header fields of a request or a response. Both
// an [http.Header] and a [Request] read by [UpgradeConn] provide it, so one
// set of rules validates either.
//
// field returns the value of the next header line named name at or after
// cursor, with the cursor to pass to find the one after it; ok is false when
// none is left. The first call passes 0. name is given in the canonical
// form http.Header keys fields by ("Sec-Websocket-Key"); Request matches
// it case-insensitively.
// Iterating by cursor rather than through a callback keeps the validation
// free of allocations.
type fields interface {
	field(name string, cursor int) (value string, next int, ok bool)
}

// mimeFields adapts an http.Header, whose keys are already canonical.
type mimeFields http.Header

func (h mimeFields) field(name string, i int) (string, int, bool) {
	vs := h[name]
	if i < len(vs) {
		return vs[i], i + 1, true
	}
	return "", i, false
}

// countFields returns the number of header lines named name.
func countFields(f fields, name string) int {
	n := 0
	for _, c, ok := f.field(name, 0); ok; _, c, ok = f.field(name, c) {
		n++
	}
	return n
}

// onlyField returns the value of the header line named name and how many
// lines have that name; the value is meaningful only when the count is 1.
func onlyField(f fields, name string) (value string, count int) {
	for v, c, ok := f.field(name, 0); ok; v, c, ok = f.field(name, c) {
		if count == 0 {
			value = v
		}
		count++
	}
	return value, count
}

// hasElement reports whether any header line named name holds want as an
// element of its comma-separated list (RFC 7230 §7). equal decides the match:
// strings.EqualFold for tokens such as "upgrade", exact equality for
// subprotocol names.
func hasElement(f fields, name, want string, equal func(a, b string) bool) bool {
	for v, c, ok := f.field(name, 0); ok; v, c, ok = f.field(name, c) {
		for list := v; list != ""; {
			var elem string
			elem, list = nextElement(list)
			if equal(elem, want) {
				return true
			}
		}
	}
	return false
}

func equalExact(a, b string) bool { return a == b }

// nextElement splits the first element off a comma-separated list and trims
// the optional whitespace around it. Empty elements come back as "", which
// RFC 7230 §7 tells recipients to ignore.
func nextElement(list string) (elem, rest string) {
	elem, rest, _ = strings.Cut(list, ",")
	return trimOWS(elem), rest
}

// trimOWS removes optional whitespace (SP and HTAB, RFC 7230 §3.2.3) from
// both ends of s.
func trimOWS(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// isTokenChar reports whether c may appear in a token (RFC 7230 §3.2.6):
// a visible ASCII character other than a delimiter.
func isTokenChar(c byte) bool { return tokenChars[c] }

var tokenChars = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c)
	}
	return t
}()

// isToken reports whether s is a non-empty token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// isFieldValue reports whether s may be sent as a header field value: no
// control characters other than HTAB (RFC 7230 §3.2), so that no value can
// end its line early or smuggle in another field.
func isFieldValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
