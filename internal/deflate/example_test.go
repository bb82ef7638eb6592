package deflate_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/rfc6455/ws/internal/deflate"
)

// A Compressor with context takeover: the second message refers back to
// the first and comes out shorter.
func ExampleCompressor() {
	z, err := deflate.NewCompressor(deflate.MaxWindowBits, deflate.BestSpeed)
	if err != nil {
		panic(err)
	}
	for _, msg := range []string{"Hello", `{"greeting":"Hello, world"}`, `{"greeting":"Hello, world"}`} {
		var payload bytes.Buffer // a frame writer in a connection
		z.Reset(&payload)
		io.WriteString(z, msg)
		if err := z.Close(); err != nil {
			panic(err)
		}
		fmt.Printf("%d bytes: % x\n", payload.Len(), payload.Bytes())
	}
	// Output:
	// 7 bytes: f2 48 cd c9 c9 07 00
	// 26 bytes: aa 56 4a 2f 4a 4d 2d c9 cc 4b 57 b2 52 02 8b e8 28 94 e7 17 e5 a4 28 d5 02 00
	// 4 bytes: c2 23 05 00
}

// A Decompressor reads a message's payload as it came, without the four
// octets the sender removed.
func ExampleDecompressor() {
	d, err := deflate.NewDecompressor(deflate.MaxWindowBits)
	if err != nil {
		panic(err)
	}
	// The compressed "Hello" of RFC 7692 §7.2.3.1.
	d.Reset(bytes.NewReader([]byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}))
	msg, err := io.ReadAll(d)
	fmt.Printf("%q %v\n", msg, err)
	// Output: "Hello" <nil>
}

// A receiver bounds a message by reading at most its limit plus one byte:
// the Decompressor does no more work than that, however far the message
// would inflate.
func ExampleDecompressor_limit() {
	var payload bytes.Buffer
	z, _ := deflate.NewCompressor(deflate.MaxWindowBits, deflate.BestSpeed)
	z.Reset(&payload)
	z.Write(make([]byte, 1<<20)) // 1 MiB of zeros
	z.Close()

	d, _ := deflate.NewDecompressor(deflate.MaxWindowBits)
	d.Reset(&payload)
	const limit = 64 << 10
	n, _ := io.Copy(io.Discard, io.LimitReader(d, limit+1))
	fmt.Println(n > limit, "- the message is over the limit; fail the connection with 1009")
	// Output: true - the message is over the limit; fail the connection with 1009
}

// timeoutOnce yields a message's payload in two halves with a read
// deadline passing between them, as a connection's reader might.
type timeoutOnce struct {
	halves [][]byte
	failed bool
}

func (r *timeoutOnce) Read(p []byte) (int, error) {
	if len(r.halves) == 0 {
		return 0, io.EOF
	}
	if len(r.halves) == 1 && !r.failed {
		r.failed = true
		return 0, os.ErrDeadlineExceeded
	}
	n := copy(p, r.halves[0])
	r.halves = r.halves[1:]
	return n, nil
}

// A read deadline that passes in the middle of a message loses nothing:
// the next Read goes on where the last one stopped.
func ExampleDecompressor_Read_deadline() {
	// The compressed "Hello" of RFC 7692 §7.2.3.1, cut in the middle of
	// its fixed-code block.
	msg := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}
	d, _ := deflate.NewDecompressor(deflate.MaxWindowBits)
	d.Reset(&timeoutOnce{halves: [][]byte{msg[:3], msg[3:]}})
	var got []byte
	buf := make([]byte, 16)
	for {
		n, err := d.Read(buf)
		got = append(got, buf[:n]...)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			fmt.Println("deadline passed; reading on")
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
	}
	fmt.Printf("%q\n", got)
	// Output:
	// deadline passed; reading on
	// "Hello"
}

// Without context takeover no state survives a message, so a connection
// can take a Compressor from the pool for each message.
func ExampleGetCompressor() {
	for range 2 {
		z, err := deflate.GetCompressor(deflate.MaxWindowBits, deflate.DefaultCompression)
		if err != nil {
			panic(err)
		}
		var payload bytes.Buffer
		z.Reset(&payload)
		io.WriteString(z, "Hello")
		z.Close()
		deflate.PutCompressor(z)
		fmt.Printf("% x\n", payload.Bytes())
	}
	// Output:
	// f2 48 cd c9 c9 07 00
	// f2 48 cd c9 c9 07 00
}
