package handshake

import (
	"net/http"
	"strconv"
	"sync"
)

// bufPool holds the scratch buffers that heads are read into and responses
// built in, so that an upgrade does not allocate them.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 4<<10)
	return &b
}}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) > 64<<10 {
		return // a rare large head; do not keep it alive
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

// append101 appends the server's 101 response (RFC 6455 §4.2.2 step 5) for
// the client's key and the agreement a, with the extra header fields extra.
func append101(b []byte, key string, a *Agreement, extra http.Header) []byte {
	b = append(b, "HTTP/1.1 101 Switching Protocols\r\n"+
		"Upgrade: websocket\r\n"+
		"Connection: Upgrade\r\n"+
		"Sec-WebSocket-Accept: "...)
	b = AppendAcceptKey(b, key)
	b = append(b, "\r\n"...)
	if a.Subprotocol != "" {
		b = append(b, "Sec-WebSocket-Protocol: "...)
		b = append(b, a.Subprotocol...)
		b = append(b, "\r\n"...)
	}
	if len(a.Extensions) > 0 {
		b = append(b, "Sec-WebSocket-Extensions: "...)
		b = AppendExtensions(b, a.Extensions)
		b = append(b, "\r\n"...)
	}
	b = appendFields(b, extra)
	return append(b, "\r\n"...)
}

// appendFields appends the header fields of h, which checkFields accepted.
func appendFields(b []byte, h http.Header) []byte {
	for name, values := range h {
		for _, v := range values {
			b = append(b, name...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	return b
}

// appendErrorResponse appends the minimal HTTP answer to a refused request
// read without net/http: the status, the error's header fields and its
// reason as a one-line plain-text body. The connection is closed after it,
// since the request may have left unread bytes behind.
func appendErrorResponse(b []byte, e *RequestError) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(e.Status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(e.Status)...)
	b = append(b, "\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n"+
		"X-Content-Type-Options: nosniff\r\n"+
		"Connection: close\r\n"+
		"Content-Length: "...)
	b = strconv.AppendInt(b, int64(len(e.Reason)+1), 10)
	b = append(b, "\r\n"...)
	b = appendFields(b, e.Header())
	b = append(b, "\r\n"...)
	b = append(b, e.Reason...)
	return append(b, '\n')
}

// writeError answers a refused request through net/http, as http.Error
// does, with the error's header fields.
func writeError(w http.ResponseWriter, e *RequestError) {
	h := w.Header()
	for name, values := range e.Header() {
		h[name] = values
	}
	http.Error(w, e.Reason, e.Status)
}
