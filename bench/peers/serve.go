package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
)

// serverStats are the runtime counters a server process reports.
type serverStats struct {
	Mallocs    uint64 // cumulative count of heap objects allocated
	TotalAlloc uint64 // cumulative bytes allocated
	HeapInuse  uint64 // bytes in in-use heap spans
	StackInuse uint64 // bytes of goroutine stacks
	Goroutines int
}

func readStats() serverStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return serverStats{
		Mallocs:    m.Mallocs,
		TotalAlloc: m.TotalAlloc,
		HeapInuse:  m.HeapInuse,
		StackInuse: m.StackInuse,
		Goroutines: runtime.NumGoroutine(),
	}
}

// serveMain is the server process: it runs lib's echo server on addr and
// prints "listening ADDR" on stdout. Under the load client's control it
// then answers commands read on stdin until stdin ends:
//
//	stats   print serverStats as a JSON line
//	gc      collect garbage, return free memory to the system, then as stats
//
// Otherwise it serves until interrupted.
func serveMain(lib library, addr string, cpu int, cpuprofile string, conformance, controlled bool) error {
	if cpu >= 0 {
		if err := pinToCPU(cpu); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
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
	go func() { served <- lib.serve(ln, conformance) }()
	fmt.Printf("listening %s\n", ln.Addr())
	if controlled {
		err = control(os.Stdin, os.Stdout)
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
func control(in io.Reader, out io.Writer) error {
	enc := json.NewEncoder(out)
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		switch cmd := sc.Text(); cmd {
		case "gc":
			debug.FreeOSMemory() // collects garbage first
			fallthrough
		case "stats":
			if err := enc.Encode(readStats()); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown command %q", cmd)
		}
	}
	return sc.Err()
}
