package frame_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"

	"github.com/rfc6455/ws/frame"
)

func ExampleAppendHeader() {
	// A client sends "Hello" as one masked text frame (RFC 6455 §5.7).
	h := frame.Header{
		Fin:    true,
		Opcode: frame.OpText,
		Masked: true,
		Mask:   frame.MaskKey{0x37, 0xfa, 0x21, 0x3d},
		Length: 5,
	}
	msg := frame.AppendHeader(make([]byte, 0, frame.MaxHeaderSize+5), h)
	n := len(msg)
	msg = append(msg, "Hello"...)
	frame.Mask(h.Mask, 0, msg[n:])
	fmt.Printf("% x\n", msg)
	// Output: 81 85 37 fa 21 3d 7f 9f 4d 51 58
}

func ExampleParseHeader() {
	wire := []byte{0x82, 0x7e, 0x01, 0x00} // binary, 256 octets, unmasked
	h, n, err := frame.ParseHeader(wire)
	if err != nil {
		panic(err)
	}
	if err := h.Validate(); err != nil {
		panic(err)
	}
	fmt.Println(h.Opcode, h.Fin, h.Length, n)
	// Output: binary true 256 4
}

func ExampleReadHeader() {
	// A connection keeps its scratch array beside its reader, so reading a
	// header allocates nothing.
	type conn struct {
		br      *bufio.Reader
		scratch [frame.MaxHeaderSize]byte
	}
	c := &conn{br: bufio.NewReader(bytes.NewReader([]byte{0x89, 0x04, 'p', 'i', 'n', 'g'}))}
	h, err := frame.ReadHeader(c.br, &c.scratch)
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Opcode, h.Length)
	// Output: ping 4
}

func ExampleMask() {
	key := frame.MaskKey{0x37, 0xfa, 0x21, 0x3d}
	payload := []byte("Hello")
	// Mask the payload in two pieces, carrying the key's offset along.
	pos := frame.Mask(key, 0, payload[:2])
	frame.Mask(key, pos, payload[2:])
	fmt.Printf("% x\n", payload)

	// Masking again with the same key unmasks.
	frame.Mask(key, 0, payload)
	fmt.Printf("%s\n", payload)
	// Output:
	// 7f 9f 4d 51 58
	// Hello
}

func ExampleUTF8Validator() {
	// "κόσμε" arrives in fragments that split its characters.
	var v frame.UTF8Validator
	for _, fragment := range []string{"\xce\xba\xe1", "\xbd\xb9\xcf\x83", "\xce\xbc\xce\xb5"} {
		fmt.Println(v.Feed([]byte(fragment)), v.Complete())
	}

	// A surrogate is rejected at its second octet, before the message ends.
	v.Reset()
	fmt.Println(v.Feed([]byte("\xed\xa0")))
	// Output:
	// true false
	// true true
	// true true
	// false
}

func ExampleParseClosePayload() {
	for _, p := range [][]byte{
		{0x03, 0xe8, 'b', 'y', 'e'},
		{},
		{0x03, 0xed}, // 1005 must never be sent
	} {
		code, reason, err := frame.ParseClosePayload(p)
		var fe *frame.Error
		if errors.As(err, &fe) {
			fmt.Printf("fail the connection with %d: %v\n", fe.Code, err)
			continue
		}
		fmt.Printf("%d (%v) %q\n", code, code, reason)
	}
	// Output:
	// 1000 (normal closure) "bye"
	// 1005 (no status received) ""
	// fail the connection with 1002: websocket: invalid close code
}

func ExampleAppendClosePayload() {
	p := frame.AppendClosePayload(nil, frame.CloseGoingAway, "server restart")
	fmt.Printf("% x\n", p[:2])
	fmt.Printf("%s\n", p[2:])
	// Output:
	// 03 e9
	// server restart
}
