package conn

import (
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/handshake"
)

func deflateParams(serverNoCtx, clientNoCtx bool, serverBits, clientBits int) *handshake.DeflateParams {
	return &handshake.DeflateParams{
		ServerNoContextTakeover: serverNoCtx,
		ClientNoContextTakeover: clientNoCtx,
		ServerMaxWindowBits:     serverBits,
		ClientMaxWindowBits:     clientBits,
	}
}

// flateMessage compresses msg as RFC 7692 §7.2.1 says, with a flate writer
// that keeps its context between calls.
func flateMessage(t testing.TB, fw *flate.Writer, out *bytes.Buffer, msg []byte) []byte {
	t.Helper()
	out.Reset()
	fw.Write(msg)
	fw.Flush()
	b := out.Bytes()
	if !bytes.HasSuffix(b, []byte{0, 0, 0xff, 0xff}) {
		t.Fatal("flate flush did not end with 00 00 ff ff")
	}
	return bytes.Clone(b[:len(b)-4])
}

// TestCompressedRoundTrip sends messages through permessage-deflate in both
// directions, with every combination of context takeover and windows.
func TestCompressedRoundTrip(t *testing.T) {
	texts := []string{"", "short", strings.Repeat("compress me please, ", 1000), strings.Repeat("é", 70000)}
	for _, p := range []*handshake.DeflateParams{
		deflateParams(false, false, 15, 15),
		deflateParams(true, true, 15, 15),
		deflateParams(false, true, 8, 9),
		deflateParams(true, false, 12, 8),
	} {
		name := fmt.Sprintf("%+v", *p)
		client, server := connPair(t, &Options{Compression: p, CompressionThreshold: -1, WriteBufferSize: 512}, &Options{Compression: p, CompressionThreshold: -1})
		ctx := context.Background()
		for round := range 2 {
			for _, msg := range texts {
				for _, pair := range [][2]*Conn{{client, server}, {server, client}} {
					from, to := pair[0], pair[1]
					errc := make(chan error, 1)
					go func() {
						if round == 0 {
							errc <- from.WriteMessage(ctx, MessageText, []byte(msg))
							return
						}
						w, err := from.NextWriter(ctx, MessageText)
						if err == nil {
							io.Copy(w, strings.NewReader(msg))
							err = w.Close()
						}
						errc <- err
					}()
					typ, got, err := to.ReadMessage(ctx)
					if werr := <-errc; werr != nil {
						t.Fatalf("%s: write: %v", name, werr)
					}
					if err != nil || typ != MessageText || string(got) != msg {
						t.Fatalf("%s: %d-byte message came back as %v, %d bytes, %v", name, len(msg), typ, len(got), err)
					}
				}
			}
		}
	}
}

// TestCompressedWire checks the frames of a compressed message: RSV1 on the
// first only, payload that compress/flate inflates, small messages sent
// plain.
func TestCompressedWire(t *testing.T) {
	c, peer := newRawPeer(t, Server, &Options{Compression: deflateParams(false, false, 15, 15), WriteBufferSize: 256})
	msg := strings.Repeat("a fairly repetitive message, ", 200)
	go c.WriteMessage(context.Background(), MessageText, []byte(msg))
	var compressed []byte
	for first := true; ; first = false {
		h, p, err := peer.readFrame()
		if err != nil {
			t.Fatal(err)
		}
		if (h.Rsv == frame.Rsv1) != first {
			t.Fatalf("frame first=%v has RSV %#x", first, h.Rsv)
		}
		compressed = append(compressed, p...)
		if h.Fin {
			break
		}
	}
	compressed = append(compressed, 0, 0, 0xff, 0xff)
	got, err := io.ReadAll(flate.NewReader(bytes.NewReader(compressed)))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatal(err)
	}
	if string(got) != msg {
		t.Fatalf("compress/flate read %d bytes, want the %d sent", len(got), len(msg))
	}

	go c.WriteMessage(context.Background(), MessageBinary, []byte("tiny"))
	h, p, err := peer.readFrame()
	if err != nil || h.Rsv != 0 || string(p) != "tiny" {
		t.Fatalf("a message under the threshold went as %+v %q %v, want plain", h, p, err)
	}
}

// TestCompressedFromFlate reads messages compressed by compress/flate with
// context takeover, fragmented, with control frames between fragments.
func TestCompressedFromFlate(t *testing.T) {
	c, peer := newRawPeer(t, Server, &Options{Compression: deflateParams(false, false, 15, 15)})
	var out bytes.Buffer
	fw, _ := flate.NewWriter(&out, flate.BestCompression)
	msgs := []string{"Hello", "Hello", strings.Repeat("Hello again ", 500), "Hello"}
	for _, m := range msgs {
		p := flateMessage(t, fw, &out, []byte(m))
		half := len(p) / 2
		peer.send(frame.Header{Opcode: frame.OpText, Rsv: frame.Rsv1}, p[:half])
		peer.send(frame.Header{Fin: true, Opcode: frame.OpPing}, nil)
		peer.send(frame.Header{Fin: true, Opcode: frame.OpContinuation}, p[half:])
	}
	for _, m := range msgs {
		typ, got, err := c.ReadMessage(context.Background())
		if err != nil || typ != MessageText || string(got) != m {
			t.Fatalf("ReadMessage = %v %q %v, want %q", typ, got, err, m)
		}
	}
}

// TestCompressionViolations checks the RFC 7692 framing rules.
func TestCompressionViolations(t *testing.T) {
	var out bytes.Buffer
	fw, _ := flate.NewWriter(&out, flate.BestSpeed)
	valid := flateMessage(t, fw, &out, []byte("hello hello hello"))
	fin := func(op frame.Opcode, rsv byte) frame.Header { return frame.Header{Fin: true, Opcode: op, Rsv: rsv} }
	tests := []struct {
		name   string
		frames []frame.Header
		data   [][]byte
		opts   *Options
		want   error
		code   frame.CloseCode
	}{
		{"RSV1 on a continuation", []frame.Header{{Opcode: frame.OpText, Rsv: frame.Rsv1}, fin(frame.OpContinuation, frame.Rsv1)}, [][]byte{valid[:3], valid[3:]}, nil, frame.ErrReservedBits, 1002},
		{"RSV1 on a ping", []frame.Header{fin(frame.OpPing, frame.Rsv1)}, [][]byte{nil}, nil, frame.ErrReservedBits, 1002},
		{"RSV2 with deflate", []frame.Header{fin(frame.OpText, frame.Rsv2)}, [][]byte{valid}, nil, frame.ErrReservedBits, 1002},
		{"invalid DEFLATE data", []frame.Header{fin(frame.OpBinary, frame.Rsv1)}, [][]byte{{0xff, 0xff, 0xff}}, nil, ErrInvalidCompressedData, 1007},
		{"inflates to invalid UTF-8", []frame.Header{fin(frame.OpText, frame.Rsv1)}, [][]byte{flateMessage(t, fw, &out, []byte("ok\xff"))}, nil, frame.ErrInvalidUTF8, 1007},
		{"empty blocks over the wire limit", []frame.Header{fin(frame.OpBinary, frame.Rsv1)}, [][]byte{bytes.Repeat([]byte{0, 0, 0, 0xff, 0xff}, 2000)}, &Options{ReadLimit: 4096}, frame.ErrMessageTooBig, 1009},
		{"inflates over the limit", []frame.Header{fin(frame.OpBinary, frame.Rsv1)}, [][]byte{flateMessage(t, fw, &out, make([]byte, 5000))}, &Options{ReadLimit: 4096}, frame.ErrMessageTooBig, 1009},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts == nil {
				opts = &Options{}
			}
			opts.Compression = deflateParams(false, false, 15, 15)
			c, peer := newRawPeer(t, Server, opts)
			for i, h := range tt.frames {
				peer.send(h, tt.data[i])
			}
			errc := readAsync(c)
			if code := peer.expectClose(); code != tt.code {
				t.Errorf("close code %d, want %d", code, tt.code)
			}
			peer.nc.Close()
			if err := <-errc; !errors.Is(err, tt.want) {
				t.Errorf("ReadMessage = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestDecompressionBomb sends a message of a quarter MiB that inflates to
// 256 MiB (DEFLATE's ratio tops out near 1032:1): the Conn stops at its
// limit (1009) without allocating what it refused.
func TestDecompressionBomb(t *testing.T) {
	// A sync flush ends on a byte boundary with non-final blocks, so the
	// stream for 1 MiB of zeros repeated is the stream for more of them.
	var out bytes.Buffer
	fw, _ := flate.NewWriter(&out, flate.BestCompression)
	fw.Write(make([]byte, 1<<20))
	fw.Flush()
	bomb := bytes.Repeat(out.Bytes(), 256)
	bomb = bomb[:len(bomb)-4]
	t.Logf("%d bytes inflate to 256 MiB", len(bomb))

	c, peer := newRawPeer(t, Server, &Options{Compression: deflateParams(false, false, 15, 15), ReadLimit: 1 << 20})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	go peer.send(frame.Header{Fin: true, Opcode: frame.OpBinary, Rsv: frame.Rsv1}, bomb)
	errc := readAsync(c)
	if code := peer.expectClose(); code != frame.CloseMessageTooBig {
		t.Errorf("close code %d, want 1009", code)
	}
	peer.nc.Close()
	if err := <-errc; !errors.Is(err, frame.ErrMessageTooBig) {
		t.Fatalf("ReadMessage = %v, want ErrMessageTooBig", err)
	}
	runtime.ReadMemStats(&after)
	if grew := int64(after.TotalAlloc - before.TotalAlloc); grew > 8<<20 {
		t.Errorf("reading the bomb allocated %d MiB", grew>>20)
	}
}
