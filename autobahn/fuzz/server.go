package fuzz

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Request is the opening handshake a fuzzing server received.
type Request struct {
	Path       string
	Params     url.Values
	Host       string
	Origin     string
	Protocols  []string
	Extensions string // the Sec-WebSocket-Extensions value
}

// ConnectFunc decides what a server does with an opening handshake: it
// returns the handler for the connection, or an error to refuse it with
// 400 Bad Request. It may configure c, for example AcceptDeflateOffer.
type ConnectFunc func(c *Conn, r *Request) (Handler, error)

// NewServer returns the server end of a connection accepted on nc.
func NewServer(nc net.Conn, opts *Options) *Conn {
	return newConn(nc, true, opts)
}

// Serve reads the opening handshake, asks connect for a handler, answers,
// and runs the connection until TCP is closed.
func (c *Conn) Serve(connect ConnectFunc) {
	c.connect = connect
	c.openHandshakeTimer = c.callLater(OpenHandshakeTimeout, c.onOpenHandshakeTimeout)
	c.run()
}

// processServerHandshake checks a client's request (RFC 6455 §4.2.1) the
// way the original server does, and answers it.
func (c *Conn) processServerHandshake() {
	end := c.headEnd()
	if end < 0 {
		if len(c.in) > maxRequestHead {
			c.failServerHandshake(431, "Request Header Fields Too Large")
		}
		return
	}
	c.httpRequest = string(c.in[:end])
	h := parseHead(c.httpRequest)
	c.peerHead = h
	line := strings.Fields(h.line)
	if len(line) != 3 {
		c.failServerHandshake(400, fmt.Sprintf("Bad HTTP request status line '%s'", h.line))
		return
	}
	if line[0] != "GET" {
		c.failServerHandshake(405, fmt.Sprintf("HTTP method '%s' not allowed", line[0]))
		return
	}
	if line[2] != "HTTP/1.1" {
		c.failServerHandshake(505, fmt.Sprintf("Unsupported HTTP version '%s'", line[2]))
		return
	}
	u, err := url.Parse(line[1])
	if err != nil {
		c.failServerHandshake(400, fmt.Sprintf("Bad HTTP request resource - could not parse '%s'", line[1]))
		return
	}
	if u.Fragment != "" {
		c.failServerHandshake(400, fmt.Sprintf("HTTP requested resource contains a fragment identifier '%s'", u.Fragment))
		return
	}
	r := &Request{Path: u.Path, Params: u.Query()}

	host, ok := h.header["host"]
	if !ok {
		c.failServerHandshake(400, "HTTP Host header missing in opening handshake request")
		return
	}
	if h.count["host"] > 1 {
		c.failServerHandshake(400, "HTTP Host header appears more than once in opening handshake request")
		return
	}
	r.Host = host
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		if _, err := strconv.Atoi(strings.TrimSpace(host[i+1:])); err != nil {
			c.failServerHandshake(400, fmt.Sprintf("invalid port '%s' in HTTP Host header '%s'", host[i+1:], host))
			return
		}
		r.Host = host[:i]
	}

	up, ok := h.header["upgrade"]
	if !ok {
		// A plain HTTP request: say what this is and hang up.
		c.sendStatusPage()
		c.dropConnection(false)
		return
	}
	if !hasToken(up, "websocket") {
		c.failServerHandshake(400, fmt.Sprintf("HTTP Upgrade headers do not include 'websocket' value (case-insensitive) : %s", up))
		return
	}
	conn, ok := h.header["connection"]
	if !ok {
		c.failServerHandshake(400, "HTTP Connection header missing")
		return
	}
	if !hasToken(conn, "upgrade") {
		c.failServerHandshake(400, fmt.Sprintf("HTTP Connection headers do not include 'upgrade' value (case-insensitive) : %s", conn))
		return
	}
	v, ok := h.header["sec-websocket-version"]
	if !ok {
		c.failServerHandshake(400, "WebSocket connection denied - Hixie76 protocol mode disabled.")
		return
	}
	if h.count["sec-websocket-version"] > 1 {
		c.failServerHandshake(400, "HTTP Sec-WebSocket-Version header appears more than once in opening handshake request")
		return
	}
	version, err := strconv.Atoi(v)
	if err != nil {
		c.failServerHandshake(400, fmt.Sprintf("could not parse HTTP Sec-WebSocket-Version header '%s' in opening handshake request", v))
		return
	}
	if version != 13 && version != 8 {
		// §4.4: name the versions this server speaks.
		c.failServerHandshake(400, fmt.Sprintf("WebSocket version %d not supported (supported versions: 13,8)", version), "Sec-WebSocket-Version: 13,8")
		return
	}
	if p, ok := h.header["sec-websocket-protocol"]; ok {
		seen := map[string]bool{}
		for _, x := range strings.Split(p, ",") {
			x = strings.TrimSpace(x)
			if seen[x] {
				c.failServerHandshake(400, fmt.Sprintf("duplicate protocol '%s' specified in HTTP Sec-WebSocket-Protocol header", x))
				return
			}
			seen[x] = true
			r.Protocols = append(r.Protocols, x)
		}
	}
	if h.count["origin"] > 1 {
		c.failServerHandshake(400, "HTTP Origin header appears more than once in opening handshake request")
		return
	}
	r.Origin = h.header["origin"]
	key, ok := h.header["sec-websocket-key"]
	switch {
	case !ok:
		c.failServerHandshake(400, "HTTP Sec-WebSocket-Key header missing")
		return
	case h.count["sec-websocket-key"] > 1:
		c.failServerHandshake(400, "HTTP Sec-WebSocket-Key header appears more than once in opening handshake request")
		return
	case !validKey(key):
		c.failServerHandshake(400, fmt.Sprintf("bad Sec-WebSocket-Key '%s'", key))
		return
	}
	if h.count["sec-websocket-extensions"] > 1 {
		c.failServerHandshake(400, "HTTP Sec-WebSocket-Extensions header appears more than once in opening handshake request")
		return
	}
	r.Extensions = h.header["sec-websocket-extensions"]
	c.request = r
	c.in = c.in[end:]

	handler, err := c.connect(c, r)
	if err != nil {
		c.failServerHandshake(400, err.Error())
		return
	}
	c.h = handler
	c.succeedServerHandshake(key)
}

// validKey checks the form of a Sec-WebSocket-Key: 16 octets in base64
// (RFC 6455 §4.1, item 7), as the original checks it.
func validKey(key string) bool {
	if len(key) != 24 || !strings.HasSuffix(key, "==") {
		return false
	}
	for _, ch := range key[:22] {
		if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/", ch) {
			return false
		}
	}
	return true
}

// succeedServerHandshake negotiates permessage-deflate and sends 101.
func (c *Conn) succeedServerHandshake(key string) {
	var offers []DeflateOffer
	for _, e := range parseExtensions(c.request.Extensions) {
		if e.name != extensionName {
			continue
		}
		o, err := parseDeflateOffer(e.params)
		if err != nil {
			c.failServerHandshake(400, err.Error())
			return
		}
		offers = append(offers, o)
	}
	var extResponse string
	if len(offers) > 0 && c.AcceptDeflateOffer != nil {
		if a := c.AcceptDeflateOffer(offers); a != nil {
			if err := a.Validate(); err != nil {
				c.failServerHandshake(500, "Internal Server Error")
				return
			}
			c.pmd = newPermessageDeflate(true, DeflateParams{
				ServerNoContextTakeover: a.Offer.RequestNoContextTakeover,
				ClientNoContextTakeover: a.RequestNoContextTakeover,
				ServerMaxWindowBits:     a.Offer.RequestMaxWindowBits,
				ClientMaxWindowBits:     a.RequestMaxWindowBits,
			}, c.opts.DeflateLevel)
			extResponse = a.String()
		}
	}

	var b strings.Builder
	b.WriteString("HTTP/1.1 101 Switching Protocols\r\n")
	if c.opts.Agent != "" {
		fmt.Fprintf(&b, "Server: %s\r\n", c.opts.Agent)
	}
	b.WriteString("Upgrade: WebSocket\r\nConnection: Upgrade\r\n")
	fmt.Fprintf(&b, "Sec-WebSocket-Accept: %s\r\n", acceptKey(key))
	if extResponse != "" {
		fmt.Fprintf(&b, "Sec-WebSocket-Extensions: %s\r\n", extResponse)
	}
	b.WriteString("\r\n")
	c.httpResponse = b.String()
	c.sendData([]byte(c.httpResponse), false, 0)
	c.open()
}

// failServerHandshake answers with an HTTP error and closes TCP.
func (c *Conn) failServerHandshake(code int, reason string, headers ...string) {
	c.close.WasNotCleanReason = &reason
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", code, reason)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	c.httpResponse = b.String()
	c.sendData([]byte(c.httpResponse), false, 0)
	c.dropConnection(false)
}

// sendStatusPage answers a plain HTTP request with a short page.
func (c *Conn) sendStatusPage() {
	body := "<!DOCTYPE html>\n<html><head><title>Autobahn fuzzing server</title></head><body>\n" +
		"<p>This is a WebSocket endpoint: an Autobahn|Testsuite fuzzing server. " +
		"Connect a WebSocket client to /getCaseCount, /runCase?case=N&amp;agent=A " +
		"and /updateReports?agent=A.</p>\n</body></html>\n"
	var b strings.Builder
	b.WriteString("HTTP/1.1 200 OK\r\n")
	if c.opts.Agent != "" {
		fmt.Fprintf(&b, "Server: %s\r\n", c.opts.Agent)
	}
	b.WriteString("Content-Type: text/html; charset=UTF-8\r\n")
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.WriteString(body)
	c.httpResponse = b.String()
	c.sendData([]byte(c.httpResponse), false, 0)
}
