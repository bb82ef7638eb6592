package conn

import (
	"net"
	"net/http"

	"github.com/rfc6455/ws/handshake"
)

// AcceptOptions configure Accept and AcceptConn: the handshake's options
// and the Conn's.
type AcceptOptions struct {
	handshake.ServerOptions
	Options
}

// Accept upgrades the request of a net/http handler to a WebSocket
// connection (RFC 6455 §4.2). A request that is not a valid opening
// handshake is answered through w with the HTTP status the RFC calls for,
// and the *handshake.RequestError is returned. opts may be nil.
func Accept(w http.ResponseWriter, r *http.Request, opts *AcceptOptions) (*Conn, error) {
	if opts == nil {
		opts = &AcceptOptions{}
	}
	nc, buffered, a, err := handshake.Upgrade(w, r, &opts.ServerOptions)
	if err != nil {
		return nil, err
	}
	return New(nc, buffered, Server, opts.Options.agreed(a)), nil
}

// AcceptConn runs the server's opening handshake on a connection accepted
// without net/http and returns the request as read. On error the caller
// closes nc. opts may be nil.
func AcceptConn(nc net.Conn, opts *AcceptOptions) (*Conn, *handshake.Request, error) {
	if opts == nil {
		opts = &AcceptOptions{}
	}
	buffered, req, a, err := handshake.UpgradeConn(nc, &opts.ServerOptions)
	if err != nil {
		return nil, req, err
	}
	return New(nc, buffered, Server, opts.Options.agreed(a)), req, nil
}

// agreed returns a copy of o with what the handshake settled.
func (o Options) agreed(a handshake.Agreement) *Options {
	o.Subprotocol = a.Subprotocol
	o.Compression = a.Deflate
	return &o
}
