package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/autobahn/report"
	"github.com/rfc6455/ws/autobahn/suite"
	"github.com/rfc6455/ws/autobahn/testee"
)

// agentOr returns the -agent flag, or def.
func (c *config) agentOr(def string) string {
	if c.agent != "" {
		return c.agent
	}
	return def
}

// selection returns the cases the flags or the spec choose, and the
// spec (nil without -spec).
func (c *config) selection() ([]*suite.Case, *suite.Spec, error) {
	if c.spec == "" {
		cases, err := suite.Select(c.cases, c.exclude)
		return cases, nil, err
	}
	spec, err := suite.LoadSpec(c.spec)
	if err != nil {
		return nil, nil, err
	}
	cases, err := suite.Select(spec.Cases, spec.ExcludeCases)
	return cases, spec, err
}

// serversDir and clientsDir are where the reports of each direction go.
func (c *config) serversDir() string { return filepath.Join(c.out, "servers") }
func (c *config) clientsDir() string { return filepath.Join(c.out, "clients") }

// serveHTTP serves h on ln until stop is called.
func serveHTTP(ln net.Listener, h http.Handler) (stop func()) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		srv.Serve(ln)
	}()
	return func() {
		srv.Close()
		wg.Wait()
	}
}

// runSelfTest tests this module both ways on loopback.
func runSelfTest(ctx context.Context, cfg *config) error {
	cases, _, err := cfg.selection()
	if err != nil {
		return err
	}
	agent := cfg.agentOr(defaultAgent)
	start := time.Now()

	// This module's server against the fuzzing client.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	stopServer := serveHTTP(ln, testee.Server())
	servers, err := fuzzServer(ctx, cfg, suite.Target{Agent: agent, URL: "ws://" + ln.Addr().String() + "/"}, cases, "servers")
	stopServer()
	if err != nil {
		return err
	}
	if err := report.Write(cfg.serversDir(), "WebSocket servers tested by the fuzzing client", map[string][]*suite.Result{agent: servers}); err != nil {
		return err
	}
	serversTime := time.Since(start)

	// This module's client against the fuzzing server.
	clients, err := fuzzClient(ctx, cfg, agent, cases)
	if err != nil {
		return err
	}
	total := time.Since(start)

	failed := printSummary(os.Stdout, fmt.Sprintf("servers: %s's echo server, %d cases in %s (reports in %s)", agent, len(servers), serversTime.Round(time.Second), cfg.serversDir()), servers)
	failed = printSummary(os.Stdout, fmt.Sprintf("clients: %s's echo client, %d cases in %s (reports in %s)", agent, len(clients), (total-serversTime).Round(time.Second), cfg.clientsDir()), clients) || failed
	fmt.Printf("\ntotal %s\n", total.Round(time.Second))
	if failed {
		return errFailures
	}
	return nil
}

// fuzzServer runs cases against one server with progress on stderr.
func fuzzServer(ctx context.Context, cfg *config, target suite.Target, cases []*suite.Case, label string) ([]*suite.Result, error) {
	p := newProgress(os.Stderr, label, cases, cfg.verbose)
	defer p.Close()
	opts := cfg.runOptions()
	opts.Done = p.Done
	return suite.RunClient(ctx, target, cases, opts)
}

// fuzzClient serves cases on loopback and runs this module's client
// through them; it writes the reports and returns the client's results.
func fuzzClient(ctx context.Context, cfg *config, agent string, cases []*suite.Case) ([]*suite.Result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := newProgress(os.Stderr, "clients", cases, cfg.verbose)
	defer p.Close()
	var reportErr error
	s := &suite.Server{
		Cases: cases,
		Fuzz:  cfg.fuzzOptions(),
		Done:  p.Done,
		UpdateReports: func(results map[string][]*suite.Result) {
			reportErr = report.Write(cfg.clientsDir(), "WebSocket clients tested by the fuzzing server", results)
		},
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	defer func() {
		ln.Close()
		<-done
	}()
	parallel := cfg.parallel
	if parallel <= 0 {
		parallel = suite.DefaultParallel
	}
	heavy := cfg.heavy
	if heavy <= 0 {
		heavy = suite.DefaultHeavyParallel
	}
	client := &testee.Client{
		URL:           "ws://" + ln.Addr().String(),
		Agent:         agent,
		Parallel:      parallel,
		HeavyParallel: heavy,
		Heavy:         func(n int) bool { return suite.Heavy(cases[n-1]) },
	}
	if err := client.Run(ctx); err != nil {
		return nil, err
	}
	if reportErr != nil {
		return nil, reportErr
	}
	return s.Results()[agent], nil
}

// runFuzzingClient is -mode fuzzingclient.
func runFuzzingClient(ctx context.Context, cfg *config) error {
	cases, spec, err := cfg.selection()
	if err != nil {
		return err
	}
	targets := []suite.Target{{Agent: cfg.agent, URL: cfg.url}}
	dir := cfg.serversDir()
	opts := cfg.runOptions()
	if spec != nil {
		targets = spec.Servers
		opts.Exclude = spec.ExcludeAgentCases
		if spec.Outdir != "" {
			dir = spec.Outdir
		}
	}
	if len(targets) == 0 || targets[0].URL == "" {
		return errors.New("fuzzingclient needs -url or a spec with servers")
	}
	all := map[string][]*suite.Result{}
	failed := false
	for _, t := range targets {
		p := newProgress(os.Stderr, t.URL, cases, cfg.verbose)
		opts.Done = p.Done
		results, err := suite.RunClient(ctx, t, cases, opts)
		p.Close()
		if err != nil {
			return err
		}
		if len(results) == 0 {
			continue
		}
		agent := results[0].Agent
		all[agent] = results
		failed = printSummary(os.Stdout, fmt.Sprintf("%s (%s), %d cases", agent, t.URL, len(results)), results) || failed
	}
	if err := report.Write(dir, "WebSocket servers tested by the fuzzing client", all); err != nil {
		return err
	}
	fmt.Printf("\nreports in %s\n", dir)
	if failed {
		return errFailures
	}
	return nil
}

// runFuzzingServer is -mode fuzzingserver: it serves until interrupted or
// asked to stop, and writes the reports whenever a client asks.
func runFuzzingServer(ctx context.Context, cfg *config) error {
	cases, spec, err := cfg.selection()
	if err != nil {
		return err
	}
	addr, dir := cfg.addr, cfg.clientsDir()
	s := &suite.Server{Cases: cases, Fuzz: cfg.fuzzOptions()}
	if spec != nil {
		if spec.URL != "" {
			target, err := fuzzTargetAddr(spec.URL)
			if err != nil {
				return err
			}
			addr = target
		}
		if spec.Outdir != "" {
			dir = spec.Outdir
		}
		s.Exclude = spec.ExcludeAgentCases
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.Stop = cancel
	s.UpdateReports = func(results map[string][]*suite.Result) {
		if err := report.Write(dir, "WebSocket clients tested by the fuzzing server", results); err != nil {
			fmt.Fprintln(os.Stderr, "autobahn: writing reports:", err)
			return
		}
		for agent, rs := range results {
			printSummary(os.Stdout, fmt.Sprintf("%s, %d cases", agent, len(rs)), rs)
		}
		fmt.Printf("reports in %s\n", dir)
	}
	if cfg.verbose {
		s.Done = func(r *suite.Result) {
			fmt.Fprintf(os.Stderr, "case %s for %s: %s, closing %s\n", r.ID, r.Agent, r.Behavior, r.BehaviorClose)
		}
	}
	fmt.Printf("fuzzing server on ws://%s: %d cases for any client that connects\n", ln.Addr(), len(cases))
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	return s.Serve(ln)
}

// fuzzTargetAddr returns the host:port of a ws:// URL.
func fuzzTargetAddr(rawURL string) (string, error) {
	t, err := fuzz.TargetFromURL(rawURL)
	if err != nil {
		return "", err
	}
	return t.Address(), nil
}

// runTesteeServer is -mode testee-server.
func runTesteeServer(ctx context.Context, cfg *config) error {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	fmt.Printf("echo server on ws://%s\n", ln.Addr())
	stop := serveHTTP(ln, testee.Server())
	<-ctx.Done()
	stop()
	return nil
}

// runTesteeClient is -mode testee-client.
func runTesteeClient(ctx context.Context, cfg *config) error {
	if cfg.url == "" {
		return errors.New("testee-client needs -url, the fuzzing server (ws://host:port)")
	}
	c := &testee.Client{URL: cfg.url, Agent: cfg.agentOr(defaultAgent), Parallel: cfg.parallel}
	if err := c.Run(ctx); err != nil {
		return err
	}
	fmt.Println("done; the fuzzing server wrote the reports")
	return nil
}
