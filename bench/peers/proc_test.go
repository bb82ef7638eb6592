package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// utime and stime are fields 14 and 15; the command name may hold
	// spaces and parentheses.
	rest := " S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0"
	tests := []struct {
		name    string
		stat    string
		want    time.Duration
		wantErr bool
	}{
		{"plain name", "123 (peers)" + rest, 3 * time.Second, false},
		{"name with spaces and parentheses", "123 (a (b) c)" + rest, 3 * time.Second, false},
		{"no name", "123 peers" + rest, 0, true},
		{"too few fields", "123 (peers) S 1 2 3", 0, true},
		{"not a number", strings.Replace("123 (peers)"+rest, " 250 ", " x ", 1), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(tt.stat))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("= %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
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
	p, err := startServer(lib, 0, "", false, "127.0.0.1:0")
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
