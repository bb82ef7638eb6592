package main

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{0.00123, "0.0012"},
		{0.5, "0.500"},
		{1.234, "1.23"},
		{12.34, "12.3"},
		{123.4, "123"},
		{9999, "9999"},
		{12345, "12.3k"},
		{999_400, "999k"},
		{1_234_567, "1.23M"},
		{math.NaN(), "?"},
	}
	for _, tt := range tests {
		if got := formatValue(tt.v, true); got != tt.want {
			t.Errorf("formatValue(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
	if got := formatValue(1, false); got != "" {
		t.Errorf("formatValue of a missing value = %q, want empty", got)
	}
}

func TestFormatRatio(t *testing.T) {
	tests := []struct {
		v, best float64
		want    string
	}{
		{2, 4, "0.50×"},
		{5, 4, "1.25×"},
		{0, 0, "equal (0)"},
		{1, 0, "∞"},
		{0, 2, "0.00×"},
	}
	for _, tt := range tests {
		if got := formatRatio(tt.v, tt.best, true); got != tt.want {
			t.Errorf("formatRatio(%v, %v) = %q, want %q", tt.v, tt.best, got, tt.want)
		}
	}
}

func TestWriteTable(t *testing.T) {
	libs := []library{{name: "ours", ours: true}, {name: "a"}, {name: "b"}, {name: "floor", floor: true}}
	r := newResults()
	rate := metric{sectionThroughput, "msg/s", true}
	cpu := metric{sectionPerMessage, "CPU", false}
	for _, v := range []float64{100, 300, 200} { // median 200
		r.add(rate, "ours", v)
	}
	r.add(rate, "a", 150)
	r.add(rate, "b", 100)
	r.add(metric{sectionIdle, "idle", false}, "b", 7) // no value of ours: no ratio
	r.add(cpu, "ours", 3)
	r.add(cpu, "a", 2)
	r.add(cpu, "b", 4)
	r.add(cpu, "floor", 1) // not a peer
	r.fail(errors.New("b, echo 1 MiB c=64 f=16: no echo"))
	var got bytes.Buffer
	r.writeTable(&got, libs)
	want := `| measurement | ours |    a |    b | floor | best peer | ours ÷ best |
| ----------- | ---: | ---: | ---: | ----: | --------: | ----------: |
| msg/s ↑     |  200 |  150 |  100 |       |     150 a |       1.33× |
| CPU ↓       | 3.00 | 2.00 | 4.00 |  1.00 |    2.00 a |       1.50× |
| idle ↓      |      |      | 7.00 |       |    7.00 b |             |

Failed measurements (their values are missing above, or counted in fewer repetitions):

- b, echo 1 MiB c=64 f=16: no echo
`
	if diff := cmp.Diff(want, got.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}
