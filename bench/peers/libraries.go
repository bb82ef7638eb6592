package main

import (
	"errors"
	"net"
	"net/http"
	"time"
)

// readLimit is the largest message every echo server accepts: the largest
// of the Autobahn test cases, and the default of this module and of gws.
const readLimit = 16 << 20

// library is one column of the table: an echo server.
type library struct {
	name  string
	ours  bool // this module
	floor bool // no WebSocket library: the cost of the connection alone
	extra bool // measured only when named with -only
	raw   bool // upgrades a raw net.Conn instead of going through net/http
	echo  bool // runs the echo cells (conn-raw's message path is conn's)

	// serve runs the echo server on ln until ln is closed. conformance
	// configures it as the library's own Autobahn server is: UTF-8
	// validation and permessage-deflate where the library leaves them
	// off by default.
	serve func(ln net.Listener, conformance bool) error
}

var libraries = []library{
	{name: "server", ours: true, echo: true, serve: serveServer},
	{name: "conn", ours: true, echo: true, serve: serveConn},
	{name: "conn-raw", ours: true, raw: true, serve: serveConnRaw},
	{name: "conn-stream", ours: true, echo: true, extra: true, serve: serveConnStream},
	{name: "gorilla", echo: true, serve: serveGorilla},
	{name: "gws", echo: true, serve: serveGWS},
	{name: "gobwas", raw: true, echo: true, serve: serveGobwas},
	{name: "coder", echo: true, serve: serveCoder},
	{name: "floor-http", floor: true, serve: serveFloorHTTP},
	{name: "floor-raw", floor: true, raw: true, serve: serveFloorRaw},
}

func findLibrary(name string) (library, bool) {
	for _, l := range libraries {
		if l.name == name {
			return l, true
		}
	}
	return library{}, false
}

// serveHTTP serves h on ln with net/http.
func serveHTTP(ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	err := srv.Serve(ln)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// serveRaw runs handle on a goroutine of its own for each connection
// accepted on ln, without net/http.
func serveRaw(ln net.Listener, handle func(net.Conn)) error {
	for {
		nc, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go handle(nc)
	}
}
