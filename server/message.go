package server

import "github.com/rfc6455/ws/conn"

// Message is a data message: its type, text (UTF-8, RFC 6455 §5.6) or
// binary, and its payload. A received message's payload is the handler's
// to keep; a handler that is done with it may give its buffer back with
// Release, so that a later message is read into it.
type Message struct {
	Type conn.MessageType
	Data []byte

	// The loan of Data's buffer, for a received message (see Release).
	lent lender
	gen  uint64
}

// Text returns a text message holding s.
func Text(s string) Message { return Message{Type: conn.MessageText, Data: []byte(s)} }

// Binary returns a binary message holding p, which it keeps.
func Binary(p []byte) Message { return Message{Type: conn.MessageBinary, Data: p} }

// String returns the payload as a string.
func (m Message) String() string { return string(m.Data) }
