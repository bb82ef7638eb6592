package suite

import (
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/frame"
)

const helloWorld = "Hello, world!"

// failImmediately sends frames the peer must fail the connection on with
// a protocol error (1002), and expects nothing back.
func failImmediately(id, desc, exp string, frames ...fuzz.Frame) *Case {
	return &Case{ID: id, Description: desc, Expectation: exp, Open: func(t *Test) {
		t.Expect(OK)
		t.ExpectClose(false, codes(frame.CloseProtocolError), false)
		for _, f := range frames {
			t.P.SendFrame(f)
		}
		t.P.KillAfter(time.Second)
	}}
}

// echoThenFail sends a valid text message, then bad, then a ping. The
// echo of the message is expected before the peer fails the connection
// (1002); a peer that fails without echoing, having read the bad frame
// first, is non-strict. The pong must not come.
func echoThenFail(id, desc, exp string, bad fuzz.Frame, sync bool, chop int) *Case {
	return &Case{ID: id, Description: desc, Expectation: exp, Open: func(t *Test) {
		t.Expect(OK, Message(helloWorld, false))
		t.Expect(NonStrict)
		t.ExpectClose(false, codes(frame.CloseProtocolError), false)
		f := bad // a copy: runs of a case may be concurrent
		f.Sync, f.ChopSize = sync, chop
		t.P.SendFrame(fuzz.Frame{Opcode: 1, Payload: []byte(helloWorld), Sync: sync, ChopSize: chop})
		t.P.SendFrame(f)
		t.P.SendFrame(fuzz.Frame{Opcode: 9, Sync: sync, ChopSize: chop})
		t.P.KillAfter(time.Second)
	}}
}

// reservedBitsCases are group 3: RSV bits without an extension that
// defines them (RFC 6455 §5.2).
func reservedBitsCases() []*Case {
	const (
		failRSV     = "The connection is failed immediately, since RSV must be 0."
		echoFailRSV = "Echo for first message is received, but then connection is failed immediately, since RSV must be 0, when no extension defining RSV meaning has been negotiated. The Pong is not received."
	)
	hello := []byte(helloWorld)
	return []*Case{
		failImmediately("3.1", "Send small text message with <b>RSV = 1</b>.",
			"The connection is failed immediately (1002/protocol error), since RSV must be 0, when no extension defining RSV meaning has been negotiated.",
			fuzz.Frame{Opcode: 1, Payload: hello, Rsv: 1}),
		echoThenFail("3.2", "Send small text message, then send again with <b>RSV = 2</b>, then send Ping.", echoFailRSV,
			fuzz.Frame{Opcode: 1, Payload: hello, Rsv: 2}, false, 0),
		echoThenFail("3.3", "Send small text message, then send again with <b>RSV = 3</b>, then send Ping. Octets are sent in frame-wise chops. Octets are sent in octet-wise chops.", echoFailRSV,
			fuzz.Frame{Opcode: 1, Payload: hello, Rsv: 3}, true, 0),
		echoThenFail("3.4", "Send small text message, then send again with <b>RSV = 4</b>, then send Ping. Octets are sent in octet-wise chops.", echoFailRSV,
			fuzz.Frame{Opcode: 1, Payload: hello, Rsv: 4}, false, 1),
		failImmediately("3.5", "Send small binary message with <b>RSV = 5</b>.", failRSV,
			fuzz.Frame{Opcode: 2, Payload: []byte("\x00\xff\xfe\xfd\xfc\xfb\x00\xff"), Rsv: 5}),
		// The original's description says Ping, but it sends a binary frame.
		failImmediately("3.6", "Send Ping with <b>RSV = 6</b>.", failRSV,
			fuzz.Frame{Opcode: 2, Payload: hello, Rsv: 6}),
		failImmediately("3.7", "Send Close with <b>RSV = 7</b>.", failRSV,
			fuzz.Frame{Opcode: 8, Rsv: 7}),
	}
}

// opcodeCases are group 4: reserved opcodes (RFC 6455 §5.2).
func opcodeCases() []*Case {
	const (
		failNow      = "The connection is failed immediately."
		echoFailCode = "Echo for first message is received, but then connection is failed immediately, since reserved opcode frame is used. A Pong is not received."
		reserved     = "reserved opcode payload"
	)
	hello := []byte(helloWorld)
	return []*Case{
		failImmediately("4.1.1", "Send frame with reserved non-control <b>Opcode = 3</b>.", failNow,
			fuzz.Frame{Opcode: 3}),
		failImmediately("4.1.2", "Send frame with reserved non-control <b>Opcode = 4</b> and non-empty payload.", failNow,
			fuzz.Frame{Opcode: 4, Payload: []byte(reserved)}),
		echoThenFail("4.1.3", "Send small text message, then send frame with reserved non-control <b>Opcode = 5</b>, then send Ping.", echoFailCode,
			fuzz.Frame{Opcode: 5}, false, 0),
		echoThenFail("4.1.4", "Send small text message, then send frame with reserved non-control <b>Opcode = 6</b> and non-empty payload, then send Ping.", echoFailCode,
			fuzz.Frame{Opcode: 6, Payload: hello}, false, 0),
		echoThenFail("4.1.5", "Send small text message, then send frame with reserved non-control <b>Opcode = 7</b> and non-empty payload, then send Ping.", echoFailCode,
			fuzz.Frame{Opcode: 7, Payload: hello}, false, 1),
		failImmediately("4.2.1", "Send frame with reserved control <b>Opcode = 11</b>.", failNow,
			fuzz.Frame{Opcode: 11}),
		failImmediately("4.2.2", "Send frame with reserved control <b>Opcode = 12</b> and non-empty payload.", failNow,
			fuzz.Frame{Opcode: 12, Payload: []byte(reserved)}),
		echoThenFail("4.2.3", "Send small text message, then send frame with reserved control <b>Opcode = 13</b>, then send Ping.", echoFailCode,
			fuzz.Frame{Opcode: 13}, false, 0),
		echoThenFail("4.2.4", "Send small text message, then send frame with reserved control <b>Opcode = 14</b> and non-empty payload, then send Ping.", echoFailCode,
			fuzz.Frame{Opcode: 14, Payload: hello}, false, 0),
		echoThenFail("4.2.5", "Send small text message, then send frame with reserved control <b>Opcode = 15</b> and non-empty payload, then send Ping.", echoFailCode,
			fuzz.Frame{Opcode: 15, Payload: hello}, false, 1),
	}
}
