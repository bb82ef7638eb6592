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
package frame
