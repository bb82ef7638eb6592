package suite

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rfc6455/ws/frame"
)

// utf8Group is one subcategory of 6.5 to 6.23: a title and its vectors.
type utf8Group struct {
	title   string
	vectors []utf8Vector
}

type utf8Vector struct {
	valid   bool
	payload string
}

// utf8Groups are the original's UTF-8 decoder test vectors, after Markus
// Kuhn's UTF-8-test.txt, in the original's order: subcategory 6.5 is the
// first group, case 6.5.1 its first vector.
func utf8Groups() []utf8Group {
	v := func(valid bool, payloads ...string) []utf8Vector {
		out := make([]utf8Vector, len(payloads))
		for i, p := range payloads {
			out[i] = utf8Vector{valid, p}
		}
		return out
	}
	var prefixes []utf8Vector
	for i := 1; i <= len(kosme); i++ {
		prefixes = append(prefixes, utf8Vector{utf8.ValidString(kosme[:i]), kosme[:i]})
	}
	// 3.1: 0x80 to 0xBE, the end excluded as in the original.
	var continuations strings.Builder
	for b := 0x80; b < 0xbf; b++ {
		continuations.WriteByte(byte(b))
	}
	// 3.2: each lone start octet of a range followed by a space; the last
	// octet of each range is left out, as in the original.
	var lonely []string
	for _, r := range [][2]int{{0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}} {
		var s strings.Builder
		for b := r[0]; b < r[1]; b++ {
			s.WriteByte(byte(b))
			s.WriteByte(0x20)
		}
		lonely = append(lonely, s.String())
	}
	incomplete := []string{"\xc0", "\xe0\x80", "\xf0\x80\x80", "\xf8\x80\x80\x80", "\xfc\x80\x80\x80\x80",
		"\xdf", "\xef\xbf", "\xf7\xbf\xbf", "\xfb\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf"}
	// 5.3: the non-characters U+FFFE, U+FFFF and U+nFFFE, U+nFFFF of the
	// supplementary planes, which are valid UTF-8.
	nonChars := []string{"\xef\xbf\xbe", "\xef\xbf\xbf"}
	for _, z1 := range []string{"\xf0", "\xf1", "\xf2", "\xf3", "\xf4"} {
		for _, z2 := range []string{"\x8f", "\x9f", "\xaf", "\xbf"} {
			if z1 == "\xf4" && z2 != "\x8f" {
				continue // above U+10FFFF
			}
			for _, z3 := range []string{"\xbe", "\xbf"} {
				zz := z1 + z2 + "\xbf" + z3
				if zz != "\xf0\x8f\xbf\xbe" && zz != "\xf0\x8f\xbf\xbf" { // overlong
					nonChars = append(nonChars, zz)
				}
			}
		}
	}
	return []utf8Group{
		{"Some valid UTF-8 sequences", v(true,
			"hello\x24world", "hello\xc2\xa2world", "hello\xe2\x82\xacworld", "hello\xf0\xa4\xad\xa2world", kosme)},
		{"All prefixes of a valid UTF-8 string that contains multi-byte code points", prefixes},
		{"First possible sequence of a certain length", v(true, "\x00", "\xc2\x80", "\xe0\xa0\x80", "\xf0\x90\x80\x80")},
		{"First possible sequence length 5/6 (invalid codepoints)", v(false, "\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80")},
		{"Last possible sequence of a certain length", v(true, "\x7f", "\xdf\xbf", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf")},
		{"Last possible sequence length 4/5/6 (invalid codepoints)", v(false, "\xf7\xbf\xbf\xbf", "\xfb\xbf\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf\xbf")},
		{"Other boundary conditions", append(v(true, "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf"), v(false, "\xf4\x90\x80\x80")...)},
		{"Unexpected continuation bytes", v(false, "\x80", "\xbf", "\x80\xbf", "\x80\xbf\x80", "\x80\xbf\x80\xbf",
			"\x80\xbf\x80\xbf\x80", "\x80\xbf\x80\xbf\x80\xbf", continuations.String())},
		{"Lonely start characters", v(false, lonely...)},
		{"Sequences with last continuation byte missing", v(false, incomplete...)},
		{"Concatenation of incomplete sequences", v(false, strings.Join(incomplete, ""))},
		{"Impossible bytes", v(false, "\xfe", "\xff", "\xfe\xfe\xff\xff")},
		{"Examples of an overlong ASCII character", v(false, "\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xf8\x80\x80\x80\xaf", "\xfc\x80\x80\x80\x80\xaf")},
		{"Maximum overlong sequences", v(false, "\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xf8\x87\xbf\xbf\xbf", "\xfc\x83\xbf\xbf\xbf\xbf")},
		{"Overlong representation of the NUL character", v(false, "\xc0\x80", "\xe0\x80\x80", "\xf0\x80\x80\x80", "\xf8\x80\x80\x80\x80", "\xfc\x80\x80\x80\x80\x80")},
		{"Single UTF-16 surrogates", v(false, "\xed\xa0\x80", "\xed\xad\xbf", "\xed\xae\x80", "\xed\xaf\xbf", "\xed\xb0\x80", "\xed\xbe\x80", "\xed\xbf\xbf")},
		{"Paired UTF-16 surrogates", v(false, "\xed\xa0\x80\xed\xb0\x80", "\xed\xa0\x80\xed\xbf\xbf", "\xed\xad\xbf\xed\xb0\x80", "\xed\xad\xbf\xed\xbf\xbf",
			"\xed\xae\x80\xed\xb0\x80", "\xed\xae\x80\xed\xbf\xbf", "\xed\xaf\xbf\xed\xb0\x80", "\xed\xaf\xbf\xed\xbf\xbf")},
		{"Non-character code points (valid UTF-8)", v(true, nonChars...)},
		{"Unicode specials (i.e. replacement char)", v(true, "\xef\xbf\xb9", "\xef\xbf\xba", "\xef\xbf\xbb", "\xef\xbf\xbc", "\xef\xbf\xbd", "\xef\xbf\xbe", "\xef\xbf\xbf")},
	}
}

// firstUTF8Group is the subcategory number of the first vector group.
const firstUTF8Group = 5

// utf8VectorCases are 6.5.1 to 6.23.7: each vector sent as one text
// message. A valid one must be echoed; an invalid one must make the peer
// fail the connection with 1007.
func utf8VectorCases() []*Case {
	var cases []*Case
	for i, g := range utf8Groups() {
		for j, vec := range g.vectors {
			desc := "Send a text message with payload which is valid UTF-8 in one fragment."
			exp := "The message is echo'ed back to us."
			if !vec.valid {
				desc = "Send a text message with payload which is not valid UTF-8 in one fragment."
				exp = "The connection is failed immediately, since the payload is not valid UTF-8."
			}
			cases = append(cases, &Case{
				ID:          fmt.Sprintf("6.%d.%d", firstUTF8Group+i, j+1),
				Description: fmt.Sprintf("%s<br><br>Payload: 0x%s", desc, hexOf(vec.payload)),
				Expectation: exp,
				Open: func(t *Test) {
					if vec.valid {
						t.Expect(OK, Message(vec.payload, false))
						t.ExpectClose(true, codes(frame.CloseNormal), true)
					} else {
						t.Expect(OK)
						expectInvalidUTF8Close(t)
					}
					t.P.SendMessage([]byte(vec.payload), false, 0)
					t.P.KillAfter(500 * time.Millisecond)
				},
			})
		}
	}
	return cases
}

// utf8Subcategories returns the titles of 6.5 to 6.23.
func utf8Subcategories() map[string]string {
	m := map[string]string{}
	for i, g := range utf8Groups() {
		m[fmt.Sprintf("6.%d", firstUTF8Group+i)] = g.title
	}
	return m
}
