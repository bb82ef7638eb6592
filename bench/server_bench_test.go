package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/handshake"
	"github.com/rfc6455/ws/server"
)

// serverURL serves h on loopback for the benchmark and returns its ws://
// URL.
func serverURL(b *testing.B, h http.Handler) string {
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
}

func dialServer(b *testing.B, url string) *conn.Conn {
	c, _, err := conn.Dial(context.Background(), url, nil)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// echoHandlers are the server sides of the echo benchmarks: the server
// package's Socket, keeping each message or releasing it once sent, and
// conn used directly for comparison.
var echoHandlers = []struct {
	impl    string
	handler http.Handler
}{
	{"server", socketEcho(false)},
	{"server-release", socketEcho(true)},
	{"conn", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := conn.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close(1000, "")
		ctx := context.Background()
		for {
			typ, p, err := c.ReadMessage(ctx)
			if err != nil || c.WriteMessage(ctx, typ, p) != nil {
				return
			}
		}
	})},
}

// socketEcho is an echo handler on a server.Socket (Messages and Send)
// that releases each message once sent, or keeps it.
func socketEcho(release bool) http.Handler {
	return server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := server.WebSocket(r)
		for m := range ws.Messages() {
			err := ws.Send(m)
			if release {
				m.Release()
			}
			if err != nil {
				return
			}
		}
	}))
}

// BenchmarkSocketEcho measures a client sending a message and reading the
// echo back through a server.Socket (Messages and Send), beside conn's
// ReadMessage and WriteMessage in a plain handler. Each receives into a
// buffer the handler owns, one allocation per message, except
// server-release, whose buffers go back to the socket's pool.
func BenchmarkSocketEcho(b *testing.B) {
	for _, size := range []int{16, 1 << 10, 64 << 10} {
		for _, eh := range echoHandlers {
			b.Run(fmt.Sprintf("size=%d/impl=%s", size, eh.impl), func(b *testing.B) {
				c := dialServer(b, serverURL(b, eh.handler))
				defer c.Close(1000, "")
				ctx := context.Background()
				msg, buf := make([]byte, size), make([]byte, size)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if err := c.WriteMessage(ctx, conn.MessageBinary, msg); err != nil {
						b.Fatal(err)
					}
					_, r, err := c.NextReader(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := io.ReadFull(r, buf); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// receivers take a stream of messages on a server.Socket and count them:
// with Wait, which reads for the handler while nothing is queued, or
// through the queue, polled with Read as a dwebsocket view polls
// has_messages, the socket's reader goroutine filling it meanwhile.
var receivers = []struct {
	path    string
	receive func(ws *server.Socket) int
}{
	{"wait", func(ws *server.Socket) int {
		n := 0
		for m := range ws.Messages() {
			m.Release()
			n++
		}
		return n
	}},
	{"queue", func(ws *server.Socket) int {
		n := 0
		for {
			m, ok := ws.Read()
			switch {
			case ok:
				m.Release()
				n++
			case ws.Closed():
				return n
			default:
				time.Sleep(100 * time.Microsecond)
			}
		}
	}},
}

// BenchmarkSocketReceive measures a stream of messages from a client
// taken by a handler: with Wait, or through the socket's queue (push by
// the reader goroutine, pop by Read).
func BenchmarkSocketReceive(b *testing.B) {
	for _, size := range []int{16, 1 << 10, 64 << 10} {
		for _, rc := range receivers {
			b.Run(fmt.Sprintf("size=%d/path=%s", size, rc.path), func(b *testing.B) {
				benchmarkReceive(b, size, rc.receive)
			})
		}
	}
}

// benchmarkReceive measures b.N messages of size octets taken by receive.
func benchmarkReceive(b *testing.B, size int, receive func(*server.Socket) int) {
	// The handler counts messages; the client waits for its count
	// at the end, so the time covers every message taken.
	counts := make(chan int, 1)
	url := serverURL(b, server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		counts <- receive(server.WebSocket(r))
	})))
	c := dialServer(b, url)
	ctx := context.Background()
	msg := make([]byte, size)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for range b.N {
		if err := c.WriteMessage(ctx, conn.MessageBinary, msg); err != nil {
			b.Fatal(err)
		}
		n++
	}
	c.Close(1000, "")
	if got := <-counts; got != n {
		b.Fatalf("handler took %d messages of %d", got, n)
	}
}

// BenchmarkBroadcast measures Group.Broadcast of a 1 KiB message to
// members that read everything, until every member has received it. The
// broadcaster waits for the members after each batch, as a real one is
// paced by its sources: a burst longer than the members' queues would
// evict them.
func BenchmarkBroadcast(b *testing.B) {
	const batch = 32
	for _, members := range []int{1, 16, 128, 1000} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			g := &server.Group{QueueLimit: 2 * batch}
			joined := make(chan struct{}, members)
			url := serverURL(b, server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ws := server.WebSocket(r)
				g.Add(ws)
				joined <- struct{}{}
				for range ws.Messages() {
				}
			})))
			var clients []*conn.Conn
			for range members {
				c := dialServer(b, url)
				<-joined
				clients = append(clients, c)
			}
			msg := make([]byte, 1<<10)
			// Each member reports every batch it has read.
			batches := make(chan struct{}, members)
			for _, c := range clients {
				go func() {
					buf := make([]byte, len(msg))
					for i := 1; i <= b.N; i++ {
						_, r, err := c.NextReader(context.Background())
						if err != nil {
							b.Error(err)
							return
						}
						io.ReadFull(r, buf)
						if i%batch == 0 || i == b.N {
							batches <- struct{}{}
						}
					}
				}()
			}
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 1; i <= b.N; i++ {
				if err := g.Broadcast(server.Binary(msg)); err != nil {
					b.Fatal(err)
				}
				if i%batch == 0 || i == b.N {
					for range members {
						<-batches
					}
				}
			}
			b.StopTimer()
			for _, c := range clients {
				c.Close(1000, "")
			}
		})
	}
}

// idleHandlers are the server sides of BenchmarkIdleMemory: a connection
// hijacked from net/http and left alone (the floor of any WebSocket server
// on net/http: the handler's goroutine, net/http's buffers and request),
// a conn.Conn with the server package's buffer sizes whose handler blocks
// in ReadMessage, and a server.Socket whose handler blocks in Wait. The
// difference between the last two is what the server package adds: its
// reader goroutine, the Socket and its queue, the keepalive timer.
var idleHandlers = []struct {
	impl    string
	handler func(accepted chan<- struct{}) http.Handler
}{
	{"hijack", func(accepted chan<- struct{}) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			nc, _, _, err := handshake.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			accepted <- struct{}{}
			nc.Read(make([]byte, 1))
			nc.Close()
		})
	}},
	{"conn", func(accepted chan<- struct{}) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			opts := &conn.AcceptOptions{Options: conn.Options{
				ReadBufferSize:  server.DefaultBufferSize,
				WriteBufferSize: server.DefaultBufferSize,
			}}
			c, err := conn.Accept(w, r, opts)
			if err != nil {
				return
			}
			accepted <- struct{}{}
			c.ReadMessage(context.Background())
			c.CloseNow()
		})
	}},
	{"server", func(accepted chan<- struct{}) http.Handler {
		return server.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			accepted <- struct{}{}
			server.WebSocket(r).Wait()
		}))
	}},
}

// BenchmarkIdleMemory measures the memory an idle connection holds on the
// server: heap and goroutine stacks, per connection, over 500 of them.
// The clients are bare TCP connections after the handshake, so that
// nearly all the memory is the server's. Its metric is B/conn.
func BenchmarkIdleMemory(b *testing.B) {
	const conns = 500
	for _, ih := range idleHandlers {
		b.Run("impl="+ih.impl, func(b *testing.B) {
			accepted := make(chan struct{}, conns)
			url := serverURL(b, ih.handler(accepted))
			var perConn float64
			for range b.N {
				before := inUse()
				clients := make([]net.Conn, 0, conns)
				for range conns {
					nc, _, _, _, err := handshake.Dial(context.Background(), url, nil)
					if err != nil {
						b.Fatal(err)
					}
					clients = append(clients, nc)
					<-accepted
				}
				perConn += float64(inUse()-before) / conns
				for _, nc := range clients {
					nc.Close()
				}
			}
			b.ReportMetric(perConn/float64(b.N), "B/conn")
		})
	}
}

// inUse returns the bytes of heap and stacks in use, after a collection.
func inUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse + ms.StackInuse)
}
