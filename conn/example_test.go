package conn_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
)

// An echo server on Accept, and a client from Dial.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := conn.Accept(w, r, nil)
		if err != nil {
			return // Accept answered the request with the right HTTP status
		}
		for {
			typ, p, err := c.ReadMessage(r.Context())
			if err != nil {
				return
			}
			if err := c.WriteMessage(r.Context(), typ, p); err != nil {
				return
			}
		}
	}))
	defer srv.Close()

	ctx := context.Background()
	c, _, err := conn.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close(frame.CloseNormal, "")
	c.WriteMessage(ctx, conn.MessageText, []byte("hello"))
	typ, p, err := c.ReadMessage(ctx)
	fmt.Println(typ, string(p), err)
	// Output: text hello <nil>
}

// Streaming a message out in pieces and reading it back as a stream.
func ExampleConn_NextWriter() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := conn.Accept(w, r, nil)
		if err != nil {
			return
		}
		_, rd, err := c.NextReader(r.Context())
		if err != nil {
			return
		}
		n, _ := io.Copy(io.Discard, rd)
		c.WriteMessage(r.Context(), conn.MessageText, []byte(fmt.Sprintf("got %d bytes", n)))
		c.Close(frame.CloseNormal, "")
	}))
	defer srv.Close()

	ctx := context.Background()
	c, _, err := conn.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		log.Fatal(err)
	}
	w, _ := c.NextWriter(ctx, conn.MessageBinary)
	for range 10 {
		w.Write(make([]byte, 1000)) // a frame goes out per buffer-full
	}
	w.Close()
	_, p, _ := c.ReadMessage(ctx)
	fmt.Println(string(p))
	_, _, err = c.ReadMessage(ctx)
	fmt.Println(err)
	// Output:
	// got 10000 bytes
	// websocket: closed by peer: 1000 (normal closure)
}
