// Package server gives net/http handlers WebSockets the way the Django
// library dwebsocket gave Python views: wrap a handler, ask whether the
// request is a WebSocket, and talk to the peer through a small message
// queue.
//
// # Handlers
//
// Accept wraps a handler so that upgrade requests reach it as WebSockets
// and other requests as plain HTTP; Require wraps one that serves
// WebSockets only; Middleware brings them to a whole tree of handlers.
// IsWebSocket tells an upgrade request from the headers alone, and
// WebSocket returns the request's Socket, nil for plain HTTP:
//
//	http.Handle("/echo", server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//		ws := server.WebSocket(r)
//		for m := range ws.Messages() {
//			ws.Send(m)
//		}
//	})))
//
// A handler owns its socket until it returns: the socket is then closed
// with 1000 (normal closure), or 1011 (internal error) if the handler
// panicked, and nothing is ever written on the connection as HTTP again.
// The handler of a socket runs on a goroutine of its own, so that
// net/http's goroutine, with what it holds per connection, ends at the
// upgrade: a middleware around the wrapper sees ServeHTTP return then.
//
// # Receiving
//
// Wait blocks for the next message, Read takes one without blocking,
// Messages ranges over them, CountMessages and HasMessages look at the
// queue. A handler waiting in Wait with nothing queued reads the next
// message from the connection itself, so that an idle socket costs one
// goroutine, its handler's, and a message goes from the socket to the
// handler without changing goroutines. While the handler is away from
// Wait for more than 20 ms, or at once when it calls Read, CountMessages,
// HasMessages or Closed, a reader goroutine of the socket's own moves the
// peer's messages into a queue bounded both in messages and in bytes
// (WithQueueLimits), answering pings and closes meanwhile; when the queue
// is full it stops reading, so that TCP flow control slows the peer down:
// no message is ever dropped. It hands reading back to the handler when
// the handler waits again with the queue empty.
//
// A received message's payload belongs to the handler. Messages are read
// into buffers from a pool, and a handler done with a message may give
// its buffer back with Message.Release: then receiving allocates nothing
// at all. Messages the peer sent
// before it closed the connection are all delivered before Wait reports
// the end: io.EOF after an orderly closing handshake, an error naming the
// cause otherwise (Socket.Err).
//
// # Sending
//
// Send, SendText and SendBinary write a message, from any number of
// goroutines, and return the error of the write. While the handler has
// more messages queued, what it sends may wait (1 ms at most, see
// conn.Conn.HoldWrites) to share one write with its next answers, so that
// a pipelining peer costs one system call per batch, not per message; a
// failure to send such a batch ends the socket, and the next Send and Err
// report it. A Group sends one message to many sockets: it encodes the
// frame once, and a slow member is evicted instead of slowing the others.
//
// # Bounds
//
// Everything a peer can make the server hold is bounded by default, each
// bound with its option: message size (conn.DefaultReadLimit), queue
// (DefaultQueueMessages, DefaultQueueBytes), writes (DefaultWriteTimeout),
// the closing handshake (conn.DefaultCloseTimeout), silent peers
// (DefaultKeepaliveInterval, DefaultKeepaliveTimeout), and a group
// member's backlog (DefaultGroupQueue). WithIdleTimeout adds a bound, off
// by default, on a peer that stops sending in the middle of a frame.
//
// # Shutdown
//
// http.Server.Shutdown does not see hijacked connections. A Registry given
// to the handlers with WithRegistry does: its Shutdown closes every socket
// with 1001 (going away) and waits for their handlers to return.
package server
