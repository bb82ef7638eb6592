package main

import (
	"net"
	"net/http"

	"github.com/lxzan/gws"
)

// gwsEcho is a gws event handler that writes each message back.
type gwsEcho struct {
	gws.BuiltinEventHandler
}

func (gwsEcho) OnPing(c *gws.Conn, payload []byte) { c.WritePong(payload) }

func (gwsEcho) OnMessage(c *gws.Conn, m *gws.Message) {
	defer m.Close()
	c.WriteMessage(m.Opcode, m.Bytes())
}

// serveGWS echoes with lxzan/gws's Upgrader under net/http, messages
// handled in turn on the connection's read loop (ParallelEnabled off), as
// gws's README recommends. In conformance mode UTF-8 checking and
// permessage-deflate are on, as in gws's own Autobahn server.
func serveGWS(ln net.Listener, conformance bool) error {
	up := gws.NewUpgrader(gwsEcho{}, &gws.ServerOption{
		ReadMaxPayloadSize: readLimit,
		CheckUtf8Enabled:   conformance,
		PermessageDeflate: gws.PermessageDeflate{
			Enabled:               conformance,
			ServerContextTakeover: true,
			ClientContextTakeover: true,
		},
	})
	return serveHTTP(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r)
		if err != nil {
			return
		}
		// The README starts the loop on a goroutine of its own, so that
		// net/http's request state can be collected.
		go c.ReadLoop()
	}))
}
