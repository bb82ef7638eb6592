package main

import (
	"fmt"
	"io"
	"path/filepath"
	"syscall"
	"time"
)

// runConfig is what a run measures and how.
type runConfig struct {
	libs   []library
	phases map[string]bool // "echo", "upgrade", "idle"
	reps   int

	cells        []echoCell
	warm, window time.Duration // per echo or upgrade cell

	upgradeWorkers int
	idleConns      int
	idleReps       int

	serverCPU int    // negative: not pinned
	profiles  string // directory for the servers' profiles, or ""
	log       io.Writer
}

// run measures everything cfg asks for. A measurement that fails is
// recorded in the results and the run goes on with the next.
func run(cfg runConfig) *results {
	res := newResults()
	phase := func(lib library, name string, rep int, measure func(cfg runConfig, p *serverProc, res *results) error) {
		err := withServer(cfg, lib, name, rep, func(p *serverProc) error { return measure(cfg, p, res) })
		if err != nil {
			res.fail(err)
			fmt.Fprintf(cfg.log, "FAILED: %v\n", err)
		}
	}
	for rep := range cfg.reps {
		for _, lib := range cfg.libs {
			if cfg.phases["echo"] && lib.echo {
				phase(lib, "echo", rep, measureEcho)
			}
			if cfg.phases["upgrade"] {
				phase(lib, "upgrade", rep, measureUpgrades)
			}
			if cfg.phases["idle"] && rep < cfg.idleReps {
				phase(lib, "idle", rep, measureIdle)
			}
		}
	}
	return res
}

// withServer runs measure against a fresh server process of lib.
func withServer(cfg runConfig, lib library, phase string, rep int, measure func(*serverProc) error) error {
	sc := serveConfig{lib: lib, addr: "127.0.0.1:0", cpu: cfg.serverCPU, controlled: true}
	if cfg.profiles != "" {
		name := filepath.Join(cfg.profiles, fmt.Sprintf("%s-%s-%d", lib.name, phase, rep+1))
		sc.cpuprofile = name + ".cpu.pprof"
		if phase == "idle" {
			sc.memprofile = name + ".heap.pprof"
		}
	}
	p, err := startServer(sc)
	if err != nil {
		return err
	}
	start := time.Now()
	err = measure(p)
	if serr := p.stop(); err == nil {
		err = serr
	}
	fmt.Fprintf(cfg.log, "%-10s %s, repetition %d: %v\n", lib.name, phase, rep+1, time.Since(start).Round(time.Millisecond))
	if err != nil {
		return fmt.Errorf("%s, %s: %w", lib.name, phase, err)
	}
	return nil
}

// window is what happened on a server between two snapshots.
type window struct {
	elapsed  time.Duration
	count    int64 // messages or upgrades the client counted
	cpu      time.Duration
	syscalls int64
	mallocs  uint64
	bytes    uint64
	peak     int64 // peak RSS at the end
}

func between(a, b snapshot) window {
	return window{
		elapsed:  time.Duration(b.stats.Time - a.stats.Time),
		count:    b.count - a.count,
		cpu:      b.stats.CPU - a.stats.CPU,
		syscalls: b.stats.Syscalls - a.stats.Syscalls,
		mallocs:  b.stats.Mallocs - a.stats.Mallocs,
		bytes:    b.stats.TotalAlloc - a.stats.TotalAlloc,
		peak:     b.proc.Peak,
	}
}

// measureWindow lets a load warm up, then returns what the server did and
// how far count advanced during the window that follows.
func measureWindow(cfg runConfig, p *serverProc, count func() int64) (window, error) {
	time.Sleep(cfg.warm)
	s0, err := p.snapshot("stats", count)
	if err != nil {
		return window{}, err
	}
	time.Sleep(cfg.window)
	s1, err := p.snapshot("stats", count)
	if err != nil {
		return window{}, err
	}
	return between(s0, s1), nil
}

// clientCPU returns the CPU time this process used so far.
func clientCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func sizeName(size int) string {
	switch {
	case size >= 1<<20 && size%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", size>>20)
	case size >= 1<<10 && size%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", size>>10)
	}
	return fmt.Sprintf("%d B", size)
}
