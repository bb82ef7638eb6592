package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestIOSyscalls(t *testing.T) {
	tests := []struct {
		name    string
		io      string
		want    int64
		wantErr bool
	}{
		{"both", "rchar: 6976\nwchar: 0\nsyscr: 10\nsyscw: 32\nread_bytes: 0\n", 42, false},
		{"no syscw", "rchar: 6976\nsyscr: 10\n", 0, true},
		{"not a number", "syscr: ten\nsyscw: 32\n", 0, true},
	}
	for _, tt := range tests {
		got, err := ioSyscalls([]byte(tt.io))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: = %d, %v; want %d, error %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestInterpolate(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	tests := []struct {
		name string
		t    time.Time
		want int64
	}{
		{"start", at(0), 100},
		{"quarter", at(25), 125},
		{"end", at(100), 200},
		{"before", at(-5), 100},
		{"after", at(150), 200},
	}
	for _, tt := range tests {
		if got := interpolate(100, 200, at(0), at(100), tt.t); got != tt.want {
			t.Errorf("%s: interpolate = %d, want %d", tt.name, got, tt.want)
		}
	}
	if got := interpolate(7, 9, at(5), at(5), at(5)); got != 7 {
		t.Errorf("empty span: interpolate = %d, want 7", got)
	}
}

func TestStatusBytes(t *testing.T) {
	status := "Name:\tpeers\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\nVmBad:\t12\n"
	tests := []struct {
		key     string
		want    int64
		wantErr bool
	}{
		{"VmRSS:", 1 << 20, false},
		{"VmHWM:", 2 << 20, false},
		{"VmBad:", 0, true},
		{"VmSwap:", 0, true},
	}
	for _, tt := range tests {
		got, err := statusBytes([]byte(status), tt.key)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("statusBytes(%s) = %d, %v; want %d, error %v", tt.key, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestReadProcSelf(t *testing.T) {
	s, err := readProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.RSS <= 0 || s.Peak < s.RSS {
		t.Errorf("RSS %d, peak %d", s.RSS, s.Peak)
	}
	if err := resetPeak(os.Getpid()); err != nil {
		t.Skipf("cannot reset the peak RSS here: %v", err)
	}
}

// TestServerPinned checks that every thread of a pinned server process
// may run on its CPU only.
func TestServerPinned(t *testing.T) {
	lib, _ := findLibrary("gws")
	p, err := startServer(serveConfig{lib: lib, addr: "127.0.0.1:0", cpu: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop()
	// Work that starts threads: connections and a collection.
	if err := runEcho(t, p.addr, echoCell{1 << 10, 8, 4}, 500); err != nil {
		t.Fatal(err)
	}
	if _, err := p.stats("gc"); err != nil {
		t.Fatal(err)
	}
	dir := "/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		status, err := os.ReadFile(dir + "/" + task.Name() + "/status")
		if err != nil {
			continue // the thread ended
		}
		if !strings.Contains(string(status), "Cpus_allowed_list:\t0\n") {
			t.Errorf("thread %s may run elsewhere than on CPU 0:\n%s", task.Name(), status)
		}
	}
	if len(tasks) < 2 {
		t.Errorf("%d threads; want the runtime's several", len(tasks))
	}
}
