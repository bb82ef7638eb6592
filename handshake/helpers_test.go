package handshake

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rfc6455/ws/internal/loopback"
)

// testKey is the Sec-WebSocket-Key of RFC 6455 §1.3.
const testKey = "dGhlIHNhbXBsZSBub25jZQ=="

// validFields are the header fields of a valid upgrade request.
var validFields = []string{
	"Host: example.com",
	"Upgrade: websocket",
	"Connection: Upgrade",
	"Sec-WebSocket-Key: " + testKey,
	"Sec-WebSocket-Version: 13",
}

// fieldsWith returns validFields without the fields named drop, followed
// by extra.
func fieldsWith(drop []string, extra ...string) []string {
	var out []string
	for _, f := range validFields {
		name, _, _ := strings.Cut(f, ":")
		keep := true
		for _, d := range drop {
			keep = keep && !strings.EqualFold(name, d)
		}
		if keep {
			out = append(out, f)
		}
	}
	return append(out, extra...)
}

// rawRequest joins a request line and header fields into a request head.
func rawRequest(line string, fields []string) string {
	return line + "\r\n" + strings.Join(append(fields, ""), "\r\n") + "\r\n"
}

// validRequest is a valid upgrade request with extra fields.
func validRequest(extra ...string) string {
	return rawRequest("GET /chat HTTP/1.1", fieldsWith(nil, extra...))
}

// readRequest parses raw with net/http.
func readRequest(t testing.TB, raw string) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatalf("http.ReadRequest(%q): %v", raw, err)
	}
	return r
}

// loopbackUpgrade is what upgradeConnOverLoopback saw on both ends.
type loopbackUpgrade struct {
	buffered []byte
	req      *Request
	a        Agreement
	err      error          // from UpgradeConn
	resp     *http.Response // as the client read it; nil if none
	body     string         // of a refusal
}

// upgradeConnOverLoopback runs UpgradeConn on the server end of a loopback
// TCP connection whose client sends raw and reads the response.
func upgradeConnOverLoopback(t *testing.T, raw string, opts *ServerOptions) loopbackUpgrade {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type answer struct {
		resp *http.Response
		body string
	}
	done := make(chan answer, 1)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			done <- answer{}
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write([]byte(raw))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			done <- answer{}
			return
		}
		var b strings.Builder
		if resp.StatusCode != http.StatusSwitchingProtocols {
			bufio.NewReader(resp.Body).WriteTo(&b)
		}
		done <- answer{resp, b.String()}
	}()
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	var u loopbackUpgrade
	u.buffered, u.req, u.a, u.err = UpgradeConn(nc, opts)
	nc.Close()
	ans := <-done
	u.resp, u.body = ans.resp, ans.body
	return u
}

// rawServer accepts loopback connections until the test ends and hands
// each, with the request read from it, to handle; the connection is closed
// when handle returns. It returns the server's address.
func rawServer(t *testing.T, handle func(c net.Conn, r *http.Request)) string {
	t.Helper()
	return loopback.Serve(t, func(c net.Conn) {
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		handle(c, r)
	})
}

// switching returns a valid 101 response to r, with extra header lines.
func switching(r *http.Request, extra ...string) string {
	lines := append([]string{
		"HTTP/1.1 101 Switching Protocols",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Accept: " + AcceptKey(r.Header.Get("Sec-WebSocket-Key")),
	}, extra...)
	return strings.Join(append(lines, "", ""), "\r\n")
}
