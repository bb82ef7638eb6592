package server

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
	"unsafe"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
)

// Socket is the server's end of a WebSocket connection, as the handler of
// an upgraded request sees it through WebSocket(r).
//
// A handler waiting in Wait with nothing queued reads the next message
// itself. While the handler is away from Wait, a goroutine of the
// socket's own reads the peer's messages into a queue bounded in messages
// and in bytes (WithQueueLimits), and the handler takes them with Wait,
// Read or Messages. When the queue is full the socket stops reading, so
// TCP flow control slows the peer down and nothing is lost. Messages the
// peer sent before it closed the connection are all delivered before Wait
// reports the end.
//
// Send and its variants may be called from many goroutines at once, as
// may Close; so may the receiving methods, each message going to one of
// the callers.
type Socket struct {
	c             *conn.Conn
	request       context.Context // the request's context, root of ctx (see socketContext)
	ctx           context.Context // carries the socket; ends with it
	cancel        context.CancelCauseFunc
	queueMessages int
	queueBytes    int64
	ka            keepalive
	writer        hijackedWriter // the handler's ResponseWriter

	mu       sync.Mutex
	queue    ring[Message]
	queued   int64 // payload bytes in queue
	stalled  bool  // the reader waits for room in the queue
	closing  bool  // Close was called: the reader no longer waits for room
	caughtUp bool  // the handler found the queue empty after its last message
	ended    bool  // the reader has stopped: no more messages will come
	cause    error // why the server ended the socket, when it did
	err      error // why the socket ended, once ended

	role      readerRole  // who reads the connection (reading.go)
	handover  bool        // the reader goroutine was asked to stop
	leaves    uint64      // receivers that left Wait (see armAway)
	away      *time.Timer // starts the reader goroutine while receivers are away
	awayArmed bool
	awaySeen  uint64 // leaves when the away timer was armed

	loan lender // the buffer of the message being read, owned by whoever has the reader's role

	// Wake-ups, of capacity 1, each made when a goroutine first waits on
	// it and read under mu.
	ready chan struct{} // a message was queued, or the reader's role is free
	room  chan struct{} // a message left a full queue the reader waits on
	asked chan struct{} // the handler caught up or is closing

	done chan struct{} // closed once the socket has ended

	closeTimeout time.Duration
}

// newSocket makes the Socket of a request under cfg, before the opening
// handshake, since the connection's options refer to it; begin completes
// it with the connection.
func newSocket(cfg *config) *Socket {
	s := &Socket{
		queueMessages: cfg.queueMessages,
		queueBytes:    cfg.queueBytes,
		done:          make(chan struct{}),
		closeTimeout:  cfg.CloseTimeout,
	}
	if s.closeTimeout <= 0 {
		s.closeTimeout = conn.DefaultCloseTimeout
	}
	if cfg.keepaliveInterval > 0 {
		s.ka.interval, s.ka.timeout = cfg.keepaliveInterval, cfg.keepaliveTimeout
	}
	return s
}

// begin gives s its connection c, and its context, under that of the
// request r.
func (s *Socket) begin(c *conn.Conn, r *http.Request) {
	s.c, s.request = c, r.Context()
	s.ctx, s.cancel = context.WithCancelCause((*socketContext)(s))
}

// awaited returns the wake-up channel *ch for a goroutine about to wait on
// it, with s.mu held, making it if nobody waited on it before.
func awaited(ch *chan struct{}) chan struct{} {
	if *ch == nil {
		*ch = make(chan struct{}, 1)
	}
	return *ch
}

// signal posts a wake-up on ch without blocking; one pending wake-up is
// enough, since the woken goroutine looks at the whole state. A nil ch,
// one made only when a goroutine first waits on it, takes none.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Send sends m to the peer. It returns conn.ErrClosed once the socket is
// closing, and the write's error if the connection failed; a write that
// does not finish within the write timeout (WithWriteTimeout) closes the
// connection.
func (s *Socket) Send(m Message) error {
	return s.sent(s.c.WriteMessage(context.Background(), m.Type, m.Data))
}

// SendText sends text as a text message; see Send.
func (s *Socket) SendText(text string) error {
	// The connection only reads the payload (a server does not mask,
	// RFC 6455 §5.1), so the string's bytes can be sent without a copy.
	p := unsafe.Slice(unsafe.StringData(text), len(text))
	return s.sent(s.c.WriteMessage(context.Background(), conn.MessageText, p))
}

// SendBinary sends p as a binary message; see Send.
func (s *Socket) SendBinary(p []byte) error {
	return s.sent(s.c.WriteMessage(context.Background(), conn.MessageBinary, p))
}

// sent returns the error of a write, first ending the socket if the write
// timed out. The connection drops itself when the timeout cuts a frame in
// two, but not when it hits before the frame's first octet, which a full
// socket buffer makes as likely: either way the peer took nothing for the
// write timeout and the socket must end (RFC 6455 §7.1.7 lets an endpoint
// drop a connection it cannot use), without a closing handshake, whose
// close frame would wait behind the same full buffer.
func (s *Socket) sent(err error) error {
	if isTimeout(err) {
		s.abort(err)
	}
	return err
}

// abort ends the socket at once, without a closing handshake, for a cause
// that Err then reports unless the socket had already ended.
func (s *Socket) abort(cause error) {
	s.mu.Lock()
	if !s.ended && s.cause == nil {
		s.cause = cause
	}
	s.closing = true
	signal(s.room)
	signal(s.asked)
	s.mu.Unlock()
	s.c.CloseNow()
	s.settle()
}

// Close runs the closing handshake with code and reason (RFC 6455 §7),
// waiting at most the close timeout (WithCloseTimeout) for the peer's
// answer, and closes the connection, returning once the socket has ended.
// Messages already queued can still be taken; those that arrive after
// Close may be dropped, since the handler asked to stop. Err then reports
// the peer's answer. code must be
// one an endpoint may send (frame.CloseCode.ValidOnWire) or
// frame.CloseNoStatus, and reason at most frame.MaxCloseReason bytes;
// otherwise Close returns an error and does nothing. Calling Close again,
// or after the peer closed, does nothing.
//
// The handler's return closes the socket with 1000 (normal closure), so a
// handler needs Close only for another code or to close early.
func (s *Socket) Close(code frame.CloseCode, reason string) error {
	// Refuse what conn.Close refuses before the reader stops waiting for
	// room: the connection would stay open.
	if err := frame.ValidateClose(code, reason); err != nil {
		return err
	}
	// The reader must not wait for room from now on: the peer's answer to
	// our close frame comes after messages that may not fit.
	s.mu.Lock()
	s.closing = true
	signal(s.room)
	signal(s.asked)
	s.mu.Unlock()
	err := s.c.Close(code, reason)
	s.settle()
	return err
}

// closeFor closes the socket as Close does, for a cause that Err then
// reports unless the socket had already ended.
func (s *Socket) closeFor(cause error, code frame.CloseCode, reason string) {
	s.mu.Lock()
	if !s.ended && s.cause == nil {
		s.cause = cause
	}
	s.mu.Unlock()
	s.Close(code, reason)
}

// Err reports why the socket ended, or nil while it has not: a
// *conn.CloseError with the peer's code and reason after a closing
// handshake (whoever started it; for 1000 too), the *frame.Error the
// socket closed the connection with after the peer broke the protocol,
// ErrPongTimeout or ErrGroupOverflow when the server ended it, or the
// network error that ended it (io.ErrUnexpectedEOF when TCP ended without
// a close frame; conn.ErrClosed when the peer did not answer our close in
// time).
func (s *Socket) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Done returns a channel closed when the socket has ended: the connection
// is closed, though messages may still wait in the queue.
func (s *Socket) Done() <-chan struct{} { return s.done }

// Context returns the request's context, extended to end when the socket
// ends; context.Cause then returns Err's error. It is the context of the
// request the handler receives.
func (s *Socket) Context() context.Context { return s.ctx }

// Subprotocol returns the subprotocol agreed in the opening handshake, or
// "" (see WithSubprotocols).
func (s *Socket) Subprotocol() string { return s.c.Subprotocol() }

// RemoteAddr returns the peer's network address.
func (s *Socket) RemoteAddr() net.Addr { return s.c.RemoteAddr() }

// LocalAddr returns the server's network address of the connection.
func (s *Socket) LocalAddr() net.Addr { return s.c.LocalAddr() }
