package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"
)

// procSample is the memory of a server process as the kernel reports it.
type procSample struct {
	RSS  int64 // resident set size, bytes (VmRSS)
	Peak int64 // peak resident set size since the last reset, bytes (VmHWM)
}

// readProc reads /proc/PID/status.
func readProc(pid int) (procSample, error) {
	var s procSample
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	if s.RSS, err = statusBytes(status, "VmRSS:"); err != nil {
		return s, err
	}
	s.Peak, err = statusBytes(status, "VmHWM:")
	return s, err
}

// ioSyscalls returns syscr + syscw from the contents of /proc/PID/io.
func ioSyscalls(io []byte) (int64, error) {
	var n int64
	for _, key := range []string{"syscr:", "syscw:"} {
		v, err := fieldValue(io, key)
		if err != nil {
			return 0, fmt.Errorf("/proc io: %v", err)
		}
		n += v
	}
	return n, nil
}

// statusBytes returns the size on the line of /proc/PID/status that starts
// with key, such as "VmRSS:       1234 kB".
func statusBytes(status []byte, key string) (int64, error) {
	line, err := findLine(status, key)
	if err != nil {
		return 0, fmt.Errorf("/proc status: %v", err)
	}
	fields := bytes.Fields(line)
	if len(fields) != 2 || string(fields[1]) != "kB" {
		return 0, fmt.Errorf("/proc status: malformed %s line %q", key, line)
	}
	kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc status: %s %v", key, err)
	}
	return kb << 10, nil
}

// fieldValue returns the number on the line that starts with key, such
// as "syscr: 10".
func fieldValue(text []byte, key string) (int64, error) {
	line, err := findLine(text, key)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(bytes.TrimSpace(line)), 10, 64)
}

// findLine returns the rest of the line of text that starts with key.
func findLine(text []byte, key string) ([]byte, error) {
	for _, line := range bytes.Split(text, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte(key)); ok {
			return rest, nil
		}
	}
	return nil, fmt.Errorf("no %s line", key)
}

// resetPeak resets the process's VmHWM to its current RSS, so that the
// next reading is the peak of what follows (proc(5), clear_refs value 5).
func resetPeak(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// pinToCPU binds every thread of this process to one CPU and runs Go code
// on one thread at a time, so that a server and the load client do not
// compete for the same core unless asked to. Threads started later inherit
// the binding from the thread that starts them; the loop covers those the
// runtime starts while it runs.
func pinToCPU(cpu int) error {
	if cpu < 0 || cpu >= 64 {
		return fmt.Errorf("pin: CPU %d out of range", cpu)
	}
	runtime.GOMAXPROCS(1)
	mask := uint64(1) << cpu
	pinned := map[int]bool{}
	for range 5 {
		tids, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		added := false
		for _, t := range tids {
			tid, err := strconv.Atoi(t.Name())
			if err != nil || pinned[tid] {
				continue
			}
			_, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY,
				uintptr(tid), unsafe.Sizeof(mask), uintptr(unsafe.Pointer(&mask)))
			if errno != 0 && errno != syscall.ESRCH {
				return fmt.Errorf("pin thread %d to CPU %d: %v", tid, cpu, errno)
			}
			pinned[tid], added = true, true
		}
		if !added {
			return nil
		}
	}
	return nil
}

// The machine, for the heading of the results.

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	line, err := findLine(info, "model name")
	if err != nil {
		return "unknown CPU"
	}
	_, name, _ := bytes.Cut(line, []byte(":"))
	return string(bytes.TrimSpace(name))
}

func kernelRelease() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return string(bytes.TrimSpace(b))
}

// loadAverage returns the 1-minute load average of /proc/loadavg: other
// work on the machine is the main source of noise.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := bytes.Fields(b); len(f) > 0 {
		return string(f[0])
	}
	return "unknown"
}
