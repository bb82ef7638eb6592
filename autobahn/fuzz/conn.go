package fuzz

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/rfc6455/ws/frame"
)

// State is the state of a Conn. The names are those of RFC 6455 §4 and §7
// as the original engine uses them.
type State int

const (
	StateConnecting State = iota // opening handshake under way
	StateOpen                    // handshake done, no close frame sent
	StateClosing                 // close frame sent, waiting for the rest
	StateClosed                  // TCP closed or being closed
)

func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateOpen:
		return "open"
	case StateClosing:
		return "closing"
	}
	return "closed"
}

// The original engine's timeouts, which the cases' verdicts depend on.
const (
	// OpenHandshakeTimeout bounds the opening handshake.
	OpenHandshakeTimeout = 5 * time.Second
	// CloseHandshakeTimeout is how long an endpoint that sent the first
	// close frame waits for the peer's.
	CloseHandshakeTimeout = 1 * time.Second
	// ServerDropTimeout is how long a client waits, after the closing
	// handshake, for the server to close TCP (RFC 6455 §7.1.1).
	ServerDropTimeout = 1 * time.Second
)

// Defaults for Options.
const (
	// DefaultMaxMessageSize bounds a received message: four times the
	// largest message of the suite (16 MiB).
	DefaultMaxMessageSize = 64 << 20
	// DefaultWatchdogGrace is how long a connection may outlive the last
	// timer anyone set on it before the runner drops it.
	DefaultWatchdogGrace = 10 * time.Second
	// maxRequestHead bounds the HTTP head of the opening handshake.
	maxRequestHead = 16 << 10
	// readChunk is the size of one read from TCP.
	readChunk = 256 << 10
)

// Options configure a Conn. The zero value is ready to use.
type Options struct {
	// MaxMessageSize bounds a received message, in octets after
	// decompression; a larger one fails the connection with 1009.
	// 0 means DefaultMaxMessageSize.
	MaxMessageSize int64

	// WatchdogGrace bounds how long a connection stays up after the last
	// timer set on it (by the case or by the closing handshake) fired; the
	// runner then drops it, so that a peer that never closes cannot hang a
	// run. 0 means DefaultWatchdogGrace.
	WatchdogGrace time.Duration

	// ChopDelay is the pause after each octet chunk the case asked to be
	// written on its own (chopped or sync writes). The original re-enters
	// its event loop for this; a separate write system call already puts
	// the chunk on the wire, so the default 0 only yields the processor.
	ChopDelay time.Duration

	// Agent names this endpoint: the User-Agent of a client, the Server
	// header of a server.
	Agent string

	// DeflateLevel is the compress/flate level of the fuzzer's own
	// permessage-deflate. 0 means DefaultDeflateLevel.
	DeflateLevel int

	// TimeScale multiplies every timer: the cases' delays and timeouts
	// and the handshakes' timeouts. 0 means 1, the original's timing, on
	// which its verdicts are defined; a larger scale gives a slow peer, or
	// a loaded machine, more time. Wire logs show the unscaled delays.
	TimeScale float64
}

// Handler receives what happens on a Conn. Its methods run on the Conn's
// goroutine, one at a time, and may call the Conn's methods.
type Handler interface {
	// Open is called once the opening handshake succeeded.
	Open(c *Conn)
	// Message is called with each data message received while the Conn
	// has not failed the connection itself.
	Message(c *Conn, payload []byte, binary bool)
	// Pong is called with the payload of each pong received.
	Pong(c *Conn, payload []byte)
	// Lost is called once, when the TCP connection is gone.
	Lost(c *Conn)
}

// event is one thing for a Conn's goroutine to handle.
type event struct {
	data []byte // octets read from TCP
	err  error  // the read side ended
	fn   func() // a timer that fired
}

// Conn is the fuzzing end of one connection. Create it with NewClient or
// NewServer; all of its methods must be called from its Handler (that is,
// on its own goroutine), except where noted.
type Conn struct {
	nc       net.Conn
	isServer bool
	opts     Options
	h        Handler

	events chan event
	done   chan struct{} // closed when the event loop has ended
	w      *writer

	state             State
	connectionWasOpen bool
	close             CloseStatus

	openHandshakeTimer  *timer
	closeHandshakeTimer *timer
	serverDropTimer     *timer
	watchdog            *time.Timer
	watchdogAt          time.Time

	// The opening handshake.
	in           []byte // octets received and not yet consumed
	httpRequest  string
	httpResponse string
	clientKey    string
	client       *ClientTarget // the client's request parameters
	request      *Request      // the server's view of the request
	peerHead     httpHead      // the peer's opening handshake
	connect      ConnectFunc   // a server's choice of handler
	lost         bool

	// permessage-deflate: the offers a client makes, how a client accepts
	// the server's answer and how a server accepts an offer. Cases set
	// them before the handshake; pmd is the negotiated result.
	DeflateOffers         []DeflateOffer
	AcceptDeflateResponse func(DeflateResponse) bool
	AcceptDeflateOffer    func([]DeflateOffer) *DeflateAccept
	pmd                   *permessageDeflate

	recv receiver
	send sender

	// AutoFragmentSize, if positive, makes SendMessage send messages in
	// frames of at most this many octets, like the original's option.
	AutoFragmentSize int

	createWirelog bool
	wirelog       []WireEvent
	stats         Stats
	traffic       TrafficStats
}

// CloseStatus is how a connection ended, in the original's terms.
type CloseStatus struct {
	ClosedByMe  bool // I sent the first close frame
	FailedByMe  bool // I failed the connection (protocol error or timeout)
	DroppedByMe bool // I closed TCP
	WasClean    bool // both close frames were exchanged (and, for a client, the server closed TCP)

	WasNotCleanReason              *string
	WasServerConnectionDropTimeout bool
	WasOpenHandshakeTimeout        bool
	WasCloseHandshakeTimeout       bool

	LocalCloseCode    *int
	LocalCloseReason  *string
	RemoteCloseCode   *int
	RemoteCloseReason *string
}

func newConn(nc net.Conn, isServer bool, opts *Options) *Conn {
	c := &Conn{
		nc:            nc,
		isServer:      isServer,
		events:        make(chan event, 16),
		done:          make(chan struct{}),
		state:         StateConnecting,
		createWirelog: true,
		stats:         newStats(),
	}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.MaxMessageSize == 0 {
		c.opts.MaxMessageSize = DefaultMaxMessageSize
	}
	if c.opts.WatchdogGrace == 0 {
		c.opts.WatchdogGrace = DefaultWatchdogGrace
	}
	if c.opts.DeflateLevel == 0 {
		c.opts.DeflateLevel = DefaultDeflateLevel
	}
	if c.opts.TimeScale <= 0 {
		c.opts.TimeScale = 1
	}
	c.w = newWriter(nc, c.opts.ChopDelay)
	// Armed for real by the first timer: see extendWatchdog.
	c.watchdog = time.AfterFunc(time.Hour, func() { c.post(event{fn: c.checkWatchdog}) })
	return c
}

// IsServer reports whether the fuzzer is the server of this connection.
func (c *Conn) IsServer() bool { return c.isServer }

// State returns the state of the connection.
func (c *Conn) State() State { return c.state }

// ConnectionWasOpen reports whether the opening handshake succeeded.
func (c *Conn) ConnectionWasOpen() bool { return c.connectionWasOpen }

// CloseStatus returns how the connection is closing or closed so far.
func (c *Conn) CloseStatus() CloseStatus { return c.close }

// Deflate reports whether permessage-deflate was negotiated.
func (c *Conn) Deflate() bool { return c.pmd != nil }

// DeflateParams returns the negotiated permessage-deflate parameters, or
// nil when none were negotiated.
func (c *Conn) DeflateParams() *DeflateParams {
	if c.pmd == nil {
		return nil
	}
	p := c.pmd.params
	return &p
}

// HTTPRequest and HTTPResponse return the opening handshake as sent and
// received, for the report.
func (c *Conn) HTTPRequest() string  { return c.httpRequest }
func (c *Conn) HTTPResponse() string { return c.httpResponse }

// Request returns the opening handshake request a server received, or nil.
func (c *Conn) Request() *Request { return c.request }

// Wirelog returns the wire log so far.
func (c *Conn) Wirelog() []WireEvent { return c.wirelog }

// Wirelogging reports whether the wire log records.
func (c *Conn) Wirelogging() bool { return c.createWirelog }

// SetWirelog switches the wire log on or off without noting it in the log,
// as the cases that assign the original's createWirelog directly do.
func (c *Conn) SetWirelog(on bool) { c.createWirelog = on }

// EnableWirelog switches the wire log on or off and notes the switch in it.
func (c *Conn) EnableWirelog(on bool) {
	if on != c.createWirelog {
		c.createWirelog = on
		c.wirelog = append(c.wirelog, WireEvent{Kind: KindWirelogEnabled, Enabled: on})
	}
}

// Stats returns the octet and frame counts so far.
func (c *Conn) Stats() Stats { return c.stats }

// Traffic returns the traffic statistics so far.
func (c *Conn) Traffic() TrafficStats { return c.traffic }

// run is the event loop. It returns once the connection is lost.
func (c *Conn) run() {
	defer close(c.done)
	go c.w.run()
	go c.readLoop()
	for !c.lost {
		ev := <-c.events
		switch {
		case ev.fn != nil:
			ev.fn()
		case ev.err != nil:
			c.connectionLost()
		default:
			c.dataReceived(ev.data)
		}
		c.send.flush(c)
	}
	c.watchdog.Stop()
	c.w.stop()
	c.nc.Close()
}

// Post runs fn on the connection's goroutine, like a timer would. It is
// safe from any goroutine; fn is dropped if the connection is gone.
func (c *Conn) Post(fn func()) {
	c.post(event{fn: func() {
		if !c.lost {
			fn()
		}
	}})
}

// post hands ev to the event loop; it is safe from any goroutine and
// drops ev once the loop has ended.
func (c *Conn) post(ev event) {
	select {
	case c.events <- ev:
	case <-c.done:
	}
}

// readLoop reads from TCP until it fails and posts what it reads.
func (c *Conn) readLoop() {
	buf := make([]byte, readChunk)
	for {
		n, err := c.nc.Read(buf)
		if n > 0 {
			c.post(event{data: append([]byte(nil), buf[:n]...)})
		}
		if err != nil {
			if err != io.EOF {
				err = io.ErrClosedPipe
			}
			c.post(event{err: err})
			return
		}
	}
}

// timer is a pending call on the event loop that can be cancelled.
type timer struct {
	t         *time.Timer
	cancelled bool
}

// callLater runs fn on the event loop after d (times the time scale),
// unless cancelled first.
func (c *Conn) callLater(d time.Duration, fn func()) *timer {
	d = time.Duration(float64(d) * c.opts.TimeScale)
	tm := &timer{}
	c.extendWatchdog(d)
	tm.t = time.AfterFunc(d, func() {
		c.post(event{fn: func() {
			if !tm.cancelled {
				fn()
			}
		}})
	})
	return tm
}

func (t *timer) cancel() {
	if t != nil {
		t.cancelled = true
		t.t.Stop()
	}
}

// extendWatchdog makes sure the watchdog fires no earlier than the grace
// period after now+d.
func (c *Conn) extendWatchdog(d time.Duration) {
	at := time.Now().Add(d + c.opts.WatchdogGrace)
	if at.After(c.watchdogAt) {
		c.watchdogAt = at
		c.watchdog.Reset(time.Until(at))
	}
}

// checkWatchdog drops a connection that outlived every timer set on it.
func (c *Conn) checkWatchdog() {
	if time.Now().Before(c.watchdogAt) || c.lost {
		return
	}
	reason := "the runner dropped the connection: nothing happened for " + c.opts.WatchdogGrace.String() + " after the last timer"
	c.close.WasNotCleanReason = &reason
	c.close.WasClean = false
	if c.state != StateClosed {
		c.dropConnection(true)
		return
	}
	// Closed but TCP still up: the peer never ends it.
	c.nc.Close()
}

// dataReceived is the original's _dataReceived: count, log, consume.
func (c *Conn) dataReceived(data []byte) {
	switch c.state {
	case StateOpen:
		c.traffic.IncomingOctetsWireLevel += int64(len(data))
	case StateConnecting:
		c.traffic.PreopenIncomingOctetsWireLevel += int64(len(data))
	}
	c.stats.RxOctets[len(data)]++
	if c.createWirelog {
		c.wirelog = append(c.wirelog, WireEvent{Kind: KindRxOctets, Len: len(data), Data: LogHex(data)})
	}
	if len(c.in) == 0 {
		c.in = data
	} else {
		// Copy into a new array: slices of the old one may be held by a
		// message being assembled.
		c.in = append(c.in[:len(c.in):len(c.in)], data...)
	}
	c.consumeData()
}

// consumeData processes buffered input according to the state.
func (c *Conn) consumeData() {
	switch c.state {
	case StateOpen, StateClosing:
		for c.state != StateClosed && c.recv.processData(c) {
		}
	case StateConnecting:
		if c.isServer {
			c.processServerHandshake()
		} else {
			c.processClientHandshake()
		}
	}
}

// connectionLost is the original's _connectionLost: the TCP connection is
// gone, whoever closed it.
func (c *Conn) connectionLost() {
	c.serverDropTimer.cancel()
	c.serverDropTimer = nil
	c.state = StateClosed
	if !c.close.WasClean && !c.close.DroppedByMe && c.close.WasNotCleanReason == nil {
		reason := "peer dropped the TCP connection without previous WebSocket closing handshake"
		c.close.WasNotCleanReason = &reason
	}
	c.lost = true
	c.nc.Close()
	if c.h != nil {
		c.h.Lost(c)
	}
}

// writer sends what the event loop queues, in order, on its own goroutine,
// so that the loop never blocks on a peer that does not read.
type writer struct {
	nc    net.Conn
	delay time.Duration

	mu      sync.Mutex
	items   []outItem
	queued  int  // items with queued set, not yet written
	stopped bool // the connection is gone: discard everything
	wake    chan struct{}
}

// outItem is one chunk for the writer.
type outItem struct {
	data      []byte
	queued    bool // written on its own, then the writer pauses (a sync or chopped write)
	closeConn bool // close TCP here, after everything before
}

func newWriter(nc net.Conn, delay time.Duration) *writer {
	return &writer{nc: nc, delay: delay, wake: make(chan struct{}, 1)}
}

// push appends items; safe from any goroutine.
func (w *writer) push(items []outItem) {
	if len(items) == 0 {
		return
	}
	w.mu.Lock()
	for _, it := range items {
		if it.queued {
			w.queued++
		}
	}
	w.items = append(w.items, items...)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// pendingQueued reports how many queued chunks are still to be written.
func (w *writer) pendingQueued() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.queued
}

// stop discards what is left and ends run.
func (w *writer) stop() {
	w.mu.Lock()
	w.stopped = true
	w.items = nil
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *writer) run() {
	var failed bool
	for {
		<-w.wake
		for {
			w.mu.Lock()
			if w.stopped {
				w.mu.Unlock()
				return
			}
			items := w.items
			w.items = nil
			w.mu.Unlock()
			if len(items) == 0 {
				break
			}
			for len(items) > 0 {
				it := items[0]
				switch {
				case it.closeConn:
					w.nc.Close()
					items = items[1:]
				case it.queued:
					if !failed {
						_, err := w.nc.Write(it.data)
						failed = err != nil
					}
					w.mu.Lock()
					w.queued--
					w.mu.Unlock()
					items = items[1:]
					w.pause()
				default:
					// Direct writes made together go out together, as a
					// transport buffer would send them.
					var bufs net.Buffers
					for len(items) > 0 && !items[0].queued && !items[0].closeConn {
						bufs = append(bufs, items[0].data)
						items = items[1:]
					}
					if !failed {
						_, err := bufs.WriteTo(w.nc)
						failed = err != nil
					}
				}
			}
		}
	}
}

// pause gives the chunk just written time to leave on its own.
func (w *writer) pause() {
	if w.delay > 0 {
		time.Sleep(w.delay)
		return
	}
	runtime.Gosched()
}

// maskKey returns a random masking key (RFC 6455 §5.3). The key only has
// to be unpredictable to intermediaries, not to an attacker of the fuzzer.
func maskKey() frame.MaskKey {
	var k frame.MaskKey
	binary.BigEndian.PutUint32(k[:], rand.Uint32())
	return k
}
