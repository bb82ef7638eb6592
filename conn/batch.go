package conn

import (
	"context"
	"sync"
	"time"

	"github.com/rfc6455/ws/frame"
)

// Write batching. When a read returns while the reader still holds octets
// it received (the peer sent several messages at once), the application is
// about to read again without waiting, and what it writes meanwhile is an
// answer to a pipelining peer. Such data frames wait in a batch, and the
// batch goes out in one write: when the reader runs out of octets (before
// it waits on the socket), when a frame does not fit, before any control
// frame, or after BatchDelay at the latest. One write then carries the
// answers to everything one read brought in, instead of one write each.
// A reader that waits on the socket leaves nothing to batch, so an
// application that writes without a pipelining peer is never delayed. A
// layer that reads ahead of its application into a queue tells the same
// with HoldWrites: frames wait while the application has messages in hand.

// BatchDelay is the longest a data frame waits in a batch.
const BatchDelay = time.Millisecond

// batch holds data frames waiting to go out together.
type batch struct {
	// Owned by the holder of frameLock.
	buf *[]byte // lent by the pool while frames wait
	n   int     // octets waiting in buf

	mu        sync.Mutex
	readAhead bool        // the last read returned with octets left: frames may wait
	held      bool        // HoldWrites: the application has messages in hand: frames may wait
	waiting   bool        // buf holds frames
	due       bool        // BatchDelay passed: the frames must go out
	timer     *time.Timer // sets due
}

// setReadAhead records, as a read call returns, whether the reader holds
// octets not yet read.
func (w *writer) setReadAhead(more bool) {
	if w.c.noBatching {
		return
	}
	b := &w.batch
	b.mu.Lock()
	b.readAhead = more
	b.mu.Unlock()
}

// readerWaits is called before the reader waits on the socket: no frame
// may wait for it any longer.
func (w *writer) readerWaits() {
	if !w.c.noBatching {
		w.release(func(b *batch) { b.readAhead = false })
	}
}

// HoldWrites tells the Conn whether the application has received messages
// in hand that it will answer without waiting: a layer that reads ahead of
// its application into a queue (as package server does) knows it, while
// the Conn's reader may already wait on the socket. While held, data
// frames may wait in the batch as they do while the reader holds received
// octets (see Options.NoWriteBatching), BatchDelay at most; HoldWrites(false),
// called when the application runs out of messages, sends them.
func (c *Conn) HoldWrites(held bool) {
	if !c.noBatching {
		c.w.release(func(b *batch) { b.held = held })
	}
}

// release applies change to the batch's state, then sends the batch if
// its frames may not wait any longer: now, or, if a frame is being
// written, when frameLock is released (unlockFrame).
func (w *writer) release(change func(*batch)) {
	b := &w.batch
	b.mu.Lock()
	change(b)
	flush := b.mustFlush()
	b.mu.Unlock()
	if flush && w.frameLock.tryLock() {
		w.unlockFrame()
	}
}

// mustFlush reports whether frames wait that may not wait any longer.
func (w *writer) mustFlush() bool {
	if w.c.noBatching {
		return false
	}
	b := &w.batch
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.mustFlush()
}

// mustFlush is writer.mustFlush with b.mu held.
func (b *batch) mustFlush() bool { return b.waiting && (b.due || !b.mayWait()) }

// mayWait reports whether a data frame may wait now, with b.mu held.
func (b *batch) mayWait() bool { return (b.readAhead || b.held) && !b.due }

// expire is the timer's: the frames have waited BatchDelay.
func (w *writer) expire() { w.release(func(b *batch) { b.due = true }) }

// batchRoom returns room for a data frame of size octets at the end of the
// batch, if it may wait; the caller builds the frame there and calls
// batched. It returns nil if the frame must go out now, after the batch
// (see flushBatch). With frameLock held.
func (w *writer) batchRoom(op frame.Opcode, size int) []byte {
	if w.c.noBatching || op.IsControl() || size > w.size {
		return nil
	}
	b := &w.batch
	b.mu.Lock()
	ok := b.mayWait()
	b.mu.Unlock()
	if !ok {
		return nil
	}
	if b.buf != nil && b.n+size > len(*b.buf) {
		if w.flushBatch() != nil {
			return nil
		}
	}
	if b.buf == nil {
		b.buf = getBuffer(w.size)
	}
	return (*b.buf)[b.n : b.n+size]
}

// batched adds the size octets built in batchRoom's room to the batch.
func (w *writer) batched(size int) {
	b := &w.batch
	b.n += size
	b.mu.Lock()
	first := !b.waiting
	b.waiting = true
	b.mu.Unlock()
	if !first {
		return
	}
	if b.timer == nil {
		b.timer = time.AfterFunc(BatchDelay, w.expire)
	} else {
		b.timer.Reset(BatchDelay)
	}
}

// flushBatch sends the frames waiting, if any, with frameLock held. A
// failure breaks the stream, even one before any octet went out: the
// frames' writers were told they were sent.
func (w *writer) flushBatch() error {
	b := &w.batch
	if b.buf == nil {
		return w.err
	}
	b.mu.Lock()
	b.waiting, b.due = false, false
	b.mu.Unlock()
	b.timer.Stop()
	p := (*b.buf)[:b.n]
	err := w.err
	if err == nil {
		err = w.send(p, true)
	}
	putBuffer(b.buf)
	b.buf, b.n = nil, 0
	return err
}

// flushDue sends the batch from unlockFrame, where no call's context
// bounds the write: only Options.WriteTimeout does.
func (w *writer) flushDue() {
	stop := w.intr.watch(context.Background())
	w.flushBatch()
	w.intr.release(stop)
}
