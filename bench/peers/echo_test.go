package main

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// listen returns a loopback listener closed at the end of the test.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// serveInProcess runs serve on a loopback listener for the test and
// returns its address.
func serveInProcess(t *testing.T, serve func(net.Listener, bool) error, conformance bool) string {
	t.Helper()
	ln := listen(t)
	done := make(chan error, 1)
	go func() { done <- serve(ln, conformance) }()
	t.Cleanup(func() {
		ln.Close()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("server did not stop")
		}
	})
	return ln.Addr().String()
}

// runEcho drives cell against addr until want messages came back, or
// fails the test after a few seconds.
func runEcho(t *testing.T, addr string, cell echoCell, want int64) error {
	t.Helper()
	l, err := startEcho(addr, cell)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for l.echoed() < want && time.Now().Before(deadline) && l.errNow() == nil {
		time.Sleep(time.Millisecond)
	}
	n := l.echoed()
	if err := l.stop(); err != nil {
		return err
	}
	if n < want {
		t.Fatalf("%v: %d echoes in 10 s, want %d", cell, n, want)
	}
	return nil
}

// TestEveryServerEchoes drives every library's server with messages of
// every size, fragmented or not on the way back, checking each echo.
func TestEveryServerEchoes(t *testing.T) {
	cells := []echoCell{{16, 2, 4}, {1 << 10, 1, 1}, {64 << 10, 2, 3}, {1 << 20, 1, 2}}
	for _, lib := range libraries {
		if lib.floor {
			continue // echoes nothing
		}
		for _, conformance := range []bool{false, true} {
			name := lib.name
			if conformance {
				name += "/conformance"
			}
			t.Run(name, func(t *testing.T) {
				addr := serveInProcess(t, lib.serve, conformance)
				for _, cell := range cells {
					if conformance && cell.size > 64<<10 {
						continue // the options change nothing at this size
					}
					// Enough echoes that some besides each connection's
					// first are compared octet by octet.
					if err := runEcho(t, addr, cell, int64(cell.conns)*(checkEvery+1)); err != nil {
						t.Fatalf("%v: %v", cell, err)
					}
				}
			})
		}
	}
}

// TestEchoChecks makes sure the load client notices a server that does
// not echo what it was sent.
func TestEchoChecks(t *testing.T) {
	tests := []struct {
		name    string
		mangle  func(h *ws.Header, payload []byte)
		wantErr string
	}{
		{"content changed in the first echo", func(h *ws.Header, p []byte) { p[len(p)-1]++ }, "payload differs"},
		{"text instead of binary", func(h *ws.Header, p []byte) { h.OpCode = ws.OpText }, "want binary"},
		{"one octet short", func(h *ws.Header, p []byte) { h.Length-- }, "want 16"},
		{"close instead of echo", func(h *ws.Header, p []byte) { h.OpCode, h.Length = ws.OpClose, 0 }, "close frame"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := serveInProcess(t, func(ln net.Listener, _ bool) error {
				return serveRaw(ln, func(nc net.Conn) { mangledEcho(nc, tt.mangle) })
			}, false)
			err := runEcho(t, addr, echoCell{16, 1, 1}, 1)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one saying %q", err, tt.wantErr)
			}
		})
	}
}

// mangledEcho echoes frames after mangle changed them.
func mangledEcho(nc net.Conn, mangle func(*ws.Header, []byte)) {
	defer nc.Close()
	if _, err := ws.Upgrade(nc); err != nil {
		return
	}
	br := bufio.NewReader(nc)
	for {
		h, err := ws.ReadHeader(br)
		if err != nil {
			return
		}
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(br, p); err != nil {
			return
		}
		ws.Cipher(p, h.Mask, 0)
		h.Masked = false
		mangle(&h, p)
		if ws.WriteHeader(nc, h) != nil {
			return
		}
		if _, err := nc.Write(p[:h.Length]); err != nil {
			return
		}
	}
}

func TestUpgradesAndIdle(t *testing.T) {
	for _, lib := range libraries {
		t.Run(lib.name, func(t *testing.T) {
			addr := serveInProcess(t, lib.serve, false)
			l := startUpgrades(addr, 4)
			deadline := time.Now().Add(10 * time.Second)
			for l.upgrades.Load() < 50 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if err := l.stop(); err != nil {
				t.Fatal(err)
			}
			if n := l.upgrades.Load(); n < 50 {
				t.Fatalf("%d upgrades in 10 s, want 50", n)
			}
			conns, err := openIdle(addr, 100, 8)
			if err != nil {
				t.Fatal(err)
			}
			closeAll(conns)
		})
	}
}

func TestUpgradeRefused(t *testing.T) {
	addr := serveInProcess(t, func(ln net.Listener, _ bool) error {
		return serveRaw(ln, func(nc net.Conn) {
			defer nc.Close()
			io.WriteString(nc, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
			io.Copy(io.Discard, nc)
		})
	}, false)
	if _, err := openIdle(addr, 3, 2); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("error %v, want one naming status 403", err)
	}
}
