package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
	"time"
)

// serverStats are the counters a server process reports about itself, all
// read at one instant, which it reports too: the load client matches it
// with its own count of messages at that instant.
type serverStats struct {
	Time int64 // when, in nanoseconds since the Unix epoch

	// CPU is the user plus system time of the process, from getrusage:
	// utime+stime of /proc/PID/stat, at microsecond resolution rather
	// than in clock ticks of 10 ms.
	CPU time.Duration
	// Syscalls counts read and write system calls, the readv and writev
	// families included (syscr+syscw of /proc/PID/io).
	Syscalls int64

	Mallocs    uint64 // cumulative count of heap objects allocated
	TotalAlloc uint64 // cumulative bytes allocated
	HeapInuse  uint64 // bytes in in-use heap spans
	StackInuse uint64 // bytes of goroutine stacks
	Goroutines int
}

// reporter reads serverStats for the load client. The reports allocate
// (reading /proc, encoding JSON); it keeps count, and the allocations it
// reports leave its own out, so that a window between two reports counts
// the server's allocations alone.
type reporter struct {
	m        runtime.MemStats
	own      uint64 // objects the reports allocated
	ownBytes uint64
}

// read returns the counters as they are now.
func (r *reporter) read() (serverStats, error) {
	runtime.ReadMemStats(&r.m)
	s := serverStats{
		Time:       time.Now().UnixNano(),
		Mallocs:    r.m.Mallocs - r.own,
		TotalAlloc: r.m.TotalAlloc - r.ownBytes,
		HeapInuse:  r.m.HeapInuse,
		StackInuse: r.m.StackInuse,
		Goroutines: runtime.NumGoroutine(),
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return s, err
	}
	s.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	io, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return s, err
	}
	s.Syscalls, err = ioSyscalls(io)
	return s, err
}

// report writes the counters to w as a JSON line.
func (r *reporter) report(w io.Writer) error {
	s, err := r.read()
	if err != nil {
		return err
	}
	mallocs, total := r.m.Mallocs, r.m.TotalAlloc
	err = json.NewEncoder(w).Encode(s)
	runtime.ReadMemStats(&r.m)
	r.own += r.m.Mallocs - mallocs
	r.ownBytes += r.m.TotalAlloc - total
	return err
}

// serveConfig is the configuration of a server process.
type serveConfig struct {
	lib         library
	addr        string
	cpu         int  // the CPU to pin the process to; negative for none
	conformance bool // see library.serve
	controlled  bool // take the load client's commands on stdin
	cpuprofile  string
	memprofile  string // written by the "heap" command
}

// serveMain is the server process: it runs an echo server on cfg.addr and
// prints "listening ADDR" on stdout. Under the load client's control it
// then answers commands read on stdin until stdin ends:
//
//	stats   print serverStats as a JSON line
//	gc      collect garbage, return free memory to the system, then as stats
//	heap    write a heap profile to cfg.memprofile, then as stats
//
// Otherwise it serves until interrupted.
func serveMain(cfg serveConfig) error {
	if cfg.cpu >= 0 {
		if err := pinToCPU(cfg.cpu); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	if cfg.cpuprofile != "" {
		f, err := os.Create(cfg.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	served := make(chan error, 1)
	go func() { served <- cfg.lib.serve(ln, cfg.conformance) }()
	fmt.Printf("listening %s\n", ln.Addr())
	if cfg.controlled {
		err = control(os.Stdin, os.Stdout, cfg.memprofile)
	} else {
		waitForSignal()
	}
	ln.Close()
	if err != nil {
		return err
	}
	return <-served
}

// control answers the commands of the load client until in ends.
func control(in io.Reader, out io.Writer, memprofile string) error {
	var r reporter
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		switch cmd := sc.Bytes(); string(cmd) {
		case "heap":
			if err := writeHeapProfile(memprofile); err != nil {
				return err
			}
			fallthrough
		case "gc":
			debug.FreeOSMemory() // collects garbage first
			fallthrough
		case "stats":
			if err := r.report(out); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown command %q", cmd)
		}
	}
	return sc.Err()
}

func writeHeapProfile(name string) error {
	if name == "" {
		return errors.New("heap: no -memprofile file")
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	runtime.GC() // the profile shows the live heap as of the last collection
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
