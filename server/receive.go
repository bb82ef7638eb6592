package server

import (
	"context"
	"iter"
	"time"
)

// This file is the receiving side of a Socket: the queue, and the methods
// that take from it. Who reads the connection is in reading.go.

// enqueue adds m to the queue, first waiting for room while the queue is
// full: while the reader waits, nothing reads the connection, and TCP
// pushes back on the peer. After Close it waits no more: m is queued if it
// fits and dropped otherwise.
func (s *Socket) enqueue(m Message) {
	s.mu.Lock()
	for !s.fits(len(m.Data)) && !s.closing {
		s.stalled = true
		room := awaited(&s.room)
		s.mu.Unlock()
		<-room
		s.mu.Lock()
	}
	s.stalled = false
	if s.fits(len(m.Data)) {
		s.queue.push(m, s.queueMessages)
		s.queued += int64(len(m.Data))
	}
	ready := s.ready
	s.mu.Unlock()
	signal(ready)
}

// fits reports whether a message of n bytes may join the queue. An empty
// queue takes any message, so that one larger than the byte bound (up to
// the read limit) still gets through.
func (s *Socket) fits(n int) bool {
	q := s.queue.len()
	return q < s.queueMessages && (q == 0 || s.queued+int64(n) <= s.queueBytes)
}

// end records why the connection ended and wakes every waiter.
func (s *Socket) end(err error) {
	s.mu.Lock()
	s.ended = true
	if s.cause != nil {
		err = s.cause
	}
	s.err = err
	if s.away != nil {
		s.away.Stop()
	}
	s.mu.Unlock()
	if s.ka.on() {
		s.ka.stop()
	}
	s.cancel(err)
	close(s.done)
}

// take removes the oldest queued message, with s.mu held.
func (s *Socket) take() (Message, bool) {
	m, ok := s.queue.pop()
	if !ok {
		if !s.caughtUp {
			s.caughtUp = true
			signal(s.asked)
		}
		return m, false
	}
	s.caughtUp = false
	s.queued -= int64(len(m.Data))
	if s.stalled {
		signal(s.room)
	}
	if s.queue.len() > 0 {
		// Pass the turn on: another goroutine may be waiting too.
		signal(s.ready)
	}
	return m, true
}

// Wait returns the next message, waiting as long as it takes for one to
// arrive or for the socket to end. Once the socket has ended and every
// queued message was taken, it returns io.EOF if the closing handshake ran
// with 1000 (normal), 1005 (no status) or 1001 (going away), and otherwise
// the error Err reports.
//
// With nothing queued, Wait reads the next message from the connection
// itself, on the caller's goroutine.
func (s *Socket) Wait() (Message, error) { return s.WaitContext(context.Background()) }

// WaitContext is Wait bounded by ctx: if ctx ends first, it returns
// ctx.Err() and the socket is unharmed.
func (s *Socket) WaitContext(ctx context.Context) (Message, error) {
	for {
		s.mu.Lock()
		m, ok := s.take()
		more := s.queue.len() > 0
		ended, err := s.ended, s.err
		read := false
		var ready chan struct{}
		switch {
		case ok:
			s.armAway()
		case ended:
		case s.role == readerNone:
			s.role, read = readerWaiter, true
		default:
			if s.role == readerBackground {
				s.requestHandover()
			}
			ready = awaited(&s.ready)
		}
		s.mu.Unlock()
		// The handler's answers may wait while more messages are queued, so
		// that the answers to a pipelining peer share writes (see
		// conn.Conn.HoldWrites).
		s.c.HoldWrites(more)
		switch {
		case ok:
			return m, nil
		case ended:
			return Message{}, endOfStream(err)
		case read:
			if m, ok := s.readDirect(ctx); ok {
				return m, nil
			}
			if err := ctx.Err(); err != nil {
				return Message{}, err
			}
			continue
		}
		select {
		case <-ready:
		case <-s.done:
		case <-ctx.Done():
		}
		if err := ctx.Err(); err != nil {
			s.mu.Lock()
			s.armAway()
			s.mu.Unlock()
			// What arrived at the same time wins over the context.
			if m, ok := s.takeQueued(false); ok {
				return m, nil
			}
			return Message{}, err
		}
	}
}

// Read returns the next message without waiting, or false if none is
// queued. After false, Closed tells "nothing yet" from "nothing ever":
// once Closed reports true it stays true, and Read returns false for
// good.
func (s *Socket) Read() (Message, bool) { return s.takeQueued(true) }

// takeQueued takes the next queued message, if any; with start, it starts
// the reader goroutine if nobody reads, so that messages come.
func (s *Socket) takeQueued(start bool) (Message, bool) {
	s.mu.Lock()
	m, ok := s.take()
	more := s.queue.len() > 0
	if ok {
		s.armAway()
	} else if start {
		s.startBackground()
	}
	s.mu.Unlock()
	s.c.HoldWrites(more)
	return m, ok
}

// Closed reports whether the socket has ended and its queue is empty, so
// that no message will come any more. It never changes back to false.
func (s *Socket) Closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startBackground()
	return s.ended && s.queue.len() == 0
}

// CountMessages returns the number of messages queued. While a receiver
// waits in Wait, messages go to it directly and the count stays 0.
func (s *Socket) CountMessages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startBackground()
	return s.queue.len()
}

// HasMessages reports whether a message is queued, that is whether Read
// would return one.
func (s *Socket) HasMessages() bool { return s.CountMessages() > 0 }

// Messages returns an iterator over the messages, as Wait returns them;
// it ends when the socket has ended and its queue is drained. Err then
// tells why.
func (s *Socket) Messages() iter.Seq[Message] {
	return func(yield func(Message) bool) {
		for {
			m, err := s.Wait()
			if err != nil || !yield(m) {
				return
			}
		}
	}
}

// awaitHandler runs when the peer broke the protocol, before the
// connection fails: it waits until the handler has taken every message
// received before the violation and asked for the next, so that its
// answers to them go out before the close frame (as Autobahn's strict
// verdicts expect), or until the handler closes, or the close timeout.
func (s *Socket) awaitHandler() {
	t := time.NewTimer(s.closeTimeout)
	defer t.Stop()
	s.mu.Lock()
	for !(s.caughtUp && s.queue.len() == 0) && !s.closing {
		asked := awaited(&s.asked)
		s.mu.Unlock()
		select {
		case <-asked:
		case <-t.C:
			return
		}
		s.mu.Lock()
	}
	s.mu.Unlock()
}
