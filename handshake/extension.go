package handshake

import (
	"errors"
	"fmt"
	"strings"
)

// Extension is one element of a Sec-WebSocket-Extensions header field
// (RFC 6455 §9.1): an extension token and its parameters, in order.
type Extension struct {
	Name   string
	Params []Param
}

// Param is an extension parameter. Value is unescaped when the header
// carried it as a quoted-string; HasValue tells "name" from `name=""`.
type Param struct {
	Name     string
	Value    string
	HasValue bool
}

// ErrMalformedExtensions reports a Sec-WebSocket-Extensions value that does
// not follow the grammar of RFC 6455 §9.1.
var ErrMalformedExtensions = errors.New("websocket: malformed Sec-WebSocket-Extensions header")

// ParseExtensions parses the values of Sec-WebSocket-Extensions header lines
// (RFC 6455 §9.1):
//
//	extension-list = 1#extension
//	extension      = extension-token *( ";" extension-param )
//	extension-param = token [ "=" (token | quoted-string) ]
//
// The lists of all lines form one list. Whitespace may surround the
// separators, empty list elements are skipped (RFC 7230 §7), and a
// quoted-string may hold quoted-pairs (RFC 7230 §3.2.6); after unescaping,
// its value must be a token (§9.1). An error wraps ErrMalformedExtensions.
func ParseExtensions(values []string) ([]Extension, error) {
	var exts []Extension
	for _, v := range values {
		sc := extScanner{s: v}
		for name, ok := sc.extension(); ok; name, ok = sc.extension() {
			ext := Extension{Name: name}
			for p, ok := sc.param(); ok; p, ok = sc.param() {
				ext.Params = append(ext.Params, p)
			}
			exts = append(exts, ext)
		}
		if err := sc.error(); err != nil {
			return nil, err
		}
	}
	return exts, nil
}

// AppendExtensions appends exts to dst in the syntax of a
// Sec-WebSocket-Extensions value. A parameter value that is not a token is
// written as a quoted-string.
func AppendExtensions(dst []byte, exts []Extension) []byte {
	for i, e := range exts {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, e.Name...)
		for _, p := range e.Params {
			dst = append(dst, "; "...)
			dst = append(dst, p.Name...)
			if !p.HasValue {
				continue
			}
			dst = append(dst, '=')
			if isToken(p.Value) {
				dst = append(dst, p.Value...)
				continue
			}
			dst = append(dst, '"')
			for j := 0; j < len(p.Value); j++ {
				if c := p.Value[j]; c == '"' || c == '\\' {
					dst = append(dst, '\\')
				}
				dst = append(dst, p.Value[j])
			}
			dst = append(dst, '"')
		}
	}
	return dst
}

// extScanner walks one Sec-WebSocket-Extensions value without allocating
// (except to unescape a quoted-pair): extension moves to the next
// extension, param reads its parameters one by one. On a syntax error both
// return false from then on and error reports it.
type extScanner struct {
	s     string
	pos   int
	inExt bool   // between an extension's name and the "," or end after it
	why   string // the syntax error, if any
}

// extension skips what is left of the current extension and returns the
// name of the next one.
func (sc *extScanner) extension() (string, bool) {
	for sc.inExt {
		sc.param()
	}
	if sc.why != "" {
		return "", false
	}
	for {
		sc.skipOWS()
		if sc.pos == len(sc.s) {
			return "", false
		}
		if sc.s[sc.pos] == ',' {
			sc.pos++ // an empty element
			continue
		}
		name := sc.token()
		if name == "" {
			sc.fail("extension name is not a token")
			return "", false
		}
		sc.inExt = true
		return name, true
	}
}

// param returns the next parameter of the current extension.
func (sc *extScanner) param() (Param, bool) {
	if !sc.inExt {
		return Param{}, false
	}
	sc.skipOWS()
	if sc.pos == len(sc.s) {
		sc.inExt = false
		return Param{}, false
	}
	switch sc.s[sc.pos] {
	case ',':
		sc.pos++
		sc.inExt = false
		return Param{}, false
	case ';':
		sc.pos++
	default:
		sc.fail(`want ";" or ","`)
		return Param{}, false
	}
	sc.skipOWS()
	p := Param{Name: sc.token()}
	if p.Name == "" {
		sc.fail("parameter name is not a token")
		return Param{}, false
	}
	sc.skipOWS()
	if sc.pos == len(sc.s) || sc.s[sc.pos] != '=' {
		return p, true
	}
	sc.pos++
	sc.skipOWS()
	p.HasValue = true
	if sc.pos < len(sc.s) && sc.s[sc.pos] == '"' {
		v, ok := sc.quoted()
		if !ok {
			return Param{}, false
		}
		if !isToken(v) {
			sc.fail("quoted parameter value is not a token")
			return Param{}, false
		}
		p.Value = v
		return p, true
	}
	if p.Value = sc.token(); p.Value == "" {
		sc.fail("parameter value is not a token")
		return Param{}, false
	}
	return p, true
}

// quoted reads a quoted-string (RFC 7230 §3.2.6) at the scanner's position
// and returns its unescaped content.
func (sc *extScanner) quoted() (string, bool) {
	sc.pos++ // the opening DQUOTE
	start, escaped := sc.pos, false
	for sc.pos < len(sc.s) {
		switch c := sc.s[sc.pos]; {
		case c == '"':
			v := sc.s[start:sc.pos]
			sc.pos++
			if escaped {
				v = unescape(v)
			}
			return v, true
		case c == '\\':
			// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
			sc.pos++
			if sc.pos == len(sc.s) || !isQuotable(sc.s[sc.pos]) {
				sc.fail("bad quoted-pair")
				return "", false
			}
			escaped = true
			sc.pos++
		case isQuotable(c):
			sc.pos++ // qdtext
		default:
			sc.fail("control character in quoted-string")
			return "", false
		}
	}
	sc.fail("unterminated quoted-string")
	return "", false
}

// isQuotable reports whether c may appear in a quoted-string, escaped or not
// (HTAB, SP, VCHAR, obs-text); qdtext excludes '"' and '\' only as they
// start a quote's end or a quoted-pair.
func isQuotable(c byte) bool { return c == '\t' || c >= ' ' && c != 0x7f }

// unescape removes the backslashes of quoted-pairs.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (sc *extScanner) token() string {
	start := sc.pos
	for sc.pos < len(sc.s) && isTokenChar(sc.s[sc.pos]) {
		sc.pos++
	}
	return sc.s[start:sc.pos]
}

func (sc *extScanner) skipOWS() {
	for sc.pos < len(sc.s) && (sc.s[sc.pos] == ' ' || sc.s[sc.pos] == '\t') {
		sc.pos++
	}
}

func (sc *extScanner) fail(why string) {
	sc.why = why
	sc.inExt = false
}

// error returns the syntax error met, if any, wrapping
// ErrMalformedExtensions.
func (sc *extScanner) error() error {
	if sc.why == "" {
		return nil
	}
	return fmt.Errorf("%w: %s at byte %d of %q", ErrMalformedExtensions, sc.why, sc.pos, sc.s)
}

// validExtensions reports whether every Sec-WebSocket-Extensions line of f
// is well formed.
func validExtensions(f fields) bool {
	for v, c, ok := f.field("Sec-Websocket-Extensions", 0); ok; v, c, ok = f.field("Sec-Websocket-Extensions", c) {
		sc := extScanner{s: v}
		for _, ok := sc.extension(); ok; _, ok = sc.extension() {
		}
		if sc.why != "" {
			return false
		}
	}
	return true
}
