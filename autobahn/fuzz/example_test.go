package fuzz_test

import (
	"fmt"
	"log"
	"net"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/autobahn/testee"
)

// pinger sends a ping when the connection opens and closes it when the
// pong comes.
type pinger struct{}

func (pinger) Open(c *fuzz.Conn) {
	c.SendFrame(fuzz.Frame{Opcode: 9, Payload: []byte("are you there?")})
	c.KillAfter(time.Second)
}

func (pinger) Message(*fuzz.Conn, []byte, bool) {}

func (pinger) Pong(c *fuzz.Conn, payload []byte) {
	fmt.Printf("pong %q\n", payload)
	code := 1000
	c.SendClose(&code, nil)
}

func (pinger) Lost(c *fuzz.Conn) {
	s := c.CloseStatus()
	fmt.Println("closed by me:", s.ClosedByMe, "clean:", s.WasClean, "code:", *s.RemoteCloseCode)
}

// A fuzzing client sends frames of its choice to a server and sees what
// comes back.
func ExampleNewClient() {
	srv := httptest.NewServer(testee.Server())
	defer srv.Close()
	target, err := fuzz.TargetFromURL("ws" + strings.TrimPrefix(srv.URL, "http"))
	if err != nil {
		log.Fatal(err)
	}
	nc, err := net.Dial("tcp", target.Address())
	if err != nil {
		log.Fatal(err)
	}
	fuzz.NewClient(nc, target, nil).Run(pinger{})
	// Output:
	// pong "are you there?"
	// closed by me: true clean: true code: 1000
}
