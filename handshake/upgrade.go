package handshake

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ErrNotHijackable reports a ResponseWriter that cannot hand over its
// connection, such as one serving HTTP/2; the client gets 500.
var ErrNotHijackable = errors.New("websocket: response writer cannot hijack the connection")

// Upgrade completes the opening handshake for a net/http handler: it checks
// r as Check does, takes the connection over through
// http.ResponseController, clears the deadlines the http.Server set on it,
// and writes the 101 response, bounded by opts.Timeout.
//
// buffered holds the bytes the server had already read past the request's
// head; they are the start of the WebSocket stream and must be consumed
// before nc is read.
//
// If r is refused, Upgrade answers it through w with the status, header
// fields and one-line body of the *RequestError it returns; w stays usable
// by net/http. If the connection cannot be hijacked, it answers 500 and
// returns an error wrapping ErrNotHijackable. After the hijack, any error
// closes nc.
func Upgrade(w http.ResponseWriter, r *http.Request, opts *ServerOptions) (nc net.Conn, buffered []byte, a Agreement, err error) {
	if opts == nil {
		opts = &defaultServerOptions
	}
	h := headOf(r)
	a, key, rerr := check(&h, opts)
	if rerr != nil {
		writeError(w, rerr)
		return nil, nil, Agreement{}, rerr
	}
	nc, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, ErrNotHijackable.Error(), http.StatusInternalServerError)
		return nil, nil, Agreement{}, fmt.Errorf("%w: %w", ErrNotHijackable, err)
	}
	if n := brw.Reader.Buffered(); n > 0 {
		p, _ := brw.Reader.Peek(n)
		buffered = bytes.Clone(p)
	}
	if err := writeResponse(nc, opts, key, &a); err != nil {
		nc.Close()
		return nil, nil, Agreement{}, err
	}
	return nc, buffered, a, nil
}

// writeResponse writes the 101 response within opts.Timeout and leaves nc
// without deadlines.
func writeResponse(nc net.Conn, opts *ServerOptions, key string, a *Agreement) error {
	// The http.Server may have left read and write deadlines on the
	// connection (ReadTimeout, WriteTimeout, or the past deadline it uses
	// to stop its background read); none of them applies to the WebSocket.
	if err := nc.SetDeadline(time.Time{}); err != nil {
		return err
	}
	if err := nc.SetWriteDeadline(time.Now().Add(opts.timeout())); err != nil {
		return err
	}
	b := getBuf()
	err := write101(nc, *b, key, a, opts)
	putBuf(b)
	if err != nil {
		return err
	}
	return nc.SetWriteDeadline(time.Time{})
}
