package conn

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// aLongTimeAgo is a deadline in the past: setting it wakes a blocked Read
// or Write at once.
var aLongTimeAgo = time.Unix(1, 0)

// interrupter bounds one blocking read or write at a time by a context
// and a timeout without harming the connection: when the context is done it
// moves the socket's deadline into the past, and when the call ends it puts
// back the deadline the user set. A generation counter keeps a late
// callback from touching a later call.
type interrupter struct {
	nc      net.Conn
	write   bool          // the write deadline, not the read deadline
	timeout time.Duration // if positive, bounds every call (or, refreshed, every socket read)

	mu       sync.Mutex
	gen      uint64
	fired    bool      // the context ended the current call
	moved    bool      // the socket's deadline is not the user's
	deadline time.Time // the user's deadline
	timedOut time.Time // when the current timeout expires, if it is set
}

// set sets the socket's deadline. (A method value such as
// nc.SetReadDeadline would cost an allocation per connection.)
func (in *interrupter) set(t time.Time) error {
	if in.write {
		return in.nc.SetWriteDeadline(t)
	}
	return in.nc.SetReadDeadline(t)
}

// watch arms the interrupter for one call; pass its result to release when
// the call ends. A context that can never be done and no timeout cost
// nothing.
func (in *interrupter) watch(ctx context.Context) (stop func() bool) {
	in.refresh()
	if ctx.Done() == nil {
		return nil
	}
	in.mu.Lock()
	in.gen++
	gen := in.gen
	in.mu.Unlock()
	return context.AfterFunc(ctx, func() {
		in.mu.Lock()
		if in.gen == gen {
			in.fired, in.moved = true, true
			in.set(aLongTimeAgo)
		}
		in.mu.Unlock()
	})
}

// refresh starts the timeout anew from now, unless the user's deadline or
// the context comes first.
func (in *interrupter) refresh() {
	if in.timeout <= 0 {
		return
	}
	d := time.Now().Add(in.timeout)
	in.mu.Lock()
	if !in.fired && (in.deadline.IsZero() || d.Before(in.deadline)) {
		in.moved = true
		in.timedOut = d
		in.set(d)
	}
	in.mu.Unlock()
}

// expired reports whether the timeout, rather than the user's deadline or
// the context, ended the call that just failed with a timeout.
func (in *interrupter) expired() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.timeout > 0 && !in.fired && !in.timedOut.IsZero() && !time.Now().Before(in.timedOut)
}

// release ends the call armed by watch and reports whether the context
// interrupted it.
func (in *interrupter) release(stop func() bool) (fired bool) {
	if stop == nil && in.timeout <= 0 {
		return false
	}
	if stop != nil {
		stop()
	}
	in.mu.Lock()
	in.gen++
	fired = in.fired
	if in.moved {
		in.set(in.deadline)
	}
	in.fired, in.moved, in.timedOut = false, false, time.Time{}
	in.mu.Unlock()
	return fired
}

// setDeadline records the user's deadline and applies it unless the
// current call has moved it (it is applied when that call ends).
func (in *interrupter) setDeadline(t time.Time) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.deadline = t
	if in.moved {
		return nil
	}
	return in.set(t)
}

// isTimeout reports whether err is a deadline expiring, after which the
// socket is still usable.
func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// interrupted turns the timeout of a call that ctx interrupted into the
// context's error.
func interrupted(ctx context.Context, fired bool, err error) error {
	if err != nil && fired && isTimeout(err) {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
	}
	return err
}

// SetReadDeadline sets the deadline for reads, as net.Conn does. A read
// that hits it returns an error wrapping os.ErrDeadlineExceeded and loses
// nothing: after moving the deadline, reading continues where it stopped.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.r.intr.setDeadline(t) }

// SetWriteDeadline sets the deadline for writes, as net.Conn does. A write
// that hits it before sending anything leaves the connection usable; one
// that hits it part-way through a frame closes the connection.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.w.intr.setDeadline(t) }
