package frame

import (
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// utf8Tests are inputs with whether they are valid UTF-8 and, if not,
// whether they are a valid start (a truncated character at the end) so
// that Feed accepts them and only Complete says no. Most come from the
// Autobahn testsuite's cases 6.x, which take them from Markus Kuhn's
// UTF-8 decoder stress test.
var utf8Tests = []struct {
	name     string
	in       string
	valid    bool // utf8.Valid
	feedable bool // Feed accepts it: valid, or valid but for a cut at the end
}{
	{"empty", "", true, true},
	{"ASCII", "hello, world", true, true},
	{"6.2 U+0024", "hello\x24world", true, true},
	{"6.2 U+00A2", "hello\xc2\xa2world", true, true},
	{"6.2 U+20AC", "hello\xe2\x82\xacworld", true, true},
	{"6.2 U+24B62", "hello\xf0\xa4\xad\xa2world", true, true},
	{"6.1 kosme", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", true, true},
	{"6.3 kosme cut", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce", false, true},

	// 2.1-2.3: boundaries of each length.
	{"first 1-octet", "\x00", true, true},
	{"first 2-octet", "\xc2\x80", true, true},
	{"first 3-octet", "\xe0\xa0\x80", true, true},
	{"first 4-octet", "\xf0\x90\x80\x80", true, true},
	{"first 5-octet", "\xf8\x88\x80\x80\x80", false, false},
	{"first 6-octet", "\xfc\x84\x80\x80\x80\x80", false, false},
	{"last 1-octet", "\x7f", true, true},
	{"last 2-octet", "\xdf\xbf", true, true},
	{"last 3-octet", "\xef\xbf\xbf", true, true},
	{"last 4-octet U+10FFFF", "\xf4\x8f\xbf\xbf", true, true},
	{"last 4-octet scheme", "\xf7\xbf\xbf\xbf", false, false},
	{"last 5-octet", "\xfb\xbf\xbf\xbf\xbf", false, false},
	{"last 6-octet", "\xfd\xbf\xbf\xbf\xbf\xbf", false, false},
	{"U+D7FF", "\xed\x9f\xbf", true, true},
	{"U+E000", "\xee\x80\x80", true, true},
	{"U+FFFD", "\xef\xbf\xbd", true, true},
	{"U+110000", "\xf4\x90\x80\x80", false, false},
	{"F4 90 cut", "\xf4\x90", false, false},

	// 3.1: continuation octets without a lead.
	{"lone 80", "\x80", false, false},
	{"lone BF", "\xbf", false, false},
	{"80 BF", "\x80\xbf", false, false},
	{"80 BF 80 BF 80 BF", "\x80\xbf\x80\xbf\x80\xbf", false, false},
	{"after ASCII", "abc\x80", false, false},

	// 3.2: lead octets followed by a space.
	{"C0 space", "\xc0 ", false, false},
	{"C2 space", "\xc2 ", false, false},
	{"DF space", "\xdf ", false, false},
	{"E0 space", "\xe0 ", false, false},
	{"EF space", "\xef ", false, false},
	{"F0 space", "\xf0 ", false, false},
	{"F4 space", "\xf4 ", false, false},
	{"F7 space", "\xf7 ", false, false},
	{"F8 space", "\xf8 ", false, false},
	{"FC space", "\xfc ", false, false},

	// 3.3: the last continuation octet missing, at the end of the stream.
	{"C2 cut", "\xc2", false, true},
	{"E0 A0 cut", "\xe0\xa0", false, true},
	{"E1 cut", "\xe1", false, true},
	{"F0 90 80 cut", "\xf0\x90\x80", false, true},
	{"F4 8F BF cut", "\xf4\x8f\xbf", false, true},
	{"DF cut", "\xdf", false, true},
	{"EF BF cut", "\xef\xbf", false, true},
	{"C0 cut", "\xc0", false, false},
	{"E0 80 cut", "\xe0\x80", false, false},
	{"F0 80 80 cut", "\xf0\x80\x80", false, false},
	{"F7 BF BF cut", "\xf7\xbf\xbf", false, false},
	// 3.4: the incomplete sequences of 3.3 one after the other.
	{"3.4 concatenated", "\xc0\xe0\x80\xf0\x80\x80\xf8\x80\x80\x80\xfc\x80\x80\x80\x80" +
		"\xdf\xef\xbf\xf7\xbf\xbf\xfb\xbf\xbf\xbf\xfd\xbf\xbf\xbf\xbf", false, false},
	{"cut then ASCII", "\xe2\x82a", false, false},

	// 3.5: octets that never appear.
	{"FE", "\xfe", false, false},
	{"FF", "\xff", false, false},
	{"FE FE FF FF", "\xfe\xfe\xff\xff", false, false},
	{"F5", "\xf5\x80\x80\x80", false, false},

	// 4.1-4.3: overlong forms.
	{"overlong / 2", "\xc0\xaf", false, false},
	{"overlong / 3", "\xe0\x80\xaf", false, false},
	{"overlong / 4", "\xf0\x80\x80\xaf", false, false},
	{"overlong / 5", "\xf8\x80\x80\x80\xaf", false, false},
	{"overlong / 6", "\xfc\x80\x80\x80\x80\xaf", false, false},
	{"max overlong 2", "\xc1\xbf", false, false},
	{"max overlong 3", "\xe0\x9f\xbf", false, false},
	{"max overlong 4", "\xf0\x8f\xbf\xbf", false, false},
	{"overlong NUL 2", "\xc0\x80", false, false},
	{"overlong NUL 3", "\xe0\x80\x80", false, false},
	{"overlong NUL 4", "\xf0\x80\x80\x80", false, false},

	// 5.1-5.2: UTF-16 surrogates, alone and paired.
	{"U+D800", "\xed\xa0\x80", false, false},
	{"U+DB7F", "\xed\xad\xbf", false, false},
	{"U+DB80", "\xed\xae\x80", false, false},
	{"U+DBFF", "\xed\xaf\xbf", false, false},
	{"U+DC00", "\xed\xb0\x80", false, false},
	{"U+DF80", "\xed\xbe\x80", false, false},
	{"U+DFFF", "\xed\xbf\xbf", false, false},
	{"ED A0 cut", "\xed\xa0", false, false},
	{"U+D800 U+DC00", "\xed\xa0\x80\xed\xb0\x80", false, false},
	{"U+DBFF U+DFFF", "\xed\xaf\xbf\xed\xbf\xbf", false, false},

	// 5.3: noncharacters are valid UTF-8.
	{"U+FFFE", "\xef\xbf\xbe", true, true},
	{"U+FFFF", "\xef\xbf\xbf", true, true},
	{"U+1FFFE", "\xf0\x9f\xbf\xbe", true, true},
	{"U+10FFFE", "\xf4\x8f\xbf\xbe", true, true},
	{"U+FDD0", "\xef\xb7\x90", true, true},

	// Long inputs cross the validator's fast paths.
	{"long ASCII", strings.Repeat("0123456789abcdef", 20), true, true},
	{"long ASCII then bad", strings.Repeat("0123456789abcdef", 20) + "\xff", false, false},
	{"long ASCII then cut", strings.Repeat("0123456789abcdef", 20) + "\xf0\x9f", false, true},
	{"long mixed", strings.Repeat("Grüße, κόσμε! 你好。🙂 ", 20), true, true},
	{"long mixed then surrogate", strings.Repeat("Grüße, κόσμε! 你好。🙂 ", 20) + "\xed\xa0\x80 and more text after it", false, false},
	{"bad then long ASCII", "\xc0" + strings.Repeat("0123456789abcdef", 20), false, false},
}

// TestUTF8Validator feeds every input whole, one octet at a time, and
// split at every point, and compares with utf8.Valid.
func TestUTF8Validator(t *testing.T) {
	for _, tc := range utf8Tests {
		in := []byte(tc.in)
		if got := utf8.Valid(in); got != tc.valid {
			t.Fatalf("%s: the table says valid=%v but utf8.Valid says %v", tc.name, tc.valid, got)
		}
		var v UTF8Validator
		if got := v.Feed(in); got != tc.feedable {
			t.Errorf("%s: Feed(%q) = %v, want %v", tc.name, tc.in, got, tc.feedable)
		}
		if got := v.Complete(); got != tc.valid {
			t.Errorf("%s: Complete() after %q = %v, want %v", tc.name, tc.in, got, tc.valid)
		}

		v.Reset()
		ok := true
		for i := range in {
			ok = v.Feed(in[i : i+1])
			if !ok {
				break
			}
		}
		if ok != tc.feedable || v.Complete() != tc.valid {
			t.Errorf("%s: one octet at a time: Feed %v, Complete %v; want %v, %v", tc.name, ok, v.Complete(), tc.feedable, tc.valid)
		}

		for cut := range len(in) + 1 {
			v.Reset()
			ok := v.Feed(in[:cut])
			ok = ok && v.Feed(in[cut:])
			if ok != tc.feedable || v.Complete() != tc.valid {
				t.Errorf("%s: split at %d: Feed %v, Complete %v; want %v, %v", tc.name, cut, ok, v.Complete(), tc.feedable, tc.valid)
			}
		}
	}
}

// TestUTF8EveryRune feeds the encoding of every code point, and the
// surrogates' (which utf8.EncodeRune refuses, so they are built here).
func TestUTF8EveryRune(t *testing.T) {
	var v UTF8Validator
	var buf [utf8.UTFMax]byte
	for r := rune(0); r <= utf8.MaxRune; r++ {
		var enc []byte
		if r >= 0xD800 && r <= 0xDFFF {
			// The 3-octet pattern 1110xxxx 10xxxxxx 10xxxxxx of §3 of RFC 3629.
			enc = []byte{0xE0 | byte(r>>12), 0x80 | byte(r>>6)&0x3F, 0x80 | byte(r)&0x3F}
		} else {
			enc = buf[:utf8.EncodeRune(buf[:], r)]
		}
		valid := utf8.Valid(enc)
		v.Reset()
		if got := v.Feed(enc) && v.Complete(); got != valid {
			t.Fatalf("U+%04X (% x): validator says %v, utf8.Valid says %v", r, enc, got, valid)
		}
		if surrogate := r >= 0xD800 && r <= 0xDFFF; valid == surrogate {
			t.Fatalf("U+%04X: utf8.Valid = %v", r, valid)
		}
	}
}

func TestUTF8StaysRejected(t *testing.T) {
	var v UTF8Validator
	if v.Feed([]byte("ok\xff")) {
		t.Fatal("Feed accepted \\xff")
	}
	if v.Feed([]byte("fine")) || v.Complete() {
		t.Fatal("a rejected validator accepted more input")
	}
	v.Reset()
	if !v.Feed([]byte("fine")) || !v.Complete() {
		t.Fatal("after Reset the validator rejects valid input")
	}
}

func TestUTF8NoAllocs(t *testing.T) {
	text := []byte(strings.Repeat("Grüße, κόσμε! 你好。🙂 plain ASCII too ", 30))
	var v UTF8Validator
	if n := testing.AllocsPerRun(100, func() { v.Reset(); v.Feed(text) }); n != 0 {
		t.Errorf("Feed: %v allocations, want 0", n)
	}
}

// validPrefixes holds every proper prefix of the encoding of every Unicode
// scalar value: the incomplete characters a valid stream may end with.
var validPrefixes = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool)
	var buf [utf8.UTFMax]byte
	for r := rune(0x80); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		n := utf8.EncodeRune(buf[:], r)
		for i := 1; i < n; i++ {
			m[string(buf[:i])] = true
		}
	}
	return m
})

// firstInvalid returns the index of the first octet of b after which b is
// no longer the start of any valid UTF-8, or -1 if there is none. It reads
// one octet at a time, independently of the validator's automaton.
func firstInvalid(b []byte) int {
	start := 0 // of the character being read
	for i := range b {
		cur := b[start : i+1]
		if r, size := utf8.DecodeRune(cur); size == len(cur) && (r != utf8.RuneError || size > 1) {
			start = i + 1
			continue
		}
		if !validPrefixes()[string(cur)] {
			return i
		}
	}
	return -1
}

func FuzzUTF8(f *testing.F) {
	for _, tc := range utf8Tests {
		f.Add([]byte(tc.in), []byte{3, 1})
	}
	f.Fuzz(func(t *testing.T, in, cuts []byte) {
		bad := firstInvalid(in)
		var v UTF8Validator
		start := 0
		// Feed in the pieces cuts gives, then the rest.
		for i := 0; start < len(in) || i == 0; i++ {
			end := len(in)
			if i < len(cuts) {
				end = min(start+int(cuts[i]), len(in))
			}
			ok := v.Feed(in[start:end])
			// (b) Fail fast: Feed says no on exactly the piece holding the
			// first octet that no valid UTF-8 continues.
			if hasBad := bad >= 0 && bad < end; ok == hasBad {
				t.Fatalf("Feed(in[%d:%d]) = %v, first invalid octet at %d of % x", start, end, ok, bad, in)
			}
			if !ok {
				return
			}
			start = end
		}
		// (a) Everything fed and complete is exactly utf8.Valid.
		if got, want := v.Complete(), utf8.Valid(in); got != want {
			t.Fatalf("Complete() = %v after % x; utf8.Valid = %v", got, in, want)
		}
	})
}
