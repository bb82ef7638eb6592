package conn

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/handshake"
)

// Role says which end of the connection a Conn is. It decides masking
// (§5.1: clients mask, servers do not) and who closes TCP first (§7.1.1).
type Role int

const (
	Server Role = iota
	Client
)

func (r Role) String() string {
	if r == Client {
		return "client"
	}
	return "server"
}

// MessageType is the type of a data message: text (UTF-8) or binary.
type MessageType int

const (
	MessageText   MessageType = MessageType(frame.OpText)
	MessageBinary MessageType = MessageType(frame.OpBinary)
)

func (t MessageType) String() string { return frame.Opcode(t).String() }

// Defaults for Options.
const (
	// DefaultReadLimit is the largest message accepted by default: 16 MiB,
	// the largest message of the Autobahn test cases.
	DefaultReadLimit = 16 << 20
	// DefaultCloseTimeout bounds the closing handshake by default.
	DefaultCloseTimeout = 5 * time.Second
	// DefaultBufferSize is the default size of the read and write buffers.
	DefaultBufferSize = 4096
	// minBufferSize holds a whole control frame, which is read atomically.
	minBufferSize = 256
)

// Options configure a Conn. The zero value is usable: every field has a
// default.
type Options struct {
	// ReadLimit is the largest message, in bytes after decompression, the
	// Conn accepts. A larger message fails the connection with 1009.
	// 0 means DefaultReadLimit; a negative value means no limit.
	ReadLimit int64

	// CloseTimeout bounds the closing handshake: sending the close frame,
	// waiting for the peer's, and (client) waiting for the server to close
	// TCP. 0 means DefaultCloseTimeout.
	CloseTimeout time.Duration

	// WriteTimeout, if positive, bounds each frame write. A write that times
	// out part-way closes the connection. 0 means no timeout beyond the
	// context or deadline of the call. A write may run up to an eighth
	// longer than the timeout before it fails: the socket's deadline is
	// moved only every eighth of the timeout, not before every write.
	WriteTimeout time.Duration

	// IdleTimeout, if positive, ends a connection on which the peer sends
	// nothing, not one octet, for that long while a read waits: the Conn
	// fails it with 1001 (going away) and the read returns ErrIdleTimeout.
	// It catches a peer that stalls in the middle of a frame. 0 means no
	// such bound; a user's deadline or context still applies. Like
	// WriteTimeout, it may be overrun by an eighth.
	IdleTimeout time.Duration

	// ReadBufferSize and WriteBufferSize size the I/O buffers (0 means
	// DefaultBufferSize). NextWriter sends one frame per WriteBufferSize.
	ReadBufferSize  int
	WriteBufferSize int

	// Subprotocol is the subprotocol agreed in the handshake, reported by
	// Conn.Subprotocol. Accept and Dial set it.
	Subprotocol string

	// PingHandler, if set, is called with the payload of each ping instead
	// of answering it with a pong; call Conn.Pong to answer. PongHandler is
	// called with the payload of each pong. They run on the reading
	// goroutine and must not block for long nor read from the Conn.
	PingHandler func(payload []byte)
	PongHandler func(payload []byte)

	// BeforeFail, if set, is called on the reading goroutine when the peer
	// breaks the protocol, with the error, before the Conn fails the
	// connection (sends the close frame the error names and ends TCP). It
	// may block: a layer that reads ahead of its application uses it to let
	// the application answer the messages received before the violation,
	// so that those answers go out before the close frame.
	BeforeFail func(err error)

	// MessageBuffer, if set, gives the buffer ReadMessage reads a message
	// into: it is called once per message, with the message's size, and
	// must return a slice of capacity at least size; ReadMessage returns
	// its first size octets. It lets a caller lend buffers from a pool of
	// its own instead of having one allocated per message. A message whose
	// read fails drops its buffer.
	MessageBuffer func(size int) []byte

	// CompressionLevel is the DEFLATE level (1 fastest to 9 smallest) when
	// permessage-deflate is in use; 0 means 1, which suits messages best.
	CompressionLevel int

	// CompressionThreshold is the size below which WriteMessage sends a
	// message uncompressed; 0 means DefaultCompressionThreshold, and a
	// negative value compresses every message. NextWriter always
	// compresses.
	CompressionThreshold int

	// NoWriteBatching sends every frame as it is written. By default, a
	// data frame written while the reader holds more received octets (a
	// peer that pipelines its messages) waits, up to BatchDelay, to go out
	// in one write with the frames written before the reader next waits
	// on the socket.
	NoWriteBatching bool

	// Compression is the permessage-deflate agreement of the handshake,
	// nil when none. Accept and Dial set it; set it only with New after a
	// handshake of your own.
	Compression *handshake.DeflateParams
}

// ErrIdleTimeout ends a connection whose peer sent nothing for
// Options.IdleTimeout.
var ErrIdleTimeout = &frame.Error{Code: frame.CloseGoingAway, Reason: "idle timeout"}

// CloseError is the end of a connection the peer closed with a close frame:
// its status code (CloseNoStatus if it gave none) and reason.
type CloseError struct {
	Code   frame.CloseCode
	Reason string
}

func (e *CloseError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("websocket: closed by peer: %d (%v)", e.Code, e.Code)
	}
	return fmt.Sprintf("websocket: closed by peer: %d (%v): %s", e.Code, e.Code, e.Reason)
}

// ErrClosed is returned by operations on a Conn that this side closed, or
// whose closing handshake has run.
var ErrClosed = errors.New("websocket: use of closed connection")

// Conn is a WebSocket connection. See the package documentation.
type Conn struct {
	nc           net.Conn
	role         Role
	readLimit    int64
	closeTimeout time.Duration
	writeTimeout time.Duration
	idleTimeout  time.Duration
	subprotocol  string
	onPing       func([]byte)
	onPong       func([]byte)
	beforeFail   func(error)
	newMessage   func(int) []byte
	noBatching   bool

	r    reader
	w    writer
	comp *compression // nil without permessage-deflate

	mu         sync.Mutex
	cs         closeState    // guarded by mu
	closeRecvd chan struct{} // closed once the peer's close frame, or the end of input, is seen
}

// New returns a Conn over nc, an established connection whose opening
// handshake is done. buffered holds bytes already read from nc past the
// handshake; the Conn reads them first. opts may be nil.
func New(nc net.Conn, buffered []byte, role Role, opts *Options) *Conn {
	if opts == nil {
		opts = &Options{}
	}
	c := &Conn{
		nc:           nc,
		role:         role,
		readLimit:    opts.ReadLimit,
		closeTimeout: opts.CloseTimeout,
		writeTimeout: opts.WriteTimeout,
		idleTimeout:  opts.IdleTimeout,
		subprotocol:  opts.Subprotocol,
		onPing:       opts.PingHandler,
		onPong:       opts.PongHandler,
		beforeFail:   opts.BeforeFail,
		newMessage:   opts.MessageBuffer,
		noBatching:   opts.NoWriteBatching,
		closeRecvd:   make(chan struct{}),
	}
	if c.readLimit == 0 {
		c.readLimit = DefaultReadLimit
	}
	if c.closeTimeout <= 0 {
		c.closeTimeout = DefaultCloseTimeout
	}
	if opts.Compression != nil {
		c.comp = newCompression(opts.Compression, role, opts)
	}
	c.r.init(c, bufferSize(opts.ReadBufferSize), buffered)
	c.w.init(c, bufferSize(opts.WriteBufferSize))
	return c
}

func bufferSize(n int) int {
	if n <= 0 {
		return DefaultBufferSize
	}
	return max(n, minBufferSize)
}

// Subprotocol returns the subprotocol agreed in the handshake, or "".
func (c *Conn) Subprotocol() string { return c.subprotocol }

// Role returns which end of the connection c is.
func (c *Conn) Role() Role { return c.role }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// RemoteAddr returns the peer's network address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// UnderlyingConn returns the underlying connection. Reading or writing it directly
// corrupts the WebSocket stream; it is meant for inspection (TLS state,
// socket options).
func (c *Conn) UnderlyingConn() net.Conn { return c.nc }
