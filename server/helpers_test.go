package server

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rfc6455/ws/conn"
)

// waitTime bounds every wait of these tests.
const waitTime = 10 * time.Second

// startServer serves h on a loopback port for the test, and checks when
// the test ends that no goroutine of this module is left behind.
func startServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	checkNoLeaks(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// wsURL returns the ws:// URL of path on srv.
func wsURL(srv *httptest.Server, path string) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + path
}

// dial opens a WebSocket to path on srv with this module's client.
func dial(t *testing.T, srv *httptest.Server, path string, opts *conn.DialOptions) *conn.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTime)
	defer cancel()
	c, _, err := conn.Dial(ctx, wsURL(srv, path), opts)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// timeout returns a context that ends after waitTime.
func timeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTime)
	t.Cleanup(cancel)
	return ctx
}

// recv waits for a value from ch, failing the test after waitTime.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTime):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// await blocks until ch is closed or waitTime has passed: a handler's wait
// for its test, bounded even when the test failed before letting it go.
func await(ch <-chan struct{}) {
	select {
	case <-ch:
	case <-time.After(waitTime):
	}
}

// checkNoLeaks makes the test fail if, once it and its cleanups are done,
// goroutines running code of this module remain after a bounded wait.
// Registered first, it runs after every other cleanup.
func checkNoLeaks(t *testing.T) {
	t.Cleanup(func() {
		deadline := time.Now().Add(waitTime)
		for {
			left := moduleGoroutines()
			if len(left) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%d goroutine(s) left behind:\n\n%s", len(left), bytes.Join(left, []byte("\n\n")))
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// moduleGoroutines returns the stacks of the goroutines running code of
// this module, other than the tests' own.
func moduleGoroutines() [][]byte {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var found [][]byte
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("github.com/rfc6455/ws/")) &&
			!bytes.Contains(g, []byte("testing.tRunner")) &&
			!bytes.Contains(g, []byte("testing.runExample")) {
			found = append(found, g)
		}
	}
	return found
}
