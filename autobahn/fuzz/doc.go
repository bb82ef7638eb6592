// Package fuzz is the fuzzing end of an Autobahn|Testsuite connection: a
// WebSocket endpoint that sends exactly the bytes a test case asks for,
// valid or not, and records everything its peer does.
//
// A Conn behaves like the protocol engine the original suite runs its
// cases on (AutobahnPython 0.10, the version the suite pins), because the
// cases' verdicts are defined by its state machine: when a close frame is
// sent and by whom (closedByMe), whether the connection was failed locally
// (failedByMe) or dropped locally (droppedByMe), whether the closing
// handshake completed (wasClean), its timeouts (one second for the closing
// handshake and for a server to drop TCP after it, five seconds for the
// opening handshake), and its choice to fail a connection with a close
// frame rather than by dropping TCP. Those rules live here; the cases and
// their judging live in package suite.
//
// Each Conn runs on one goroutine that owns all its state, as the original
// runs on one reactor thread: bytes read from the network, timers and the
// case's own actions are events handled one at a time. Writes never block
// that goroutine. A separate writer sends the queued bytes, so a peer that
// echoes while the fuzzer is still sending cannot deadlock it.
//
// The fuzzer also implements permessage-deflate (RFC 7692) on its own,
// with compress/flate, independently of the module's compression, so the
// compression cases test the library against a second implementation.
package fuzz
