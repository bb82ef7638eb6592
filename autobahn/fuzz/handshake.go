package fuzz

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// acceptGUID is the GUID of RFC 6455 §1.3 that the accept key hashes in.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// acceptKey computes Sec-WebSocket-Accept for a Sec-WebSocket-Key.
func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// ClientTarget is what a fuzzing client connects to.
type ClientTarget struct {
	Host      string   // host name or address, without port
	Port      int      // TCP port
	Resource  string   // path and query of the request
	Origin    string   // Origin header, if not empty
	Protocols []string // offered subprotocols
}

// TargetFromURL makes a ClientTarget from a ws:// URL.
func TargetFromURL(rawURL string) (ClientTarget, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ClientTarget{}, err
	}
	if u.Scheme != "ws" {
		return ClientTarget{}, fmt.Errorf("fuzz: URL %q: only ws:// is supported", rawURL)
	}
	port := 80
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return ClientTarget{}, fmt.Errorf("fuzz: URL %q: bad port", rawURL)
		}
	}
	res := u.EscapedPath()
	if res == "" {
		res = "/"
	}
	if u.RawQuery != "" {
		res += "?" + u.RawQuery
	}
	return ClientTarget{Host: u.Hostname(), Port: port, Resource: res}, nil
}

// Address is the host:port to dial.
func (t ClientTarget) Address() string {
	return net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
}

// NewClient returns the client end of a connection over nc, which is
// connected to the server t names. Nothing is sent before Run.
func NewClient(nc net.Conn, t ClientTarget, opts *Options) *Conn {
	c := newConn(nc, false, opts)
	c.client = &t
	return c
}

// Run performs the opening handshake and runs the connection, calling h,
// until TCP is closed. The Conn may be configured (deflate offers) before.
func (c *Conn) Run(h Handler) {
	c.h = h
	c.openHandshakeTimer = c.callLater(OpenHandshakeTimeout, c.onOpenHandshakeTimeout)
	c.startClientHandshake()
	c.send.flush(c)
	c.run()
}

// startClientHandshake sends the request of RFC 6455 §4.1 as the original
// client writes it.
func (c *Conn) startClientHandshake() {
	t := c.client
	var key [16]byte
	rand.Read(key[:])
	c.clientKey = base64.StdEncoding.EncodeToString(key[:])

	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\n", t.Resource)
	if c.opts.Agent != "" {
		fmt.Fprintf(&b, "User-Agent: %s\r\n", c.opts.Agent)
	}
	fmt.Fprintf(&b, "Host: %s:%d\r\n", t.Host, t.Port)
	b.WriteString("Upgrade: WebSocket\r\nConnection: Upgrade\r\n")
	b.WriteString("Pragma: no-cache\r\nCache-Control: no-cache\r\n")
	fmt.Fprintf(&b, "Sec-WebSocket-Key: %s\r\n", c.clientKey)
	if t.Origin != "" {
		fmt.Fprintf(&b, "Origin: %s\r\n", t.Origin)
	}
	if len(t.Protocols) > 0 {
		fmt.Fprintf(&b, "Sec-WebSocket-Protocol: %s\r\n", strings.Join(t.Protocols, ","))
	}
	if len(c.DeflateOffers) > 0 {
		offers := make([]string, len(c.DeflateOffers))
		for i, o := range c.DeflateOffers {
			offers[i] = o.String()
		}
		fmt.Fprintf(&b, "Sec-WebSocket-Extensions: %s\r\n", strings.Join(offers, ", "))
	}
	b.WriteString("Sec-WebSocket-Version: 13\r\n\r\n")
	c.httpRequest = b.String()
	c.sendData([]byte(c.httpRequest), false, 0)
}

// httpHead is a parsed HTTP head: the first line and the headers, keys in
// lower case, repeated headers joined with ", " and counted.
type httpHead struct {
	line   string
	header map[string]string
	count  map[string]int
}

func parseHead(raw string) httpHead {
	lines := strings.Split(strings.ReplaceAll(raw, "\r\n", "\n"), "\n")
	h := httpHead{line: strings.TrimSpace(lines[0]), header: map[string]string{}, count: map[string]int{}}
	for _, l := range lines[1:] {
		i := strings.IndexByte(l, ':')
		if i <= 0 {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(l[:i]))
		value := strings.TrimSpace(l[i+1:])
		if _, ok := h.header[key]; ok {
			h.header[key] += ", " + value
		} else {
			h.header[key] = value
		}
		h.count[key]++
	}
	return h
}

// hasToken reports whether a comma-separated header value contains token,
// case-insensitively.
func hasToken(value, token string) bool {
	for _, v := range strings.Split(value, ",") {
		if strings.EqualFold(strings.TrimSpace(v), token) {
			return true
		}
	}
	return false
}

// headEnd returns the length of the HTTP head at the start of c.in, or -1
// when it is not complete yet.
func (c *Conn) headEnd() int {
	i := bytes.Index(c.in, []byte("\r\n\r\n"))
	if i < 0 {
		return -1
	}
	return i + 4
}

// processClientHandshake checks the server's answer (RFC 6455 §4.1) the
// way the original client does.
func (c *Conn) processClientHandshake() {
	end := c.headEnd()
	if end < 0 {
		if len(c.in) > maxRequestHead {
			c.failClientHandshake("HTTP response head too long")
		}
		return
	}
	c.httpResponse = string(c.in[:end])
	h := parseHead(c.httpResponse)
	c.peerHead = h
	status := strings.Fields(h.line)
	if len(status) < 2 {
		c.failClientHandshake(fmt.Sprintf("Bad HTTP response status line '%s'", h.line))
		return
	}
	if status[0] != "HTTP/1.1" {
		c.failClientHandshake(fmt.Sprintf("Unsupported HTTP version ('%s')", status[0]))
		return
	}
	code, err := strconv.Atoi(status[1])
	if err != nil {
		c.failClientHandshake(fmt.Sprintf("Bad HTTP status code ('%s')", status[1]))
		return
	}
	if code != 101 {
		reason := ""
		if len(status) > 2 {
			reason = " - " + strings.Join(status[2:], "")
		}
		c.failClientHandshake(fmt.Sprintf("WebSocket connection upgrade failed (%d%s)", code, reason))
		return
	}
	up, ok := h.header["upgrade"]
	if !ok {
		c.failClientHandshake("HTTP Upgrade header missing")
		return
	}
	if !strings.EqualFold(strings.TrimSpace(up), "websocket") {
		c.failClientHandshake(fmt.Sprintf("HTTP Upgrade header different from 'websocket' (case-insensitive) : %s", up))
		return
	}
	conn, ok := h.header["connection"]
	if !ok {
		c.failClientHandshake("HTTP Connection header missing")
		return
	}
	if !hasToken(conn, "upgrade") {
		c.failClientHandshake(fmt.Sprintf("HTTP Connection header does not include 'upgrade' value (case-insensitive) : %s", conn))
		return
	}
	accept, ok := h.header["sec-websocket-accept"]
	switch {
	case !ok:
		c.failClientHandshake("HTTP Sec-WebSocket-Accept header missing in opening handshake reply")
		return
	case h.count["sec-websocket-accept"] > 1:
		c.failClientHandshake("HTTP Sec-WebSocket-Accept header appears more than once in opening handshake reply")
		return
	case strings.TrimSpace(accept) != acceptKey(c.clientKey):
		c.failClientHandshake(fmt.Sprintf("HTTP Sec-WebSocket-Accept bogus value : expected %s / got %s", acceptKey(c.clientKey), accept))
		return
	}
	if exts, ok := h.header["sec-websocket-extensions"]; ok {
		if h.count["sec-websocket-extensions"] > 1 {
			c.failClientHandshake("HTTP Sec-WebSocket-Extensions header appears more than once in opening handshake reply")
			return
		}
		for _, e := range parseExtensions(exts) {
			if e.name != extensionName {
				c.failClientHandshake(fmt.Sprintf("server wants to use extension '%s' we did not request, haven't implemented or did not enable", e.name))
				return
			}
			if c.pmd != nil {
				c.failClientHandshake("multiple occurrence of a permessage-compress extension")
				return
			}
			resp, err := parseDeflateResponse(e.params)
			if err != nil {
				c.failClientHandshake(err.Error())
				return
			}
			if c.AcceptDeflateResponse == nil || !c.AcceptDeflateResponse(resp) {
				c.failClientHandshake("WebSocket permessage-compress extension response from server denied by client")
				return
			}
			c.pmd = newPermessageDeflate(false, DeflateParams{
				ServerNoContextTakeover: resp.ServerNoContextTakeover,
				ClientNoContextTakeover: resp.ClientNoContextTakeover,
				ServerMaxWindowBits:     resp.ServerMaxWindowBits,
				ClientMaxWindowBits:     resp.ClientMaxWindowBits,
			}, c.opts.DeflateLevel)
		}
	}
	if p, ok := h.header["sec-websocket-protocol"]; ok {
		if h.count["sec-websocket-protocol"] > 1 {
			c.failClientHandshake("HTTP Sec-WebSocket-Protocol header appears more than once in opening handshake reply")
			return
		}
		if sp := strings.TrimSpace(p); sp != "" && !contains(c.client.Protocols, sp) {
			c.failClientHandshake(fmt.Sprintf("subprotocol selected by server (%s) not in subprotocol list requested by client (%v)", sp, c.client.Protocols))
			return
		}
	}
	c.in = c.in[end:]
	c.open()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// PeerHeader returns a header of the peer's opening handshake (the
// request a server received, the answer a client received), or "".
func (c *Conn) PeerHeader(name string) string {
	return c.peerHead.header[strings.ToLower(name)]
}

// failClientHandshake drops the connection over a bad answer.
func (c *Conn) failClientHandshake(reason string) {
	c.close.WasNotCleanReason = &reason
	c.dropConnection(true)
}

// open enters the open state and tells the handler, then processes what
// followed the handshake.
func (c *Conn) open() {
	c.state = StateOpen
	c.connectionWasOpen = true
	c.openHandshakeTimer.cancel()
	c.openHandshakeTimer = nil
	if len(c.in) == 0 {
		c.in = nil
	}
	if c.h != nil {
		c.h.Open(c)
	}
	if len(c.in) > 0 {
		c.consumeData()
	}
}
