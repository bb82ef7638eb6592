package server

import (
	"context"
	"sync"

	"github.com/rfc6455/ws/frame"
)

// reasonShutdown is the close reason sent when a registry shuts down.
const reasonShutdown = "server shutting down"

// A Registry keeps track of sockets so that a server can close them when
// it stops: http.Server.Shutdown does not see connections that were
// hijacked, as every WebSocket is. Give it to the handlers with
// WithRegistry, then stop with both:
//
//	srv.RegisterOnShutdown(reg.CloseAll) // close sockets as HTTP shuts down
//	err := srv.Shutdown(ctx)
//	err = errors.Join(err, reg.Shutdown(ctx)) // wait for their handlers
//
// The zero value is an empty registry ready to use.
type Registry struct {
	mu       sync.Mutex
	sockets  map[*Socket]struct{}
	shutdown bool
	idle     chan struct{} // made at shutdown; closed once no socket is left
}

// add registers s, unless the registry is shutting down.
func (reg *Registry) add(s *Socket) bool {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if reg.shutdown {
		return false
	}
	if reg.sockets == nil {
		reg.sockets = make(map[*Socket]struct{})
	}
	reg.sockets[s] = struct{}{}
	return true
}

// remove forgets s once its handler has returned and the socket ended.
func (reg *Registry) remove(s *Socket) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	delete(reg.sockets, s)
	if reg.shutdown && len(reg.sockets) == 0 {
		close(reg.idle)
	}
}

func (reg *Registry) closing() bool {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	return reg.shutdown
}

// Len returns the number of sockets whose handlers are running.
func (reg *Registry) Len() int {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	return len(reg.sockets)
}

// begin marks the registry as shutting down and returns its sockets, the
// first time only: none can join later.
func (reg *Registry) begin() []*Socket {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if reg.shutdown {
		return nil
	}
	reg.shutdown = true
	reg.idle = make(chan struct{})
	if len(reg.sockets) == 0 {
		close(reg.idle)
	}
	all := make([]*Socket, 0, len(reg.sockets))
	for s := range reg.sockets {
		all = append(all, s)
	}
	return all
}

// CloseAll starts the closing handshake of every socket with 1001 (going
// away, RFC 6455 §7.4.1) and makes the handlers refuse new upgrades with
// 503 Service Unavailable; it returns without waiting. Its signature fits
// http.Server.RegisterOnShutdown.
func (reg *Registry) CloseAll() {
	for _, s := range reg.begin() {
		go s.Close(frame.CloseGoingAway, reasonShutdown)
	}
}

// Shutdown does what CloseAll does and waits until the handler of every
// socket has returned. If ctx ends first, it closes the connections still
// open at once, without a closing handshake, and returns ctx.Err(); the
// handlers then see their sockets end, but Shutdown does not wait for
// them any longer.
func (reg *Registry) Shutdown(ctx context.Context) error {
	reg.CloseAll()
	select {
	case <-reg.idle:
		return nil
	case <-ctx.Done():
	}
	reg.mu.Lock()
	for s := range reg.sockets {
		s.c.CloseNow()
	}
	reg.mu.Unlock()
	return ctx.Err()
}
