package testee_test

import (
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/autobahn/suite"
	"github.com/rfc6455/ws/autobahn/testee"
)

// The groups these tests run: all but the heavy ones (9, 12, 13), which
// the command runs.
var lightGroups = []string{"1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "10.*"}

// testOptions give peers on a loaded machine twice the original's time.
var testOptions = suite.RunOptions{Parallel: 8, Fuzz: fuzz.Options{TimeScale: 2}}

func failures(t *testing.T, results []*suite.Result, want int) {
	t.Helper()
	if len(results) != want {
		t.Errorf("%d results, want %d", len(results), want)
	}
	for _, r := range results {
		if r.Failed() {
			t.Errorf("case %s: %s, closing %s: %s %s", r.ID, r.Behavior, r.BehaviorClose, r.Result, r.ResultClose)
		}
	}
}

// TestServer runs the fuzzing client against the echo server.
func TestServer(t *testing.T) {
	srv := httptest.NewServer(testee.Server())
	defer srv.Close()
	cases, err := suite.Select(lightGroups, nil)
	if err != nil {
		t.Fatal(err)
	}
	target := suite.Target{Agent: "server", URL: "ws" + strings.TrimPrefix(srv.URL, "http")}
	results, err := suite.RunClient(context.Background(), target, cases, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	failures(t, results, len(cases))
}

// TestClient runs the echo client against the fuzzing server.
func TestClient(t *testing.T) {
	cases, err := suite.Select(lightGroups, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &suite.Server{Cases: cases, Fuzz: testOptions.Fuzz}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	c := &testee.Client{URL: "ws://" + ln.Addr().String(), Agent: "client", Parallel: testOptions.Parallel}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	failures(t, s.Results()["client"], len(cases))
}
