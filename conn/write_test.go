package conn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/frame"
)

func payload(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte('a' + i%26)
	}
	return p
}

// TestRoundTrip sends messages of every length encoding both ways, whole
// and streamed, and checks they arrive unchanged with their type.
func TestRoundTrip(t *testing.T) {
	sizes := []int{0, 1, 125, 126, 127, 4095, 4096, 4097, 65535, 65536, 70000, 1 << 20}
	client, server := connPair(t, &Options{WriteBufferSize: 1000}, nil)
	ctx := context.Background()
	for _, dir := range []struct {
		name     string
		from, to *Conn
	}{{"client to server", client, server}, {"server to client", server, client}} {
		for _, streamed := range []bool{false, true} {
			for _, typ := range []MessageType{MessageText, MessageBinary} {
				for _, n := range sizes {
					name := fmt.Sprintf("%s/streamed=%v/%v/%d", dir.name, streamed, typ, n)
					want := payload(n)
					errc := make(chan error, 1)
					go func() {
						if !streamed {
							errc <- dir.from.WriteMessage(ctx, typ, want)
							return
						}
						w, err := dir.from.NextWriter(ctx, typ)
						if err != nil {
							errc <- err
							return
						}
						// Uneven pieces, to cross buffer boundaries.
						for p := want; len(p) > 0; {
							k := min(len(p), 1+len(p)%777)
							if _, err := w.Write(p[:k]); err != nil {
								errc <- err
								return
							}
							p = p[k:]
						}
						errc <- w.Close()
					}()
					var got []byte
					var gotType MessageType
					var err error
					if streamed {
						var r io.Reader
						gotType, r, err = dir.to.NextReader(ctx)
						if err == nil {
							got, err = io.ReadAll(r)
						}
					} else {
						gotType, got, err = dir.to.ReadMessage(ctx)
					}
					if werr := <-errc; werr != nil {
						t.Fatalf("%s: write: %v", name, werr)
					}
					if err != nil {
						t.Fatalf("%s: read: %v", name, err)
					}
					if gotType != typ || !bytes.Equal(got, want) {
						t.Fatalf("%s: got %v of %d bytes, want %v of %d", name, gotType, len(got), typ, n)
					}
				}
			}
		}
	}
}

// TestMasking checks §5.1/§5.3: a client masks every frame with a fresh
// key, a server masks none, and the caller's bytes are left untouched.
func TestMasking(t *testing.T) {
	for _, role := range []Role{Client, Server} {
		c, peer := newRawPeer(t, role, nil)
		msg := payload(10000)
		orig := bytes.Clone(msg)
		go func() {
			for range 3 {
				c.WriteMessage(context.Background(), MessageBinary, msg)
			}
			c.Ping(context.Background(), []byte("p"))
		}()
		keys := map[frame.MaskKey]bool{}
		for range 4 {
			h, p, err := peer.readFrame()
			if err != nil {
				t.Fatal(err)
			}
			if h.Masked != (role == Client) {
				t.Errorf("%v frame masked = %v", role, h.Masked)
			}
			keys[h.Mask] = true
			if h.Opcode == frame.OpBinary && !bytes.Equal(p, orig) {
				t.Errorf("%v: payload differs after unmasking", role)
			}
		}
		if role == Client && len(keys) != 4 {
			t.Errorf("client used %d distinct keys for 4 frames", len(keys))
		}
		if !bytes.Equal(msg, orig) {
			t.Errorf("%v: WriteMessage changed the caller's bytes", role)
		}
	}
}

// TestFragmentedWrite checks that NextWriter sends a frame per buffer-full,
// the first with the message's opcode and FIN only on the last, and that a
// control frame can go out between them.
func TestFragmentedWrite(t *testing.T) {
	c, peer := newRawPeer(t, Server, &Options{WriteBufferSize: 256})
	ctx := context.Background()
	w, err := c.NextWriter(ctx, MessageText)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(payload(200))
	w.Write(payload(100)) // the buffer fills: a frame of 256 goes out, 44 bytes stay
	if err := c.Ping(ctx, []byte("between")); err != nil {
		t.Fatal(err)
	}
	w.Write(payload(10))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	type seen struct {
		Fin    bool
		Opcode frame.Opcode
		Length int64
	}
	var got []seen
	for range 3 {
		h, _, err := peer.readFrame()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, seen{h.Fin, h.Opcode, h.Length})
	}
	want := []seen{{false, frame.OpText, 256}, {true, frame.OpPing, 7}, {true, frame.OpContinuation, 54}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("frames (-want +got):\n%s", diff)
	}
	if _, err := w.Write([]byte("late")); err == nil {
		t.Error("Write after Close succeeded")
	}
}

// TestConcurrentWriters writes from many goroutines at once, whole and
// streamed, with pings in between; every message must arrive whole.
func TestConcurrentWriters(t *testing.T) {
	client, server := connPair(t, &Options{WriteBufferSize: 512}, &Options{WriteBufferSize: 512})
	ctx := context.Background()
	const writers, perWriter = 8, 50
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for i := range perWriter {
				msg := bytes.Repeat([]byte{byte(g)}, 1+rng.IntN(3000))
				msg = append(msg, byte(i))
				var err error
				switch i % 3 {
				case 0:
					err = client.WriteMessage(ctx, MessageBinary, msg)
				case 1:
					var w WriteCloser
					if w, err = client.NextWriter(ctx, MessageBinary); err == nil {
						for p := msg; len(p) > 0 && err == nil; p = p[min(len(p), 100):] {
							_, err = w.Write(p[:min(len(p), 100)])
						}
						if cerr := w.Close(); err == nil {
							err = cerr
						}
					}
				case 2:
					err = client.Ping(ctx, []byte{byte(g)})
					if err == nil {
						err = client.WriteMessage(ctx, MessageBinary, msg)
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	next := make([]int, writers)
	for range writers * perWriter {
		_, p, err := server.ReadMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		g := int(p[0])
		body := p[:len(p)-1]
		if len(bytes.Trim(body, string([]byte{byte(g)}))) != 0 || int(p[len(p)-1]) != next[g] {
			t.Fatalf("message from writer %d mixed or out of order", g)
		}
		next[g]++
	}
	wg.Wait()
}

// TestPongWhileWriting checks that pings are answered while another
// goroutine streams a large message, between its frames.
func TestPongWhileWriting(t *testing.T) {
	client, server := connPair(t, &Options{WriteBufferSize: 1024}, nil)
	ctx := context.Background()
	pongs := make(chan string, 10)
	server.onPong = func(p []byte) { pongs <- string(p) }
	w, err := client.NextWriter(ctx, MessageBinary)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(payload(5000))
	readc := make(chan error, 1)
	go func() {
		_, _, err := server.ReadMessage(ctx)
		readc <- err
	}()
	go func() {
		// The client reads so that it sees the ping and answers it.
		client.ReadMessage(ctx)
	}()
	if err := server.Ping(ctx, []byte("are you there")); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-pongs:
		if p != "are you there" {
			t.Errorf("pong %q", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no pong while a message was being written")
	}
	w.Write(payload(100))
	w.Close()
	if err := <-readc; err != nil {
		t.Fatal(err)
	}
}

// TestWriteInterrupted checks what a context or deadline leaves behind: a
// write stopped before sending anything keeps the connection; one stopped
// in mid-frame closes it.
func TestWriteInterrupted(t *testing.T) {
	t.Run("waiting for the message lock", func(t *testing.T) {
		client, server := connPair(t, nil, nil)
		w, _ := client.NextWriter(context.Background(), MessageText)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if err := client.WriteMessage(ctx, MessageText, []byte("x")); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("WriteMessage = %v, want context.DeadlineExceeded", err)
		}
		w.Write([]byte("still fine"))
		w.Close()
		if _, p, err := server.ReadMessage(context.Background()); err != nil || string(p) != "still fine" {
			t.Fatalf("ReadMessage = %q, %v", p, err)
		}
	})
	t.Run("mid-frame", func(t *testing.T) {
		c, peer := newRawPeer(t, Server, &Options{WriteTimeout: 100 * time.Millisecond})
		_ = peer // never reads: the socket buffers fill up
		err := c.WriteMessage(context.Background(), MessageBinary, make([]byte, 64<<20))
		if !isTimeout(err) {
			t.Fatalf("WriteMessage = %v, want a timeout", err)
		}
		if err := c.WriteMessage(context.Background(), MessageBinary, []byte("x")); err == nil {
			t.Fatal("write after a broken frame succeeded")
		}
	})
}

// TestWriteMessageType rejects types that are not data messages.
func TestWriteMessageType(t *testing.T) {
	c, _ := newRawPeer(t, Server, nil)
	for _, typ := range []MessageType{0, 8, 9, 10} {
		if err := c.WriteMessage(context.Background(), typ, nil); err == nil {
			t.Errorf("WriteMessage with type %d succeeded", typ)
		}
		if _, err := c.NextWriter(context.Background(), typ); err == nil {
			t.Errorf("NextWriter with type %d succeeded", typ)
		}
	}
}

// TestPreparedMessage sends one prepared message on a server and a client
// connection: the server's frame is the one encoded, the client's masked.
func TestPreparedMessage(t *testing.T) {
	pm, err := NewPreparedMessage(MessageText, []byte("to everyone"))
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []Role{Server, Client} {
		c, peer := newRawPeer(t, role, nil)
		go c.WritePreparedMessage(context.Background(), pm)
		h, p, err := peer.readFrame()
		if err != nil {
			t.Fatal(err)
		}
		if !h.Fin || h.Opcode != frame.OpText || h.Masked != (role == Client) || string(p) != "to everyone" {
			t.Errorf("%v sent %+v %q", role, h, p)
		}
	}
	if _, err := NewPreparedMessage(MessageType(frame.OpPing), nil); err == nil {
		t.Error("NewPreparedMessage accepted a ping")
	}
}

// TestCloseWriterOnBrokenConnection closes a message writer whose last
// frame cannot be sent because the connection broke: Close must report the
// error, and the next message must fail at once instead of waiting for a
// message that will never end.
func TestCloseWriterOnBrokenConnection(t *testing.T) {
	tests := []struct {
		name string
		opts *Options
	}{
		{"plain", nil},
		{"compressed", &Options{Compression: deflateParams(false, false, 15, 15), CompressionThreshold: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			local, remote := net.Pipe()
			c := New(local, nil, Server, tt.opts)
			defer c.CloseNow()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			w, err := c.NextWriter(ctx, MessageText)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte("held in the buffer until Close")); err != nil {
				t.Fatal(err)
			}
			remote.Close()
			if err := w.Close(); err == nil {
				t.Error("Close on a broken connection succeeded")
			}
			if _, err := c.NextWriter(ctx, MessageText); err == nil || ctx.Err() != nil {
				t.Errorf("NextWriter after the break: %v (context %v), want the connection's error at once", err, ctx.Err())
			}
		})
	}
}
