package handshake

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"time"
)

// UpgradeConn completes the opening handshake on a connection accepted
// without net/http: it reads the request head (at most
// opts.MaxHeaderBytes), validates it and negotiates as Check does, and
// writes the 101 response, all within opts.Timeout. On success nc has no
// deadline.
//
// req is the request as read, returned whenever its head could be parsed.
// buffered holds the bytes read past the head; they are the start of the
// WebSocket stream and must be consumed before nc is read.
//
// A refused request is answered with a minimal HTTP response (status,
// header fields, one-line body, "Connection: close") and the
// *RequestError is returned; a malformed head is ErrMalformedRequest (400),
// an oversized one ErrRequestHeaderTooLarge (431). A request that is not
// read in time is not answered. The caller closes nc after any error.
func UpgradeConn(nc net.Conn, opts *ServerOptions) (buffered []byte, req *Request, a Agreement, err error) {
	if opts == nil {
		opts = &defaultServerOptions
	}
	if err := nc.SetDeadline(time.Now().Add(opts.timeout())); err != nil {
		return nil, nil, Agreement{}, err
	}
	bp := getBuf()
	defer putBuf(bp)
	buf, headLen, n, err := readHead(nc, *bp, opts.maxHeaderBytes())
	*bp = buf[:0]
	if err != nil {
		if errors.Is(err, errHeadTooLarge) {
			return nil, nil, Agreement{}, answer(nc, buf, ErrRequestHeaderTooLarge)
		}
		return nil, nil, Agreement{}, fmt.Errorf("websocket: reading the request: %w", err)
	}
	// One string holds the whole head; the request's fields point into it.
	req = new(Request)
	if !req.parse(string(buf[:headLen])) {
		return nil, nil, Agreement{}, answer(nc, buf, ErrMalformedRequest)
	}
	h := req.head()
	a, key, rerr := check(&h, opts)
	if rerr != nil {
		return nil, req, Agreement{}, answer(nc, buf, rerr)
	}
	if n > headLen {
		buffered = bytes.Clone(buf[headLen:n])
	}
	if err := write101(nc, buf, key, &a, opts); err != nil {
		return nil, req, Agreement{}, err
	}
	if err := nc.SetDeadline(time.Time{}); err != nil {
		return nil, req, Agreement{}, err
	}
	return buffered, req, a, nil
}

// answer writes the HTTP answer to a refused request, built in buf, and
// returns the refusal. The answer is a courtesy to the client: failing to
// write it changes nothing for the server.
func answer(nc net.Conn, buf []byte, e *RequestError) error {
	nc.Write(appendErrorResponse(buf[:0], e))
	return e
}

// write101 writes the 101 response, built in buf, in one write.
func write101(nc net.Conn, buf []byte, key string, a *Agreement, opts *ServerOptions) error {
	if _, err := nc.Write(append101(buf[:0], key, a, opts.Header)); err != nil {
		return fmt.Errorf("websocket: writing the 101 response: %w", err)
	}
	return nil
}
