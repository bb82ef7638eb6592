package suite

import (
	"context"
	"net"
	"testing"

	"github.com/rfc6455/ws/autobahn/fuzz"
)

// Some cases judge by timeouts of half a second, which a peer on a loaded
// machine (tests run beside other packages' tests and fuzzers) may miss:
// the tests give the peers twice the original's time, and under the race
// detector, which slows everything several times over, three times, with
// fewer cases at once.
var (
	testParallel  = pick(raceEnabled, 8, 16)
	testTimeScale = pick(raceEnabled, 3, 2)
)

// long reports whether to run the slow tests: not with -short, nor under
// the race detector.
func long() bool { return !testing.Short() && !raceEnabled }

func pick[T any](cond bool, ifTrue, ifFalse T) T {
	if cond {
		return ifTrue
	}
	return ifFalse
}

// testFuzzOptions are the connection options of the tests.
var testFuzzOptions = fuzz.Options{TimeScale: float64(testTimeScale)}

// runAgainst runs the cases matching patterns against url and returns the
// results by case id.
func runAgainst(t *testing.T, url string, patterns ...string) map[string]*Result {
	t.Helper()
	cases, err := Select(patterns, nil)
	if err != nil {
		t.Fatal(err)
	}
	results, err := RunClient(context.Background(), Target{URL: url}, cases, RunOptions{Parallel: testParallel, Fuzz: testFuzzOptions})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*Result{}
	for _, r := range results {
		byID[r.ID] = r
	}
	if len(byID) != len(cases) {
		t.Fatalf("%d results for %d cases", len(byID), len(cases))
	}
	return byID
}

// serveCases runs a fuzzing server with the cases matching patterns and
// returns its base URL and the server.
func serveCases(t *testing.T, patterns ...string) (string, *Server) {
	t.Helper()
	cases, err := Select(patterns, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Cases: cases, Fuzz: testFuzzOptions}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ln.Close()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return "ws://" + ln.Addr().String(), s
}

// runAsClient runs the cases matching patterns on a fuzzing server against
// the reference echo client behind wrap, and returns the results by id.
func runAsClient(t *testing.T, wrap func(net.Conn) net.Conn, patterns ...string) map[string]*Result {
	t.Helper()
	base, s := serveCases(t, patterns...)
	runEchoClient(t, base, "reference", wrap)
	byID := map[string]*Result{}
	for _, r := range s.Results()["reference"] {
		byID[r.ID] = r
	}
	if len(byID) != len(s.Cases) {
		t.Fatalf("%d results for %d cases", len(byID), len(s.Cases))
	}
	return byID
}
