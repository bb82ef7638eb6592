package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// A metric is one row of the table.
type metric struct {
	section section
	name    string
	higher  bool // a larger value is better
}

// section orders the rows of the table.
type section int

const (
	sectionThroughput section = iota
	sectionPerMessage
	sectionUpgradeHTTP
	sectionUpgradeRaw
	sectionIdle
)

// results holds every value measured, one per repetition, and the
// measurements that failed.
type results struct {
	metrics  []metric
	values   map[string]map[string][]float64 // metric name → library → values
	failures []error
}

func (r *results) fail(err error) { r.failures = append(r.failures, err) }

func newResults() *results {
	return &results{values: map[string]map[string][]float64{}}
}

func (r *results) add(m metric, lib string, v float64) {
	byLib, ok := r.values[m.name]
	if !ok {
		byLib = map[string][]float64{}
		r.values[m.name] = byLib
		r.metrics = append(r.metrics, m)
	}
	byLib[lib] = append(byLib[lib], v)
}

// value returns the median of a metric's values for lib.
func (r *results) value(m metric, lib string) (float64, bool) {
	vs := r.values[m.name][lib]
	if len(vs) == 0 {
		return 0, false
	}
	return median(vs), true
}

func median(vs []float64) float64 {
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// best returns the best peer's value of m among libs, and its name.
func (r *results) best(m metric, libs []library) (float64, string, bool) {
	var bv float64
	var bn string
	for _, l := range libs {
		if l.ours || l.floor {
			continue
		}
		v, ok := r.value(m, l.name)
		if !ok {
			continue
		}
		if bn == "" || (m.higher && v > bv) || (!m.higher && v < bv) {
			bv, bn = v, l.name
		}
	}
	return bv, bn, bn != ""
}

// writeTable prints the results as a Markdown table: a row per metric,
// a column per library, then the best peer (floors are no peers) and the
// ratio of each of this module's columns to it.
func (r *results) writeTable(w io.Writer, libs []library) {
	var ours []library
	head := []string{"measurement"}
	for _, l := range libs {
		head = append(head, l.name)
		if l.ours {
			ours = append(ours, l)
		}
	}
	head = append(head, "best peer")
	for _, l := range ours {
		head = append(head, l.name+" ÷ best")
	}
	rows := [][]string{head}
	metrics := append([]metric(nil), r.metrics...)
	sort.SliceStable(metrics, func(i, j int) bool { return metrics[i].section < metrics[j].section })
	for _, m := range metrics {
		arrow := " ↓"
		if m.higher {
			arrow = " ↑"
		}
		row := []string{m.name + arrow}
		for _, l := range libs {
			v, ok := r.value(m, l.name)
			row = append(row, formatValue(v, ok))
		}
		bv, bn, ok := r.best(m, libs)
		if ok {
			row = append(row, formatValue(bv, true)+" "+bn)
		} else {
			row = append(row, "")
		}
		for _, l := range ours {
			v, vok := r.value(m, l.name)
			row = append(row, formatRatio(v, bv, vok && ok))
		}
		rows = append(rows, row)
	}
	writeMarkdown(w, rows)
	if len(r.failures) > 0 {
		fmt.Fprintf(w, "\nFailed measurements (their values are missing above, or counted in fewer repetitions):\n\n")
		for _, err := range r.failures {
			fmt.Fprintf(w, "- %v\n", err)
		}
	}
}

// formatValue prints three significant digits, with k and M for large
// values.
func formatValue(v float64, ok bool) string {
	switch {
	case !ok:
		return ""
	case math.IsNaN(v):
		return "?"
	case v == 0:
		return "0"
	case math.Abs(v) >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', digitsAfter(v/1e6), 64) + "M"
	case math.Abs(v) >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', digitsAfter(v/1e3), 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', digitsAfter(v), 64)
}

// digitsAfter is the number of decimals that give v three significant
// digits, and at most four.
func digitsAfter(v float64) int {
	v = math.Abs(v)
	switch {
	case v >= 100:
		return 0
	case v >= 10:
		return 1
	case v >= 1:
		return 2
	case v >= 0.1:
		return 3
	}
	return 4
}

// formatRatio prints v ÷ best.
func formatRatio(v, best float64, ok bool) string {
	switch {
	case !ok:
		return ""
	case best == 0 && v == 0:
		return "equal (0)"
	case best == 0:
		return "∞"
	}
	return strconv.FormatFloat(v/best, 'f', 2, 64) + "×"
}

// writeMarkdown prints rows as a Markdown table, the first row as its
// head, columns padded to line up.
func writeMarkdown(w io.Writer, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], len([]rune(cell)))
		}
	}
	line := func(row []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, cell := range row {
			pad := width[i] - len([]rune(cell))
			if i == 0 {
				fmt.Fprintf(&b, " %s%s |", cell, strings.Repeat(" ", pad))
			} else {
				fmt.Fprintf(&b, " %s%s |", strings.Repeat(" ", pad), cell)
			}
		}
		fmt.Fprintln(w, b.String())
	}
	line(rows[0])
	sep := make([]string, len(width))
	for i, n := range width {
		if i == 0 {
			sep[i] = strings.Repeat("-", n)
		} else {
			sep[i] = strings.Repeat("-", n-1) + ":"
		}
	}
	line(sep)
	for _, row := range rows[1:] {
		line(row)
	}
}
