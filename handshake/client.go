package handshake

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// ClientOptions configures the client side of the handshake. A nil
// *ClientOptions is the zero value.
type ClientOptions struct {
	// Header holds more header fields for the request, such as Origin,
	// Cookie or Authorization. A Host field replaces the URL's host in the
	// Host header. It must not set the fields the handshake owns (Upgrade,
	// Connection, Sec-WebSocket-Key, Sec-WebSocket-Version,
	// Sec-WebSocket-Protocol, Sec-WebSocket-Extensions, Content-Length,
	// Transfer-Encoding).
	Header http.Header

	// Subprotocols lists the subprotocols to offer, most preferred first
	// (RFC 6455 §4.1 item 10): distinct tokens.
	Subprotocols []string

	// Deflate offers permessage-deflate (RFC 7692); see DeflateConfig for
	// what each field offers. Nil offers nothing.
	Deflate *DeflateConfig

	// TLSConfig configures the TLS connection to a wss:// server. Nil
	// means the zero tls.Config: certificates verified against the system
	// roots. ServerName defaults to the URL's host, and NextProtos is
	// always "http/1.1", the protocol the handshake speaks.
	TLSConfig *tls.Config

	// NetDialContext dials the TCP connection to the server or to the
	// proxy. Nil means a net.Dialer's DialContext.
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// Proxy returns the URL of the HTTP proxy to reach the server through
	// with CONNECT, or nil for none. It is called with a GET request for
	// the server's URL with the scheme http (for ws) or https (for wss),
	// so that http.ProxyFromEnvironment, the default, picks HTTP_PROXY or
	// HTTPS_PROXY and honours NO_PROXY. The proxy URL's scheme must be
	// http; its user info becomes Proxy-Authorization (Basic).
	Proxy func(*http.Request) (*url.URL, error)

	// Timeout bounds the whole handshake: dial, proxy, TLS, request and
	// response. Zero means DefaultDialTimeout. The context passed to Dial
	// or ClientHandshake may end it sooner.
	Timeout time.Duration

	// MaxResponseHeaderBytes bounds the head of a response (the server's
	// and the proxy's); a larger one fails with ErrResponseHeaderTooLarge.
	// Zero means DefaultMaxHeaderBytes.
	MaxResponseHeaderBytes int
}

var defaultClientOptions ClientOptions

func (o *ClientOptions) timeout() time.Duration { return orDefault(o.Timeout, DefaultDialTimeout) }

func (o *ClientOptions) maxHeaderBytes() int {
	return orDefault(o.MaxResponseHeaderBytes, DefaultMaxHeaderBytes)
}

// reservedRequestFields are the fields of the request the handshake writes
// itself, or that would give the request a body.
var reservedRequestFields = []string{
	"Upgrade", "Connection", "Sec-Websocket-Key", "Sec-Websocket-Version",
	"Sec-Websocket-Protocol", "Sec-Websocket-Extensions", "Content-Length", "Transfer-Encoding",
}

func (o *ClientOptions) check() error {
	for i, p := range o.Subprotocols {
		if !isToken(p) {
			return fmt.Errorf("websocket: subprotocol %q is not a token", p)
		}
		for _, q := range o.Subprotocols[:i] {
			if p == q {
				return fmt.Errorf("websocket: subprotocol %q offered twice", p)
			}
		}
	}
	if o.Deflate != nil {
		if err := o.Deflate.check(); err != nil {
			return fmt.Errorf("websocket: %w", err)
		}
	}
	if err := checkFields(o.Header, reservedRequestFields); err != nil {
		return fmt.Errorf("websocket: ClientOptions.Header: %w", err)
	}
	if o.Timeout < 0 || o.MaxResponseHeaderBytes < 0 {
		return errors.New("websocket: negative Timeout or MaxResponseHeaderBytes")
	}
	return nil
}

// Dial opens a WebSocket connection to rawURL, a ws:// or wss:// URL: it
// dials the server (through the proxy opts.Proxy names, if any), runs TLS
// for wss://, and then the opening handshake as ClientHandshake does. ctx
// and opts.Timeout bound all of it. User info in rawURL becomes an
// Authorization: Basic header field, unless opts.Header sets one.
//
// buffered holds the bytes read past the response's head; they are the
// start of the WebSocket stream and must be consumed before nc is read.
// resp is the server's response, also returned with an error when one was
// read. On any error Dial closes the connection. A server that answers
// with another status than 101 yields a *StatusError.
func Dial(ctx context.Context, rawURL string, opts *ClientOptions) (nc net.Conn, buffered []byte, resp *http.Response, a Agreement, err error) {
	if opts == nil {
		opts = &defaultClientOptions
	}
	u, err := parseURL(rawURL)
	if err == nil {
		err = opts.check()
	}
	if err != nil {
		return nil, nil, nil, Agreement{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.timeout())
	defer cancel()

	raw, proxied, err := dialServer(ctx, u, opts)
	if err != nil {
		return nil, nil, nil, Agreement{}, handshakeError(ctx, err)
	}
	nc = raw
	release := bindContext(ctx, raw)
	if proxied != nil {
		err = connectTunnel(raw, hostPort(u), proxied, opts.maxHeaderBytes())
	}
	if err == nil && u.Scheme == "wss" {
		tc := tls.Client(raw, tlsConfig(opts.TLSConfig, u.Hostname()))
		if err = tc.HandshakeContext(ctx); err != nil {
			err = fmt.Errorf("websocket: TLS handshake: %w", err)
		}
		nc = tc
	}
	if err == nil {
		buffered, resp, a, err = exchange(nc, u, opts)
	}
	if rerr := release(); err == nil {
		err = rerr
	}
	if err != nil {
		nc.Close()
		return nil, nil, resp, Agreement{}, handshakeError(ctx, err)
	}
	return nc, buffered, resp, a, nil
}

// ClientHandshake runs the client's opening handshake for the URL u on nc,
// a connection to the server the caller has already established (over TLS
// for wss://): it sends the request and validates the 101 response
// (RFC 6455 §4.1). ctx and opts.Timeout bound it. The caller closes nc
// after an error; the other results are as for Dial.
func ClientHandshake(ctx context.Context, nc net.Conn, u *url.URL, opts *ClientOptions) (buffered []byte, resp *http.Response, a Agreement, err error) {
	if opts == nil {
		opts = &defaultClientOptions
	}
	if err := opts.check(); err != nil {
		return nil, nil, Agreement{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.timeout())
	defer cancel()
	release := bindContext(ctx, nc)
	buffered, resp, a, err = exchange(nc, u, opts)
	if rerr := release(); err == nil {
		err = rerr
	}
	if err != nil {
		return nil, resp, Agreement{}, handshakeError(ctx, err)
	}
	return buffered, resp, a, nil
}

// parseURL parses a WebSocket URI (RFC 6455 §3).
func parseURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	switch {
	case err != nil:
		return nil, fmt.Errorf("websocket: %w", err)
	case u.Scheme != "ws" && u.Scheme != "wss":
		return nil, fmt.Errorf("websocket: URL scheme %q is not ws or wss", u.Scheme)
	case u.Host == "":
		return nil, fmt.Errorf("websocket: URL %q has no host", rawURL)
	case u.Fragment != "" || strings.HasSuffix(rawURL, "#"):
		// §3: fragment identifiers must not be used in WebSocket URIs.
		return nil, fmt.Errorf("websocket: URL %q has a fragment", rawURL)
	}
	return u, nil
}

// hostPort returns the address to dial for u, with the scheme's default
// port when u has none (RFC 6455 §3: 80 for ws, 443 for wss).
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "wss" || u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// dialServer dials the server, or the proxy when there is one for u.
func dialServer(ctx context.Context, u *url.URL, opts *ClientOptions) (nc net.Conn, proxyURL *url.URL, err error) {
	proxy := opts.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	target := *u
	target.Scheme = map[string]string{"ws": "http", "wss": "https"}[u.Scheme]
	proxyURL, err = proxy(&http.Request{Method: http.MethodGet, URL: &target, Header: http.Header{}, Host: u.Host})
	if err != nil {
		return nil, nil, fmt.Errorf("websocket: choosing a proxy: %w", err)
	}
	addr := hostPort(u)
	if proxyURL != nil {
		if proxyURL.Scheme != "http" {
			return nil, nil, fmt.Errorf("websocket: proxy scheme %q is not supported (want http)", proxyURL.Scheme)
		}
		addr = hostPort(proxyURL)
	}
	dial := opts.NetDialContext
	if dial == nil {
		dial = new(net.Dialer).DialContext
	}
	if nc, err = dial(ctx, "tcp", addr); err != nil {
		return nil, nil, fmt.Errorf("websocket: %w", err)
	}
	return nc, proxyURL, nil
}

// tlsConfig returns the configuration for a TLS connection to host.
func tlsConfig(c *tls.Config, host string) *tls.Config {
	if c == nil {
		c = &tls.Config{}
	} else {
		c = c.Clone()
	}
	if c.ServerName == "" {
		c.ServerName = host // also the name the certificate is verified against
	}
	c.NextProtos = []string{"http/1.1"}
	return c
}

// exchange sends the upgrade request for u on nc and validates the
// response.
func exchange(nc net.Conn, u *url.URL, opts *ClientOptions) ([]byte, *http.Response, Agreement, error) {
	key, err := newKey()
	if err != nil {
		return nil, nil, Agreement{}, fmt.Errorf("websocket: making a key: %w", err)
	}
	req := newRequest(u, key, opts)
	resp, buffered, err := roundTrip(nc, req, opts.maxHeaderBytes(), http.StatusSwitchingProtocols)
	if err != nil {
		return nil, resp, Agreement{}, err
	}
	a, err := checkResponse(resp, key, opts)
	if err != nil {
		return nil, resp, Agreement{}, err
	}
	return buffered, resp, a, nil
}

// newRequest builds the opening handshake's request (RFC 6455 §4.1).
func newRequest(u *url.URL, key string, opts *ClientOptions) *http.Request {
	h := make(http.Header, len(opts.Header)+6)
	for name, values := range opts.Header {
		h[name] = values
	}
	host := u.Host
	if v := h.Get("Host"); v != "" {
		host = v
		h.Del("Host")
	}
	h.Set("Upgrade", "websocket")
	h.Set("Connection", "Upgrade")
	h.Set("Sec-Websocket-Key", key)
	h.Set("Sec-Websocket-Version", supportedVersion)
	if len(opts.Subprotocols) > 0 {
		h.Set("Sec-Websocket-Protocol", strings.Join(opts.Subprotocols, ", "))
	}
	if opts.Deflate != nil {
		h.Set("Sec-Websocket-Extensions", string(AppendExtensions(nil, []Extension{deflateOffer(opts.Deflate)})))
	}
	if u.User != nil && h.Get("Authorization") == "" {
		h.Set("Authorization", basicAuth(u.User))
	}
	target := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}
	return &http.Request{
		Method:     http.MethodGet,
		URL:        target,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Host:       host,
	}
}

func basicAuth(u *url.Userinfo) string {
	password, _ := u.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+password))
}

// checkResponse validates a 101 response to the request with key
// (RFC 6455 §4.1, the client's checks of the server's handshake).
func checkResponse(resp *http.Response, key string, opts *ClientOptions) (Agreement, error) {
	f := mimeFields(resp.Header)
	if !hasElement(f, "Upgrade", "websocket", strings.EqualFold) {
		return Agreement{}, fmt.Errorf("%w: Upgrade header does not name websocket", ErrBadResponse)
	}
	if !hasElement(f, "Connection", "upgrade", strings.EqualFold) {
		return Agreement{}, fmt.Errorf("%w: Connection header does not name upgrade", ErrBadResponse)
	}
	if accept, n := onlyField(f, "Sec-Websocket-Accept"); n != 1 || accept != AcceptKey(key) {
		return Agreement{}, fmt.Errorf("%w: Sec-WebSocket-Accept does not match the key", ErrBadResponse)
	}
	var a Agreement
	switch p, n := onlyField(f, "Sec-Websocket-Protocol"); {
	case n > 1:
		return Agreement{}, fmt.Errorf("%w: several Sec-WebSocket-Protocol fields", ErrBadSubprotocol)
	case n == 1:
		offered := false
		for _, q := range opts.Subprotocols {
			offered = offered || p == q
		}
		if !offered {
			return Agreement{}, fmt.Errorf("%w: %q", ErrBadSubprotocol, p)
		}
		a.Subprotocol = p
	}
	exts, deflate, err := checkExtensionResponse(resp.Header, opts.Deflate)
	if err != nil {
		return Agreement{}, err
	}
	a.Extensions, a.Deflate = exts, deflate
	return a, nil
}

// bindContext makes ctx bound the I/O on nc: its deadline becomes nc's,
// and its cancellation interrupts blocked reads and writes. release undoes
// that; it fails if ctx ended first, since nc's deadline is then in the
// past.
func bindContext(ctx context.Context, nc net.Conn) (release func() error) {
	if d, ok := ctx.Deadline(); ok {
		nc.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() {
		nc.SetDeadline(time.Unix(1, 0)) // long past: every blocked call returns
	})
	return func() error {
		if !stop() {
			return context.Cause(ctx)
		}
		return nc.SetDeadline(time.Time{})
	}
}

// handshakeError adds to err, an error of a handshake bound by ctx, the
// context's end when that is what caused it, so that errors.Is(err,
// context.DeadlineExceeded) holds for a handshake that ran out of time.
func handshakeError(ctx context.Context, err error) error {
	cause := context.Cause(ctx)
	if cause == nil && errors.Is(err, os.ErrDeadlineExceeded) {
		// nc's deadline is ctx's, and may fire a moment before ctx's timer.
		if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
			cause = context.DeadlineExceeded
		}
	}
	if cause == nil || errors.Is(err, cause) {
		return err
	}
	return fmt.Errorf("%w: %w", cause, err)
}
