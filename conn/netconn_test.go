package conn

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// TestNetConn streams bytes through the net.Conn adapter both ways and
// checks that a normal close reads as io.EOF.
func TestNetConn(t *testing.T) {
	client, server := connPair(t, nil, nil)
	ctx := context.Background()
	cn := NetConn(ctx, client, MessageBinary)
	sn := NetConn(ctx, server, MessageBinary)

	want := payload(100000)
	go func() {
		for p := want; len(p) > 0; p = p[min(len(p), 3333):] {
			if _, err := cn.Write(p[:min(len(p), 3333)]); err != nil {
				t.Error(err)
				return
			}
		}
		cn.Close()
	}()
	got, err := io.ReadAll(sn)
	if err != nil {
		t.Fatalf("ReadAll = %v, want io.EOF at the close", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("stream of %d bytes differs from the %d sent", len(got), len(want))
	}
	if cn.RemoteAddr().String() != sn.LocalAddr().String() {
		t.Error("addresses do not match")
	}
}
