package handshake

import (
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// Request is the head of an upgrade request as UpgradeConn read it: the
// request line and the header fields, kept as sent. Its strings share one
// allocation.
type Request struct {
	Method     string
	RequestURI string // the request-target of the request line, unmodified
	Proto      string // "HTTP/1.1"
	ProtoMajor int
	ProtoMinor int
	// Host is the Host header field, or the authority of an absolute-form
	// request-target, which takes precedence (RFC 7230 §5.4).
	Host string

	raw   string      // the header lines, each ending in CRLF
	lines []fieldLine // where each line's name and value are in raw
	// lineArray backs lines for the usual number of fields, so that
	// indexing them costs no allocation of its own.
	lineArray [32]fieldLine
}

// fieldLine locates one header line in Request.raw: the name is
// raw[start:colon], the value with its whitespace raw[colon+1:end].
type fieldLine struct{ start, colon, end int32 }

// URL parses RequestURI.
func (r *Request) URL() (*url.URL, error) { return url.ParseRequestURI(r.RequestURI) }

// Get returns the value of the first header field named name (compared
// case-insensitively), or "".
func (r *Request) Get(name string) string {
	v, _, _ := r.field(name, 0)
	return v
}

// Values returns the values of the header fields named name (compared
// case-insensitively), in order.
func (r *Request) Values(name string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for v, c, ok := r.field(name, 0); ok; v, c, ok = r.field(name, c) {
			if !yield(v) {
				return
			}
		}
	}
}

// Header returns the header fields as a new http.Header.
func (r *Request) Header() http.Header {
	h := make(http.Header, len(r.lines))
	for _, l := range r.lines {
		h.Add(r.raw[l.start:l.colon], trimOWS(r.raw[l.colon+1:l.end]))
	}
	return h
}

// field implements fields over the indexed header lines; the cursor is a
// line number.
func (r *Request) field(name string, cursor int) (string, int, bool) {
	for ; cursor < len(r.lines); cursor++ {
		l := r.lines[cursor]
		if n := r.raw[l.start:l.colon]; len(n) == len(name) && strings.EqualFold(n, name) {
			return trimOWS(r.raw[l.colon+1 : l.end]), cursor + 1, true
		}
	}
	return "", cursor, false
}

// head returns what validation reads of r.
func (r *Request) head() requestHead {
	hasBody := countFields(r, "Transfer-Encoding") > 0
	for v, c, ok := r.field("Content-Length", 0); ok && !hasBody; v, c, ok = r.field("Content-Length", c) {
		hasBody = !isZero(v)
	}
	return requestHead{
		method:     r.Method,
		protoMajor: r.ProtoMajor,
		protoMinor: r.ProtoMinor,
		host:       r.Host,
		hasBody:    hasBody,
		fields:     r,
	}
}

// parse fills r from head, an HTTP/1.1 request head ending in an empty
// line (RFC 7230 §3). It is strict where leniency would let two parsers
// disagree on a message: lines end in CRLF, field names are tokens with no
// whitespace before the colon, obsolete line folding is refused, and there
// is at most one Host field.
func (r *Request) parse(head string) bool {
	line, rest, ok := strings.Cut(head, "\r\n")
	if !ok || !r.parseRequestLine(line) {
		return false
	}
	end := strings.Index(rest, "\r\n\r\n")
	switch {
	case rest == "\r\n":
		r.raw = ""
	case end < 0 || end+4 != len(rest):
		return false
	default:
		r.raw = rest[:end+2]
	}
	hosts := 0
	r.lines = r.lineArray[:0]
	for start := 0; start < len(r.raw); {
		end := start + strings.Index(r.raw[start:], "\r\n")
		line := r.raw[start:end]
		colon := strings.IndexByte(line, ':')
		if colon < 0 || !isToken(line[:colon]) || !isFieldValue(line[colon+1:]) {
			return false
		}
		r.lines = append(r.lines, fieldLine{int32(start), int32(start + colon), int32(end)})
		if strings.EqualFold(line[:colon], "Host") {
			hosts++
			if r.Host == "" {
				r.Host = trimOWS(line[colon+1:])
			}
		}
		start = end + 2
	}
	// RFC 7230 §5.4: several Host fields, or an invalid one, are a bad
	// request. A missing one is left for validation to name.
	if hosts > 1 || !validHost(r.Host) {
		return false
	}
	if authority, ok := authorityOf(r.RequestURI); ok {
		r.Host = authority
	}
	return true
}

// parseRequestLine parses method SP request-target SP HTTP-version.
func (r *Request) parseRequestLine(line string) bool {
	method, rest, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || !isToken(method) || target == "" {
		return false
	}
	for i := 0; i < len(target); i++ {
		if c := target[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	// HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 7230 §2.6)
	if len(proto) != len("HTTP/1.1") || !strings.HasPrefix(proto, "HTTP/") ||
		!isDigit(proto[5]) || proto[6] != '.' || !isDigit(proto[7]) {
		return false
	}
	r.Method, r.RequestURI, r.Proto = method, target, proto
	r.ProtoMajor, r.ProtoMinor = int(proto[5]-'0'), int(proto[7]-'0')
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isZero reports whether a Content-Length value (1*DIGIT) is zero.
func isZero(v string) bool {
	return v != "" && strings.Trim(v, "0") == ""
}

// authorityOf returns the authority of an absolute-form request-target
// (scheme "://" authority path-abempty [ "?" query ]).
func authorityOf(target string) (string, bool) {
	if strings.HasPrefix(target, "/") {
		return "", false
	}
	_, rest, ok := strings.Cut(target, "://")
	if !ok {
		return "", false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:] // user info is not part of the host
	}
	return rest, rest != "" && validHost(rest)
}

// validHost reports whether s has only the characters a Host field may
// hold: those of a reg-name, an IP literal and a port (RFC 3986 §3.2.2).
func validHost(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) {
			continue
		}
		if strings.IndexByte("-._~!$&'()*+,;=:[]%", c) < 0 {
			return false
		}
	}
	return true
}
