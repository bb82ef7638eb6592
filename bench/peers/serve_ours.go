package main

import (
	"context"
	"io"
	"net"
	"net/http"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/server"
)

// serveServer echoes through the server package, as its documentation
// shows: Require, then Wait and Send, releasing each message once sent.
func serveServer(ln net.Listener, conformance bool) error {
	return serveHTTP(ln, server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := server.WebSocket(r)
		for {
			m, err := ws.Wait()
			if err != nil {
				return
			}
			err = ws.Send(m)
			m.Release()
			if err != nil {
				return
			}
		}
	})))
}

// serveConn echoes through conn.Accept under net/http.
func serveConn(ln net.Listener, conformance bool) error {
	return serveHTTP(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := conn.Accept(w, r, nil)
		if err != nil {
			return
		}
		echoLoop(c)
	}))
}

// serveConnRaw echoes through conn.AcceptConn on connections accepted
// without net/http.
func serveConnRaw(ln net.Listener, conformance bool) error {
	return serveRaw(ln, func(nc net.Conn) {
		c, _, err := conn.AcceptConn(nc, nil)
		if err != nil {
			nc.Close()
			return
		}
		echoLoop(c)
	})
}

// serveConnStream echoes through conn.Accept under net/http, streaming
// each message from NextReader into NextWriter as gorilla's and coder's
// servers do, so that no message is ever held whole.
func serveConnStream(ln net.Listener, conformance bool) error {
	return serveHTTP(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := conn.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close(frame.CloseNormal, "")
		ctx := context.Background()
		for {
			typ, r, err := c.NextReader(ctx)
			if err != nil {
				return
			}
			w, err := c.NextWriter(ctx, typ)
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

// echoLoop sends every message back until the connection ends, reading
// each into a buffer reused for the next.
func echoLoop(c *conn.Conn) {
	defer c.Close(frame.CloseNormal, "")
	ctx := context.Background()
	var buf []byte // grows with the first message: an idle connection holds none
	for {
		typ, r, err := c.NextReader(ctx)
		if err != nil {
			return
		}
		if buf, err = readAllInto(buf[:0], r); err != nil {
			return
		}
		if c.WriteMessage(ctx, typ, buf) != nil {
			return
		}
	}
}

// readAllInto appends what r holds to buf, as io.ReadAll does, and
// returns the grown buffer.
func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
