// Package handshake implements the WebSocket opening handshake of RFC 6455
// §4, for both roles, and the negotiation of the permessage-deflate
// extension of RFC 7692 §5 and §7.1.
//
// On the server, [Check] validates an upgrade request as §4.2.1 requires and
// negotiates its subprotocol and extensions without any I/O. [Upgrade] does
// the same for a net/http handler, takes the connection over through
// [http.ResponseController] and writes the 101 response itself; a request
// that fails validation gets the HTTP answer the RFC calls for (400, 403,
// 405 or 426) and a [*RequestError]. [UpgradeConn] upgrades a raw
// [net.Conn] without net/http, reading the request head itself within a
// bounded size and time.
//
// On the client, [Dial] connects to a ws:// or wss:// URL, through an HTTP
// CONNECT proxy when one is configured, and [ClientHandshake] runs the
// handshake on a connection the caller already has. Both validate the 101
// response as §4.1 requires; a server that refuses to switch protocols
// yields a [*StatusError].
//
// Every entry point returns the bytes it read past the end of the HTTP head
// ("buffered"): the peer may send its first frames in the same packet as its
// handshake, and the layer above must consume them before reading the
// connection again. The package stops at the end of the handshake: framing,
// compression itself and the closing handshake belong to the layers above.
//
// Every resource is bounded: the size of a request or response head
// ([DefaultMaxHeaderBytes]) and the time a handshake may take
// ([DefaultServerTimeout], [DefaultDialTimeout]); each bound has an option.
package handshake
