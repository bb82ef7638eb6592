package server

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
)

// DefaultGroupQueue bounds the broadcasts waiting to be written to one
// member of a Group.
const DefaultGroupQueue = 64

// A Group is a set of sockets that receive the same messages, such as the
// members of a chat room.
//
// Broadcast never waits for a member: each member has an outgoing queue of
// its own, bounded by QueueLimit, written by a goroutine that exists only
// while the queue holds something. A member whose queue is full when a
// broadcast comes is too slow to keep up: the group removes it and closes
// it with 1013 (try again later), its Err reports ErrGroupOverflow, and
// Broadcast returns an *OverflowError naming it. No message is dropped
// without one of these saying so. The bound holds for bursts too: more than
// QueueLimit broadcasts in a row, faster than the network takes them,
// evict even members that read as fast as they can, so a producer that
// bursts needs a QueueLimit that holds its bursts.
//
// A socket leaves its groups by itself when it ends. The zero value is an
// empty group with default bounds; a Group must not be copied after use.
type Group struct {
	// QueueLimit bounds the broadcasts waiting to be written to one
	// member; 0 means DefaultGroupQueue.
	QueueLimit int

	// OnEvict, if set, is called with each member the group evicts and
	// the reason: ErrGroupOverflow, or the error of a write that failed.
	// It runs on a goroutine of its own.
	OnEvict func(s *Socket, err error)

	mu      sync.Mutex
	members map[*Socket]*member
}

// member is a socket in a group and its outgoing queue, guarded by the
// group's mutex.
type member struct {
	s       *Socket
	queue   ring[*conn.PreparedMessage]
	writing bool        // a goroutine is writing the queue out
	leave   func() bool // stops the removal at the socket's end
}

// OverflowError is returned by Broadcast when members were evicted because
// their outgoing queues were full.
type OverflowError struct {
	Sockets []*Socket
}

func (e *OverflowError) Error() string {
	return fmt.Sprintf("websocket: %d group member(s) evicted: outgoing queue full", len(e.Sockets))
}

// Unwrap makes errors.Is(err, ErrGroupOverflow) true.
func (e *OverflowError) Unwrap() error { return ErrGroupOverflow }

func (g *Group) limit() int {
	if g.QueueLimit > 0 {
		return g.QueueLimit
	}
	return DefaultGroupQueue
}

// Add makes s a member of the group. It does nothing if s is already one
// or has ended.
func (g *Group) Add(s *Socket) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.members[s]; ok || s.ctx.Err() != nil {
		return
	}
	if g.members == nil {
		g.members = make(map[*Socket]*member)
	}
	m := &member{s: s}
	m.leave = context.AfterFunc(s.ctx, func() { g.Remove(s) })
	g.members[s] = m
}

// Remove takes s out of the group. Broadcasts already queued for it are
// still written.
func (g *Group) Remove(s *Socket) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if m, ok := g.members[s]; ok {
		g.drop(m)
	}
}

// drop removes m from the group, with g.mu held.
func (g *Group) drop(m *member) {
	delete(g.members, m.s)
	m.leave()
}

// Len returns the number of members.
func (g *Group) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.members)
}

// Broadcast queues m for every member and returns at once; the message is
// encoded once, and that frame is written to each member. m.Data must not
// be modified afterwards. Members whose queue is full are evicted (see
// Group) and named by the *OverflowError returned; m still goes to the
// others. An invalid message type is an error and sends nothing.
func (g *Group) Broadcast(m Message) error {
	pm, err := conn.NewPreparedMessage(m.Type, m.Data)
	if err != nil {
		return err
	}
	limit := g.limit()
	var evicted []*Socket
	g.mu.Lock()
	for s, mb := range g.members {
		if mb.queue.len() >= limit {
			g.drop(mb)
			evicted = append(evicted, s)
			continue
		}
		mb.queue.push(pm, limit)
		if !mb.writing {
			mb.writing = true
			go g.write(mb)
		}
	}
	g.mu.Unlock()
	if evicted == nil {
		return nil
	}
	for _, s := range evicted {
		g.evict(s, ErrGroupOverflow)
	}
	return &OverflowError{Sockets: evicted}
}

// write is a member's writer goroutine: it writes the member's queue out
// and exits when the queue is empty.
func (g *Group) write(m *member) {
	for {
		g.mu.Lock()
		pm, ok := m.queue.pop()
		if !ok {
			m.writing = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		err := m.s.c.WritePreparedMessage(context.Background(), pm)
		if err == nil {
			continue
		}
		g.mu.Lock()
		m.queue.clear()
		m.writing = false
		if g.members[m.s] == m {
			g.drop(m)
		}
		g.mu.Unlock()
		if !errors.Is(err, conn.ErrClosed) {
			// The write timed out or failed: the member cannot keep up.
			g.evict(m.s, err)
		}
		return
	}
}

// evict closes a member the group removed, off the caller's goroutine:
// the closing handshake may take up to the close timeout.
func (g *Group) evict(s *Socket, err error) {
	go func() {
		if g.OnEvict != nil {
			g.OnEvict(s, err)
		}
		s.closeFor(ErrGroupOverflow, frame.CloseTryAgainLater, "too slow for the group's messages")
	}()
}
