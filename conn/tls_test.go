package conn

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/handshake"
	"github.com/rfc6455/ws/internal/testcert"
)

// wssServer serves echoServer's endpoint over TLS with cert; reached
// counts the requests that got past the TLS handshake.
func wssServer(t *testing.T, cert tls.Certificate, opts *AcceptOptions) (srv *httptest.Server, reached *atomic.Int32) {
	t.Helper()
	echo := echoServer(t, opts).Config.Handler
	reached = new(atomic.Int32)
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		echo.ServeHTTP(w, r)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	// Refused TLS handshakes are the point of some tests; keep them out
	// of the log.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, reached
}

// toServer dials srv whatever the URL names, so that a URL can carry the
// host name of a certificate while the server listens on 127.0.0.1.
func toServer(srv *httptest.Server) func(ctx context.Context, network, _ string) (net.Conn, error) {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		return new(net.Dialer).DialContext(ctx, network, srv.Listener.Addr().String())
	}
}

// TestWSS runs WebSocket connections over TLS end to end with a
// certificate made for the test: messages of every size (one frame over
// many TLS records, compressed or not) come back whole, and the closing
// handshake ends without waiting for its timeout, TLS's close_notify
// serving as the server's end of TCP.
func TestWSS(t *testing.T) {
	ca := testcert.NewCA(t)
	cert := ca.Leaf(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), "ws.test")
	srv, _ := wssServer(t, cert, &AcceptOptions{ServerOptions: handshake.ServerOptions{Deflate: &handshake.DeflateConfig{}}})
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	const closeTimeout = 10 * time.Second
	for _, deflate := range []*handshake.DeflateConfig{nil, {}} {
		name := "uncompressed"
		if deflate != nil {
			name = "permessage-deflate"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c, resp, err := Dial(ctx, "wss://ws.test:"+port+"/", &DialOptions{
				ClientOptions: handshake.ClientOptions{
					TLSConfig:      &tls.Config{RootCAs: ca.Pool},
					NetDialContext: toServer(srv),
					Deflate:        deflate,
				},
				Options: Options{CloseTimeout: closeTimeout},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseNow()
			agreed := strings.Contains(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate")
			if agreed != (deflate != nil) {
				t.Errorf("permessage-deflate agreed: %v, offered: %v", agreed, deflate != nil)
			}
			tc, ok := c.UnderlyingConn().(*tls.Conn)
			if !ok {
				t.Fatalf("the connection is a %T, want a *tls.Conn", c.UnderlyingConn())
			}
			if st := tc.ConnectionState(); !st.HandshakeComplete || st.ServerName != "ws.test" || len(st.VerifiedChains) == 0 {
				t.Errorf("TLS state: handshake complete %v, server name %q, %d verified chains",
					st.HandshakeComplete, st.ServerName, len(st.VerifiedChains))
			}
			for _, n := range []int{0, 125, 1 << 14, 1<<20 + 1} {
				msg := bytes.Repeat([]byte("wss "), n/4+1)[:n]
				if err := c.WriteMessage(ctx, MessageBinary, msg); err != nil {
					t.Fatal(err)
				}
				typ, p, err := c.ReadMessage(ctx)
				if err != nil || typ != MessageBinary || !bytes.Equal(p, msg) {
					t.Fatalf("echo of %d octets: %v of %d octets, %v", n, typ, len(p), err)
				}
			}
			start := time.Now()
			if err := c.Close(frame.CloseNormal, ""); err != nil {
				t.Errorf("Close: %v", err)
			}
			if took := time.Since(start); took > closeTimeout/2 {
				t.Errorf("the closing handshake took %v: the end of TCP did not come through TLS", took)
			}
		})
	}
}

// TestWSSBadCertificate checks that Dial verifies the server's certificate
// by default, and fails with the x509 error that names the problem, before
// any HTTP reaches the server.
func TestWSSBadCertificate(t *testing.T) {
	ca := testcert.NewCA(t)
	now := time.Now()
	tests := []struct {
		name    string
		cert    tls.Certificate
		roots   *x509.CertPool // nil: the system's
		wantErr any            // a pointer to the x509 error type expected
		wantMsg string
	}{
		{"unknown authority", ca.Leaf(t, now.Add(-time.Hour), now.Add(time.Hour), "ws.test"), nil,
			new(x509.UnknownAuthorityError), "unknown authority"},
		{"expired", ca.Leaf(t, now.Add(-2*time.Hour), now.Add(-time.Hour), "ws.test"), ca.Pool,
			new(x509.CertificateInvalidError), "expired"},
		{"other host", ca.Leaf(t, now.Add(-time.Hour), now.Add(time.Hour), "other.test"), ca.Pool,
			new(x509.HostnameError), "ws.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, reached := wssServer(t, tt.cert, nil)
			_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
			opts := &DialOptions{ClientOptions: handshake.ClientOptions{NetDialContext: toServer(srv)}}
			if tt.roots != nil {
				opts.TLSConfig = &tls.Config{RootCAs: tt.roots}
			}
			c, resp, err := Dial(context.Background(), "wss://ws.test:"+port+"/", opts)
			if err == nil {
				c.CloseNow()
				t.Fatal("Dial succeeded")
			}
			if !errors.As(err, tt.wantErr) {
				t.Errorf("Dial: %v (%T), want a %T", err, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("error %q does not say what is wrong with the certificate (%q)", err, tt.wantMsg)
			}
			if resp != nil {
				t.Errorf("a response came back: %v", resp.Status)
			}
			t.Log(err)
			if n := reached.Load(); n != 0 {
				t.Errorf("%d requests reached the server", n)
			}
		})
	}
}
