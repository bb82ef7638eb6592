package conn

import (
	"context"
	"io"
	"testing"
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
