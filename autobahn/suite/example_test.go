package suite_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http/httptest"
	"strings"

	"github.com/rfc6455/ws/autobahn/suite"
	"github.com/rfc6455/ws/autobahn/testee"
)

// Choosing cases with the original's patterns.
func ExampleSelect() {
	cases, err := suite.Select([]string{"1.*", "7.7.*"}, []string{"1.2.*"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(cases), cases[0].ID, cases[len(cases)-1].ID)
	fmt.Println(cases[0].Description)
	// Output:
	// 21 1.1.1 7.7.13
	// Send text message with payload 0.
}

// Running cases against a WebSocket server: here the module's own echo
// server.
func ExampleRunClient() {
	srv := httptest.NewServer(testee.Server())
	defer srv.Close()

	cases, _ := suite.Select([]string{"1.1.1", "2.2", "6.3.1"}, nil)
	target := suite.Target{Agent: "echo", URL: "ws" + strings.TrimPrefix(srv.URL, "http")}
	results, err := suite.RunClient(context.Background(), target, cases, suite.RunOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range results {
		fmt.Println(r.ID, r.Behavior, r.BehaviorClose, *r.RemoteCloseCode)
	}
	// Output:
	// 1.1.1 OK OK 1000
	// 2.2 OK OK 1000
	// 6.3.1 OK OK 1007
}

// Serving cases to a WebSocket client: here the module's own echo client,
// which asks for the case count, runs each case and asks for the reports.
func ExampleServer() {
	cases, _ := suite.Select([]string{"5.1", "5.3"}, nil)
	s := &suite.Server{
		Cases: cases,
		UpdateReports: func(results map[string][]*suite.Result) {
			for _, r := range results["client"] {
				fmt.Println(r.ID, r.Behavior, r.BehaviorClose)
			}
		},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go s.Serve(ln)

	c := &testee.Client{URL: "ws://" + ln.Addr().String(), Agent: "client"}
	if err := c.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 5.1 OK OK
	// 5.3 OK OK
}
