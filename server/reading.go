package server

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"time"
)

// This file decides who reads a socket's connection. A goroutine waiting
// in Wait with nothing queued reads the next message itself and returns
// it: an idle socket costs its handler's goroutine and no other. While no
// receiver waits, a reader goroutine of the socket's own moves messages
// into the queue, so that pings and closes are answered, the end of the
// connection is seen and the queue fills; it starts when the handler has
// been away from Wait for awayDelay, or at once when the handler looks at
// the queue (Read, CountMessages, HasMessages, Closed), and it hands
// reading back to the next receiver that finds the queue empty.

// awayDelay is how long a handler may stay away from Wait before the
// socket's reader goroutine starts: long enough that a handler answering
// a message and waiting for the next never needs it, short enough that
// the peer's pings and closes are answered promptly while a handler works.
const awayDelay = 20 * time.Millisecond

// readerRole says who reads the connection.
type readerRole uint8

const (
	readerNone       readerRole = iota // nobody: receivers are away, for awayDelay at most
	readerWaiter                       // a goroutine in Wait, for itself
	readerBackground                   // the socket's reader goroutine, into the queue
)

// readDirect is the read of a receiver that found the queue empty and
// took the reader's role (readerWaiter): it reads the next message for
// itself. Without one, the caller looks at the socket again: either the
// connection ended (s.end has recorded why) or ctx did, and the read cut
// short lost nothing.
func (s *Socket) readDirect(ctx context.Context) (m Message, ok bool) {
	typ, p, err := s.c.ReadMessage(ctx)
	switch {
	case err == nil:
		// Before giving up the role, which owns s.loan.
		m = s.received(typ, p)
	case ctx.Err() == nil || err != ctx.Err():
		// Before giving up the role too: a Close meanwhile would
		// otherwise take the role and end the socket a second time.
		s.end(err)
	}
	s.mu.Lock()
	s.role = readerNone
	if err == nil {
		// The receiver leaves with a message the handler has yet to
		// answer (see awaitHandler).
		s.caughtUp = false
	}
	s.armAway()
	ready := s.ready
	s.mu.Unlock()
	signal(ready) // another receiver may take the role
	if err == nil {
		s.ka.heard.Add(1)
		return m, true
	}
	if hook := testHookReadFailed.Load(); hook != nil {
		(*hook)()
	}
	return Message{}, false
}

// testHookReadFailed, when set by a test, runs after a receiver's failed
// read has given up the reader's role.
var testHookReadFailed atomic.Pointer[func()]

// background is the socket's reader goroutine: it moves messages from the
// connection to the queue until the connection ends or a receiver takes
// reading back (requestHandover).
func (s *Socket) background() {
	for {
		typ, p, err := s.c.ReadMessage(context.Background())
		if err == nil {
			s.ka.heard.Add(1)
			s.enqueue(s.received(typ, p))
		}
		s.mu.Lock()
		if s.handover && (err == nil || isTimeout(err)) {
			// A read cut short by the handover lost nothing: the
			// receiver's read goes on from there.
			s.handover = false
			s.role = readerNone
			s.c.SetReadDeadline(time.Time{})
			ready := s.ready
			s.mu.Unlock()
			signal(ready)
			return
		}
		s.mu.Unlock()
		if err != nil {
			s.end(err)
			return
		}
	}
}

// requestHandover asks the reader goroutine to stop and leave reading to
// the receiver that found the queue empty, with s.mu held: moving the read
// deadline into the past ends its read at once, and the connection loses
// nothing (see conn.Conn.SetReadDeadline). The reader goroutine clears
// the deadline, under s.mu, before it gives up its role.
func (s *Socket) requestHandover() {
	if s.handover {
		return
	}
	s.handover = true
	s.c.SetReadDeadline(aLongTimeAgo)
}

// aLongTimeAgo is a deadline in the past.
var aLongTimeAgo = time.Unix(1, 0)

// claimReading gives the reader goroutine's role to the caller if nobody
// reads and the socket has not ended, with s.mu held, and reports whether
// it did: the caller then runs background.
func (s *Socket) claimReading() bool {
	if s.role != readerNone || s.ended {
		return false
	}
	s.role = readerBackground
	return true
}

// startBackground starts the reader goroutine if nobody reads, with s.mu
// held.
func (s *Socket) startBackground() {
	if s.claimReading() {
		go s.background()
	}
}

// armAway, with s.mu held, notes that a receiver left, with a message or
// because its context ended, and makes sure the away timer runs: if no
// receiver comes back to read within awayDelay, it starts the reader
// goroutine.
func (s *Socket) armAway() {
	s.leaves++
	if s.awayArmed || s.ended {
		return
	}
	s.awayArmed, s.awaySeen = true, s.leaves
	if s.away == nil {
		s.away = time.AfterFunc(awayDelay, s.awayTick)
	} else {
		s.away.Reset(awayDelay)
	}
}

// awayTick runs when the away timer fires. If nobody read since a
// receiver left, the handler is busy: this goroutine becomes the reader.
// If receivers came back and left again, they get awayDelay more.
func (s *Socket) awayTick() {
	s.mu.Lock()
	s.awayArmed = false
	if s.role == readerNone && !s.ended && s.leaves != s.awaySeen {
		s.awayArmed, s.awaySeen = true, s.leaves
		s.away.Reset(awayDelay)
		s.mu.Unlock()
		return
	}
	read := s.claimReading()
	s.mu.Unlock()
	if read {
		s.background()
	}
}

// settle waits until the socket has ended, once its connection is closed:
// if nobody reads, it reads the connection's end itself.
func (s *Socket) settle() {
	s.mu.Lock()
	read := s.claimReading()
	s.mu.Unlock()
	if read {
		s.background()
	}
	<-s.done
}

// isTimeout reports whether err is a deadline expiring.
func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }
