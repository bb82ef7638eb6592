package handshake

import (
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"
)

// supportedVersion is the only Sec-WebSocket-Version this package speaks
// (RFC 6455 §4.1).
const supportedVersion = "13"

// Defaults of the bounds the options leave at zero.
const (
	// DefaultServerTimeout bounds writing the 101 response, and in
	// UpgradeConn also reading the request.
	DefaultServerTimeout = 10 * time.Second
	// DefaultDialTimeout bounds a whole client handshake: dial, proxy,
	// TLS, request and response.
	DefaultDialTimeout = 30 * time.Second
	// DefaultMaxHeaderBytes bounds the head (start line and header fields)
	// of the request UpgradeConn reads and of the responses a client reads.
	DefaultMaxHeaderBytes = 16 << 10
)

// ServerOptions configures the server side of the handshake. A nil
// *ServerOptions is the zero value: same-origin requests only, no
// subprotocol, no extension, default bounds.
type ServerOptions struct {
	// Subprotocols lists the subprotocols the server speaks, most preferred
	// first. The server picks the first of them the client offers in
	// Sec-WebSocket-Protocol (RFC 6455 §4.2.2 step 4, /subprotocol/); if none is
	// offered, the response has no Sec-WebSocket-Protocol.
	Subprotocols []string

	// OriginPatterns lists more Origin hosts to accept besides the
	// request's own Host, as path.Match patterns compared
	// case-insensitively with the origin's host[:port], such as
	// "*.example.com" or "localhost:8080". A malformed pattern makes every
	// upgrade fail with 500.
	OriginPatterns []string

	// AllowAnyOrigin skips the Origin check. Without it a request whose
	// Origin names another host than its Host header is refused with 403
	// (RFC 6455 §10.2): a browser sends Origin, and another site's page
	// must not reach this server with the user's cookies. A request
	// without Origin does not come from a browser and is allowed.
	AllowAnyOrigin bool

	// Deflate enables permessage-deflate (RFC 7692) and narrows what the
	// server accepts; see DeflateConfig. Nil declines every offer.
	Deflate *DeflateConfig

	// Header holds more header fields for the 101 response. It must not
	// set the fields the handshake owns (Upgrade, Connection,
	// Sec-WebSocket-Accept, Sec-WebSocket-Protocol,
	// Sec-WebSocket-Extensions, Content-Length, Transfer-Encoding).
	// Headers set on the http.ResponseWriter are not sent.
	Header http.Header

	// Timeout bounds writing the 101 response and, in UpgradeConn, reading
	// the request as well. Zero means DefaultServerTimeout.
	Timeout time.Duration

	// MaxHeaderBytes bounds the request head UpgradeConn reads; a larger
	// one is answered with 431. Zero means DefaultMaxHeaderBytes. The
	// net/http server applies its own http.Server.MaxHeaderBytes.
	MaxHeaderBytes int
}

var defaultServerOptions ServerOptions

// orDefault returns v if it is set (positive), else def: the zero value of
// a bound means its default.
func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func (o *ServerOptions) timeout() time.Duration { return orDefault(o.Timeout, DefaultServerTimeout) }

func (o *ServerOptions) maxHeaderBytes() int {
	return orDefault(o.MaxHeaderBytes, DefaultMaxHeaderBytes)
}

// reservedResponseFields are the fields of a 101 response the handshake
// writes itself, or that would make its end ambiguous.
var reservedResponseFields = []string{
	"Upgrade", "Connection", "Sec-Websocket-Accept", "Sec-Websocket-Protocol",
	"Sec-Websocket-Extensions", "Content-Length", "Transfer-Encoding",
}

// check validates the options; a mistake in them is the server's fault and
// answered with 500.
func (o *ServerOptions) check() *RequestError {
	bad := func(format string, args ...any) *RequestError {
		return &RequestError{http.StatusInternalServerError, "websocket: invalid ServerOptions: " + fmt.Sprintf(format, args...)}
	}
	for _, p := range o.Subprotocols {
		if !isToken(p) {
			return bad("subprotocol %q is not a token", p)
		}
	}
	for _, p := range o.OriginPatterns {
		if _, err := path.Match(p, ""); err != nil {
			return bad("origin pattern %q: %v", p, err)
		}
	}
	if o.Deflate != nil {
		if err := o.Deflate.check(); err != nil {
			return bad("%v", err)
		}
	}
	if err := checkFields(o.Header, reservedResponseFields); err != nil {
		return bad("Header: %v", err)
	}
	if o.Timeout < 0 || o.MaxHeaderBytes < 0 {
		return bad("negative Timeout or MaxHeaderBytes")
	}
	return nil
}

// checkFields reports whether h can be written as header fields: names
// that are tokens and none of reserved, values without control characters.
func checkFields(h http.Header, reserved []string) error {
	for name, values := range h {
		if !isToken(name) {
			return fmt.Errorf("field name %q is not a token", name)
		}
		for _, r := range reserved {
			if strings.EqualFold(name, r) {
				return fmt.Errorf("field %s is set by the handshake", r)
			}
		}
		for _, v := range values {
			if !isFieldValue(v) {
				return fmt.Errorf("field %s has a control character in its value", name)
			}
		}
	}
	return nil
}

// Agreement is what a handshake settled beyond the switch itself.
type Agreement struct {
	Subprotocol string         // "" when none was agreed
	Extensions  []Extension    // the extensions in use, in response order
	Deflate     *DeflateParams // non-nil when permessage-deflate is in use
}

// requestHead is what validation reads of an upgrade request, from an
// *http.Request or from a Request that UpgradeConn parsed.
type requestHead struct {
	method                 string
	protoMajor, protoMinor int
	host                   string
	hasBody                bool
	fields                 fields
}

func headOf(r *http.Request) requestHead {
	return requestHead{
		method:     r.Method,
		protoMajor: r.ProtoMajor,
		protoMinor: r.ProtoMinor,
		host:       r.Host,
		// net/http sets ContentLength to 0 for a request without a body
		// and to -1 for a chunked one.
		hasBody: r.ContentLength != 0 || len(r.TransferEncoding) > 0,
		fields:  mimeFields(r.Header),
	}
}

// Check validates r as an opening handshake (RFC 6455 §4.2.1) and
// negotiates its subprotocol and extensions under opts, without any I/O.
// A refused request yields a *RequestError: one of the Err variables of
// this package, or, when opts itself is invalid, one with Status 500.
func Check(r *http.Request, opts *ServerOptions) (Agreement, error) {
	h := headOf(r)
	a, _, err := check(&h, opts)
	if err != nil {
		return Agreement{}, err
	}
	return a, nil
}

// IsUpgradeRequest reports whether r asks to switch to WebSocket: its
// Upgrade header lists "websocket" and its Connection header lists
// "upgrade" (RFC 6455 §4.2.1 items 3 and 4). It does not validate the rest.
func IsUpgradeRequest(r *http.Request) bool {
	f := mimeFields(r.Header)
	return hasElement(f, "Upgrade", "websocket", strings.EqualFold) &&
		hasElement(f, "Connection", "upgrade", strings.EqualFold)
}

// check validates h under opts and returns the agreement and the
// Sec-WebSocket-Key to answer. It serves both Check and UpgradeConn.
func check(h *requestHead, opts *ServerOptions) (Agreement, string, *RequestError) {
	if opts == nil {
		opts = &defaultServerOptions
	}
	if err := opts.check(); err != nil {
		return Agreement{}, "", err
	}
	f := h.fields
	switch {
	case h.method != http.MethodGet:
		return Agreement{}, "", ErrBadMethod
	case h.protoMajor < 1 || h.protoMajor == 1 && h.protoMinor < 1:
		return Agreement{}, "", ErrBadProtocol
	case h.host == "":
		return Agreement{}, "", ErrMissingHost
	case h.hasBody:
		return Agreement{}, "", ErrRequestBody
	case !hasElement(f, "Upgrade", "websocket", strings.EqualFold):
		return Agreement{}, "", ErrBadUpgrade
	case !hasElement(f, "Connection", "upgrade", strings.EqualFold):
		return Agreement{}, "", ErrBadConnection
	}
	switch version, n := onlyField(f, "Sec-Websocket-Version"); {
	case n == 0:
		return Agreement{}, "", ErrMissingVersion
	case n > 1:
		return Agreement{}, "", ErrDuplicateVersion
	case version != supportedVersion:
		return Agreement{}, "", ErrBadVersion
	}
	key, n := onlyField(f, "Sec-Websocket-Key")
	switch {
	case n == 0:
		return Agreement{}, "", ErrMissingKey
	case n > 1:
		return Agreement{}, "", ErrDuplicateKey
	case !validKey(key):
		return Agreement{}, "", ErrBadKey
	}
	if !originAllowed(f, h.host, opts) {
		return Agreement{}, "", ErrOriginRefused
	}

	var a Agreement
	for _, p := range opts.Subprotocols {
		// Subprotocol names are compared exactly: RFC 6455 does not fold
		// their case, and browsers check the server's choice byte for byte.
		if hasElement(f, "Sec-Websocket-Protocol", p, equalExact) {
			a.Subprotocol = p
			break
		}
	}
	if d := negotiateDeflate(f, opts.Deflate); d != nil {
		a.Deflate = &d.params
		a.Extensions = d.ext[:]
	}
	return a, key, nil
}
