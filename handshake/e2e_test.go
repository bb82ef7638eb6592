package handshake

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// serverResult is what the server side of an end-to-end test saw.
type serverResult struct {
	a        Agreement
	err      error
	received string // what the client sent after the handshake
}

// upgradeServer starts an httptest server whose handler upgrades with
// opts, reports on results, then reads n bytes (buffered ones first) and
// echoes them.
func upgradeServer(t *testing.T, opts *ServerOptions, n int, results chan<- serverResult) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nc, buffered, a, err := Upgrade(w, r, opts)
		if err != nil {
			results <- serverResult{err: err}
			return
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		got := make([]byte, n)
		_, err = io.ReadFull(io.MultiReader(strings.NewReader(string(buffered)), nc), got)
		results <- serverResult{a: a, err: err, received: string(got)}
		nc.Write(got)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func wsURL(srv *httptest.Server) string { return "ws" + strings.TrimPrefix(srv.URL, "http") }

// TestDialUpgrade runs both sides of the handshake against each other and
// checks they agree, for each negotiation rule.
func TestDialUpgrade(t *testing.T) {
	for _, tc := range []struct {
		name   string
		server *ServerOptions
		client *ClientOptions
		want   Agreement // Subprotocol and Deflate; Extensions are compared between the sides
	}{
		{"plain", nil, nil, Agreement{}},
		{"subprotocol", &ServerOptions{Subprotocols: []string{"v2", "v1"}}, &ClientOptions{Subprotocols: []string{"v1", "v2"}},
			Agreement{Subprotocol: "v2"}},
		{"no common subprotocol", &ServerOptions{Subprotocols: []string{"v3"}}, &ClientOptions{Subprotocols: []string{"v1"}},
			Agreement{}},
		{"deflate declined by the server", nil, &ClientOptions{Deflate: &DeflateConfig{}}, Agreement{}},
		{"deflate not offered", &ServerOptions{Deflate: &DeflateConfig{}}, nil, Agreement{}},
		{"deflate plain", &ServerOptions{Deflate: &DeflateConfig{}}, &ClientOptions{Deflate: &DeflateConfig{}},
			Agreement{Deflate: &DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}}},
		{"deflate, server asks no context takeover", &ServerOptions{Deflate: &DeflateConfig{ServerNoContextTakeover: true, ClientNoContextTakeover: true}},
			&ClientOptions{Deflate: &DeflateConfig{}},
			Agreement{Deflate: &DeflateParams{true, true, 15, 15}}},
		{"deflate, client asks no context takeover", &ServerOptions{Deflate: &DeflateConfig{}},
			&ClientOptions{Deflate: &DeflateConfig{ServerNoContextTakeover: true, ClientNoContextTakeover: true}},
			Agreement{Deflate: &DeflateParams{true, true, 15, 15}}},
		{"deflate, windows narrowed by the server", &ServerOptions{Deflate: &DeflateConfig{ServerMaxWindowBits: 10, ClientMaxWindowBits: 9}},
			&ClientOptions{Deflate: &DeflateConfig{ClientMaxWindowBits: 15}},
			Agreement{Deflate: &DeflateParams{false, false, 10, 9}}},
		{"deflate, windows asked by the client", &ServerOptions{Deflate: &DeflateConfig{ServerMaxWindowBits: 12}},
			&ClientOptions{Deflate: &DeflateConfig{ServerMaxWindowBits: 11, ClientMaxWindowBits: 10}},
			Agreement{Deflate: &DeflateParams{false, false, 11, 10}}},
		{"deflate, client window not offered", &ServerOptions{Deflate: &DeflateConfig{ClientMaxWindowBits: 9}},
			&ClientOptions{Deflate: &DeflateConfig{}},
			Agreement{Deflate: &DeflateParams{false, false, 15, 15}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			results := make(chan serverResult, 1)
			srv := upgradeServer(t, tc.server, 4, results)
			nc, buffered, resp, a, err := Dial(context.Background(), wsURL(srv), tc.client)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			if resp.StatusCode != http.StatusSwitchingProtocols {
				t.Errorf("status %d", resp.StatusCode)
			}
			if _, err := nc.Write([]byte("ping")); err != nil {
				t.Fatal(err)
			}
			sr := <-results
			if sr.err != nil || sr.received != "ping" {
				t.Fatalf("server: %v, received %q", sr.err, sr.received)
			}
			echo := make([]byte, 4)
			if _, err := io.ReadFull(io.MultiReader(strings.NewReader(string(buffered)), nc), echo); err != nil || string(echo) != "ping" {
				t.Fatalf("client read %q, %v", echo, err)
			}
			ignoreExts := cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Extensions" }, cmp.Ignore())
			if diff := cmp.Diff(tc.want, a, ignoreExts); diff != "" {
				t.Errorf("client agreement (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, sr.a, ignoreExts); diff != "" {
				t.Errorf("server agreement (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(sr.a.Extensions, a.Extensions); diff != "" {
				t.Errorf("extensions differ (-server +client):\n%s", diff)
			}
			if got := resp.Header.Values("Sec-WebSocket-Protocol"); tc.want.Subprotocol == "" && len(got) != 0 {
				t.Errorf("response has Sec-WebSocket-Protocol %q with no subprotocol agreed", got)
			}
		})
	}
}

// TestUpgradeClearsServerDeadlines checks that the http.Server's read and
// write timeouts do not survive the upgrade.
func TestUpgradeClearsServerDeadlines(t *testing.T) {
	results := make(chan serverResult, 1)
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.ReadTimeout = 50 * time.Millisecond
	srv.Config.WriteTimeout = 50 * time.Millisecond
	srv.Config.Handler = upgradeServer(t, nil, 4, results).Config.Handler
	srv.Start()
	defer srv.Close()
	nc, _, _, _, err := Dial(context.Background(), wsURL(srv), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	time.Sleep(150 * time.Millisecond) // past both server timeouts
	nc.Write([]byte("late"))
	if sr := <-results; sr.err != nil || sr.received != "late" {
		t.Fatalf("server: %v, received %q", sr.err, sr.received)
	}
	echo := make([]byte, 4)
	if _, err := io.ReadFull(nc, echo); err != nil || string(echo) != "late" {
		t.Fatalf("echo %q, %v: the server's write deadline survived", echo, err)
	}
}

// TestUpgradeKeepsEarlyBytes sends the request and the first bytes of the
// WebSocket stream in one write: the server must see all of them.
func TestUpgradeKeepsEarlyBytes(t *testing.T) {
	const early = "first frames, sent with the request"
	results := make(chan serverResult, 1)
	srv := upgradeServer(t, nil, len(early), results)
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, validRequest()+early); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("response %v, %v", resp, err)
	}
	if got := resp.Header.Get("Sec-WebSocket-Accept"); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("Sec-WebSocket-Accept %q", got)
	}
	if sr := <-results; sr.err != nil || sr.received != early {
		t.Fatalf("server: %v, received %q, want %q", sr.err, sr.received, early)
	}
}

// TestDialKeepsEarlyBytes has the server send its 101 and the first bytes
// of the stream in one write: Dial must return them.
func TestDialKeepsEarlyBytes(t *testing.T) {
	const early = "\x81\x05hello"
	addr := rawServer(t, func(c net.Conn, r *http.Request) {
		io.WriteString(c, switching(r)+early)
	})
	nc, buffered, _, _, err := Dial(context.Background(), "ws://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, len(early))
	if _, err := io.ReadFull(io.MultiReader(strings.NewReader(string(buffered)), nc), got); err != nil || string(got) != early {
		t.Fatalf("stream %q, %v; want %q", got, err, early)
	}
}
