package server

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/internal/sizeclass"
)

// This file lends the buffers received messages are read into, so that a
// handler that gives them back (Message.Release) costs no allocation per
// message, nor the zeroing and collecting of its size.

// lender is a pooled buffer: a lentBuffer of one of the size classes.
type lender interface {
	bytes() []byte
	loans() *atomic.Uint64
	class() int
}

// lentBuffer is a buffer of the pool of its size class, A being an array
// of that many octets, allocated together with the count of its loans: a
// Message remembers which loan it was given, so that only the first
// Release of that loan, through any copy of the Message, returns the
// buffer.
type lentBuffer[A any] struct {
	gen   atomic.Uint64
	c     uint8
	array A
}

func (l *lentBuffer[A]) bytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&l.array)), unsafe.Sizeof(l.array))
}

func (l *lentBuffer[A]) loans() *atomic.Uint64 { return &l.gen }
func (l *lentBuffer[A]) class() int            { return int(l.c) }

// Buffers are pooled by powers of two from 16 octets up to 16 MiB, so that
// a message kept instead of released holds at most twice its size (and
// 16 octets more); a larger message is allocated.
const (
	minLentClass = 4
	maxLentClass = 24
)

var lentPools [maxLentClass - minLentClass + 1]sync.Pool

// newLent makes a buffer of each class.
var newLent = [maxLentClass - minLentClass + 1]func() lender{
	func() lender { return &lentBuffer[[1 << 4]byte]{c: 4} },
	func() lender { return &lentBuffer[[1 << 5]byte]{c: 5} },
	func() lender { return &lentBuffer[[1 << 6]byte]{c: 6} },
	func() lender { return &lentBuffer[[1 << 7]byte]{c: 7} },
	func() lender { return &lentBuffer[[1 << 8]byte]{c: 8} },
	func() lender { return &lentBuffer[[1 << 9]byte]{c: 9} },
	func() lender { return &lentBuffer[[1 << 10]byte]{c: 10} },
	func() lender { return &lentBuffer[[1 << 11]byte]{c: 11} },
	func() lender { return &lentBuffer[[1 << 12]byte]{c: 12} },
	func() lender { return &lentBuffer[[1 << 13]byte]{c: 13} },
	func() lender { return &lentBuffer[[1 << 14]byte]{c: 14} },
	func() lender { return &lentBuffer[[1 << 15]byte]{c: 15} },
	func() lender { return &lentBuffer[[1 << 16]byte]{c: 16} },
	func() lender { return &lentBuffer[[1 << 17]byte]{c: 17} },
	func() lender { return &lentBuffer[[1 << 18]byte]{c: 18} },
	func() lender { return &lentBuffer[[1 << 19]byte]{c: 19} },
	func() lender { return &lentBuffer[[1 << 20]byte]{c: 20} },
	func() lender { return &lentBuffer[[1 << 21]byte]{c: 21} },
	func() lender { return &lentBuffer[[1 << 22]byte]{c: 22} },
	func() lender { return &lentBuffer[[1 << 23]byte]{c: 23} },
	func() lender { return &lentBuffer[[1 << 24]byte]{c: 24} },
}

// lend returns a buffer that holds n octets, or nil for an empty message
// or one too large for the pools.
func lend(n int) lender {
	if n == 0 {
		return nil
	}
	c := sizeclass.Of(n, minLentClass)
	if c > maxLentClass {
		return nil
	}
	if l, ok := lentPools[c-minLentClass].Get().(lender); ok {
		return l
	}
	return newLent[c-minLentClass]()
}

// lendBuffer is the connection's MessageBuffer: it lends the buffer of the
// message being read, or returns nil for the connection to allocate one.
func (s *Socket) lendBuffer(n int) []byte {
	s.loan = lend(n)
	if s.loan == nil {
		return nil
	}
	return s.loan.bytes()
}

// received returns the message the reader has just read, with the loan of
// its buffer.
func (s *Socket) received(typ conn.MessageType, p []byte) Message {
	m := Message{Type: typ, Data: p[:len(p):len(p)]}
	if l := s.loan; l != nil {
		s.loan = nil
		m.lent, m.gen = l, l.loans().Load()
	}
	return m
}

// Release gives the buffer of a received message back, for a later
// message to be read into: call it once m.Data is no longer used, and use
// neither m.Data nor the Data of any copy of m afterwards. Calling it is
// optional (a message never released is collected as garbage, as any
// other value), and it does nothing for a message this package did not
// receive or one already released, through any copy.
func (m Message) Release() {
	if m.lent == nil || !m.lent.loans().CompareAndSwap(m.gen, m.gen+1) {
		return
	}
	lentPools[m.lent.class()-minLentClass].Put(m.lent)
}
