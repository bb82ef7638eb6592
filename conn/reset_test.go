package conn

import (
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// TestStreamedEchoPeerResets streams echoes with io.Copy from NextReader
// into NextWriter while the peer resets the connection at various points:
// in the middle of a message, after a whole one while the echo is still
// going out, and before reading any of it. The echo must end with an
// error, never a panic, and promptly.
func TestStreamedEchoPeerResets(t *testing.T) {
	const size = 512 << 10
	msg := payload(size)
	for _, cut := range []int{1, 100, 4 << 10, 70 << 10, size / 2, size} {
		cn, sn := tcpPair(t)
		server := New(sn, nil, Server, &Options{ReadLimit: 2 * size})
		ended := make(chan error, 1)
		go func() { ended <- streamEcho(server) }()

		client := New(cn, nil, Client, nil)
		w, err := client.NextWriter(context.Background(), MessageBinary)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(msg[:cut]); err != nil {
			t.Fatal(err)
		}
		if cut == size {
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		}
		// Let the server start echoing into a peer that does not read.
		time.Sleep(20 * time.Millisecond)
		cn.(*net.TCPConn).SetLinger(0)
		cn.Close()
		select {
		case err := <-ended:
			if err == nil {
				t.Errorf("cut at %d: the echo ended without an error", cut)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("cut at %d: the echo did not end after the peer's reset", cut)
		}
		server.CloseNow()
	}
}

// streamEcho echoes every message with io.Copy until an error.
func streamEcho(c *Conn) error {
	ctx := context.Background()
	for {
		typ, r, err := c.NextReader(ctx)
		if err != nil {
			return err
		}
		w, err := c.NextWriter(ctx, typ)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, r)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
}
