// Package conn is a WebSocket connection (RFC 6455) over a net.Conn, for
// either role: the server side after an opening handshake, or a client
// from Dial.
//
// A Conn reads whole messages (ReadMessage) or streams them (NextReader),
// reassembling fragments, answering pings, validating UTF-8 as bytes arrive
// and failing the connection with the close code RFC 6455 prescribes for
// each violation. It writes whole messages (WriteMessage) or streams them
// (NextWriter, one frame per buffer-full), from many goroutines at once:
// control frames go out between the fragments of a message in progress.
// Close runs the closing handshake with a bounded wait.
//
// Reads and writes can be bounded by a context or by deadlines. A read that
// is interrupted that way loses nothing: the connection keeps its place in
// the stream and the next read continues. A write interrupted after some of
// its bytes reached the socket cannot be undone; the connection is then
// closed, since the peer would see a broken frame.
//
// When a peer pipelines, sending several messages that arrive together,
// the answers written while the rest are still to be read go out together
// in one write, when the reader has taken everything (or after
// BatchDelay): one system call for a read's worth of answers instead of
// one each. A reader that waits on the socket leaves nothing to wait for,
// so no other write is delayed; Options.NoWriteBatching turns it off.
//
// One goroutine may read while any number write. Package server builds the
// dwebsocket-style message queue on top of this.
package conn
