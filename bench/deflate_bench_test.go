package bench

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/rfc6455/ws/internal/deflate"
	"github.com/rfc6455/ws/internal/deflate/deflatetest"
)

// deflateWorkloads are sets of distinct messages sent one after another:
// with context takeover a message may refer back to the ones before it.
var deflateWorkloads = []struct {
	name string
	msgs [][]byte
}{
	{"msg=json1KiB", messages(64, func(i uint64) []byte { return deflatetest.JSON(1024, i) })},
	{"msg=text64KiB", messages(8, func(i uint64) []byte { return deflatetest.Text(64<<10, i) })},
	{"msg=noisy64KiB", messages(8, func(i uint64) []byte { return deflatetest.Noisy(64<<10, i) })},
	{"msg=random64KiB", messages(8, func(i uint64) []byte { return deflatetest.Random(64<<10, i) })},
}

func messages(n int, gen func(uint64) []byte) [][]byte {
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = gen(uint64(i))
	}
	return msgs
}

func meanSize(msgs [][]byte) int64 {
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	return int64(total / len(msgs))
}

// countingWriter is a sink that keeps nothing.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// messageCompressor compresses one message as permessage-deflate does and
// returns the number of compressed bytes it sent.
type messageCompressor interface {
	compress(msg []byte) int64
}

type wsCompressor struct {
	z        *deflate.Compressor
	sink     countingWriter
	takeover bool
}

func (c *wsCompressor) compress(msg []byte) int64 {
	before := c.sink.n
	c.z.Reset(&c.sink)
	c.z.Write(msg)
	if err := c.z.Close(); err != nil {
		panic(err)
	}
	if !c.takeover {
		c.z.ResetHistory()
	}
	return c.sink.n - before
}

type flateCompressor struct {
	w        *flate.Writer
	sink     countingWriter
	takeover bool
}

func (c *flateCompressor) compress(msg []byte) int64 {
	before := c.sink.n
	if !c.takeover {
		c.w.Reset(&c.sink)
	}
	c.w.Write(msg)
	if err := c.w.Flush(); err != nil {
		panic(err)
	}
	// The sync flush's last four octets are not sent (RFC 7692 §7.2.1).
	return c.sink.n - before - 4
}

// deflateImpls are the compressors compared: this module's at BestSpeed
// and compress/flate at BestSpeed and DefaultCompression.
var deflateImpls = []struct {
	name string
	make func(takeover bool) messageCompressor
}{
	{"ws", func(takeover bool) messageCompressor {
		z, err := deflate.NewCompressor(deflate.MaxWindowBits, deflate.BestSpeed)
		if err != nil {
			panic(err)
		}
		return &wsCompressor{z: z, takeover: takeover}
	}},
	{"flate-bestspeed", func(takeover bool) messageCompressor {
		c := &flateCompressor{takeover: takeover}
		c.w, _ = flate.NewWriter(&c.sink, flate.BestSpeed)
		return c
	}},
	{"flate-default", func(takeover bool) messageCompressor {
		c := &flateCompressor{takeover: takeover}
		c.w, _ = flate.NewWriter(&c.sink, flate.DefaultCompression)
		return c
	}},
}

func takeoverName(takeover bool) string {
	if takeover {
		return "ctx=takeover"
	}
	return "ctx=none"
}

// BenchmarkDeflateCompress compresses messages one after another and
// reports, beside the speed, the compressed size over the original size
// (ratio, lower is better).
func BenchmarkDeflateCompress(b *testing.B) {
	for _, wl := range deflateWorkloads {
		for _, takeover := range []bool{true, false} {
			for _, impl := range deflateImpls {
				b.Run(fmt.Sprintf("%s/%s/impl=%s", wl.name, takeoverName(takeover), impl.name), func(b *testing.B) {
					c := impl.make(takeover)
					b.SetBytes(meanSize(wl.msgs))
					b.ReportAllocs()
					var in, out int64
					for i := range b.N {
						msg := wl.msgs[i%len(wl.msgs)]
						in += int64(len(msg))
						out += c.compress(msg)
					}
					b.ReportMetric(float64(out)/float64(in), "ratio")
				})
			}
		}
	}
}

// compressedStream holds messages compressed by compress/flate at
// BestSpeed, as a typical peer sends them, each without its last four
// octets. With takeover they form one DEFLATE stream.
func compressedStream(msgs [][]byte, takeover bool) [][]byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestSpeed)
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		if !takeover {
			w.Reset(&buf)
		}
		w.Write(m)
		w.Flush()
		p := buf.Bytes()
		out[i] = bytes.Clone(p[:len(p)-4])
		buf.Reset()
	}
	return out
}

// streamReader yields the compressed messages of a stream in order, each
// with the four octets the receiver appends, for compress/flate's reader,
// which reads a stream rather than messages.
type streamReader struct {
	msgs [][]byte
	i    int
	r    bytes.Reader
	tail bytes.Reader
}

var syncTail = []byte{0, 0, 0xff, 0xff}

func (s *streamReader) Read(p []byte) (int, error) {
	for {
		if s.r.Len() > 0 {
			return s.r.Read(p)
		}
		if s.tail.Len() > 0 {
			return s.tail.Read(p)
		}
		if s.i == len(s.msgs) {
			return 0, io.EOF
		}
		s.r.Reset(s.msgs[s.i])
		s.tail.Reset(syncTail)
		s.i++
	}
}

// BenchmarkDeflateDecompress decompresses messages that compress/flate
// compressed at BestSpeed, with this module's Decompressor and with
// compress/flate's reader.
func BenchmarkDeflateDecompress(b *testing.B) {
	for _, wl := range deflateWorkloads {
		for _, takeover := range []bool{true, false} {
			wire := compressedStream(wl.msgs, takeover)
			out := make([]byte, 0, 64<<10+1)
			b.Run(fmt.Sprintf("%s/%s/impl=ws", wl.name, takeoverName(takeover)), func(b *testing.B) {
				d, err := deflate.NewDecompressor(deflate.MaxWindowBits)
				if err != nil {
					b.Fatal(err)
				}
				var src bytes.Reader
				b.SetBytes(meanSize(wl.msgs))
				b.ReportAllocs()
				for i := range b.N {
					k := i % len(wire)
					if k == 0 || !takeover {
						d.ResetHistory()
					}
					src.Reset(wire[k])
					d.Reset(&src)
					n, err := readAll(d, out[:cap(out)])
					if err != io.EOF || n != len(wl.msgs[k]) {
						b.Fatalf("message %d: %d bytes, %v", k, n, err)
					}
				}
			})
			b.Run(fmt.Sprintf("%s/%s/impl=flate", wl.name, takeoverName(takeover)), func(b *testing.B) {
				var stream streamReader
				var one bytes.Reader
				withTail := make([][]byte, len(wire))
				for i, w := range wire {
					withTail[i] = append(bytes.Clone(w), syncTail...)
				}
				fr := flate.NewReader(&one)
				b.SetBytes(meanSize(wl.msgs))
				b.ReportAllocs()
				for i := range b.N {
					k := i % len(wire)
					switch {
					case !takeover:
						one.Reset(withTail[k])
						fr.(flate.Resetter).Reset(&one, nil)
					case k == 0:
						stream = streamReader{msgs: wire}
						fr.(flate.Resetter).Reset(&stream, nil)
					}
					if _, err := io.ReadFull(fr, out[:len(wl.msgs[k])]); err != nil {
						b.Fatalf("message %d: %v", k, err)
					}
				}
			})
		}
	}
}

// readAll reads r into buf until an error, and returns the bytes read
// and that error.
func readAll(r io.Reader, buf []byte) (int, error) {
	n := 0
	for {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
}

// heapPerObject returns the heap bytes each of n objects made by mk holds
// after one message went through it.
func heapPerObject(n int, mk func() any) float64 {
	keep := make([]any, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = mk()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

// BenchmarkDeflateMemory reports the heap that one compressor or
// decompressor holds, after a 1 KiB message, measured over 1,000 of
// them: what each idle connection with context takeover keeps.
func BenchmarkDeflateMemory(b *testing.B) {
	msg := deflatetest.JSON(1024, 1)
	compressed := compressedStream([][]byte{msg}, false)[0]
	objects := []struct {
		name string
		mk   func() any
	}{}
	for _, wb := range []int{15, 8} {
		for _, level := range []int{deflate.BestSpeed, 6} {
			objects = append(objects, struct {
				name string
				mk   func() any
			}{fmt.Sprintf("obj=compressor/bits=%d/level=%d/impl=ws", wb, level), func() any {
				z, err := deflate.NewCompressor(wb, level)
				if err != nil {
					panic(err)
				}
				z.Reset(io.Discard)
				z.Write(msg)
				z.Close()
				return z
			}})
		}
		objects = append(objects, struct {
			name string
			mk   func() any
		}{fmt.Sprintf("obj=decompressor/bits=%d/impl=ws", wb), func() any {
			d, err := deflate.NewDecompressor(wb)
			if err != nil {
				panic(err)
			}
			d.Reset(bytes.NewReader(compressed))
			io.Copy(io.Discard, d)
			return d
		}})
	}
	for _, level := range []int{flate.BestSpeed, flate.DefaultCompression} {
		objects = append(objects, struct {
			name string
			mk   func() any
		}{fmt.Sprintf("obj=compressor/bits=15/level=%d/impl=flate", level), func() any {
			w, _ := flate.NewWriter(io.Discard, level)
			w.Write(msg)
			w.Flush()
			return w
		}})
	}
	objects = append(objects, struct {
		name string
		mk   func() any
	}{"obj=decompressor/bits=15/impl=flate", func() any {
		r := flate.NewReader(bytes.NewReader(append(bytes.Clone(compressed), syncTail...)))
		io.ReadFull(r, make([]byte, len(msg)))
		return r
	}})

	for _, o := range objects {
		b.Run(o.name, func(b *testing.B) {
			var per float64
			for range b.N {
				per = heapPerObject(1000, o.mk)
			}
			b.ReportMetric(per, "B/object")
		})
	}
}
