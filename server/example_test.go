package server_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/server"
)

// dial connects to srv's path as a WebSocket client.
func dial(srv *httptest.Server, path string) *conn.Conn {
	c, _, err := conn.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+path, nil)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// get requests path as plain HTTP and prints the answer.
func get(srv *httptest.Server, path string) {
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("%s: %s", resp.Status, body)
}

// A handler wrapped by Accept serves both plain HTTP and WebSockets.
func ExampleAccept() {
	h := server.Accept(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := server.WebSocket(r)
		if ws == nil {
			fmt.Fprintln(w, "plain HTTP")
			return
		}
		ws.SendText("hello, WebSocket")
		// Returning closes the socket with 1000 (normal closure).
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	get(srv, "/")
	c := dial(srv, "/")
	ctx := context.Background()
	_, p, _ := c.ReadMessage(ctx)
	fmt.Println(string(p))
	_, _, err := c.ReadMessage(ctx)
	fmt.Println(err)
	// Output:
	// 200 OK: plain HTTP
	// hello, WebSocket
	// websocket: closed by peer: 1000 (normal closure)
}

// A handler wrapped by Require serves WebSockets only.
func ExampleRequire() {
	h := server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		server.WebSocket(r).SendText("only for WebSockets")
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	get(srv, "/")
	c := dial(srv, "/")
	_, p, _ := c.ReadMessage(context.Background())
	fmt.Println(string(p))
	c.CloseNow()
	// Output:
	// 400 Bad Request: websocket: this resource requires a WebSocket upgrade
	// only for WebSockets
}

// Wait returns the messages in order, then io.EOF once the peer has
// closed cleanly.
func ExampleSocket_Wait() {
	done := make(chan struct{})
	h := server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		ws := server.WebSocket(r)
		for {
			m, err := ws.Wait()
			if err == io.EOF {
				fmt.Println("the peer said goodbye:", ws.Err())
				return
			}
			if err != nil {
				fmt.Println("the connection failed:", err)
				return
			}
			fmt.Printf("%v message: %s\n", m.Type, m)
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	c := dial(srv, "/")
	ctx := context.Background()
	c.WriteMessage(ctx, conn.MessageText, []byte("hello"))
	c.WriteMessage(ctx, conn.MessageBinary, []byte{'b', 'y', 't', 'e', 's'})
	c.Close(1000, "done")
	<-done
	// Output:
	// text message: hello
	// binary message: bytes
	// the peer said goodbye: websocket: closed by peer: 1000 (normal closure): done
}

// An echo handler that gives each message's buffer back once sent, so
// that the next message is read into it: receiving then allocates nothing.
func ExampleMessage_Release() {
	h := server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := server.WebSocket(r)
		for m := range ws.Messages() {
			err := ws.Send(m)
			m.Release() // m.Data must not be used after this
			if err != nil {
				return
			}
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	c := dial(srv, "/")
	ctx := context.Background()
	for _, text := range []string{"once", "twice"} {
		c.WriteMessage(ctx, conn.MessageText, []byte(text))
		_, p, _ := c.ReadMessage(ctx)
		fmt.Println(string(p))
	}
	c.Close(1000, "")
	// Output:
	// once
	// twice
}

// Read never blocks: it tells "nothing yet" from "nothing ever" with
// Closed.
func ExampleSocket_Read() {
	done := make(chan struct{})
	h := server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		ws := server.WebSocket(r)
		_, ok := ws.Read()
		fmt.Println("at first:", ok, ws.Closed())
		ws.SendText("go on")
		<-ws.Done() // the peer has sent everything and closed
		fmt.Println("queued:", ws.CountMessages())
		for {
			m, ok := ws.Read()
			if !ok {
				break
			}
			fmt.Println("read:", m)
		}
		fmt.Println("at the end:", ws.Closed())
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	c := dial(srv, "/")
	ctx := context.Background()
	c.ReadMessage(ctx) // "go on"
	c.WriteMessage(ctx, conn.MessageText, []byte("first"))
	c.WriteMessage(ctx, conn.MessageText, []byte("second"))
	c.Close(1000, "")
	<-done
	// Output:
	// at first: false false
	// queued: 2
	// read: first
	// read: second
	// at the end: true
}

// Messages ranges over the messages until the socket ends.
func ExampleSocket_Messages() {
	h := server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := server.WebSocket(r)
		for m := range ws.Messages() {
			if err := ws.SendText(strings.ToUpper(m.String())); err != nil {
				return
			}
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	c := dial(srv, "/")
	ctx := context.Background()
	for _, s := range []string{"shout", "louder"} {
		c.WriteMessage(ctx, conn.MessageText, []byte(s))
		_, p, _ := c.ReadMessage(ctx)
		fmt.Println(string(p))
	}
	c.Close(1000, "")
	// Output:
	// SHOUT
	// LOUDER
}

// A Group is a chat room: every message a member sends goes to all.
func ExampleGroup() {
	var room server.Group
	joined := make(chan struct{})
	h := server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := server.WebSocket(r)
		room.Add(ws)
		joined <- struct{}{}
		for m := range ws.Messages() {
			if err := room.Broadcast(m); err != nil {
				log.Print(err) // members too slow to keep up were evicted
			}
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	alice, bob := dial(srv, "/"), dial(srv, "/")
	<-joined
	<-joined
	ctx := context.Background()
	alice.WriteMessage(ctx, conn.MessageText, []byte("hi, all"))
	_, p, _ := bob.ReadMessage(ctx)
	fmt.Println("bob got:", string(p))
	_, p, _ = alice.ReadMessage(ctx)
	fmt.Println("alice got:", string(p))
	alice.Close(1000, "")
	bob.Close(1000, "")
	// Output:
	// bob got: hi, all
	// alice got: hi, all
}

// A Middleware lends its options to the wrapped handlers below it, and
// refuses upgrade requests that reach others.
func ExampleMiddleware() {
	mux := http.NewServeMux()
	mux.Handle("/ws", server.Accept(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ws := server.WebSocket(r); ws != nil {
			ws.SendText("subprotocol " + ws.Subprotocol())
		}
	})))
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "a page")
	})
	srv := httptest.NewServer(server.Middleware(mux, server.WithSubprotocols("chat")))
	defer srv.Close()

	opts := &conn.DialOptions{}
	opts.Subprotocols = []string{"chat"}
	c, _, err := conn.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", opts)
	if err != nil {
		log.Fatal(err)
	}
	_, p, _ := c.ReadMessage(context.Background())
	fmt.Println(string(p))
	c.CloseNow()

	_, _, err = conn.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/page", nil)
	fmt.Println(err)
	get(srv, "/page")
	// Output:
	// subprotocol chat
	// websocket: server refused the upgrade: HTTP/1.1 400 Bad Request: "websocket: upgrade request reached a handler that does not accept WebSockets"
	// 200 OK: a page
}

// A Registry closes the sockets of a server that shuts down, which
// http.Server.Shutdown cannot do.
func ExampleRegistry() {
	var reg server.Registry
	started := make(chan struct{})
	srv := httptest.NewUnstartedServer(server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := server.WebSocket(r)
		close(started)
		_, err := ws.Wait()
		fmt.Println("handler:", err)
	}), server.WithRegistry(&reg)))
	srv.Config.RegisterOnShutdown(reg.CloseAll)
	srv.Start()
	defer srv.Close()

	c := dial(srv, "/")
	peer := make(chan error)
	go func() {
		_, _, err := c.ReadMessage(context.Background())
		peer <- err
	}()
	<-started

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Config.Shutdown(ctx)
	if err := reg.Shutdown(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("client:", <-peer)
	// Output:
	// handler: EOF
	// client: websocket: closed by peer: 1001 (going away): server shutting down
}
