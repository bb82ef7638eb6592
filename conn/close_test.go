package conn

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/frame"
)

// TestCloseHandshake runs Close from each role against a raw peer that
// answers as RFC 6455 §7 says, and checks what went over the wire.
func TestCloseHandshake(t *testing.T) {
	for _, role := range []Role{Server, Client} {
		t.Run(role.String(), func(t *testing.T) {
			c, peer := newRawPeer(t, role, nil)
			done := make(chan error, 1)
			start := time.Now()
			go func() { done <- c.Close(frame.CloseNormal, "bye") }()
			h, p, err := peer.readFrame()
			if err != nil || h.Opcode != frame.OpClose {
				t.Fatalf("first frame = %v, %v; want close", h, err)
			}
			code, reason, err := frame.ParseClosePayload(p)
			if err != nil || code != 1000 || reason != "bye" {
				t.Fatalf("close payload = %d %q %v", code, reason, err)
			}
			peer.send(frame.Header{Fin: true, Opcode: frame.OpClose}, frame.AppendClosePayload(nil, 1000, ""))
			if role == Server {
				peer.expectEOF() // the server ends TCP first
			}
			peer.nc.Close()
			if err := <-done; err != nil {
				t.Fatalf("Close = %v", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("Close took %v with a prompt peer", d)
			}
			if err := c.Close(frame.CloseNormal, ""); err != nil {
				t.Errorf("second Close = %v, want nil", err)
			}
			if err := c.WriteMessage(context.Background(), MessageText, nil); !errors.Is(err, ErrClosed) {
				t.Errorf("WriteMessage after Close = %v, want ErrClosed", err)
			}
			if _, _, err := c.ReadMessage(context.Background()); err == nil {
				t.Error("ReadMessage after Close succeeded")
			}
		})
	}
}

// TestCloseTimeout checks that a peer that never answers cannot hold Close
// longer than CloseTimeout.
func TestCloseTimeout(t *testing.T) {
	c, peer := newRawPeer(t, Server, &Options{CloseTimeout: 200 * time.Millisecond})
	start := time.Now()
	if err := c.Close(frame.CloseGoingAway, ""); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 2*time.Second {
		t.Errorf("Close returned after %v, want about the 200ms timeout", d)
	}
	if code := peer.expectClose(); code != frame.CloseGoingAway {
		t.Errorf("close code %d", code)
	}
	peer.expectEOF()
}

// TestCloseArguments rejects codes that may not be sent and long reasons.
func TestCloseArguments(t *testing.T) {
	c, _ := newRawPeer(t, Server, nil)
	tests := []struct {
		code   frame.CloseCode
		reason string
	}{
		{0, ""}, {999, ""}, {1004, ""}, {1006, ""}, {1015, ""}, {2000, ""}, {5000, ""},
		{1000, string(make([]byte, frame.MaxCloseReason+1))},
	}
	for _, tt := range tests {
		if err := c.Close(tt.code, tt.reason); err == nil {
			t.Errorf("Close(%d, %d-byte reason) succeeded", tt.code, len(tt.reason))
		}
	}
}

// TestCloseWhileReading closes from one goroutine while another reads: the
// reader sees the peer's answer and Close returns without waiting out its
// timeout.
func TestCloseWhileReading(t *testing.T) {
	client, server := connPair(t, nil, nil)
	ctx := context.Background()
	readErr := make(chan error, 1)
	go func() {
		_, _, err := server.ReadMessage(ctx)
		readErr <- err
	}()
	clientRead := make(chan error, 1)
	go func() {
		// The client reads too, so it sees the close and answers.
		for {
			if _, _, err := client.ReadMessage(ctx); err != nil {
				clientRead <- err
				return
			}
		}
	}()
	time.Sleep(10 * time.Millisecond) // let the server's reader block
	start := time.Now()
	if err := server.Close(frame.CloseNormal, "done"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	var ce *CloseError
	if err := <-readErr; !errors.As(err, &ce) || ce.Code != frame.CloseNormal {
		t.Errorf("server reader error = %v, want the client's answer 1000", err)
	}
	if err := <-clientRead; !errors.As(err, &ce) || diffClose(ce, &CloseError{1000, "done"}) != "" {
		t.Errorf("client reader error = %v, want CloseError 1000 done", err)
	}
}

func diffClose(a, b *CloseError) string { return cmp.Diff(a, b) }

// TestCloseDiscardsAndAnswers checks Close with nobody reading: it reads
// and discards what arrives before the peer's close.
func TestCloseDiscardsAndAnswers(t *testing.T) {
	client, server := connPair(t, nil, nil)
	ctx := context.Background()
	if err := client.WriteMessage(ctx, MessageText, []byte("unread")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- server.Close(frame.CloseNormal, "") }()
	_, _, err := client.ReadMessage(ctx)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != frame.CloseNormal {
		t.Fatalf("client read = %v, want the server's close", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestCloseWaitKeepsItsDeadline checks that once the peer's close is
// answered, a read deadline set meanwhile does not cut short the server's
// wait for the peer's end of TCP: closing with the peer's octets unread
// could reset the connection and destroy the close frame in flight.
func TestCloseWaitKeepsItsDeadline(t *testing.T) {
	c, peer := newRawPeer(t, Server, nil)
	errc := readAsync(c)
	peer.send(frame.Header{Fin: true, Opcode: frame.OpClose}, frame.AppendClosePayload(nil, frame.CloseNormal, ""))
	if code := peer.expectClose(); code != frame.CloseNormal {
		t.Fatalf("close code %d, want 1000", code)
	}
	c.SetReadDeadline(time.Now().Add(-time.Second))
	select {
	case err := <-errc:
		t.Fatalf("the read ended (%v) while the peer still held TCP open", err)
	case <-time.After(100 * time.Millisecond):
	}
	peer.nc.Close()
	var ce *CloseError
	if err := <-errc; !errors.As(err, &ce) || ce.Code != frame.CloseNormal {
		t.Fatalf("ReadMessage = %v, want the peer's 1000", err)
	}
}

// TestCloseFrameWriteBounded checks that the close timeout bounds the
// write of the close frame itself, to a peer that reads nothing.
func TestCloseFrameWriteBounded(t *testing.T) {
	local, remote := net.Pipe() // a write waits for the peer to read it
	defer remote.Close()
	c := New(local, nil, Server, &Options{CloseTimeout: 100 * time.Millisecond})
	start := time.Now()
	err := c.Close(frame.CloseNormal, "")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close returned after %v, want about the 100ms timeout", d)
	}
	if !isTimeout(err) {
		t.Errorf("Close = %v, want the timeout of the close frame's write", err)
	}
}
