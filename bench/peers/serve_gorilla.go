package main

import (
	"io"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// serveGorilla echoes with gorilla/websocket: NextReader and NextWriter
// joined by io.Copy. In conformance mode it validates text messages and
// offers permessage-deflate, as gorilla's own Autobahn server does; the
// library itself checks no UTF-8.
func serveGorilla(ln net.Listener, conformance bool) error {
	up := websocket.Upgrader{EnableCompression: conformance}
	return serveHTTP(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		c.SetReadLimit(readLimit)
		for {
			typ, r, err := c.NextReader()
			if err != nil {
				return
			}
			if conformance && typ == websocket.TextMessage {
				r = &utf8Reader{r: r}
			}
			w, err := c.NextWriter(typ)
			if err != nil {
				return
			}
			if _, err := io.Copy(w, r); err != nil {
				if err == errInvalidUTF8 {
					c.WriteControl(websocket.CloseMessage,
						websocket.FormatCloseMessage(websocket.CloseInvalidFramePayloadData, ""),
						time.Now().Add(time.Second))
				}
				return
			}
			if w.Close() != nil {
				return
			}
		}
	}))
}
