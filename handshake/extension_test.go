package handshake

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseExtensions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		want   []Extension
	}{
		{"none", nil, nil},
		{"empty value", []string{""}, nil},
		{"bare", []string{"permessage-deflate"},
			[]Extension{{Name: "permessage-deflate"}}},
		{"parameter without value", []string{"permessage-deflate; client_max_window_bits"},
			[]Extension{{"permessage-deflate", []Param{{Name: "client_max_window_bits"}}}}},
		{"token and quoted values", []string{`foo; a=1; b="2"`},
			[]Extension{{"foo", []Param{{"a", "1", true}, {"b", "2", true}}}}},
		{"quoted-pair", []string{`foo; a="1\0"`},
			[]Extension{{"foo", []Param{{"a", "10", true}}}}},
		{"several offers", []string{"a, b; x=y"},
			[]Extension{{Name: "a"}, {"b", []Param{{"x", "y", true}}}}},
		{"several lines", []string{"a", "b"},
			[]Extension{{Name: "a"}, {Name: "b"}}},
		{"whitespace around separators", []string{"a \t; x = y\t,b ;z"},
			[]Extension{{"a", []Param{{"x", "y", true}}}, {"b", []Param{{Name: "z"}}}}},
		{"empty list elements", []string{", a,, b ,"},
			[]Extension{{Name: "a"}, {Name: "b"}}},
		{"comma inside quotes does not split", []string{`a; x="y", b`},
			[]Extension{{"a", []Param{{"x", "y", true}}}, {Name: "b"}}},
		{"RFC 7692 §7.1.3 fallback offer", []string{"permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate; client_max_window_bits"},
			[]Extension{
				{"permessage-deflate", []Param{{Name: "client_max_window_bits"}, {"server_max_window_bits", "10", true}}},
				{"permessage-deflate", []Param{{Name: "client_max_window_bits"}}},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseExtensions(tc.values)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseExtensions(%q) mismatch (-want +got):\n%s", tc.values, diff)
			}
		})
	}
}

func TestParseExtensionsMalformed(t *testing.T) {
	for _, v := range []string{
		";",                  // no extension name
		"=a",                 // no extension name
		"a;",                 // no parameter name
		"a;;b",               // empty parameter
		"a b",                // two tokens
		"a; x=",              // no value
		"a; x=y=z",           // stray "="
		"a; x=y z",           // two values
		`a; x=""`,            // empty quoted value is not a token
		`a; x="a b"`,         // quoted value with a space is not a token
		`a; x="a,b"`,         // nor with a separator
		`a; x="abc`,          // unterminated
		`a; x="a\`,           // quoted-pair cut off
		"a; x=\"a\x01\"",     // control character in quoted-string
		"a; x=\"a\\\x01\"",   // control character in quoted-pair
		"a\x7f",              // DEL in a token
		"permessage-défl",    // non-ASCII in a token
		"a; x=y; \"quoted\"", // quoted parameter name
		"a/b",                // separator in a token
	} {
		if got, err := ParseExtensions([]string{"ok", v}); !errors.Is(err, ErrMalformedExtensions) {
			t.Errorf("ParseExtensions(%q) = %v, %v; want ErrMalformedExtensions", v, got, err)
		}
	}
}

func TestAppendExtensions(t *testing.T) {
	for _, tc := range []struct {
		exts []Extension
		want string
	}{
		{nil, ""},
		{[]Extension{{Name: "permessage-deflate"}}, "permessage-deflate"},
		{[]Extension{{"permessage-deflate", []Param{{Name: "server_no_context_takeover"}, {"client_max_window_bits", "10", true}}}, {Name: "x"}},
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=10, x"},
		{[]Extension{{"x", []Param{{"q", `a "b"\c`, true}, {"e", "", true}}}}, `x; q="a \"b\"\\c"; e=""`},
	} {
		if got := string(AppendExtensions(nil, tc.exts)); got != tc.want {
			t.Errorf("AppendExtensions(%v) = %q, want %q", tc.exts, got, tc.want)
		}
	}
}

func TestExtensionsRoundTrip(t *testing.T) {
	for _, v := range []string{
		`permessage-deflate; client_max_window_bits; server_max_window_bits="10", x-foo`,
		`a; b=c; d, e; f="g\h"`,
	} {
		exts, err := ParseExtensions([]string{v})
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseExtensions([]string{string(AppendExtensions(nil, exts))})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(exts, again); diff != "" {
			t.Errorf("round trip of %q (-first +second):\n%s", v, diff)
		}
	}
}
