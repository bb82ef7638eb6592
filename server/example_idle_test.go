package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/rfc6455/ws/server"
)

// A peer that sends nothing, not even the rest of a frame it began, is cut
// off after the idle timeout with 1001 (going away).
func ExampleWithIdleTimeout() {
	ended := make(chan error, 1)
	h := server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := server.WebSocket(r)
		ws.Wait()
		ended <- ws.Err()
	}), server.WithIdleTimeout(100*time.Millisecond))
	srv := httptest.NewServer(h)
	defer srv.Close()

	c := dial(srv, "/")
	// The client stays silent; its read returns the server's close frame.
	_, _, err := c.ReadMessage(context.Background())
	fmt.Println("client:", err)
	fmt.Println("server:", <-ended)
	// Output:
	// client: websocket: closed by peer: 1001 (going away): idle timeout
	// server: websocket: idle timeout
}
