package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// TestReporterLeavesItsOwnAllocationsOut checks that reports in a row,
// with nothing else going on, count no allocation between them, although
// each report allocates.
func TestReporterLeavesItsOwnAllocationsOut(t *testing.T) {
	var r reporter
	var out bytes.Buffer
	for range 3 {
		if err := r.report(&out); err != nil {
			t.Fatal(err)
		}
	}
	dec := json.NewDecoder(&out)
	var s [3]serverStats
	for i := range s {
		if err := dec.Decode(&s[i]); err != nil {
			t.Fatal(err)
		}
	}
	if r.own == 0 {
		t.Error("the reports counted no allocation of their own; the test proves nothing")
	}
	if s[2].Mallocs != s[1].Mallocs || s[2].TotalAlloc != s[1].TotalAlloc {
		t.Errorf("reports count their own allocations: %d then %d objects, %d then %d bytes",
			s[1].Mallocs, s[2].Mallocs, s[1].TotalAlloc, s[2].TotalAlloc)
	}
	if s[2].Time < s[1].Time || s[2].CPU < s[1].CPU || s[1].Syscalls == 0 {
		t.Errorf("implausible reports %+v then %+v", s[1], s[2])
	}
}

func TestControl(t *testing.T) {
	var out bytes.Buffer
	if err := control(strings.NewReader("stats\ngc\n"), &out, ""); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 2 {
		t.Errorf("%d lines for two commands:\n%s", n, out.String())
	}
	err := control(strings.NewReader("stats\nfree\n"), io.Discard, "")
	if err == nil || !strings.Contains(err.Error(), `"free"`) {
		t.Errorf("error %v, want one naming the unknown command", err)
	}
}
