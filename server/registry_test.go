package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/handshake"
)

// TestRegistryShutdown checks that Shutdown closes every socket with 1001,
// waits for the handlers, and that new upgrades are then refused with
// 503.
func TestRegistryShutdown(t *testing.T) {
	const clients = 3
	var reg Registry
	ends := make(chan error, clients)
	srv := serveFunc(t, func(ws *Socket) {
		_, err := ws.Wait()
		time.Sleep(20 * time.Millisecond) // a handler that takes a little while to finish
		ends <- err
	}, WithRegistry(&reg))
	peerSaw := make(chan error, clients)
	for range clients {
		c := dial(t, srv, "/", nil)
		go func() {
			_, _, err := c.ReadMessage(context.Background())
			peerSaw <- err
		}()
	}
	if !waitUntil(func() bool { return reg.Len() == clients }) {
		t.Fatalf("%d sockets registered, want %d", reg.Len(), clients)
	}
	if err := reg.Shutdown(timeout(t)); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	// Shutdown returned: every handler has.
	if len(ends) != clients {
		t.Errorf("Shutdown returned before the handlers: %d of %d done", len(ends), clients)
	}
	for range clients {
		if err := recv(t, ends, "a handler"); err != io.EOF {
			t.Errorf("handler's Wait: %v, want io.EOF", err)
		}
		if err := recv(t, peerSaw, "a client"); !sameError(err, &conn.CloseError{Code: frame.CloseGoingAway, Reason: reasonShutdown}) {
			t.Errorf("client read %v, want a close with 1001", err)
		}
	}
	if n := reg.Len(); n != 0 {
		t.Errorf("%d sockets left in the registry", n)
	}
	_, _, err := conn.Dial(timeout(t), wsURL(srv, "/"), nil)
	var se *handshake.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("upgrade after shutdown: %v, want 503", err)
	}
}

// TestRegistryShutdownDeadline checks that Shutdown gives up at its
// context's end, cutting the connections off, when a handler does not
// return.
func TestRegistryShutdownDeadline(t *testing.T) {
	var reg Registry
	release := make(chan struct{})
	srv := serveFunc(t, func(ws *Socket) {
		await(release) // ignores the socket's end
	}, WithRegistry(&reg))
	c := dial(t, srv, "/", nil)
	if !waitUntil(func() bool { return reg.Len() == 1 }) {
		t.Fatal("the socket was not registered")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := reg.Shutdown(ctx); err != context.DeadlineExceeded {
		t.Errorf("Shutdown: %v, want context.DeadlineExceeded", err)
	}
	// The peer does not answer the close (it is not reading): after the
	// deadline its connection is cut off.
	c.UnderlyingConn().SetReadDeadline(time.Now().Add(waitTime))
	if _, err := io.ReadAll(c.UnderlyingConn()); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the connection was not closed: %v", err)
	}
	close(release)
	if !waitUntil(func() bool { return reg.Len() == 0 }) {
		t.Error("the socket stayed in the registry after its handler returned")
	}
}

// TestRegistryWithHTTPServer runs the shutdown sequence of the package
// documentation with a real http.Server.
func TestRegistryWithHTTPServer(t *testing.T) {
	checkNoLeaks(t)
	var reg Registry
	ends := make(chan error, 1)
	srv := &http.Server{
		Handler: Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, err := WebSocket(r).Wait()
			ends <- err
		}), WithRegistry(&reg)),
		ReadHeaderTimeout: waitTime,
	}
	srv.RegisterOnShutdown(reg.CloseAll)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	c, _, err := conn.Dial(timeout(t), "ws://"+ln.Addr().String()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	peerSaw := make(chan error, 1)
	go func() {
		_, _, err := c.ReadMessage(context.Background())
		peerSaw <- err
	}()
	if !waitUntil(func() bool { return reg.Len() == 1 }) {
		t.Fatal("the socket was not registered")
	}
	ctx := timeout(t)
	if err := errors.Join(srv.Shutdown(ctx), reg.Shutdown(ctx)); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := recv(t, served, "Serve"); err != http.ErrServerClosed {
		t.Errorf("Serve: %v", err)
	}
	if err := recv(t, ends, "the handler"); err != io.EOF {
		t.Errorf("handler's Wait: %v, want io.EOF", err)
	}
	if err := recv(t, peerSaw, "the client"); !sameError(err, &conn.CloseError{Code: frame.CloseGoingAway, Reason: reasonShutdown}) {
		t.Errorf("client read %v, want a close with 1001", err)
	}
}
