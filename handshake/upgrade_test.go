package handshake

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// deadlineConn records the writes and deadline changes made on it.
type deadlineConn struct {
	memConn
	writes []string
	events []string // "write", "deadline", "read deadline", "write deadline", each with "=0" when cleared
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, string(p))
	c.events = append(c.events, "write")
	return len(p), nil
}

func (c *deadlineConn) record(what string, t time.Time) error {
	if t.IsZero() {
		what += "=0"
	} else if d := time.Until(t); d < 0 || d > time.Minute {
		what += "=?"
	}
	c.events = append(c.events, what)
	return nil
}

func (c *deadlineConn) SetDeadline(t time.Time) error      { return c.record("deadline", t) }
func (c *deadlineConn) SetReadDeadline(t time.Time) error  { return c.record("read deadline", t) }
func (c *deadlineConn) SetWriteDeadline(t time.Time) error { return c.record("write deadline", t) }

// fakeHijacker is a ResponseWriter whose connection has early bytes
// already buffered, as net/http's does after reading ahead.
type fakeHijacker struct {
	http.ResponseWriter
	conn *deadlineConn
	brw  *bufio.ReadWriter
}

func (h *fakeHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) { return h.conn, h.brw, nil }

func TestUpgradeHijack(t *testing.T) {
	const early = "early frame bytes"
	conn := &deadlineConn{}
	br := bufio.NewReader(strings.NewReader(early))
	br.Peek(len(early)) // the server read ahead
	w := &fakeHijacker{conn: conn, brw: bufio.NewReadWriter(br, bufio.NewWriter(conn))}
	nc, buffered, _, err := Upgrade(w, readRequest(t, validRequest()), &ServerOptions{
		Timeout: 5 * time.Second,
		Header:  http.Header{"Set-Cookie": {"session=1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if nc != conn {
		t.Errorf("Upgrade returned %v, want the hijacked connection", nc)
	}
	if string(buffered) != early {
		t.Errorf("buffered %q, want %q", buffered, early)
	}
	want101 := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSet-Cookie: session=1\r\n\r\n"
	if len(conn.writes) != 1 || conn.writes[0] != want101 {
		t.Errorf("writes %q, want the 101 in one write: %q", conn.writes, want101)
	}
	// The server's deadlines go first; the write is bounded, then freed.
	wantEvents := []string{"deadline=0", "write deadline", "write", "write deadline=0"}
	if strings.Join(conn.events, ", ") != strings.Join(wantEvents, ", ") {
		t.Errorf("events %q, want %q", conn.events, wantEvents)
	}
}

func TestUpgradeNotHijackable(t *testing.T) {
	rec := httptest.NewRecorder() // serves no connection to take over
	_, _, _, err := Upgrade(rec, readRequest(t, validRequest()), nil)
	if !errors.Is(err, ErrNotHijackable) {
		t.Fatalf("Upgrade: %v, want ErrNotHijackable", err)
	}
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", rec.Code)
	}
}

func TestUpgradeConnWriteTimeout(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	go client.Write([]byte(validRequest())) // and never read the answer
	_, _, _, err := UpgradeConn(server, &ServerOptions{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("UpgradeConn: %v, want a deadline error", err)
	}
}
