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
//
// Moving a socket's deadline costs about as much as a small write, so the
// timeout's deadline stays on the socket from one call to the next and is
// moved only once it is less than the timeout away: it is set an eighth of
// the timeout further than needed (slack), and a call may run that much
// longer than the timeout before it fails.
type interrupter struct {
	nc      net.Conn
	timeout time.Duration // if positive, bounds every call (or, refreshed, every socket read)
	write   bool          // the write deadline, not the read deadline

	mu       sync.Mutex
	fired    bool // the context ended the current call: the socket's deadline is in the past
	frozen   bool // the closing handshake owns the deadline (freeze)
	gen      uint64
	deadline time.Time // the user's deadline
	armed    time.Time // the timeout's deadline, when the socket holds it rather than the user's
}

// slack is how much later than the timeout the timeout's deadline is set.
func slack(timeout time.Duration) time.Duration { return timeout / 8 }

// set sets the socket's deadline. (A method value such as
// nc.SetReadDeadline would cost an allocation per connection.)
func (in *interrupter) set(t time.Time) error {
	if in.frozen {
		return nil
	}
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
			in.fired = true
			in.set(aLongTimeAgo)
		}
		in.mu.Unlock()
	})
}

// refresh makes the timeout bound what follows from now, unless the user's
// deadline or the context comes first. The socket keeps a deadline that is
// still at least the timeout away.
func (in *interrupter) refresh() {
	if in.timeout <= 0 {
		return
	}
	now := time.Now()
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.fired || !in.armed.IsZero() && in.armed.Sub(now) >= in.timeout {
		return
	}
	d := now.Add(in.timeout + slack(in.timeout))
	if !in.deadline.IsZero() && !d.Before(in.deadline) {
		// The user's deadline comes first: the socket must hold it.
		if !in.armed.IsZero() {
			in.armed = time.Time{}
			in.set(in.deadline)
		}
		return
	}
	in.armed = d
	in.set(d)
}

// bound moves the socket's deadline to t for one call, unless the user's
// comes first; unbound puts back the user's when the call ends.
func (in *interrupter) bound(t time.Time) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.deadline.IsZero() && in.deadline.Before(t) {
		t = in.deadline
	}
	// Held as the timeout's deadline would be: a deadline the user sets
	// meanwhile applies if it comes first.
	in.armed = t
	in.set(t)
}

// unbound ends the call that bound bounded.
func (in *interrupter) unbound() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.armed = time.Time{}
	in.set(in.deadline)
}

// freeze sets the socket's deadline to t for good: neither the user nor a
// context moves it any more. The end of the closing handshake waits for
// the peer's end of TCP until t, and cutting that wait short could turn
// the close into a reset that destroys the close frame in flight.
func (in *interrupter) freeze(t time.Time) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.set(t)
	in.frozen = true
}

// expired reports whether the timeout, rather than the user's deadline or
// the context, ended the call that just failed with a timeout.
func (in *interrupter) expired() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.timeout > 0 && !in.fired && !in.armed.IsZero() && !time.Now().Before(in.armed)
}

// release ends the call armed by watch and reports whether the context
// interrupted it. The timeout's deadline stays on the socket.
func (in *interrupter) release(stop func() bool) (fired bool) {
	if stop == nil {
		// No callback can have fired.
		return false
	}
	stop()
	in.mu.Lock()
	in.gen++
	fired = in.fired
	if fired {
		in.fired, in.armed = false, time.Time{}
		in.set(in.deadline)
	}
	in.mu.Unlock()
	return fired
}

// setDeadline records the user's deadline and applies it, unless the
// context has moved the socket's deadline (the call's release applies it)
// or the timeout's deadline on the socket comes first.
func (in *interrupter) setDeadline(t time.Time) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.deadline = t
	if in.fired || !in.armed.IsZero() && (t.IsZero() || !t.Before(in.armed)) {
		return nil
	}
	in.armed = time.Time{}
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
