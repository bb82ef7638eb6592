package main

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/server"
)

// page is the seed page: connect, send and close buttons and the list of
// messages the server pushed.
//
//go:embed index.html
var page embed.FS

// push is a message the server pushes to the page, with the fields of the
// article's view.
type push struct {
	Time      string `json:"time"`
	ServerMsg string `json:"server_msg"`
	ClientMsg string `json:"client_msg,omitempty"`
}

// timeLayout is the article's '%Y.%m.%d %H:%M:%S'.
const timeLayout = "2006.01.02 15:04:05"

// observer hears what the page's sockets do. Its functions may be nil.
type observer struct {
	connected func(ws *server.Socket)
	received  func(ws *server.Socket, msg string)
	ended     func(ws *server.Socket, err error)
}

// newHandler returns the seed application: the page at "/" and its
// WebSocket at "/test_websocket", with or without the trailing slash the
// article warns about. obs may be nil; reg, if not nil, tracks the
// sockets for shutdown.
func newHandler(obs *observer, reg *server.Registry) http.Handler {
	if obs == nil {
		obs = &observer{}
	}
	ws := server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pushLoop(server.WebSocket(r), obs, time.Second)
	}), server.WithRegistry(reg))
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", http.FileServerFS(page))
	mux.Handle("/test_websocket", ws)
	mux.Handle("/test_websocket/", ws)
	return mux
}

// pushLoop pushes the time to ws every interval, and answers each message
// from the page at once with the message in client_msg, until the socket
// ends or a push fails. The article's view polled the socket every second;
// here one select waits for the ticker and for the socket's messages,
// which a goroutine takes from the socket's iterator.
func pushLoop(ws *server.Socket, obs *observer, interval time.Duration) {
	if obs.connected != nil {
		obs.connected(ws)
	}
	msgs := make(chan server.Message)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(msgs)
		for m := range ws.Messages() {
			select {
			case msgs <- m:
			case <-stop:
				return
			}
		}
	}()
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	sent := 0
	send := func(clientMsg string) error {
		sent++
		b, err := json.Marshal(push{
			Time:      time.Now().Format(timeLayout),
			ServerMsg: fmt.Sprintf("send %d times!", sent),
			ClientMsg: clientMsg,
		})
		if err != nil {
			return err
		}
		return ws.Send(server.Message{Type: conn.MessageText, Data: b})
	}
	for {
		select {
		case <-ticker.C:
			if send("") != nil {
				return
			}
		case m, ok := <-msgs:
			if !ok {
				if obs.ended != nil {
					obs.ended(ws, ws.Err())
				}
				return
			}
			if obs.received != nil {
				obs.received(ws, m.String())
			}
			if send(m.String()) != nil {
				return
			}
		}
	}
}
