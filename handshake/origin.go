package handshake

import (
	"path"
	"strings"
)

// originAllowed reports whether the server accepts a request with the
// given Origin header lines (RFC 6455 §4.2.2 step 4, §10.2). Browsers always
// send Origin, so a request without one comes from a program that could
// forge any value: it is allowed. With one, the origin's host (and port)
// must equal the request's Host, case-insensitively, or match one of
// opts.OriginPatterns. Several Origin lines make the origin ambiguous and
// are refused.
func originAllowed(f fields, host string, opts *ServerOptions) bool {
	if opts.AllowAnyOrigin {
		return true
	}
	origin, n := onlyField(f, "Origin")
	switch {
	case n == 0:
		return true
	case n > 1:
		return false
	}
	originHost, ok := hostOfOrigin(origin)
	if !ok {
		return false // "null" and anything else that names no host
	}
	if strings.EqualFold(originHost, host) {
		return true
	}
	return matchOrigin(opts.OriginPatterns, originHost)
}

// hostOfOrigin returns the host[:port] of a serialized origin
// (RFC 6454 §6.2: scheme "://" host [ ":" port ]).
func hostOfOrigin(origin string) (string, bool) {
	scheme, rest, ok := strings.Cut(origin, "://")
	if !ok || scheme == "" {
		return "", false
	}
	// An origin has no path, but some clients send one; the host ends there.
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if rest == "" || strings.IndexByte(rest, '@') >= 0 {
		return "", false // no host, or user info, which an origin never has
	}
	return rest, true
}

// matchOrigin reports whether host matches one of patterns, compared with
// path.Match after folding both to lower case. A malformed pattern matches
// nothing.
func matchOrigin(patterns []string, host string) bool {
	if len(patterns) == 0 {
		return false
	}
	host = strings.ToLower(host)
	for _, p := range patterns {
		if ok, err := path.Match(strings.ToLower(p), host); ok && err == nil {
			return true
		}
	}
	return false
}
