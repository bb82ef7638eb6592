package handshake_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/rfc6455/ws/handshake"
)

func ExampleUpgrade() {
	agreed := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		opts := &handshake.ServerOptions{Subprotocols: []string{"chat.v2", "chat.v1"}}
		nc, buffered, a, err := handshake.Upgrade(w, r, opts)
		if err != nil {
			log.Print(err) // the client has had its HTTP answer
			return
		}
		defer nc.Close()
		// The WebSocket stream begins with buffered and continues on nc.
		stream := io.MultiReader(strings.NewReader(string(buffered)), nc)
		_ = stream
		agreed <- a.Subprotocol
	}))
	defer srv.Close()

	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/chat"
	nc, _, _, a, err := handshake.Dial(context.Background(), url, &handshake.ClientOptions{Subprotocols: []string{"chat.v1", "chat.v2"}})
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	fmt.Println("server chose", <-agreed)
	fmt.Println("client got", a.Subprotocol)
	// Output:
	// server chose chat.v2
	// client got chat.v2
}

func ExampleDial() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		opts := &handshake.ServerOptions{Deflate: &handshake.DeflateConfig{ServerNoContextTakeover: true}}
		if nc, _, _, err := handshake.Upgrade(w, r, opts); err == nil {
			nc.Close()
		}
	}))
	defer srv.Close()

	opts := &handshake.ClientOptions{Deflate: &handshake.DeflateConfig{ClientMaxWindowBits: 15}}
	nc, buffered, resp, a, err := handshake.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), opts)
	var refused *handshake.StatusError
	switch {
	case errors.As(err, &refused):
		log.Fatalf("server refused with %s", refused.Status)
	case err != nil:
		log.Fatal(err)
	}
	defer nc.Close()
	_ = buffered // the first bytes of the stream, to read before nc
	fmt.Println(resp.Status)
	fmt.Println(resp.Header.Get("Sec-WebSocket-Extensions"))
	fmt.Printf("%+v\n", *a.Deflate)
	// Output:
	// 101 Switching Protocols
	// permessage-deflate; server_no_context_takeover
	// {ServerNoContextTakeover:true ClientNoContextTakeover:false ServerMaxWindowBits:15 ClientMaxWindowBits:15}
}

func ExampleUpgradeConn() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go func() {
		nc, _, _, _, err := handshake.Dial(context.Background(), "ws://"+ln.Addr().String()+"/feed?since=42", nil)
		if err == nil {
			nc.Close()
		}
	}()

	nc, err := ln.Accept()
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	buffered, req, _, err := handshake.UpgradeConn(nc, nil)
	if err != nil {
		log.Fatal(err) // the client has had its HTTP answer
	}
	fmt.Println(req.Method, req.RequestURI, len(buffered))
	// Output: GET /feed?since=42 0
}

func ExampleCheck() {
	r := httptest.NewRequest("GET", "/chat", nil)
	r.Header.Set("Upgrade", "websocket")
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	r.Header.Set("Sec-WebSocket-Version", "8")

	_, err := handshake.Check(r, nil)
	var refusal *handshake.RequestError
	if errors.As(err, &refusal) {
		fmt.Println(refusal.Status, refusal.Header(), errors.Is(err, handshake.ErrBadVersion))
	}
	// Output: 426 map[Sec-Websocket-Version:[13]] true
}

func ExampleAcceptKey() {
	// The example of RFC 6455 §1.3.
	fmt.Println(handshake.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="))
	// Output: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
}

func ExampleParseExtensions() {
	exts, err := handshake.ParseExtensions([]string{
		`permessage-deflate; client_max_window_bits; server_max_window_bits="10"`,
		"x-custom",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range exts {
		fmt.Println(e.Name, e.Params)
	}
	fmt.Println(string(handshake.AppendExtensions(nil, exts)))
	// Output:
	// permessage-deflate [{client_max_window_bits  false} {server_max_window_bits 10 true}]
	// x-custom []
	// permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-custom
}
