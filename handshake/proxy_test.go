package handshake

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// connectProxy is an HTTP CONNECT proxy on loopback, written for the tests.
type connectProxy struct {
	addr   string
	refuse bool                       // answer 407 instead of tunnelling
	route  func(target string) string // where to tunnel a target; nil: to itself

	mu      sync.Mutex
	targets []string // CONNECT request-targets
	auth    []string // Proxy-Authorization values
}

func startProxy(t *testing.T, refuse bool, route func(string) string) *connectProxy {
	t.Helper()
	p := &connectProxy{refuse: refuse, route: route}
	p.addr = rawServer(t, func(c net.Conn, r *http.Request) {
		p.mu.Lock()
		p.targets = append(p.targets, r.RequestURI)
		p.auth = append(p.auth, r.Header.Get("Proxy-Authorization"))
		p.mu.Unlock()
		if r.Method != http.MethodConnect {
			c.Write([]byte("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"))
			return
		}
		if p.refuse {
			c.Write([]byte("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 6\r\n\r\nlog in"))
			return
		}
		target := r.RequestURI
		if p.route != nil {
			target = p.route(target)
		}
		up, err := net.Dial("tcp", target)
		if err != nil {
			c.Write([]byte("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"))
			return
		}
		defer up.Close()
		c.SetDeadline(time.Time{})
		c.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		done := make(chan struct{})
		go func() {
			copyStream(up, c)
			close(done)
		}()
		copyStream(c, up)
		<-done
	})
	return p
}

// copyStream copies until either side ends, then ends both.
func copyStream(dst, src net.Conn) {
	buf := make([]byte, 4096)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
}

func TestDialProxy(t *testing.T) {
	results := make(chan serverResult, 4)
	srv := upgradeServer(t, &ServerOptions{Subprotocols: []string{"chat"}}, 4, results)
	cert, pool := selfSigned(t)
	tlsSrv := tlsUpgradeServer(t, cert, make(chan string, 4))

	for _, tc := range []struct {
		name, url, auth string
		user            string
		tls             *tls.Config
	}{
		{"ws", wsURL(srv), "Basic dXNlcjpwYXNz", "user:pass@", nil},
		{"ws without credentials", wsURL(srv), "", "", nil},
		{"wss", "wss://" + tlsSrv.Listener.Addr().String(), "Basic dXNlcjpwYXNz", "user:pass@", &tls.Config{RootCAs: pool}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startProxy(t, false, nil)
			var proxied *http.Request
			opts := &ClientOptions{
				Subprotocols: []string{"chat"},
				TLSConfig:    tc.tls,
				Proxy: func(r *http.Request) (*url.URL, error) {
					proxied = r
					return url.Parse("http://" + tc.user + p.addr)
				},
			}
			nc, _, _, a, err := Dial(context.Background(), tc.url, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			if a.Subprotocol != "chat" {
				t.Errorf("subprotocol %q", a.Subprotocol)
			}
			u, _ := url.Parse(tc.url)
			wantScheme := map[string]string{"ws": "http", "wss": "https"}[u.Scheme]
			if proxied.URL.Scheme != wantScheme || proxied.URL.Host != u.Host {
				t.Errorf("Proxy called with %v, want scheme %s and host %s", proxied.URL, wantScheme, u.Host)
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			if len(p.targets) != 1 || p.targets[0] != u.Host {
				t.Errorf("proxy CONNECT targets %q, want [%s]", p.targets, u.Host)
			}
			if len(p.auth) != 1 || p.auth[0] != tc.auth {
				t.Errorf("Proxy-Authorization %q, want %q", p.auth, tc.auth)
			}
		})
	}
	// Drain the plain server's results.
	for len(results) > 0 {
		<-results
	}
}

func TestDialProxyRefuses(t *testing.T) {
	p := startProxy(t, true, nil)
	var conns recordedConns
	opts := &ClientOptions{
		NetDialContext: conns.dial,
		Proxy:          func(*http.Request) (*url.URL, error) { return url.Parse("http://" + p.addr) },
	}
	_, _, _, _, err := Dial(context.Background(), "ws://127.0.0.1:1/", opts)
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusProxyAuthRequired || string(se.Body) != "log in" {
		t.Fatalf("Dial: %v, want a 407 StatusError", err)
	}
	if !strings.Contains(err.Error(), "proxy CONNECT") {
		t.Errorf("error %q does not name the proxy", err)
	}
	conns.wantClosed(t)
}

func TestDialProxySpeaksFirst(t *testing.T) {
	addr := rawServer(t, func(c net.Conn, r *http.Request) {
		c.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 101 Switching Protocols\r\n"))
	})
	opts := &ClientOptions{Proxy: func(*http.Request) (*url.URL, error) { return url.Parse("http://" + addr) }}
	_, _, _, _, err := Dial(context.Background(), "ws://example.com/", opts)
	if err == nil || !strings.Contains(err.Error(), "proxy sent data") {
		t.Fatalf("Dial: %v, want an error about the proxy's early data", err)
	}
}

func TestDialProxyErrors(t *testing.T) {
	for name, proxy := range map[string]func(*http.Request) (*url.URL, error){
		"proxy func fails": func(*http.Request) (*url.URL, error) { return nil, errors.New("no proxy today") },
		"https proxy":      func(*http.Request) (*url.URL, error) { return url.Parse("https://127.0.0.1:1") },
		"socks proxy":      func(*http.Request) (*url.URL, error) { return url.Parse("socks5://127.0.0.1:1") },
	} {
		dialed := false
		opts := &ClientOptions{Proxy: proxy, NetDialContext: func(context.Context, string, string) (net.Conn, error) {
			dialed = true
			return nil, errors.New("must not dial")
		}}
		if _, _, _, _, err := Dial(context.Background(), "ws://example.com", opts); err == nil || dialed {
			t.Errorf("%s: %v, dialed %v; want an error before dialing", name, err, dialed)
		}
	}
}

// proxyEnvChild marks the child process of TestDialProxyFromEnvironment.
const proxyEnvChild = "HANDSHAKE_TEST_PROXY_ENV_CHILD"

// TestDialProxyFromEnvironment checks the default Proxy: with nil options
// Dial goes through the proxy HTTP_PROXY (ws) or HTTPS_PROXY (wss) names.
// net/http reads those variables once per process, so the check runs in a
// child process of the test binary, which sets them before any other use.
func TestDialProxyFromEnvironment(t *testing.T) {
	if os.Getenv(proxyEnvChild) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDialProxyFromEnvironment$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), proxyEnvChild+"=1", "NO_PROXY=", "no_proxy=")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestDialProxyFromEnvironment") {
			t.Fatalf("child process: %v\n%s", err, out)
		}
		return
	}

	// A host that resolves nowhere: only the proxy can reach it, and
	// http.ProxyFromEnvironment does not skip it as it skips loopback.
	const host = "ws.example.invalid"
	results := make(chan serverResult, 4)
	plain := upgradeServer(t, nil, 0, results)
	cert, pool := selfSigned(t)
	secure := tlsUpgradeServer(t, cert, make(chan string, 4))
	p := startProxy(t, false, func(target string) string {
		if target == host+":443" {
			return secure.Listener.Addr().String()
		}
		return plain.Listener.Addr().String()
	})
	os.Setenv("HTTP_PROXY", "http://env:user@"+p.addr)
	os.Setenv("HTTPS_PROXY", "http://"+p.addr)

	for _, tc := range []struct {
		url        string
		opts       *ClientOptions
		target, au string
	}{
		{"ws://" + host + "/", nil, host + ":80", "Basic ZW52OnVzZXI="},
		{"wss://" + host + "/", &ClientOptions{TLSConfig: &tls.Config{RootCAs: pool}}, host + ":443", ""},
	} {
		nc, _, _, _, err := Dial(context.Background(), tc.url, tc.opts)
		if err != nil {
			t.Fatalf("Dial(%s): %v", tc.url, err)
		}
		nc.Close()
		p.mu.Lock()
		target, auth := p.targets[len(p.targets)-1], p.auth[len(p.auth)-1]
		p.mu.Unlock()
		if target != tc.target || auth != tc.au {
			t.Errorf("Dial(%s): proxy saw CONNECT %s with %q, want %s with %q", tc.url, target, auth, tc.target, tc.au)
		}
	}
}
