package testee_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/rfc6455/ws/autobahn/testee"
	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
)

// The echo server sends every message back as it came.
func ExampleServer() {
	srv := httptest.NewServer(testee.Server())
	defer srv.Close()

	ctx := context.Background()
	c, _, err := conn.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close(frame.CloseNormal, "")
	c.WriteMessage(ctx, conn.MessageText, []byte("echo?"))
	typ, p, err := c.ReadMessage(ctx)
	fmt.Println(typ, string(p), err)
	// Output: text echo? <nil>
}
