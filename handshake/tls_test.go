package handshake

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rfc6455/ws/internal/testcert"
)

// selfSigned returns a certificate for localhost, 127.0.0.1 and the host
// of TestDialProxyFromEnvironment, made for this test run, and a pool that
// trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	ca := testcert.NewCA(t)
	return ca.Leaf(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), "localhost", "ws.example.invalid", "127.0.0.1"), ca.Pool
}

// tlsUpgradeServer starts a wss server with cert; sni receives the server
// name of each TLS handshake.
func tlsUpgradeServer(t *testing.T, cert tls.Certificate, sni chan<- string) *httptest.Server {
	t.Helper()
	results := make(chan serverResult, 16)
	plain := upgradeServer(t, &ServerOptions{Subprotocols: []string{"chat"}}, 0, results)
	srv := httptest.NewUnstartedServer(plain.Config.Handler)
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{cert},
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			sni <- hello.ServerName
			return nil, nil
		},
	}
	// The untrusted client's failed handshakes are expected; keep them
	// out of the test log.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestDialTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	sni := make(chan string, 16)
	srv := tlsUpgradeServer(t, cert, sni)
	addr := srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	// localhost may resolve to ::1 first; the server listens on 127.0.0.1.
	toServer := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return new(net.Dialer).DialContext(ctx, network, addr)
	}

	t.Run("trusted", func(t *testing.T) {
		opts := &ClientOptions{TLSConfig: &tls.Config{RootCAs: pool}, NetDialContext: toServer, Subprotocols: []string{"chat"}}
		nc, _, _, a, err := Dial(context.Background(), "wss://localhost:"+port+"/", opts)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		if got := <-sni; got != "localhost" {
			t.Errorf("SNI %q, want localhost", got)
		}
		tc, ok := nc.(*tls.Conn)
		if !ok {
			t.Fatalf("connection is a %T, want *tls.Conn", nc)
		}
		if p := tc.ConnectionState().NegotiatedProtocol; p != "http/1.1" {
			t.Errorf("ALPN %q, want http/1.1", p)
		}
		if a.Subprotocol != "chat" {
			t.Errorf("subprotocol %q", a.Subprotocol)
		}
		if opts.TLSConfig.ServerName != "" || opts.TLSConfig.NextProtos != nil {
			t.Errorf("Dial modified the caller's tls.Config")
		}
	})
	t.Run("IP address", func(t *testing.T) {
		nc, _, _, _, err := Dial(context.Background(), "wss://"+addr, &ClientOptions{TLSConfig: &tls.Config{RootCAs: pool}})
		if err != nil {
			t.Fatal(err)
		}
		nc.Close()
		<-sni
	})
	t.Run("untrusted", func(t *testing.T) {
		var conns recordedConns
		_, _, _, _, err := Dial(context.Background(), "wss://localhost:"+port, &ClientOptions{NetDialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return conns.dial(ctx, network, addr)
		}})
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Fatalf("Dial: %v, want x509.UnknownAuthorityError", err)
		}
		if !strings.Contains(err.Error(), "TLS handshake") {
			t.Errorf("error %q does not say the TLS handshake failed", err)
		}
		conns.wantClosed(t)
		<-sni
	})
	t.Run("wrong name", func(t *testing.T) {
		opts := &ClientOptions{TLSConfig: &tls.Config{RootCAs: pool, ServerName: "other.example"}, NetDialContext: toServer}
		_, _, _, _, err := Dial(context.Background(), "wss://localhost:"+port, opts)
		var hostErr x509.HostnameError
		if !errors.As(err, &hostErr) {
			t.Fatalf("Dial: %v, want x509.HostnameError", err)
		}
		if got := <-sni; got != "other.example" {
			t.Errorf("SNI %q, want the configured other.example", got)
		}
	})
}
