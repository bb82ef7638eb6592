// Command seedpage serves the page of the seed article: a page whose
// WebSocket receives the server's time every second and the echo of what
// the page sends, with connect, send and close buttons.
//
//	go run ./examples/seedpage -port 8000
//
// then open http://127.0.0.1:8000/.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/rfc6455/ws/server"
)

func main() {
	port := flag.Int("port", 8000, "TCP port to listen on, on 127.0.0.1")
	flag.Parse()

	var reg server.Registry
	srv := &http.Server{
		Addr:              net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)),
		Handler:           newHandler(nil, &reg),
		ReadHeaderTimeout: 10 * time.Second,
	}
	srv.RegisterOnShutdown(reg.CloseAll)

	stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	go func() {
		<-stop.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := errors.Join(srv.Shutdown(ctx), reg.Shutdown(ctx)); err != nil {
			log.Print(err)
		}
	}()
	log.Printf("serving http://%s/", srv.Addr)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
	<-stop.Done()
}
