package suite

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
)

// Defaults of the runners.
const (
	// DefaultParallel is how many cases run at once by default.
	DefaultParallel = 16
	// DialTimeout bounds connecting to a server.
	DialTimeout = 5 * time.Second
)

// DefaultHeavyParallel is how many of the heavy cases (groups 9, 12 and
// 13, which move megabytes or run thousands of round trips) run at once by
// default: two per processor. They are bound by the processor, but each
// is a ping-pong of one message at a time in which its two ends take
// turns, so one case alone keeps a single processor busy at most.
var DefaultHeavyParallel = 2 * runtime.GOMAXPROCS(0)

// Heavy reports whether a case is one of the processor-bound ones.
func Heavy(c *Case) bool {
	g, _ := Category(c.ID)
	return g == "9" || g == "12" || g == "13"
}

// RunOptions configure a run of cases.
type RunOptions struct {
	// Parallel bounds how many light cases run at once (0:
	// DefaultParallel), HeavyParallel how many heavy ones (0:
	// DefaultHeavyParallel); light and heavy cases never run together. The
	// original runs one case at a time; the cases share no state, so
	// running them side by side changes nothing but the load on the peer.
	Parallel      int
	HeavyParallel int
	// Fuzz configures each case's connection.
	Fuzz fuzz.Options
	// Exclude skips cases per agent (the original's exclude-agent-cases).
	Exclude AgentExclusions
	// Done, if set, is called after each case, from any goroutine.
	Done func(*Result)
}

// scheduler starts cases in order: light ones up to one bound at once,
// heavy ones up to another. The two kinds never run at the same time: the
// light cases judge by timeouts of half a second to a few seconds, which
// the load of a heavy case beside them could make a peer miss.
type scheduler struct {
	light, heavy chan struct{}
	started      bool
	heavyPhase   bool
	wg           sync.WaitGroup
}

func newScheduler(o *RunOptions) *scheduler {
	p, hp := o.Parallel, o.HeavyParallel
	if p <= 0 {
		p = DefaultParallel
	}
	if hp <= 0 {
		hp = DefaultHeavyParallel
	}
	return &scheduler{light: make(chan struct{}, p), heavy: make(chan struct{}, hp)}
}

// run starts fn for c once the bounds allow; it waits for a place, so cases
// start in the order given. It reports false if ctx ended first.
func (s *scheduler) run(ctx context.Context, c *Case, fn func()) bool {
	heavy := Heavy(c)
	if s.started && heavy != s.heavyPhase {
		s.wg.Wait()
	}
	s.started, s.heavyPhase = true, heavy
	slots := s.light
	if heavy {
		slots = s.heavy
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() { <-slots }()
		fn()
	}()
	return true
}

// Target is a server to run cases against: the original's "servers"
// entries of a fuzzingclient spec.
type Target struct {
	Agent     string   `json:"agent"` // name in the report; the server's Server header if empty
	URL       string   `json:"url"`
	Origin    string   `json:"origin,omitempty"`
	Protocols []string `json:"protocols,omitempty"`
}

// RunClient runs cases against a server as the original's fuzzing client
// does, one connection per case, and returns the results in case order.
// Cases the configuration excludes for the agent have no result. A server
// that cannot be reached ends the run with an error.
func RunClient(ctx context.Context, target Target, cases []*Case, opts RunOptions) ([]*Result, error) {
	dst, err := fuzz.TargetFromURL(target.URL)
	if err != nil {
		return nil, err
	}
	dst.Origin, dst.Protocols = target.Origin, target.Protocols
	results := make([]*Result, len(cases))
	var (
		mu      sync.Mutex
		dialErr error
	)
	s := newScheduler(&opts)
	for i, c := range cases {
		mu.Lock()
		failed := dialErr != nil
		mu.Unlock()
		if failed {
			break
		}
		ok := s.run(ctx, c, func() {
			r, err := runClientCase(ctx, dst, target.Agent, c, &opts)
			mu.Lock()
			if err != nil && dialErr == nil {
				dialErr = err
			}
			results[i] = r
			mu.Unlock()
			if r != nil && opts.Done != nil {
				opts.Done(r)
			}
		})
		if !ok {
			break
		}
	}
	s.wg.Wait()
	if dialErr != nil {
		return nil, dialErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := results[:0]
	for _, r := range results {
		if r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// runClientCase runs one case on a new connection.
func runClientCase(ctx context.Context, dst fuzz.ClientTarget, agent string, c *Case, opts *RunOptions) (*Result, error) {
	d := net.Dialer{Timeout: DialTimeout}
	nc, err := d.DialContext(ctx, "tcp", dst.Address())
	if err != nil {
		return nil, fmt.Errorf("suite: connecting to %s: %w", dst.Address(), err)
	}
	p := fuzz.NewClient(nc, dst, &opts.Fuzz)
	var res *Result
	t := newTest(c, p, agent, func(t *Test) {
		if !t.excluded {
			res = t.result(Index(c.ID))
		}
	})
	t.exclude = opts.Exclude
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	p.Run(t)
	return res, nil
}
