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

// sizeTotals adds up the windows of the cells of one message size.
type sizeTotals struct {
	msgs       int64
	cpu        time.Duration
	mallocs    uint64
	bytes      uint64
	syscalls   int64
	peakByConn map[int]int64
}

func measureEcho(cfg runConfig, p *serverProc, res *results) error {
	totals := map[int]*sizeTotals{}
	var sizes []int
	for _, cell := range cfg.cells {
		// The peak is the cell's own: what earlier cells left behind is
		// collected and returned to the system first.
		if _, err := p.stats("gc"); err != nil {
			return err
		}
		if err := p.resetPeak(); err != nil {
			return err
		}
		w, clientUse, err := measureEchoCell(cfg, p, cell)
		if err != nil {
			if p.exited() {
				return fmt.Errorf("%v: %w", cell, err)
			}
			// The server lives: the next cells may still be measured.
			res.fail(fmt.Errorf("%s, echo %v: %w", p.lib.name, cell, err))
			fmt.Fprintf(cfg.log, "FAILED: %s, echo %v: %v\n", p.lib.name, cell, err)
			continue
		}
		msgs := w.count
		rate := float64(msgs) / w.elapsed.Seconds()
		res.add(metric{sectionThroughput, fmt.Sprintf("msg/s %v", cell), true}, p.lib.name, rate)
		res.add(metric{sectionThroughput, fmt.Sprintf("MB/s %v", cell), true}, p.lib.name, rate*float64(cell.size)/1e6)
		fmt.Fprintf(cfg.log, "%-10s %-18v %9.0f msg/s %8.1f MB/s  server %6.2f µs/msg %6.2f allocs/msg %5.2f syscalls/msg  peak %5.1f MiB  CPU server %3.0f%% client %3.0f%%\n",
			p.lib.name, cell, rate, rate*float64(cell.size)/1e6,
			float64(w.cpu.Microseconds())/float64(msgs), float64(w.mallocs)/float64(msgs),
			float64(w.syscalls)/float64(msgs), float64(w.peak)/(1<<20),
			100*float64(w.cpu)/float64(w.elapsed), 100*clientUse)

		t, ok := totals[cell.size]
		if !ok {
			t = &sizeTotals{peakByConn: map[int]int64{}}
			totals[cell.size] = t
			sizes = append(sizes, cell.size)
		}
		t.msgs += msgs
		t.cpu += w.cpu
		t.mallocs += w.mallocs
		t.bytes += w.bytes
		t.syscalls += w.syscalls
		t.peakByConn[cell.conns] = max(t.peakByConn[cell.conns], w.peak)
	}
	for _, size := range sizes {
		t := totals[size]
		name := sizeName(size)
		per := func(what string, v float64) {
			res.add(metric{sectionPerMessage, what + " " + name, false}, p.lib.name, v/float64(t.msgs))
		}
		per("server CPU s/1e6 msg", t.cpu.Seconds()*1e6)
		per("allocs/msg", float64(t.mallocs))
		per("B alloc/msg", float64(t.bytes))
		per("read+write syscalls/msg", float64(t.syscalls))
		for _, conns := range []int{1, 64} {
			if peak, ok := t.peakByConn[conns]; ok {
				res.add(metric{sectionPerMessage, fmt.Sprintf("peak RSS MiB %s c=%d", name, conns), false}, p.lib.name, float64(peak)/(1<<20))
			}
		}
	}
	return nil
}

// measureEchoCell runs one echo cell and returns the window measured and
// the client's CPU use meanwhile.
func measureEchoCell(cfg runConfig, p *serverProc, cell echoCell) (window, float64, error) {
	load, err := startEcho(p.addr, cell)
	if err != nil {
		return window{}, 0, err
	}
	// Buffers grow with the first message of each connection; the window
	// measures the steady state.
	waited := time.Now()
	if err := load.waitEachEchoed(20 * time.Second); err != nil {
		load.stop()
		return window{}, 0, err
	}
	if d := time.Since(waited); d > time.Second {
		fmt.Fprintf(cfg.log, "%s, %v: %v until every connection had an echo\n", p.lib.name, cell, d.Round(time.Millisecond))
	}
	cpu0, t0 := clientCPU(), time.Now()
	w, err := measureWindow(cfg, p, load.echoed)
	clientUse := float64(clientCPU()-cpu0) / float64(time.Since(t0))
	if serr := load.stop(); err == nil {
		err = serr
	}
	if err == nil && w.count == 0 {
		err = fmt.Errorf("no message echoed in %v", w.elapsed)
	}
	return w, clientUse, err
}

func measureUpgrades(cfg runConfig, p *serverProc, res *results) error {
	load := startUpgrades(p.addr, cfg.upgradeWorkers)
	cpu0, t0 := clientCPU(), time.Now()
	w, err := measureWindow(cfg, p, load.upgrades.Load)
	clientUse := float64(clientCPU()-cpu0) / float64(time.Since(t0))
	n := w.count
	if serr := load.stop(); err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("no upgrade in %v", w.elapsed)
	}
	sect, path := sectionUpgradeHTTP, "net/http"
	if p.lib.raw {
		sect, path = sectionUpgradeRaw, "raw net.Conn"
	}
	rate := float64(n) / w.elapsed.Seconds()
	per := float64(n)
	res.add(metric{sect, "upgrades/s, " + path, true}, p.lib.name, rate)
	res.add(metric{sect, "server CPU µs/upgrade, " + path, false}, p.lib.name, float64(w.cpu.Microseconds())/per)
	res.add(metric{sect, "allocs/upgrade, " + path, false}, p.lib.name, float64(w.mallocs)/per)
	res.add(metric{sect, "B alloc/upgrade, " + path, false}, p.lib.name, float64(w.bytes)/per)
	fmt.Fprintf(cfg.log, "%-10s upgrades (%s) %7.0f/s, server %5.1f µs %6.1f allocs %7.0f B each, client CPU %3.0f%%\n",
		p.lib.name, path, rate, float64(w.cpu.Microseconds())/per, float64(w.mallocs)/per, float64(w.bytes)/per, 100*clientUse)
	return nil
}

func measureIdle(cfg runConfig, p *serverProc, res *results) error {
	before, err := p.snapshot("gc", nil)
	if err != nil {
		return err
	}
	conns, err := openIdle(p.addr, cfg.idleConns, 64)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	// Let every server goroutine reach its wait for the first frame.
	time.Sleep(200 * time.Millisecond)
	cmd := "gc"
	if cfg.profiles != "" {
		cmd = "heap"
	}
	after, err := p.snapshot(cmd, nil)
	if err != nil {
		return err
	}
	n := float64(cfg.idleConns)
	rss := float64(after.proc.RSS-before.proc.RSS) / n
	heap := float64(int64(after.stats.HeapInuse)-int64(before.stats.HeapInuse)) / n
	stack := float64(int64(after.stats.StackInuse)-int64(before.stats.StackInuse)) / n
	name := fmt.Sprintf("idle conns (%d)", cfg.idleConns)
	res.add(metric{sectionIdle, "RSS KiB/conn, " + name, false}, p.lib.name, rss/1024)
	res.add(metric{sectionIdle, "heap KiB/conn, " + name, false}, p.lib.name, heap/1024)
	res.add(metric{sectionIdle, "stack KiB/conn, " + name, false}, p.lib.name, stack/1024)
	fmt.Fprintf(cfg.log, "%-10s idle: %6.2f KiB RSS, %6.2f KiB heap, %6.2f KiB stack per connection, %d goroutines\n",
		p.lib.name, rss/1024, heap/1024, stack/1024, after.stats.Goroutines)
	return nil
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
