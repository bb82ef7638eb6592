package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/rfc6455/ws/autobahn/report"
	"github.com/rfc6455/ws/autobahn/suite"
)

// printSummary prints, for one agent, a table of verdicts per case group,
// then the cases that failed or passed non-strictly, with what they
// expected and what happened. It reports whether any case failed.
func printSummary(w io.Writer, title string, results []*suite.Result) bool {
	fmt.Fprintf(w, "\n%s\n", title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "group\t\tOK\tNON-STRICT\tINFORMATIONAL\tUNIMPLEMENTED\tFAILED\tfailed closing")
	byGroup := map[string]*report.Counts{}
	var groups []string
	var total report.Counts
	failed := false
	for _, r := range results {
		g, _ := suite.Category(r.ID)
		if byGroup[g] == nil {
			byGroup[g] = &report.Counts{}
			groups = append(groups, g)
		}
		byGroup[g].Add(r)
		total.Add(r)
		failed = failed || r.Failed()
	}
	slices.SortFunc(groups, suite.CompareIDs)
	row := func(name, title string, c *report.Counts) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", name, title, c.OK, c.NonStrict, c.Informational, c.Unimplemented, c.Failed, c.FailedClose)
	}
	for _, g := range groups {
		_, t := suite.Category(g + ".")
		row(g, t, byGroup[g])
	}
	row("total", "", &total)
	tw.Flush()

	for _, r := range results {
		if r.Failed() || r.Behavior == suite.NonStrict || r.BehaviorClose == suite.WrongCode {
			fmt.Fprintf(w, "  %s %s, closing %s: %s %s\n", r.ID, r.Behavior, r.BehaviorClose, r.Result, r.ResultClose)
		}
	}
	return failed
}
