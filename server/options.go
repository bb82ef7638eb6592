package server

import (
	"net/http"
	"time"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/handshake"
)

// Defaults of the bounds the options leave unset. The others are those of
// the layers below: conn.DefaultReadLimit (16 MiB) for the largest message,
// conn.DefaultCloseTimeout (5 s) for the closing handshake,
// handshake.DefaultServerTimeout (10 s) for the opening handshake.
const (
	// DefaultQueueMessages bounds the messages waiting in a socket's
	// queue for the handler to take them.
	DefaultQueueMessages = 64
	// DefaultQueueBytes bounds the payload bytes waiting in a socket's
	// queue. A message larger than this (up to the read limit) is still
	// let in when the queue is empty, so any message the read limit
	// allows can be received.
	DefaultQueueBytes = 1 << 20
	// DefaultWriteTimeout bounds each frame written to a peer: a peer that
	// does not take a frame within it is cut off, so a writer never blocks
	// for ever.
	DefaultWriteTimeout = 30 * time.Second
	// DefaultKeepaliveInterval is how long a socket may stay silent before
	// the server pings it; DefaultKeepaliveTimeout is how long it then
	// waits for a sign of life before closing the socket (1001) and
	// ending it with ErrPongTimeout. Both apply by default, so a peer that
	// vanished without a word is found within one and a half minutes.
	DefaultKeepaliveInterval = 30 * time.Second
	DefaultKeepaliveTimeout  = 30 * time.Second
	// DefaultBufferSize is the size of a socket's read and write buffers,
	// conn's default. An idle socket holds neither: conn lends them from a
	// pool while a message is read or written.
	DefaultBufferSize = conn.DefaultBufferSize
)

// An Option configures Accept, Require and Middleware. Options given to
// Accept or Require under a Middleware apply on top of the middleware's.
type Option func(*config)

// config is what the options set: the options of conn.Accept and those of
// this package. The zero value means every default.
type config struct {
	conn.AcceptOptions
	queueMessages     int
	queueBytes        int64
	keepaliveInterval time.Duration
	keepaliveTimeout  time.Duration
	registry          *Registry
	acceptAll         bool
}

// newConfig returns the defaults with opts applied.
func newConfig(base *config, opts []Option) *config {
	c := &config{}
	if base != nil {
		*c = *base
	} else {
		c.queueMessages = DefaultQueueMessages
		c.queueBytes = DefaultQueueBytes
		c.WriteTimeout = DefaultWriteTimeout
		c.keepaliveInterval = DefaultKeepaliveInterval
		c.keepaliveTimeout = DefaultKeepaliveTimeout
		c.ReadBufferSize = DefaultBufferSize
		c.WriteBufferSize = DefaultBufferSize
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithSubprotocols sets the subprotocols the server speaks, most preferred
// first (RFC 6455 §4.2.2); Socket.Subprotocol reports the one agreed.
// By default none is.
func WithSubprotocols(protocols ...string) Option {
	return func(c *config) { c.Subprotocols = protocols }
}

// WithOriginPatterns accepts browsers' requests from pages of these hosts
// too, as handshake.ServerOptions.OriginPatterns describes. By default only
// pages of the request's own host may connect (RFC 6455 §10.2); requests
// without an Origin (other than browsers') always may.
func WithOriginPatterns(patterns ...string) Option {
	return func(c *config) { c.OriginPatterns = patterns }
}

// WithAnyOrigin skips the Origin check: pages of any site may connect,
// with their users' cookies. Use it only for resources that need no
// credentials.
func WithAnyOrigin() Option {
	return func(c *config) { c.AllowAnyOrigin = true }
}

// WithCompression enables permessage-deflate (RFC 7692) as cfg narrows it;
// see handshake.DeflateConfig. Nil, the default, declines every offer.
func WithCompression(cfg *handshake.DeflateConfig) Option {
	return func(c *config) { c.Deflate = cfg }
}

// WithResponseHeader adds header fields to the 101 response, such as
// Set-Cookie; see handshake.ServerOptions.Header for those it may not set.
func WithResponseHeader(h http.Header) Option {
	return func(c *config) { c.Header = h }
}

// WithHandshakeTimeout bounds writing the 101 response; 0 means
// handshake.DefaultServerTimeout.
func WithHandshakeTimeout(d time.Duration) Option {
	return func(c *config) { c.Timeout = d }
}

// WithReadLimit bounds the size of a message; a larger one closes the
// socket with 1009 (RFC 6455 §7.4.1). 0 means conn.DefaultReadLimit
// (16 MiB); a negative limit means none.
func WithReadLimit(n int64) Option {
	return func(c *config) { c.ReadLimit = n }
}

// WithQueueLimits bounds a socket's queue of received messages: at most
// messages of them and, when more than one waits, at most bytes of
// payload. When the queue is full the socket stops reading, so TCP flow
// control slows the peer down; nothing is dropped. A value of 0 or less
// means its default (DefaultQueueMessages, DefaultQueueBytes).
func WithQueueLimits(messages int, bytes int64) Option {
	return func(c *config) {
		c.queueMessages, c.queueBytes = messages, bytes
		if messages <= 0 {
			c.queueMessages = DefaultQueueMessages
		}
		if bytes <= 0 {
			c.queueBytes = DefaultQueueBytes
		}
	}
}

// WithWriteTimeout bounds each frame written to the peer; a write that
// times out part-way closes the connection. 0 means DefaultWriteTimeout; a
// negative value means no bound. A write may run up to an eighth longer
// than d before it fails (see conn.Options.WriteTimeout).
func WithWriteTimeout(d time.Duration) Option {
	return func(c *config) {
		switch {
		case d == 0:
			c.WriteTimeout = DefaultWriteTimeout
		case d < 0:
			c.WriteTimeout = 0
		default:
			c.WriteTimeout = d
		}
	}
}

// WithIdleTimeout ends a socket on which the peer sends nothing, not one
// octet, for d while the socket waits for input: it is closed with 1001
// (going away) and Err reports conn.ErrIdleTimeout. It catches a peer that
// stops in the middle of a frame sooner than keepalive does, since such a
// peer cannot answer a ping. A socket whose queue is full does not wait
// for input, so the bound does not run then. Pongs count as input: with
// keepalive on, choose d longer than the keepalive interval, or quiet
// peers that answer pings are cut off too. 0 or less, the default, means
// no such bound; keepalive still finds stalled peers, more slowly.
func WithIdleTimeout(d time.Duration) Option {
	return func(c *config) { c.IdleTimeout = max(d, 0) }
}

// WithCloseTimeout bounds the closing handshake; 0 means
// conn.DefaultCloseTimeout.
func WithCloseTimeout(d time.Duration) Option {
	return func(c *config) { c.CloseTimeout = d }
}

// WithBufferSizes sizes a socket's read and write buffers; 0 means
// DefaultBufferSize.
func WithBufferSizes(read, write int) Option {
	return func(c *config) {
		c.ReadBufferSize, c.WriteBufferSize = read, write
		if read <= 0 {
			c.ReadBufferSize = DefaultBufferSize
		}
		if write <= 0 {
			c.WriteBufferSize = DefaultBufferSize
		}
	}
}

// WithKeepalive pings a socket that stayed silent for interval and closes
// it with 1001 (going away) if nothing, pong or message, arrives within
// timeout after the ping; its end is then ErrPongTimeout. A socket whose
// queue is full is not pinged: the server, not the peer, is then the one
// not reading. A silent peer that answers is thus pinged about once per
// interval plus timeout, and one that vanished is found within twice the
// interval plus the timeout. An interval of 0 or less turns keepalive off;
// a timeout of 0 or less means DefaultKeepaliveTimeout.
func WithKeepalive(interval, timeout time.Duration) Option {
	return func(c *config) {
		c.keepaliveInterval, c.keepaliveTimeout = max(interval, 0), timeout
		if timeout <= 0 {
			c.keepaliveTimeout = DefaultKeepaliveTimeout
		}
	}
}

// WithRegistry adds every socket to reg, so that reg.Shutdown can close
// them when the server stops. By default sockets are in no registry.
func WithRegistry(reg *Registry) Option {
	return func(c *config) { c.registry = reg }
}

// WithAcceptAll makes a Middleware upgrade every upgrade request that
// reaches it, as dwebsocket's WEBSOCKET_ACCEPT_ALL does. Accept and Require
// ignore it.
func WithAcceptAll() Option {
	return func(c *config) { c.acceptAll = true }
}
