// Command autobahn runs the Autobahn|Testsuite (517 cases, groups 1 to 13)
// from Go, in both directions, with the original's verdicts and report
// layout; it needs neither Python nor Docker.
//
// With no flags it tests this module: it starts the module's echo server on
// a loopback port and runs every case against it with the fuzzing client,
// then starts the fuzzing server and runs the module's echo client through
// every case. It writes reports/servers and reports/clients (index.json,
// a JSON file per case, index.html and a page per case), prints a table of
// verdicts per case group for each direction, and exits with status 1 if
// any case failed.
//
// Usage:
//
//	go run ./autobahn [flags]
//
// The modes (-mode):
//
//	(none)         test this module in both directions, as above
//	fuzzingclient  run the cases against the server at -url (or the
//	               servers of a -spec fuzzingclient.json)
//	fuzzingserver  serve the cases on -addr for clients under test, as
//	               wstest -m fuzzingserver does: /getCaseCount,
//	               /runCase?case=N&agent=A, /getCaseInfo, /getCaseStatus,
//	               /updateReports?agent=A, /stopServer
//	testee-server  serve this module's echo server on -addr, for the
//	               original wstest -m fuzzingclient
//	testee-client  run this module's echo client against the fuzzing
//	               server at -url (this runner's or the original's)
//
// Cases are chosen with -cases and -exclude, comma-separated patterns in
// the original's syntax: "1.*" is group 1, "12.2.*" a subgroup, "6.4.3" one
// case. The original runs one case at a time; this runner runs -parallel
// cases at once, of which at most -heavy from the processor-bound groups 9,
// 12 and 13.
//
// A case fails when its behavior is FAILED, or its closing behavior is
// FAILED or UNCLEAN.
package main
