package conn

import (
	"context"
	"sync"
)

// lock is a mutex whose lock can be abandoned when a context is done. Its
// zero value is unlocked, and it allocates only when a goroutine first has
// to wait for it (the channel that wakes waiters), so the locks of a
// connection cost nothing until they are contended.
type lock struct {
	mu      sync.Mutex
	held    bool
	waiters int
	wake    chan struct{} // holds a token when the lock was released to waiters
}

// lock takes the lock, waiting for it as long as ctx allows.
func (l *lock) lock(ctx context.Context) error {
	l.mu.Lock()
	if !l.held {
		l.held = true
		l.mu.Unlock()
		return nil
	}
	if l.wake == nil {
		l.wake = make(chan struct{}, 1)
	}
	wake := l.wake
	l.waiters++
	l.mu.Unlock()
	for {
		select {
		case <-wake:
			l.mu.Lock()
			if !l.held {
				l.held = true
				l.waiters--
				l.mu.Unlock()
				return nil
			}
			// Taken by a goroutine that did not wait: its unlock wakes
			// the waiters again.
			l.mu.Unlock()
		case <-ctx.Done():
			// A token sent meanwhile stays in wake for another waiter.
			l.mu.Lock()
			l.waiters--
			l.mu.Unlock()
			return ctx.Err()
		}
	}
}

// tryLock takes the lock if it is free.
func (l *lock) tryLock() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held {
		return false
	}
	l.held = true
	return true
}

// unlock releases the lock and wakes a waiter, if any.
func (l *lock) unlock() {
	l.mu.Lock()
	l.held = false
	waiting := l.waiters > 0
	l.mu.Unlock()
	if waiting {
		signal(l.wake)
	}
}

// signal posts a token on ch without blocking: one is enough, since the
// woken goroutine looks at the whole state.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
