// Package frame implements the WebSocket wire format of RFC 6455 §5 and
// nothing else: opcodes, the frame header, masking, close status codes and
// the close frame payload, an incremental UTF-8 validator, and the errors a
// receiver raises, each carrying the close code it maps to (§7.4.1).
//
// The package keeps no connection state. Reassembling messages, answering
// pings and running the closing handshake belong to package conn.
//
// Nothing here allocates on the frame path: headers are parsed from a
// caller's bytes or read into a caller's scratch array, appended to a
// caller's slice, and payloads are masked in place.
//
// # Speed
//
// Mask is the only loop over every octet of every frame, so it is written to
// run at memory bandwidth: a machine word at a time in portable Go, and on
// amd64 with AVX2 (or SSE2 where the processor lacks AVX2), aligned in the
// middle of the payload and with one unaligned vector at each end. Building
// with the purego tag leaves out the assembly. The UTF-8 validator skips ASCII 64 octets at a time and runs
// other text through a table-driven automaton that takes one table load and
// one shift per octet.
package frame
