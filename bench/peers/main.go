package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	var (
		serve       = flag.String("serve", "", "run the echo server of this library (a column name) instead of measuring")
		addr        = flag.String("addr", "127.0.0.1:0", "with -serve: the address to listen on")
		control     = flag.Bool("control", false, "with -serve: take commands on stdin and stop at its end (the load client's protocol)")
		cpu         = flag.Int("cpu", -1, "with -serve: the CPU to pin the server to; negative for none")
		conformance = flag.Bool("conformance", false, "with -serve: configure the server as the library's own Autobahn server")
		cpuprofile  = flag.String("cpuprofile", "", "with -serve: write a CPU profile to this file")
		memprofile  = flag.String("memprofile", "", "with -serve -control: the file of the heap profile the heap command writes")
		profiles    = flag.String("profiles", "", "a directory for the servers' CPU profiles, and heap profiles with idle connections open")

		quick  = flag.Bool("quick", false, "a smoke run of about a minute: one repetition, short windows, 1,000 idle connections")
		only   = flag.String("only", "", "comma-separated libraries to measure (default all but conn-stream)")
		phases = flag.String("phases", "echo,upgrade,idle", "comma-separated phases: echo, upgrade, idle")
		cells  = flag.String("cells", "", `comma-separated patterns of echo cells to run, matched against names such as "16 B c=64 f=16" (default all)`)
		pin    = flag.String("pin", "split", "CPU pinning: split (server on CPU 1, client on CPU 0), same (both on CPU 0) or off")
		reps   = flag.Int("reps", 3, "repetitions of each measurement; the table shows medians")
		window = flag.Duration("window", 300*time.Millisecond, "measurement window of each echo and upgrade cell")
		warm   = flag.Duration("warm", 50*time.Millisecond, "warm-up before each window, after every connection had an echo")
		idle   = flag.Int("idle", 10000, "idle connections held open to measure memory")
	)
	flag.Parse()

	if *serve != "" {
		lib, ok := findLibrary(*serve)
		if !ok {
			fatalf("unknown library %q", *serve)
		}
		cfg := serveConfig{lib: lib, addr: *addr, cpu: *cpu, conformance: *conformance, controlled: *control,
			cpuprofile: *cpuprofile, memprofile: *memprofile}
		if err := serveMain(cfg); err != nil {
			fatalf("%s server: %v", lib.name, err)
		}
		return
	}

	cfg := runConfig{
		phases:         map[string]bool{},
		reps:           *reps,
		cells:          selectCells(defaultCells(), *cells),
		warm:           *warm,
		window:         *window,
		upgradeWorkers: 16,
		idleConns:      *idle,
		idleReps:       1,
		profiles:       *profiles,
		log:            os.Stderr,
	}
	if *quick {
		cfg.reps, cfg.warm, cfg.window, cfg.idleConns = 1, 20*time.Millisecond, 150*time.Millisecond, 1000
	}
	for _, p := range strings.Split(*phases, ",") {
		switch p {
		case "echo", "upgrade", "idle":
			cfg.phases[p] = true
		default:
			fatalf("unknown phase %q", p)
		}
	}
	for _, lib := range libraries {
		if !lib.extra {
			cfg.libs = append(cfg.libs, lib)
		}
	}
	if *only != "" {
		cfg.libs = nil
		for _, name := range strings.Split(*only, ",") {
			lib, ok := findLibrary(name)
			if !ok {
				fatalf("unknown library %q", name)
			}
			cfg.libs = append(cfg.libs, lib)
		}
	}
	switch *pin {
	case "split":
		cfg.serverCPU = 1
		pinOrDie(0)
	case "same":
		cfg.serverCPU = 0
		pinOrDie(0)
	case "off":
		cfg.serverCPU = -1
	default:
		fatalf("-pin must be split, same or off")
	}
	if cfg.phases["idle"] {
		cfg.idleConns = fitFileLimit(cfg.idleConns)
	}

	start, loadBefore := time.Now(), loadAverage()
	if l, err := strconv.ParseFloat(loadBefore, 64); err == nil && l > 1 {
		fmt.Fprintf(os.Stderr, "peers: load average %s: other work competes for the CPUs and makes the results noisy\n", loadBefore)
	}
	res := run(cfg)
	fmt.Printf("%s; %s, %s/%s, %d CPUs, Linux %s\n", start.UTC().Format("2006-01-02 15:04 MST"),
		cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), kernelRelease())
	fmt.Printf("pin %s, %d repetitions (medians), %v windows after %v of warm-up; took %v; load average %s before, %s after\n\n",
		*pin, cfg.reps, cfg.window, cfg.warm, time.Since(start).Round(time.Second), loadBefore, loadAverage())
	res.writeTable(os.Stdout, cfg.libs)
	if len(res.failures) > 0 {
		os.Exit(1)
	}
}

// defaultCells are the echo workloads: every size with 1 and 64
// connections and 1 and 16 messages in flight.
func defaultCells() []echoCell {
	var cells []echoCell
	for _, size := range []int{16, 1 << 10, 64 << 10, 1 << 20} {
		for _, conns := range []int{1, 64} {
			for _, inflight := range []int{1, 16} {
				cells = append(cells, echoCell{size, conns, inflight})
			}
		}
	}
	return cells
}

// selectCells returns the cells whose names contain one of the
// comma-separated patterns, or all of them if there is none.
func selectCells(cells []echoCell, patterns string) []echoCell {
	if patterns == "" {
		return cells
	}
	var selected []echoCell
	for _, c := range cells {
		for _, p := range strings.Split(patterns, ",") {
			if strings.Contains(c.String(), p) {
				selected = append(selected, c)
				break
			}
		}
	}
	return selected
}

// fitFileLimit returns n, or fewer if the limit on open files (which Go
// raises to its hard limit at start) does not allow n connections in
// each process with room to spare.
func fitFileLimit(n int) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return n
	}
	if room := int(lim.Cur) - 256; room < n {
		fmt.Fprintf(os.Stderr, "open file limit %d: measuring idle memory with %d connections instead of %d\n", lim.Cur, room, n)
		return room
	}
	return n
}

func pinOrDie(cpu int) {
	if err := pinToCPU(cpu); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "peers: "+format+"\n", args...)
	os.Exit(1)
}

// waitForSignal blocks until the process is interrupted.
func waitForSignal() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	<-c
}
