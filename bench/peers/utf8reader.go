package main

import (
	"errors"
	"io"
	"unicode/utf8"
)

var errInvalidUTF8 = errors.New("invalid UTF-8 in a text message")

// utf8Reader passes on what r reads and fails with errInvalidUTF8 as soon
// as it is not valid UTF-8 (RFC 6455 §8.1), the check gorilla/websocket
// leaves to its applications. A character split across reads is checked
// when its last octet arrives.
type utf8Reader struct {
	r       io.Reader
	partial [utf8.UTFMax]byte // the start of a character the last read split
	np      int
}

func (v *utf8Reader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	if verr := v.check(p[:n]); verr != nil {
		return n, verr
	}
	if err == io.EOF && v.np > 0 {
		return n, errInvalidUTF8
	}
	return n, err
}

// check validates the next octets of the stream.
func (v *utf8Reader) check(p []byte) error {
	for v.np > 0 && len(p) > 0 {
		v.partial[v.np] = p[0]
		v.np++
		p = p[1:]
		if utf8.FullRune(v.partial[:v.np]) {
			if !utf8.Valid(v.partial[:v.np]) {
				return errInvalidUTF8
			}
			v.np = 0
		}
	}
	if len(p) == 0 {
		return nil
	}
	// Keep back a character the end of p cuts short: the last start
	// octet within the last three octets, if what follows it is not a
	// full character yet.
	keep := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				keep = i
			}
			break
		}
	}
	if !utf8.Valid(p[:keep]) {
		return errInvalidUTF8
	}
	v.np = copy(v.partial[:], p[keep:])
	return nil
}
