package deflate

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"testing"
)

// bitstream returns the bytes that write writes with a bitWriter, padded
// to a byte.
func bitstream(write func(w *bitWriter)) []byte {
	var buf bytes.Buffer
	var w bitWriter
	w.reset(&buf)
	write(&w)
	w.alignToByte()
	w.flushBuf()
	return buf.Bytes()
}

// syncFlush writes what a sender leaves of a sync flush: the header of an
// empty stored block, padded to a byte.
func syncFlush(w *bitWriter) {
	w.writeBits(0, 3)
	w.alignToByte()
}

// decompress reads one message from d, fed from msg.
func decompress(d *Decompressor, msg []byte) ([]byte, error) {
	d.Reset(bytes.NewReader(msg))
	return io.ReadAll(d)
}

// compressMessages compresses msgs one after another with z, keeping the
// window between them, and returns the compressed messages.
func compressMessages(t testing.TB, z *Compressor, msgs [][]byte) [][]byte {
	t.Helper()
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		var buf bytes.Buffer
		z.Reset(&buf)
		if n, err := z.Write(m); n != len(m) || err != nil {
			t.Fatalf("message %d: Write = %d, %v", i, n, err)
		}
		if err := z.Close(); err != nil {
			t.Fatalf("message %d: Close: %v", i, err)
		}
		out[i] = buf.Bytes()
	}
	return out
}

// flateMessages compresses msgs with compress/flate as one stream, a sync
// flush after each message, and returns each message's part without its
// last four octets: what a peer using compress/flate with context
// takeover sends.
func flateMessages(t testing.TB, level int, msgs [][]byte) [][]byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		w.Write(m)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		if !bytes.HasSuffix(b, syncTail[:]) {
			t.Fatalf("flate's sync flush ends in % x", b[max(len(b)-4, 0):])
		}
		out[i] = bytes.Clone(b[:len(b)-4])
		buf.Reset()
	}
	return out
}

// flateInflate decompresses compressed messages with compress/flate's
// reader, as one stream with the four octets appended to each message,
// and returns each message's bytes.
func flateInflate(compressed [][]byte, sizes []int) ([][]byte, error) {
	var stream []byte
	for _, c := range compressed {
		stream = append(stream, c...)
		stream = append(stream, syncTail[:]...)
	}
	r := flate.NewReader(bytes.NewReader(stream))
	out := make([][]byte, len(sizes))
	for i, n := range sizes {
		out[i] = make([]byte, n)
		if _, err := io.ReadFull(r, out[i]); err != nil {
			return out, err
		}
	}
	// All the stream is used: the next read finds its end without a
	// final block.
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.ErrUnexpectedEOF {
		return out, errTrailingData
	}
	return out, nil
}

var errTrailingData = errors.New("compressed stream holds more than the messages")

func sizes(msgs [][]byte) []int {
	s := make([]int, len(msgs))
	for i, m := range msgs {
		s[i] = len(m)
	}
	return s
}
