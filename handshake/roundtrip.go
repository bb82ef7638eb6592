package handshake

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
)

// roundTrip writes req on nc and reads the response head, at most limit
// bytes of it. A response with another status than want (or, when want is
// 200, another 2xx) comes back with a *StatusError carrying the start of its
// body. Otherwise the response has no body and buffered holds the bytes read
// past its head.
func roundTrip(nc net.Conn, req *http.Request, limit, want int) (resp *http.Response, buffered []byte, err error) {
	if err := req.Write(nc); err != nil {
		return nil, nil, fmt.Errorf("websocket: writing the request: %w", err)
	}
	bp := getBuf()
	defer putBuf(bp)
	buf, headLen, n, err := readHead(nc, *bp, limit)
	*bp = buf[:0]
	switch {
	case errors.Is(err, errHeadTooLarge):
		return nil, nil, ErrResponseHeaderTooLarge
	case err != nil:
		return nil, nil, fmt.Errorf("websocket: reading the response: %w", err)
	}
	// The head is parsed by net/http. The body of a refusal, if any, may
	// continue past what was read, so the reader goes on into nc.
	br := bufio.NewReader(io.MultiReader(bytes.NewReader(buf[:n]), nc))
	resp, err = http.ReadResponse(br, req)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	if resp.StatusCode != want && !(want == http.StatusOK && resp.StatusCode/100 == 2) {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		resp.Body = http.NoBody
		return resp, nil, &StatusError{
			StatusCode: resp.StatusCode,
			Status:     resp.Proto + " " + resp.Status,
			Header:     resp.Header,
			Body:       body,
		}
	}
	// A 101 response and a 2xx answer to CONNECT have no body: what follows
	// the head belongs to the next protocol.
	resp.Body = http.NoBody
	if n > headLen {
		buffered = bytes.Clone(buf[headLen:n])
	}
	return resp, buffered, nil
}
