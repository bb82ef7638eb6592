// Package suite holds the 517 cases of the Autobahn|Testsuite (groups 1
// to 13, ids 1.1.1 to 13.7.18), the judging of their outcomes, and the two
// ways of running them: a fuzzing client that runs cases against a
// WebSocket server, and a fuzzing server that a WebSocket client under
// test connects to, with the URLs of the original (/getCaseCount,
// /runCase, /getCaseInfo, /getCaseStatus, /updateReports).
//
// The ids, descriptions, expectations, payloads and timeouts are those of
// the original's case files; what each case sends and how it judges the
// result follow the original's code, on the engine of package fuzz. A case
// ends with two verdicts:
//
//   - behavior: OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED or FAILED,
//     from comparing what the peer sent (messages, pongs, timeouts) with
//     the case's expected outcomes;
//   - behaviorClose: OK, FAILED, WRONG CODE, UNCLEAN or FAILED BY CLIENT,
//     from who closed, whether cleanly, and with which close code.
//
// The compression cases (12.*, 13.*) send slices of five corpora. The
// original ships five files for them (a book, a picture, a paper, a JSON
// and an HTML file); this package generates stand-ins of the same sizes
// and kinds deterministically (see corpus.go), so the payloads differ
// from the original's but the cases' logic does not.
package suite
