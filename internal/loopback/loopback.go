// Package loopback serves raw connections on 127.0.0.1 for the tests of
// this module. Nothing outside tests uses it.
package loopback

import (
	"net"
	"sync"
	"testing"
)

// Serve listens on 127.0.0.1 (port 0) and runs handle on every connection
// it accepts, each on a goroutine of its own, until the test ends: then
// the listener is closed and the cleanup waits for every handle to return.
// It returns the listener's address. handle owns its connection.
//
// A test's own cleanups registered after Serve run before it (cleanups
// run last-in first-out), so they can release handles that wait.
func Serve(tb testing.TB, handle func(net.Conn)) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	tb.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				handle(nc)
			}()
		}
	}()
	return ln.Addr().String()
}
