package handshake

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
)

// connectTunnel asks the HTTP proxy at the other end of nc to open a tunnel
// to addr (RFC 7231 §4.3.6), authenticating with the proxy URL's user info.
func connectTunnel(nc net.Conn, addr string, proxyURL *url.URL, limit int) error {
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: addr},
		Host:   addr,
		Header: http.Header{},
	}
	if proxyURL.User != nil {
		req.Header.Set("Proxy-Authorization", basicAuth(proxyURL.User))
	}
	_, rest, err := roundTrip(nc, req, limit, http.StatusOK)
	if err != nil {
		return fmt.Errorf("websocket: proxy CONNECT to %s: %w", addr, err)
	}
	if len(rest) > 0 {
		// The server speaks only after the request, so bytes here came
		// from the proxy, not through the tunnel.
		return errors.New("websocket: proxy sent data after its CONNECT response")
	}
	return nil
}
