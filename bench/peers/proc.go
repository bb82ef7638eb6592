package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

// clockTicks is the unit of utime and stime in /proc/PID/stat (USER_HZ,
// sysconf(_SC_CLK_TCK)), 100 on every Linux architecture Go supports.
const clockTicks = 100

// procSample is what the kernel reports about a server process.
type procSample struct {
	CPU  time.Duration // user plus system time
	RSS  int64         // resident set size, bytes (VmRSS)
	Peak int64         // peak resident set size since the last reset, bytes (VmHWM)
}

// readProc reads /proc/PID/stat and /proc/PID/status.
func readProc(pid int) (procSample, error) {
	var s procSample
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	if s.CPU, err = parseStatCPU(stat); err != nil {
		return s, err
	}
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

// parseStatCPU returns utime+stime from the contents of /proc/PID/stat
// (proc(5)): fields 14 and 15, counted after the command name, which is in
// parentheses and may itself hold spaces.
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc stat: no command name")
	}
	// After ") " come field 3 (state) onwards: utime is the 12th of them.
	fields := bytes.Fields(stat[i+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc stat: %d fields after the name, want at least 13", len(fields))
	}
	utime, err := strconv.ParseInt(string(fields[11]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc stat: utime: %v", err)
	}
	stime, err := strconv.ParseInt(string(fields[12]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc stat: stime: %v", err)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// statusBytes returns the size on the line of /proc/PID/status that starts
// with key, such as "VmRSS:       1234 kB".
func statusBytes(status []byte, key string) (int64, error) {
	for _, line := range bytes.Split(status, []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, []byte(key))
		if !ok {
			continue
		}
		fields := bytes.Fields(rest)
		if len(fields) != 2 || string(fields[1]) != "kB" {
			return 0, fmt.Errorf("/proc status: malformed %s line %q", key, line)
		}
		kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc status: %s %v", key, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("/proc status: no %s line", key)
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
