package conn

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestLockAbandon checks that a wait for a held lock ends with the
// context, and that the lock is then taken normally.
func TestLockAbandon(t *testing.T) {
	var l lock
	if !l.tryLock() {
		t.Fatal("tryLock of a free lock failed")
	}
	if l.tryLock() {
		t.Fatal("tryLock of a held lock succeeded")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := l.lock(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lock of a held lock: %v, want the context's deadline", err)
	}
	l.unlock()
	if err := l.lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.unlock()
}

// TestLockExclusion takes the lock from many goroutines, some abandoning
// their waits, some with tryLock: no two may hold it at once (the race
// detector watches the counter), and every goroutine that waits without a
// deadline gets it in the end, so no release is lost.
func TestLockExclusion(t *testing.T) {
	var l lock
	var held, total int // guarded by l
	const goroutines, rounds = 8, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				switch (g + i) % 3 {
				case 0: // a wait that may be abandoned
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%4)*time.Microsecond)
					err := l.lock(ctx)
					cancel()
					if err != nil {
						continue
					}
				case 1:
					if !l.tryLock() {
						continue
					}
				default:
					if err := l.lock(context.Background()); err != nil {
						t.Error(err)
						return
					}
				}
				held++
				if held != 1 {
					t.Errorf("%d holders at once", held)
				}
				total++
				held--
				l.unlock()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("goroutines still waiting for the lock: a release was lost")
	}
	if total < goroutines*rounds/3 {
		t.Errorf("the lock was taken %d times, want at least %d", total, goroutines*rounds/3)
	}
}
