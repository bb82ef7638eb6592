package main

import (
	"bytes"
	"net"
	"net/http"
)

// The floors answer the load client's upgrade request with a fixed 101
// response and then wait for the connection to end, doing nothing a
// WebSocket library does: they measure what a connection costs in Go
// before any library code runs, through net/http and on a raw net.Conn.

// waitForEnd reads from nc until it ends, into a small buffer: the
// client sends nothing more.
func waitForEnd(nc net.Conn) {
	var b [16]byte
	for {
		if _, err := nc.Read(b[:]); err != nil {
			return
		}
	}
}

// upgradeResponse is the 101 answer to the client's fixed key.
var upgradeResponse = []byte("HTTP/1.1 101 Switching Protocols\r\n" +
	"Upgrade: websocket\r\n" +
	"Connection: Upgrade\r\n" +
	"Sec-WebSocket-Accept: " + wantAccept + "\r\n\r\n")

// serveFloorHTTP hijacks each request and answers it with upgradeResponse.
func serveFloorHTTP(ln net.Listener, conformance bool) error {
	return serveHTTP(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nc, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer nc.Close()
		if _, err := nc.Write(upgradeResponse); err != nil {
			return
		}
		waitForEnd(nc)
	}))
}

// serveFloorRaw reads each request up to its end and answers it with
// upgradeResponse.
func serveFloorRaw(ln net.Listener, conformance bool) error {
	return serveRaw(ln, func(nc net.Conn) {
		defer nc.Close()
		var buf [512]byte
		n := 0
		for !bytes.HasSuffix(buf[:n], []byte("\r\n\r\n")) {
			if n == len(buf) {
				return
			}
			m, err := nc.Read(buf[n:])
			if err != nil {
				return
			}
			n += m
		}
		if _, err := nc.Write(upgradeResponse); err != nil {
			return
		}
		waitForEnd(nc)
	})
}
