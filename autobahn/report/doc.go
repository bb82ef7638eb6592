// Package report writes the results of a run in the original
// Autobahn|Testsuite's layout, so that tools that read its reports read
// these: index.json (agent, then case id, then behavior, behaviorClose,
// duration, remoteCloseCode and reportfile), one JSON file per agent and
// case named as the original names them, and HTML pages for people: an
// index with a table per case group and colored verdicts, and a page per
// case with its wire log.
package report
