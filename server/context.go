package server

import "time"

// socketKey is the context key of a request's Socket.
type socketKey struct{}

// socketContext is a Socket seen as the root of its context: it holds the
// values of the request's context, not its cancellation, which net/http
// signals when ServeHTTP returns, long before the socket ends; and it
// holds the socket under socketKey. Being the Socket itself, it costs no
// allocation of its own.
type socketContext Socket

func (c *socketContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *socketContext) Done() <-chan struct{}       { return nil }
func (c *socketContext) Err() error                  { return nil }

func (c *socketContext) Value(key any) any {
	if key == (socketKey{}) {
		return (*Socket)(c)
	}
	return c.request.Value(key)
}
