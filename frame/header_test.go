package frame

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

var testKey = MaskKey{0xA1, 0xB2, 0xC3, 0xD4}

// headerTests are headers with their wire form as RFC 6455 §5.2 draws it.
var headerTests = []struct {
	name string
	h    Header
	wire []byte
}{
	{"empty text", Header{Fin: true, Opcode: OpText}, []byte{0x81, 0x00}},
	{"7-bit max", Header{Fin: true, Opcode: OpBinary, Length: 125}, []byte{0x82, 125}},
	{"16-bit min", Header{Fin: true, Opcode: OpBinary, Length: 126}, []byte{0x82, 126, 0x00, 0x7E}},
	{"16-bit max", Header{Fin: true, Opcode: OpBinary, Length: 65535}, []byte{0x82, 126, 0xFF, 0xFF}},
	{"64-bit min", Header{Fin: true, Opcode: OpBinary, Length: 65536},
		[]byte{0x82, 127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}},
	{"64-bit max", Header{Fin: true, Opcode: OpBinary, Length: 1<<63 - 1},
		[]byte{0x82, 127, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
	{"masked empty", Header{Fin: true, Opcode: OpText, Masked: true, Mask: testKey},
		[]byte{0x81, 0x80, 0xA1, 0xB2, 0xC3, 0xD4}},
	{"masked 7-bit max", Header{Fin: true, Opcode: OpText, Masked: true, Mask: testKey, Length: 125},
		[]byte{0x81, 0x80 | 125, 0xA1, 0xB2, 0xC3, 0xD4}},
	{"masked 16-bit", Header{Fin: true, Opcode: OpText, Masked: true, Mask: testKey, Length: 126},
		[]byte{0x81, 0x80 | 126, 0x00, 0x7E, 0xA1, 0xB2, 0xC3, 0xD4}},
	{"masked 16-bit max", Header{Opcode: OpText, Masked: true, Mask: testKey, Length: 65535},
		[]byte{0x01, 0x80 | 126, 0xFF, 0xFF, 0xA1, 0xB2, 0xC3, 0xD4}},
	{"masked 64-bit", Header{Fin: true, Opcode: OpBinary, Masked: true, Mask: testKey, Length: 65536},
		[]byte{0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0xA1, 0xB2, 0xC3, 0xD4}},
	{"masked 64-bit max", Header{Fin: true, Opcode: OpBinary, Masked: true, Mask: testKey, Length: 1<<63 - 1},
		[]byte{0x82, 0x80 | 127, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xA1, 0xB2, 0xC3, 0xD4}},
	{"RSV1", Header{Fin: true, Rsv: Rsv1, Opcode: OpText, Length: 5}, []byte{0xC1, 0x05}},
	{"RSV2", Header{Fin: true, Rsv: Rsv2, Opcode: OpText, Length: 5}, []byte{0xA1, 0x05}},
	{"RSV3", Header{Fin: true, Rsv: Rsv3, Opcode: OpText, Length: 5}, []byte{0x91, 0x05}},
	{"all RSV", Header{Rsv: Rsv1 | Rsv2 | Rsv3, Opcode: OpContinuation}, []byte{0x70, 0x00}},
	{"continuation", Header{Opcode: OpContinuation, Length: 3}, []byte{0x00, 0x03}},
	{"close", Header{Fin: true, Opcode: OpClose, Length: 2}, []byte{0x88, 0x02}},
	{"ping", Header{Fin: true, Opcode: OpPing}, []byte{0x89, 0x00}},
	{"pong", Header{Fin: true, Opcode: OpPong, Length: 125}, []byte{0x8A, 125}},
}

// The header codec must also carry reserved opcodes unchanged: rejecting
// them is Validate's job, so that the caller can answer with 1002.
func init() {
	for op := Opcode(0); op < 16; op++ {
		if op.IsReserved() {
			headerTests = append(headerTests, struct {
				name string
				h    Header
				wire []byte
			}{"opcode " + op.String(), Header{Fin: true, Opcode: op}, []byte{0x80 | byte(op), 0}})
		}
	}
}

func TestAppendHeader(t *testing.T) {
	for _, tc := range headerTests {
		got := AppendHeader([]byte{0xEE}, tc.h)
		if diff := cmp.Diff(append([]byte{0xEE}, tc.wire...), got); diff != "" {
			t.Errorf("%s: AppendHeader(%+v) mismatch (-want +got):\n%s", tc.name, tc.h, diff)
		}
		if got := tc.h.Size(); got != len(tc.wire) {
			t.Errorf("%s: Size() = %d, want %d", tc.name, got, len(tc.wire))
		}
	}
}

func TestParseHeader(t *testing.T) {
	for _, tc := range headerTests {
		// Bytes after the header are the payload, not the parser's business.
		in := append(append([]byte{}, tc.wire...), 0xEE, 0xEE)
		h, n, err := ParseHeader(in)
		if err != nil {
			t.Errorf("%s: ParseHeader(% x): %v", tc.name, tc.wire, err)
			continue
		}
		if n != len(tc.wire) {
			t.Errorf("%s: ParseHeader(% x) took %d octets, want %d", tc.name, tc.wire, n, len(tc.wire))
		}
		if diff := cmp.Diff(tc.h, h); diff != "" {
			t.Errorf("%s: ParseHeader(% x) mismatch (-want +got):\n%s", tc.name, tc.wire, diff)
		}
	}
}

func TestReadHeader(t *testing.T) {
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"plain", func(r io.Reader) io.Reader { return r }},
		{"one byte", iotest.OneByteReader},
		{"half", iotest.HalfReader},
		{"data+EOF", iotest.DataErrReader},
		{"bufio", func(r io.Reader) io.Reader { return bufio.NewReader(r) }},
		// The smallest buffer, filled one octet at a time: every Peek waits.
		{"bufio one byte", func(r io.Reader) io.Reader { return bufio.NewReaderSize(iotest.OneByteReader(r), 16) }},
	}
	for _, rd := range readers {
		for _, tc := range headerTests {
			var scratch [MaxHeaderSize]byte
			r := rd.wrap(bytes.NewReader(append(append([]byte{}, tc.wire...), 0xEE)))
			h, err := ReadHeader(r, &scratch)
			if err != nil {
				t.Errorf("%s/%s: ReadHeader(% x): %v", rd.name, tc.name, tc.wire, err)
				continue
			}
			if diff := cmp.Diff(tc.h, h); diff != "" {
				t.Errorf("%s/%s: ReadHeader(% x) mismatch (-want +got):\n%s", rd.name, tc.name, tc.wire, diff)
			}
			// The reader must stop at the end of the header.
			rest, _ := io.ReadAll(r)
			if !bytes.Equal(rest, []byte{0xEE}) {
				t.Errorf("%s/%s: after the header the reader holds % x, want ee", rd.name, tc.name, rest)
			}
		}
	}
}

// TestHeaderTruncated cuts every header at every octet: an empty input is
// io.EOF (a clean end between frames), anything else io.ErrUnexpectedEOF.
func TestHeaderTruncated(t *testing.T) {
	for _, tc := range headerTests {
		for cut := range len(tc.wire) {
			want := io.ErrUnexpectedEOF
			if cut == 0 {
				want = io.EOF
			}
			if _, _, err := ParseHeader(tc.wire[:cut]); err != want {
				t.Errorf("%s: ParseHeader(% x) error = %v, want %v", tc.name, tc.wire[:cut], err, want)
			}
			var scratch [MaxHeaderSize]byte
			if _, err := ReadHeader(bytes.NewReader(tc.wire[:cut]), &scratch); err != want {
				t.Errorf("%s: ReadHeader(% x) error = %v, want %v", tc.name, tc.wire[:cut], err, want)
			}
			if _, err := ReadHeader(iotest.OneByteReader(bytes.NewReader(tc.wire[:cut])), &scratch); err != want {
				t.Errorf("%s: ReadHeader(one byte at a time, % x) error = %v, want %v", tc.name, tc.wire[:cut], err, want)
			}
			if _, err := ReadHeader(bufio.NewReader(bytes.NewReader(tc.wire[:cut])), &scratch); err != want {
				t.Errorf("%s: ReadHeader(bufio, % x) error = %v, want %v", tc.name, tc.wire[:cut], err, want)
			}
		}
	}
}

func TestReadHeaderError(t *testing.T) {
	errBroken := errors.New("broken pipe")
	var scratch [MaxHeaderSize]byte
	for _, prefix := range [][]byte{nil, {0x82}, {0x82, 127, 0, 0}} {
		r := io.MultiReader(bytes.NewReader(prefix), iotest.ErrReader(errBroken))
		if _, err := ReadHeader(r, &scratch); err != errBroken {
			t.Errorf("ReadHeader(% x then an error) = %v, want %v", prefix, err, errBroken)
		}
		r = io.MultiReader(bytes.NewReader(prefix), iotest.ErrReader(errBroken))
		if _, err := ReadHeader(bufio.NewReader(r), &scratch); err != errBroken {
			t.Errorf("ReadHeader(bufio, % x then an error) = %v, want %v", prefix, err, errBroken)
		}
	}
}

// TestHeaderLengthOverflow: §5.2 says the most significant bit of a 64-bit
// length MUST be 0.
func TestHeaderLengthOverflow(t *testing.T) {
	for _, wire := range [][]byte{
		{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0},
		{0x82, 127, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
		{0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4},
	} {
		if _, _, err := ParseHeader(wire); err != ErrLengthOverflow {
			t.Errorf("ParseHeader(% x) error = %v, want ErrLengthOverflow", wire, err)
		}
		var scratch [MaxHeaderSize]byte
		if _, err := ReadHeader(bytes.NewReader(wire), &scratch); err != ErrLengthOverflow {
			t.Errorf("ReadHeader(% x) error = %v, want ErrLengthOverflow", wire, err)
		}
	}
}

func TestHeaderValidate(t *testing.T) {
	tests := []struct {
		h    Header
		want error
	}{
		{Header{Fin: true, Opcode: OpText, Length: 1 << 40}, nil},
		{Header{Fin: false, Opcode: OpText}, nil},
		{Header{Fin: false, Opcode: OpBinary, Length: 126}, nil},
		{Header{Fin: false, Opcode: OpContinuation, Length: 1 << 20}, nil},
		{Header{Fin: true, Opcode: OpContinuation}, nil},
		{Header{Fin: true, Opcode: OpClose, Length: 125}, nil},
		{Header{Fin: true, Opcode: OpPing, Length: 0}, nil},
		{Header{Fin: true, Opcode: OpPong, Length: 125}, nil},
		// §5.5: all control frames MUST have a payload length of 125 bytes or less.
		{Header{Fin: true, Opcode: OpClose, Length: 126}, ErrControlTooLong},
		{Header{Fin: true, Opcode: OpPing, Length: 126}, ErrControlTooLong},
		{Header{Fin: true, Opcode: OpPong, Length: 65536}, ErrControlTooLong},
		// §5.5: ... and MUST NOT be fragmented.
		{Header{Fin: false, Opcode: OpClose}, ErrFragmentedControl},
		{Header{Fin: false, Opcode: OpPing, Length: 125}, ErrFragmentedControl},
		{Header{Fin: false, Opcode: OpPong}, ErrFragmentedControl},
		// The RSV bits depend on the extensions negotiated: not Validate's job.
		{Header{Fin: true, Rsv: Rsv1 | Rsv2 | Rsv3, Opcode: OpText}, nil},
	}
	// §5.2: opcodes 0x3-0x7 and 0xB-0xF are reserved, whatever else the header says.
	for _, op := range []Opcode{3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF} {
		tests = append(tests,
			struct {
				h    Header
				want error
			}{Header{Fin: true, Opcode: op}, ErrReservedOpcode},
			struct {
				h    Header
				want error
			}{Header{Fin: false, Opcode: op, Length: 1000}, ErrReservedOpcode})
	}
	for _, tc := range tests {
		if err := tc.h.Validate(); err != tc.want {
			t.Errorf("%+v.Validate() = %v, want %v", tc.h, err, tc.want)
		}
	}
}

// TestHeaderNoAllocs: the header codec is on every frame's path and must
// not allocate, whether the caller parses bytes, appends to a slice with
// room, or reads through a reader it holds in a struct.
func TestHeaderNoAllocs(t *testing.T) {
	for _, tc := range headerTests {
		buf := make([]byte, 0, MaxHeaderSize)
		if n := testing.AllocsPerRun(100, func() { buf = AppendHeader(buf[:0], tc.h) }); n != 0 {
			t.Errorf("%s: AppendHeader: %v allocations, want 0", tc.name, n)
		}
		if n := testing.AllocsPerRun(100, func() {
			if _, _, err := ParseHeader(tc.wire); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: ParseHeader: %v allocations, want 0", tc.name, n)
		}

		type reader struct {
			src     bytes.Reader
			br      *bufio.Reader
			scratch [MaxHeaderSize]byte
		}
		r := &reader{}
		r.br = bufio.NewReader(&r.src)
		if n := testing.AllocsPerRun(100, func() {
			r.src.Reset(tc.wire)
			if _, err := ReadHeader(&r.src, &r.scratch); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: ReadHeader(*bytes.Reader): %v allocations, want 0", tc.name, n)
		}
		if n := testing.AllocsPerRun(100, func() {
			r.src.Reset(tc.wire)
			r.br.Reset(&r.src)
			if _, err := ReadHeader(r.br, &r.scratch); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: ReadHeader(*bufio.Reader): %v allocations, want 0", tc.name, n)
		}
		// The error paths return sentinel values and allocate nothing either.
		if n := testing.AllocsPerRun(100, func() {
			r.src.Reset(tc.wire[:len(tc.wire)-1])
			if _, err := ReadHeader(&r.src, &r.scratch); err != io.ErrUnexpectedEOF {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: truncated ReadHeader: %v allocations, want 0", tc.name, n)
		}
	}
}

// TestHeaderRoundTrip checks that AppendHeader and ParseHeader are inverse
// over every combination of the fields that matter to the encoding.
func TestHeaderRoundTrip(t *testing.T) {
	lengths := []int64{0, 1, 124, 125, 126, 127, 65534, 65535, 65536, 1<<32 - 1, 1 << 32, 1<<63 - 1}
	for op := Opcode(0); op < 16; op++ {
		for rsv := byte(0); rsv < 8; rsv++ {
			for _, fin := range []bool{false, true} {
				for _, masked := range []bool{false, true} {
					for _, n := range lengths {
						h := Header{Fin: fin, Rsv: rsv << 4, Opcode: op, Masked: masked, Length: n}
						if masked {
							h.Mask = MaskKey{byte(op), rsv, byte(n), 0xFF}
						}
						wire := AppendHeader(nil, h)
						got, m, err := ParseHeader(wire)
						if err != nil || m != len(wire) {
							t.Fatalf("ParseHeader(AppendHeader(%+v)) = %d octets, %v; want %d, nil", h, m, err, len(wire))
						}
						if diff := cmp.Diff(h, got); diff != "" {
							t.Fatalf("round trip of %+v (-want +got):\n%s", h, diff)
						}
					}
				}
			}
		}
	}
}

func FuzzParseHeader(f *testing.F) {
	for _, tc := range headerTests {
		f.Add(tc.wire)
	}
	f.Add([]byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x82, 126, 0x00, 0x05}) // longer encoding than needed
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := ParseHeader(b)
		if err != nil {
			if n != 0 {
				t.Fatalf("ParseHeader(% x) took %d octets with error %v", b, n, err)
			}
			return
		}
		if n > len(b) {
			t.Fatalf("ParseHeader(% x) took %d octets", b, n)
		}
		if !longerThanNeeded(b[:n]) && n != h.Size() {
			t.Fatalf("ParseHeader(% x) took %d octets; Size() = %d", b, n, h.Size())
		}
		if h.Length < 0 {
			t.Fatalf("ParseHeader(% x) gave a negative length %d", b, h.Length)
		}
		// The shortest encoding of h parses back to h, though b itself may
		// have used a longer length encoding than needed.
		wire := AppendHeader(nil, h)
		got, m, err := ParseHeader(wire)
		if err != nil || m != len(wire) {
			t.Fatalf("ParseHeader(AppendHeader(%+v)) = %d octets, %v", h, m, err)
		}
		if diff := cmp.Diff(h, got); diff != "" {
			t.Fatalf("round trip of % x (-want +got):\n%s", b[:n], diff)
		}
		if !longerThanNeeded(b[:n]) && !bytes.Equal(wire, b[:n]) {
			t.Fatalf("AppendHeader(ParseHeader(% x)) = % x", b[:n], wire)
		}
	})
}

// longerThanNeeded reports whether a well-formed header encodes its length
// in more octets than §5.2's "minimal number of bytes".
func longerThanNeeded(wire []byte) bool {
	switch wire[1] & 0x7F {
	case 126:
		return wire[2] == 0 && wire[3] <= 125
	case 127:
		return wire[2]|wire[3]|wire[4]|wire[5]|wire[6]|wire[7] == 0
	}
	return false
}

func FuzzReadHeader(f *testing.F) {
	for _, tc := range headerTests {
		f.Add(tc.wire, uint8(0))
	}
	f.Add([]byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0}, uint8(1))
	f.Add([]byte{0x82, 0x80 | 126, 0x00}, uint8(2))
	f.Fuzz(func(t *testing.T, b []byte, chunking uint8) {
		wantH, wantN, wantErr := ParseHeader(b)
		var r io.Reader = bytes.NewReader(b)
		switch chunking % 4 {
		case 1:
			r = iotest.OneByteReader(r)
		case 2:
			r = iotest.HalfReader(r)
		case 3:
			r = bufio.NewReaderSize(iotest.OneByteReader(r), 16)
		}
		var scratch [MaxHeaderSize]byte
		h, err := ReadHeader(r, &scratch)
		if err != wantErr {
			t.Fatalf("ReadHeader(% x) error = %v, ParseHeader error = %v", b, err, wantErr)
		}
		if diff := cmp.Diff(wantH, h); diff != "" {
			t.Fatalf("ReadHeader and ParseHeader disagree on % x (-parse +read):\n%s", b, diff)
		}
		if err == nil {
			// ReadHeader must consume exactly the header.
			rest, _ := io.ReadAll(r)
			if !bytes.Equal(rest, b[wantN:]) {
				t.Fatalf("ReadHeader(% x) left % x, want % x", b, rest, b[wantN:])
			}
		}
	})
}
