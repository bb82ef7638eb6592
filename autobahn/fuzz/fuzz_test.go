package fuzz

import (
	"strings"
	"testing"

	"github.com/rfc6455/ws/frame"
)

// FuzzReceive feeds arbitrary octets to an open connection, in two pieces,
// in either role, with or without permessage-deflate. Whatever comes, the
// receiver must not panic, must deliver only what a peer may send, and a
// connection it failed must not stay open.
func FuzzReceive(f *testing.F) {
	f.Add([]byte{0x81, 0x05, 'h', 'e', 'l', 'l', 'o'}, 3, false, false)
	f.Add([]byte{0x01, 0x01, 'a', 0x89, 0x00, 0x80, 0x01, 'b'}, 1, false, false)
	f.Add([]byte{0x81, 0x85, 1, 2, 3, 4, 'h' ^ 1, 'e' ^ 2, 'l' ^ 3, 'l' ^ 4, 'o' ^ 1}, 6, true, false)
	f.Add([]byte{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, 2, false, true)
	f.Add([]byte{0x88, 0x02, 0x03, 0xe8}, 1, false, false)
	f.Add([]byte{0x81, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0}, 5, false, false)
	f.Fuzz(func(t *testing.T, data []byte, cut int, isServer, deflate bool) {
		c, rec := openConn(t, isServer)
		c.opts.MaxMessageSize = 1 << 16
		if deflate {
			c.pmd = newPermessageDeflate(!isServer, DeflateParams{}, DefaultDeflateLevel)
		}
		cut = min(max(cut, 0), len(data))
		c.dataReceived(append([]byte(nil), data[:cut]...))
		c.dataReceived(append([]byte(nil), data[cut:]...))
		for _, m := range rec.messages {
			if int64(len(m.payload)) > c.opts.MaxMessageSize {
				t.Errorf("message of %d octets delivered over the limit", len(m.payload))
			}
			if !m.binary && !isUTF8(m.payload) {
				t.Errorf("text message %q is not UTF-8", m.payload)
			}
		}
		if c.close.FailedByMe && c.state == StateOpen {
			t.Error("failed connection still open")
		}
	})
}

func isUTF8(s string) bool {
	var v frame.UTF8Validator
	return v.Feed([]byte(s)) && v.Complete()
}

// FuzzExtensions parses arbitrary Sec-WebSocket-Extensions values as
// offers and answers: no panic, and an offer that parses writes out as an
// element that parses back to it.
func FuzzExtensions(f *testing.F) {
	f.Add("permessage-deflate; client_max_window_bits")
	f.Add("permessage-deflate; server_no_context_takeover; server_max_window_bits=9, permessage-deflate")
	f.Add(`permessage-deflate; client_max_window_bits="10"; client_no_context_takeover`)
	f.Add("x-webkit-deflate-frame, permessage-deflate;;=;")
	f.Fuzz(func(t *testing.T, header string) {
		for _, e := range parseExtensions(header) {
			if e.name != extensionName {
				continue
			}
			parseDeflateResponse(e.params)
			o, err := parseDeflateOffer(e.params)
			if err != nil {
				continue
			}
			again := parseExtensions(o.String())
			if len(again) != 1 {
				t.Fatalf("%q writes out as %q", header, o.String())
			}
			o2, err := parseDeflateOffer(again[0].params)
			if err != nil || o2 != o {
				t.Errorf("%+v writes out as %q, which parses as %+v, %v", o, o.String(), o2, err)
			}
		}
	})
}

// FuzzServerHandshake feeds arbitrary requests to a fuzzing server: it
// must answer with an HTTP status line, and open only with 101.
func FuzzServerHandshake(f *testing.F) {
	f.Add("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	f.Add("GET /runCase?case=1&agent=a HTTP/1.1\r\nHost: [::1]:80\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
	f.Add("POST / HTTP/1.1\r\n\r\n")
	f.Add("GET / HTTP/1.1\r\nHost: x:y\r\n\r\n")
	f.Fuzz(func(t *testing.T, request string) {
		c, _ := newTestServer(t, func(c *Conn, r *Request) (Handler, error) {
			c.AcceptDeflateOffer = func(o []DeflateOffer) *DeflateAccept { return &DeflateAccept{Offer: o[0]} }
			return &recorder{}, nil
		})
		c.dataReceived([]byte(request))
		resp := pending(c)
		if !strings.Contains(request, "\r\n\r\n") && len(request) <= maxRequestHead {
			if resp != "" {
				t.Errorf("answered %q to an incomplete head", resp)
			}
			return
		}
		if !strings.HasPrefix(resp, "HTTP/1.1 ") {
			t.Fatalf("answer %q is not an HTTP response", resp)
		}
		if open := strings.HasPrefix(resp, "HTTP/1.1 101 "); open != (c.state == StateOpen) {
			t.Errorf("answer %q but state %v", resp, c.state)
		}
	})
}

// FuzzClientHandshake feeds arbitrary answers to a fuzzing client: it
// opens only on a 101 with the right accept key.
func FuzzClientHandshake(f *testing.F) {
	f.Add("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\n\r\n")
	f.Add("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\nSec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=8\r\n\r\n")
	f.Add("HTTP/1.1 404 Not Found\r\n\r\n")
	f.Fuzz(func(t *testing.T, response string) {
		c, rec := newTestClient(t)
		c.AcceptDeflateResponse = func(DeflateResponse) bool { return true }
		c.startClientHandshake()
		response = strings.ReplaceAll(response, "ACCEPT", acceptKey(c.clientKey))
		c.dataReceived([]byte(response))
		if rec.opened && !strings.HasPrefix(response, "HTTP/1.1 101") && !strings.HasPrefix(strings.TrimSpace(response), "HTTP/1.1 101") {
			t.Errorf("opened on %q", response)
		}
	})
}

// FuzzInflate inflates arbitrary octets: no panic, and never more than
// the limit.
func FuzzInflate(f *testing.F) {
	d := newPermessageDeflate(false, DeflateParams{}, DefaultDeflateLevel)
	f.Add(d.deflate([]byte("hello hello hello")))
	f.Add([]byte{0x00, 0x00, 0xff, 0xff})
	f.Add([]byte{0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 1 << 16
		rx := newPermessageDeflate(true, DeflateParams{}, DefaultDeflateLevel)
		out, err := rx.inflate(data, limit)
		if err == nil && len(out) > limit {
			t.Errorf("inflated %d octets over the limit", len(out))
		}
	})
}
