package conn

import (
	"context"
	"net/http"

	"github.com/rfc6455/ws/handshake"
)

// DialOptions configure Dial: the handshake's options and the Conn's.
type DialOptions struct {
	handshake.ClientOptions
	Options
}

// Dial opens a WebSocket connection to a ws:// or wss:// URL and returns
// it with the server's 101 response. ctx bounds the opening handshake only.
// A server that refuses gives a *handshake.StatusError carrying its answer.
// opts may be nil.
func Dial(ctx context.Context, url string, opts *DialOptions) (*Conn, *http.Response, error) {
	if opts == nil {
		opts = &DialOptions{}
	}
	nc, buffered, resp, a, err := handshake.Dial(ctx, url, &opts.ClientOptions)
	if err != nil {
		return nil, resp, err
	}
	return New(nc, buffered, Client, opts.Options.agreed(a)), resp, nil
}
