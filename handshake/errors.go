package handshake

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// RequestError is an upgrade request the server refuses, with the HTTP
// answer RFC 6455 §4.2.1 and §4.2.2 call for. The variables below are the
// refusals the package makes; the functions of this package return them
// unchanged, so callers can compare with errors.Is.
type RequestError struct {
	Status int    // HTTP status code of the answer
	Reason string // one line naming the problem: the body of the answer
}

func (e *RequestError) Error() string { return e.Reason }

// Header returns the header fields the answer carries besides its body's
// Content-Type: Allow for 405 (RFC 7231 §6.5.5) and Sec-WebSocket-Version
// for 426 (RFC 6455 §4.4).
func (e *RequestError) Header() http.Header {
	h := http.Header{}
	switch e.Status {
	case http.StatusMethodNotAllowed:
		h.Set("Allow", http.MethodGet)
	case http.StatusUpgradeRequired:
		h.Set("Sec-Websocket-Version", supportedVersion)
	}
	return h
}

// The refusals, in the order the server checks for them.
var (
	// §4.2.1 item 1: the request method must be GET.
	ErrBadMethod = &RequestError{http.StatusMethodNotAllowed, "websocket: request method is not GET"}
	// §4.2.1 item 1: HTTP/1.1 or later.
	ErrBadProtocol = &RequestError{http.StatusBadRequest, "websocket: HTTP version is not 1.1 or later"}
	// §4.2.1 item 2: a Host header field.
	ErrMissingHost = &RequestError{http.StatusBadRequest, "websocket: missing Host header"}
	// An upgrade request carries no body: bytes after its head belong to
	// the WebSocket connection, so a Content-Length or Transfer-Encoding
	// makes it ambiguous where the frames begin.
	ErrRequestBody = &RequestError{http.StatusBadRequest, "websocket: upgrade request has a body"}
	// §4.2.1 item 3: Upgrade must list "websocket".
	ErrBadUpgrade = &RequestError{http.StatusBadRequest, "websocket: Upgrade header does not name websocket"}
	// §4.2.1 item 4: Connection must list "upgrade".
	ErrBadConnection = &RequestError{http.StatusBadRequest, "websocket: Connection header does not name upgrade"}
	// §4.2.1 item 6: a Sec-WebSocket-Version header field.
	ErrMissingVersion = &RequestError{http.StatusBadRequest, "websocket: missing Sec-WebSocket-Version header"}
	// §4.2.1 item 6: the version appears once.
	ErrDuplicateVersion = &RequestError{http.StatusBadRequest, "websocket: repeated Sec-WebSocket-Version header"}
	// §4.2.2 step 4 and §4.4: another version is answered with 426 and the
	// versions the server speaks.
	ErrBadVersion = &RequestError{http.StatusUpgradeRequired, "websocket: Sec-WebSocket-Version is not 13"}
	// §4.2.1 item 5: a Sec-WebSocket-Key header field.
	ErrMissingKey = &RequestError{http.StatusBadRequest, "websocket: missing Sec-WebSocket-Key header"}
	// §4.2.1 item 5: the key appears once.
	ErrDuplicateKey = &RequestError{http.StatusBadRequest, "websocket: repeated Sec-WebSocket-Key header"}
	// §4.2.1 item 5: the key is 16 bytes, base64-encoded.
	ErrBadKey = &RequestError{http.StatusBadRequest, "websocket: Sec-WebSocket-Key is not 16 base64-encoded bytes"}
	// §4.2.2 step 4 and §10.2: the server refuses this Origin.
	ErrOriginRefused = &RequestError{http.StatusForbidden, "websocket: Origin not allowed"}

	// The request head read by UpgradeConn is not valid HTTP/1.1
	// (RFC 7230 §3).
	ErrMalformedRequest = &RequestError{http.StatusBadRequest, "websocket: malformed HTTP request"}
	// The request head read by UpgradeConn exceeds MaxHeaderBytes
	// (RFC 6585 §5).
	ErrRequestHeaderTooLarge = &RequestError{http.StatusRequestHeaderFieldsTooLarge, "websocket: request header too large"}
)

// Errors of the client.
var (
	// The response head exceeds ClientOptions.MaxResponseHeaderBytes.
	ErrResponseHeaderTooLarge = errors.New("websocket: response header too large")
	// The 101 response breaks a rule of RFC 6455 §4.1 (Upgrade,
	// Connection or Sec-WebSocket-Accept); the error names which.
	ErrBadResponse = errors.New("websocket: invalid handshake response")
	// The server chose a subprotocol the client did not offer, or several
	// (RFC 6455 §4.1).
	ErrBadSubprotocol = errors.New("websocket: server chose a subprotocol the client did not offer")
	// The server's Sec-WebSocket-Extensions does not match the client's
	// offer: an extension the client did not offer (RFC 6455 §4.1), or a
	// permessage-deflate response with an unknown, duplicate or invalid
	// parameter, a client_max_window_bits the client did not offer, a
	// window larger than offered, or without the server_no_context_takeover
	// or server_max_window_bits the offer asked for (RFC 7692 §7.1). RFC 7692 requires the
	// client to fail the WebSocket connection; an endpoint that sends a
	// close frame uses status 1010 (mandatory extension, RFC 6455 §7.4.1).
	ErrExtensionResponse = errors.New("websocket: server's extensions do not match the client's offer")
)

// maxErrorBody bounds the bytes of a refusal's body kept in a StatusError.
const maxErrorBody = 1 << 10

// StatusError is a server's (or a proxy's) refusal to switch protocols: any
// response other than 101 Switching Protocols.
type StatusError struct {
	StatusCode int
	Status     string      // the status line, such as "HTTP/1.1 403 Forbidden"
	Header     http.Header // the response's header fields
	Body       []byte      // the start of the body, at most 1 KiB
}

func (e *StatusError) Error() string {
	var b strings.Builder
	b.WriteString("websocket: server refused the upgrade: ")
	b.WriteString(e.Status)
	// The first line of the body usually says why (this package's own
	// server sends exactly one line).
	line, _, _ := strings.Cut(string(e.Body), "\n")
	if line = strings.TrimSpace(line); line != "" {
		const maxLine = 200
		if len(line) > maxLine {
			line = line[:maxLine]
		}
		b.WriteString(": ")
		b.WriteString(strconv.Quote(line))
	}
	return b.String()
}
