package server

import "github.com/rfc6455/ws/conn"

// Message is a data message: its type, text (UTF-8, RFC 6455 §5.6) or
// binary, and its payload.
type Message struct {
	Type conn.MessageType
	Data []byte
}

// Text returns a text message holding s.
func Text(s string) Message { return Message{Type: conn.MessageText, Data: []byte(s)} }

// Binary returns a binary message holding p, which it keeps.
func Binary(p []byte) Message { return Message{Type: conn.MessageBinary, Data: p} }

// String returns the payload as a string.
func (m Message) String() string { return string(m.Data) }
