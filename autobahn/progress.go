package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/rfc6455/ws/autobahn/report"
	"github.com/rfc6455/ws/autobahn/suite"
)

// tickEvery is how often progress prints a counter while no group ends.
const tickEvery = 15 * time.Second

// progress prints a line on w when a case group is complete, and a
// counter now and then in between; with verbose, a line per case.
type progress struct {
	label   string
	w       io.Writer
	verbose bool
	start   time.Time

	mu     sync.Mutex
	total  map[string]int // group -> cases selected
	done   map[string]int
	counts map[string]*report.Counts
	n, all int
	last   time.Time
	stop   chan struct{}
	wg     sync.WaitGroup
}

func newProgress(w io.Writer, label string, cases []*suite.Case, verbose bool) *progress {
	p := &progress{
		label: label, w: w, verbose: verbose, start: time.Now(), last: time.Now(),
		total: map[string]int{}, done: map[string]int{}, counts: map[string]*report.Counts{},
		all: len(cases), stop: make(chan struct{}),
	}
	for _, c := range cases {
		g, _ := suite.Category(c.ID)
		p.total[g]++
	}
	p.wg.Add(1)
	go p.tick()
	return p
}

func (p *progress) tick() {
	defer p.wg.Done()
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if time.Since(p.last) >= tickEvery {
				fmt.Fprintf(p.w, "[%s] %d/%d cases done (%s)\n", p.label, p.n, p.all, time.Since(p.start).Round(time.Second))
				p.last = time.Now()
			}
			p.mu.Unlock()
		}
	}
}

// Close stops the counter.
func (p *progress) Close() {
	close(p.stop)
	p.wg.Wait()
}

// Done notes a finished case; it is safe from any goroutine.
func (p *progress) Done(r *suite.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	g, title := suite.Category(r.ID)
	if p.counts[g] == nil {
		p.counts[g] = &report.Counts{}
	}
	p.counts[g].Add(r)
	p.done[g]++
	if p.verbose {
		fmt.Fprintf(p.w, "[%s] case %s: %s, closing %s (%d ms)\n", p.label, r.ID, r.Behavior, r.BehaviorClose, r.Duration)
	}
	if p.done[g] == p.total[g] {
		fmt.Fprintf(p.w, "[%s] %s %s: %d cases, %s (%s)\n", p.label, g, title, p.total[g], countsText(p.counts[g]), time.Since(p.start).Round(100*time.Millisecond))
		p.last = time.Now()
	}
}

// countsText lists the verdicts that occur in c.
func countsText(c *report.Counts) string {
	var parts []string
	for _, v := range []struct {
		n    int
		name string
	}{{c.OK, "OK"}, {c.NonStrict, "NON-STRICT"}, {c.Informational, "INFORMATIONAL"}, {c.Unimplemented, "UNIMPLEMENTED"}, {c.Failed, "FAILED"}, {c.FailedClose, "failed closing"}} {
		if v.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", v.n, v.name))
		}
	}
	return strings.Join(parts, ", ")
}
