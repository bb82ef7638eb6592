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
// may wait for it any longer. The reader sends the batch itself, bounded
// by ctx, the context of its read call (nil between calls), since it is
// about to block anyway; if a frame is being written, the writer sends
// the batch when it releases frameLock (unlockFrame).
func (w *writer) readerWaits(ctx context.Context) {
	if w.c.noBatching {
		return
	}
	b := &w.batch
	b.mu.Lock()
	b.readAhead = false
	flush := b.mustFlush()
	b.mu.Unlock()
	if flush && w.frameLock.tryLock() {
		if ctx == nil {
			ctx = context.Background()
		}
		w.flushDue(ctx)
		w.unlockFrame()
	}
}

// HoldWrites tells the Conn whether the application has received messages
// in hand that it will answer without waiting: a layer that reads ahead of
// its application into a queue (as package server does) knows it, while
// the Conn's reader may already wait on the socket. While held, data
// frames may wait in the batch as they do while the reader holds received
// octets (see Options.NoWriteBatching), BatchDelay at most;
// HoldWrites(false), called when the application runs out of messages,
// has them sent at once. It never blocks: the batch goes out on a
// goroutine of its own (the batch's timer's).
func (c *Conn) HoldWrites(held bool) {
	if c.noBatching {
		return
	}
	b := &c.w.batch
	b.mu.Lock()
	defer b.mu.Unlock()
	b.held = held
	if b.mustFlush() {
		b.timer.Reset(0) // made by batched, which set waiting
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

// expire is the timer's: the frames have waited BatchDelay, or
// HoldWrites asked for them to go out. It sends them now, or, if a frame
// is being written, the writer does when it releases frameLock.
func (w *writer) expire() {
	b := &w.batch
	b.mu.Lock()
	waiting := b.waiting
	b.due = waiting // a late firing, after the batch went out, must not mark the next one due
	b.mu.Unlock()
	if waiting && w.frameLock.tryLock() {
		w.unlockFrame()
	}
}

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
	defer b.mu.Unlock()
	if b.waiting {
		return
	}
	b.waiting = true
	// Under b.mu, which HoldWrites holds to reset the timer.
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

// flushDue sends the batch outside a write call, bounded by ctx and
// Options.WriteTimeout.
func (w *writer) flushDue(ctx context.Context) {
	stop := w.intr.watch(ctx)
	w.flushBatch()
	w.intr.release(stop)
}
