package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary act as a server process, as the program
// does: startServer runs os.Executable with -serve.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-serve" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestServerProcess(t *testing.T) {
	lib, _ := findLibrary("conn")
	p, err := startServer(serveConfig{lib: lib, addr: "127.0.0.1:0", cpu: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop()
	before, err := p.snapshot("gc", nil)
	if err != nil {
		t.Fatal(err)
	}
	if before.proc.RSS <= 0 || before.proc.Peak < before.proc.RSS || before.stats.HeapInuse == 0 {
		t.Errorf("implausible snapshot %+v", before)
	}
	if err := runEcho(t, p.addr, echoCell{1 << 10, 4, 4}, 2000); err != nil {
		t.Fatal(err)
	}
	after, err := p.snapshot("stats", nil)
	if err != nil {
		t.Fatal(err)
	}
	if after.stats.Mallocs <= before.stats.Mallocs || after.stats.CPU <= before.stats.CPU || after.stats.Syscalls <= before.stats.Syscalls {
		t.Errorf("no allocation or CPU time counted for 2,000 echoes and 4 upgrades: before %+v, after %+v", before, after)
	}
	if _, err := p.stats("bogus"); err == nil {
		t.Error("unknown command answered")
	}
	if err := p.stop(); err == nil {
		t.Error("server stopped cleanly after an unknown command; want its error")
	}
}

// TestRun runs every phase for two libraries, briefly, and checks that
// the table has every row and both columns filled.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	var libs []library
	for _, name := range []string{"conn-raw", "conn", "gobwas"} {
		lib, _ := findLibrary(name)
		libs = append(libs, lib)
	}
	var log bytes.Buffer
	cfg := runConfig{
		libs:           libs,
		phases:         map[string]bool{"echo": true, "upgrade": true, "idle": true},
		reps:           1,
		cells:          []echoCell{{16, 1, 1}, {64 << 10, 2, 2}},
		warm:           20 * time.Millisecond,
		window:         100 * time.Millisecond,
		upgradeWorkers: 2,
		idleConns:      50,
		idleReps:       1,
		serverCPU:      -1,
		log:            &log,
	}
	res := run(cfg)
	if len(res.failures) > 0 {
		t.Fatalf("%v\nlog:\n%s", res.failures, log.String())
	}
	var table bytes.Buffer
	res.writeTable(&table, libs)
	for _, row := range []string{
		"msg/s 16 B c=1 f=1", "MB/s 64 KiB c=2 f=2", "server CPU s/1e6 msg 16 B", "allocs/msg 64 KiB",
		"B alloc/msg 16 B", "peak RSS MiB 16 B c=1", "upgrades/s, net/http", "upgrades/s, raw net.Conn",
		"allocs/upgrade, raw net.Conn", "RSS KiB/conn, idle conns (50)", "heap KiB/conn", "stack KiB/conn",
	} {
		if !strings.Contains(table.String(), "| "+row) {
			t.Errorf("no row %q in\n%s", row, table.String())
		}
	}
	// Every echo row has conn's and gobwas's values; the best peer of
	// each is gobwas, the only peer.
	for _, line := range strings.Split(table.String(), "\n") {
		if strings.HasPrefix(line, "| msg/s") && !strings.Contains(line, " gobwas |") {
			t.Errorf("row without gobwas as best peer: %s", line)
		}
	}
}

func TestSelectCells(t *testing.T) {
	all := defaultCells()
	if got := selectCells(all, ""); len(got) != len(all) {
		t.Errorf("no pattern: %d cells, want all %d", len(got), len(all))
	}
	got := selectCells(all, "16 B c=64,1 MiB c=1 f=16")
	want := []echoCell{{16, 64, 1}, {16, 64, 16}, {1 << 20, 1, 16}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cell %d: %v, want %v", i, got[i], want[i])
		}
	}
}
