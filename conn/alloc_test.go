package conn

import (
	"bytes"
	"compress/flate"
	"context"
	"io"
	"net"
	"testing"
	"unsafe"

	"github.com/rfc6455/ws/frame"
)

// TestEchoAllocations asserts the allocation budget of the message path:
// messages read through NextReader into the caller's buffer and written
// with WriteMessage allocate nothing, in either role, at every size.
func TestEchoAllocations(t *testing.T) {
	client, server := connPair(t, nil, nil)
	ctx := context.Background()
	for _, size := range []int{16, 1024, 64 << 10, 1 << 20} {
		msg := payload(size)
		cbuf := make([]byte, size)
		// The server echoes on a goroutine of its own, started once.
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			sbuf := make([]byte, size)
			for {
				_, r, err := server.NextReader(ctx)
				if err != nil {
					return
				}
				if _, err := io.ReadFull(r, sbuf); err != nil {
					return
				}
				select {
				case <-stop:
					return
				default:
				}
				if err := server.WriteMessage(ctx, MessageBinary, sbuf); err != nil {
					return
				}
			}
		}()
		echo := func() {
			if err := client.WriteMessage(ctx, MessageBinary, msg); err != nil {
				t.Fatal(err)
			}
			if _, r, err := client.NextReader(ctx); err != nil {
				t.Fatal(err)
			} else if _, err := io.ReadFull(r, cbuf); err != nil {
				t.Fatal(err)
			}
		}
		echo()
		if n := testing.AllocsPerRun(50, echo); n > 0 {
			t.Errorf("%d-byte echo: %.1f allocations, want 0", size, n)
		}
		close(stop)
		client.WriteMessage(ctx, MessageBinary, msg) // wakes the echo loop to stop
		<-done
	}
}

// TestReadMessageAllocations asserts that ReadMessage costs one allocation
// per message, the message itself, at every size, whole or fragmented,
// compressed or not. The peer writes encoded frames, so that only the
// reader's allocations count.
func TestReadMessageAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, tt := range []struct {
		name       string
		size       int
		fragments  int
		compressed bool
	}{
		{"16B", 16, 1, false},
		{"1KiB", 1 << 10, 1, false},
		{"64KiB", 64 << 10, 1, false},
		{"1MiB", 1 << 20, 1, false},
		{"1MiB in 5 fragments", 1 << 20, 5, false},
		{"64KiB compressed", 64 << 10, 1, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := &Options{}
			payload := payload(tt.size)
			if tt.compressed {
				// Without context takeover every message is encoded alike.
				opts.Compression = deflateParams(false, true, 15, 15)
				var out bytes.Buffer
				fw, _ := flate.NewWriter(&out, flate.BestSpeed)
				payload = flateMessage(t, fw, &out, payload)
			}
			c, peer := newRawPeer(t, Server, opts)
			var wire []byte
			for i, p := range splitN(payload, tt.fragments) {
				h := frame.Header{Fin: i == tt.fragments-1, Opcode: frame.OpContinuation}
				if i == 0 {
					h.Opcode = frame.OpBinary
					if tt.compressed {
						h.Rsv = frame.Rsv1
					}
				}
				wire = append(wire, peer.frameBytes(h, p)...)
			}
			go func() {
				for {
					if _, err := peer.nc.Write(wire); err != nil {
						return
					}
				}
			}()
			read := func() {
				if _, p, err := c.ReadMessage(context.Background()); err != nil || len(p) != tt.size {
					t.Fatalf("ReadMessage = %d bytes, %v", len(p), err)
				}
			}
			read()
			if n := testing.AllocsPerRun(20, read); n > 1 {
				t.Errorf("%.1f allocations per message, want 1", n)
			}
		})
	}
}

// splitN cuts p into n pieces.
func splitN(p []byte, n int) [][]byte {
	var pieces [][]byte
	for i := range n {
		pieces = append(pieces, p[i*len(p)/n:(i+1)*len(p)/n])
	}
	return pieces
}

// TestStreamedEchoAllocations asserts that echoing by io.Copy from a
// message reader to a message writer allocates nothing.
func TestStreamedEchoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	client, server := connPair(t, nil, nil)
	ctx := context.Background()
	go streamEcho(server)
	for _, size := range []int{16, 64 << 10, 1 << 20} {
		msg := payload(size)
		buf := make([]byte, size+1)
		echo := func() {
			if err := client.WriteMessage(ctx, MessageBinary, msg); err != nil {
				t.Fatal(err)
			}
			_, r, err := client.NextReader(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := io.ReadFull(r, buf); n != size {
				t.Fatalf("echo of %d bytes came back with %d", size, n)
			}
		}
		echo()
		if n := testing.AllocsPerRun(20, echo); n > 0 {
			t.Errorf("%d-byte streamed echo: %.1f allocations, want 0", size, n)
		}
	}
}

// TestNewAllocations asserts the allocation budget of a new connection:
// the Conn itself and the channel that signals the peer's close frame.
// Its locks allocate only once contended.
func TestNewAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	nc, _ := tcpPair(t)
	const budget = 2
	if n := testing.AllocsPerRun(100, func() { New(nc, nil, Server, nil) }); n > budget {
		t.Errorf("New: %.1f allocations, want at most %d", n, budget)
	}
}

// TestConnSize asserts the memory budget of a connection: the Conn fits
// the allocator's size class of 1,792 octets, the one below 2,048, with
// its inline buffers; an idle connection holds nothing else of its own
// but the channel of the peer's close.
func TestConnSize(t *testing.T) {
	const budget = 1792
	if n := unsafe.Sizeof(Conn{}); n > budget {
		t.Errorf("a Conn takes %d octets, want at most %d", n, budget)
	}
}

// TestCloseAllocations asserts the allocation budget of a closing
// handshake, both ends' work together, as what it costs beyond dropping
// the connection: the close frame's wait is bounded by a deadline, not a
// context, whose timer and callback cost more than the handshake's own
// (its CloseError, the waits for the peer's frame and end).
func TestCloseAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	pair := func(clean bool) float64 {
		return testing.AllocsPerRun(100, func() {
			a, b := net.Pipe()
			server, client := New(a, nil, Server, nil), New(b, nil, Client, nil)
			done := make(chan struct{})
			go func() {
				client.ReadMessage(context.Background())
				close(done)
			}()
			if clean {
				server.Close(frame.CloseNormal, "")
			} else {
				server.CloseNow()
				client.CloseNow()
			}
			<-done
		})
	}
	const budget = 11
	if n := pair(true) - pair(false); n > budget {
		t.Errorf("closing handshake: %.0f allocations, want at most %d", n, budget)
	}
}
