package main

import (
	"context"
	"io"
	"net"
	"net/http"

	"github.com/coder/websocket"
)

// serveCoder echoes with coder/websocket: Reader and Writer joined by
// io.Copy, as its echo example does.
func serveCoder(ln net.Listener, conformance bool) error {
	opts := &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled}
	if conformance {
		opts.CompressionMode = websocket.CompressionContextTakeover
	}
	return serveHTTP(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, opts)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(readLimit)
		ctx := context.Background()
		for {
			typ, r, err := c.Reader(ctx)
			if err != nil {
				return
			}
			w, err := c.Writer(ctx, typ)
			if err != nil {
				return
			}
			if _, err := io.Copy(w, r); err != nil {
				return
			}
			if w.Close() != nil {
				return
			}
		}
	}))
}
