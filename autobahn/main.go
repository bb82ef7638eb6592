package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/autobahn/suite"
)

// config is the command line.
type config struct {
	mode      string
	cases     []string
	exclude   []string
	agent     string
	url       string
	addr      string
	out       string
	spec      string
	parallel  int
	heavy     int
	chopDelay time.Duration
	timeScale float64
	verbose   bool
	profile   string
}

// defaultAgent names this module in the reports.
const defaultAgent = "rfc6455-ws"

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("autobahn", flag.ContinueOnError)
	c := &config{}
	var cases, exclude string
	fs.StringVar(&c.mode, "mode", "", "fuzzingclient, fuzzingserver, testee-server or testee-client; none tests this module both ways")
	fs.StringVar(&cases, "cases", "*", "cases to run: comma-separated ids or patterns such as 1.* or 12.2.*")
	fs.StringVar(&exclude, "exclude", "", "cases to leave out, in the same syntax")
	fs.StringVar(&c.agent, "agent", "", "name of the agent under test in the reports (default "+defaultAgent+"; a fuzzing client's target defaults to its Server header)")
	fs.StringVar(&c.url, "url", "", "fuzzingclient: the server to test; testee-client: the fuzzing server")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:9001", "fuzzingserver, testee-server: the address to listen on")
	fs.StringVar(&c.out, "out", "reports", "directory of the reports (servers/ and clients/ below it)")
	fs.StringVar(&c.spec, "spec", "", "a wstest spec file (fuzzingclient.json or fuzzingserver.json) instead of -url/-cases/-exclude/-out")
	fs.IntVar(&c.parallel, "parallel", 0, fmt.Sprintf("cases run at once (default %d; testee-client: 1)", suite.DefaultParallel))
	fs.IntVar(&c.heavy, "heavy", 0, fmt.Sprintf("cases of groups 9, 12 and 13 run at once (default %d, the processors)", suite.DefaultHeavyParallel))
	fs.DurationVar(&c.chopDelay, "chop-delay", 0, "pause after each chopped or sync write (default: a yield)")
	fs.Float64Var(&c.timeScale, "timescale", 1, "multiply every timer of the cases by this factor, for slow peers (verdicts are defined at 1)")
	fs.BoolVar(&c.verbose, "v", false, "print a line per case")
	fs.StringVar(&c.profile, "cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	c.cases = splitList(cases)
	c.exclude = splitList(exclude)
	return c, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// fuzzOptions are the connection options the flags set.
func (c *config) fuzzOptions() fuzz.Options {
	return fuzz.Options{ChopDelay: c.chopDelay, TimeScale: c.timeScale, Agent: "rfc6455-ws-autobahn"}
}

// runOptions are the scheduling options the flags set.
func (c *config) runOptions() suite.RunOptions {
	return suite.RunOptions{Parallel: c.parallel, HeavyParallel: c.heavy, Fuzz: c.fuzzOptions()}
}

// errFailures means the run completed and some case failed.
var errFailures = errors.New("some cases failed")

func main() { os.Exit(run()) }

// run runs the command and returns its exit status: 0 for success, 1 when
// cases failed, 2 for an error.
func run() int {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "autobahn:", err)
		return 2
	}
	if cfg.profile != "" {
		f, err := os.Create(cfg.profile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "autobahn:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	switch cfg.mode {
	case "":
		err = runSelfTest(ctx, cfg)
	case "fuzzingclient":
		err = runFuzzingClient(ctx, cfg)
	case "fuzzingserver":
		err = runFuzzingServer(ctx, cfg)
	case "testee-server":
		err = runTesteeServer(ctx, cfg)
	case "testee-client":
		err = runTesteeClient(ctx, cfg)
	default:
		err = fmt.Errorf("unknown mode %q", cfg.mode)
	}
	return exitCode(err)
}

// exitCode is 0 for success, 1 when cases failed, 2 for an error.
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errFailures):
		return 1
	}
	fmt.Fprintln(os.Stderr, "autobahn:", err)
	return 2
}
