package handshake

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNegotiateDeflate has a row per rule of RFC 7692 §5 and §7.1 on the
// server's side: what it answers (the Sec-WebSocket-Extensions value, ""
// for a decline) and what it agrees to.
func TestNegotiateDeflate(t *testing.T) {
	plain := &DeflateConfig{}
	for _, tc := range []struct {
		name   string
		cfg    *DeflateConfig
		offers []string // Sec-WebSocket-Extensions lines
		answer string
		want   *DeflateParams
	}{
		{"disabled: decline", nil, []string{"permessage-deflate"}, "", nil},
		{"no offer", plain, nil, "", nil},
		{"bare offer", plain, []string{"permessage-deflate"},
			"permessage-deflate", &DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{"name is case-insensitive", plain, []string{"PerMessage-Deflate"},
			"permessage-deflate", &DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{"other extensions are skipped", plain, []string{"x-webkit-deflate-frame, permessage-deflate"},
			"permessage-deflate", &DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},

		// §7.1: unknown, duplicate or invalid parameters decline the offer.
		{"unknown parameter", plain, []string{"permessage-deflate; foo"}, "", nil},
		{"duplicate parameter", plain, []string{"permessage-deflate; server_no_context_takeover; server_no_context_takeover"}, "", nil},
		{"duplicate window", plain, []string{"permessage-deflate; client_max_window_bits=9; client_max_window_bits=9"}, "", nil},
		{"no_context_takeover with a value", plain, []string{"permessage-deflate; client_no_context_takeover=1"}, "", nil},
		{"server window without value", plain, []string{"permessage-deflate; server_max_window_bits"}, "", nil},
		{"window 7", plain, []string{"permessage-deflate; server_max_window_bits=7"}, "", nil},
		{"window 16", plain, []string{"permessage-deflate; client_max_window_bits=16"}, "", nil},
		{"window not a number", plain, []string{"permessage-deflate; server_max_window_bits=ten"}, "", nil},
		{"window negative", plain, []string{"permessage-deflate; server_max_window_bits=-9"}, "", nil},
		// §5.1: the server accepts the first offer it can, of several.
		{"first acceptable of several", plain, []string{"permessage-deflate; foo, permessage-deflate; server_no_context_takeover, permessage-deflate"},
			"permessage-deflate; server_no_context_takeover",
			&DeflateParams{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{"first acceptable across lines", plain, []string{"permessage-deflate; server_max_window_bits=99", "permessage-deflate; server_max_window_bits=12"},
			"permessage-deflate; server_max_window_bits=12", &DeflateParams{ServerMaxWindowBits: 12, ClientMaxWindowBits: 15}},
		// A malformed header declines every offer, even well-formed ones.
		{"malformed header", plain, []string{"permessage-deflate", "permessage-deflate; x=\"unterminated"}, "", nil},

		// §7.1.1.1 server_no_context_takeover.
		{"server_no_context_takeover offered", plain, []string{"permessage-deflate; server_no_context_takeover"},
			"permessage-deflate; server_no_context_takeover",
			&DeflateParams{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{"server_no_context_takeover by config", &DeflateConfig{ServerNoContextTakeover: true}, []string{"permessage-deflate"},
			"permessage-deflate; server_no_context_takeover",
			&DeflateParams{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		// §7.1.1.2 client_no_context_takeover.
		{"client_no_context_takeover offered", plain, []string{"permessage-deflate; client_no_context_takeover"},
			"permessage-deflate; client_no_context_takeover",
			&DeflateParams{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{"client_no_context_takeover by config", &DeflateConfig{ClientNoContextTakeover: true}, []string{"permessage-deflate"},
			"permessage-deflate; client_no_context_takeover",
			&DeflateParams{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		// §7.1.2.1 server_max_window_bits: the same or smaller; may be added.
		{"server window offered", plain, []string{"permessage-deflate; server_max_window_bits=10"},
			"permessage-deflate; server_max_window_bits=10", &DeflateParams{ServerMaxWindowBits: 10, ClientMaxWindowBits: 15}},
		{"server window quoted", plain, []string{`permessage-deflate; server_max_window_bits="10"`},
			"permessage-deflate; server_max_window_bits=10", &DeflateParams{ServerMaxWindowBits: 10, ClientMaxWindowBits: 15}},
		{"server window narrowed by config", &DeflateConfig{ServerMaxWindowBits: 9}, []string{"permessage-deflate; server_max_window_bits=10"},
			"permessage-deflate; server_max_window_bits=9", &DeflateParams{ServerMaxWindowBits: 9, ClientMaxWindowBits: 15}},
		{"server window never widened", &DeflateConfig{ServerMaxWindowBits: 12}, []string{"permessage-deflate; server_max_window_bits=10"},
			"permessage-deflate; server_max_window_bits=10", &DeflateParams{ServerMaxWindowBits: 10, ClientMaxWindowBits: 15}},
		{"server window by config, unoffered", &DeflateConfig{ServerMaxWindowBits: 11}, []string{"permessage-deflate"},
			"permessage-deflate; server_max_window_bits=11", &DeflateParams{ServerMaxWindowBits: 11, ClientMaxWindowBits: 15}},
		// §7.1.2.2 client_max_window_bits: only if offered, never larger.
		{"client window offered bare", plain, []string{"permessage-deflate; client_max_window_bits"},
			"permessage-deflate", &DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{"client window offered bare, config narrows", &DeflateConfig{ClientMaxWindowBits: 9}, []string{"permessage-deflate; client_max_window_bits"},
			"permessage-deflate; client_max_window_bits=9", &DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 9}},
		{"client window offered with value", plain, []string{"permessage-deflate; client_max_window_bits=10"},
			"permessage-deflate; client_max_window_bits=10", &DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 10}},
		{"client window never widened", &DeflateConfig{ClientMaxWindowBits: 12}, []string{"permessage-deflate; client_max_window_bits=10"},
			"permessage-deflate; client_max_window_bits=10", &DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 10}},
		{"client window not named unless offered", &DeflateConfig{ClientMaxWindowBits: 9}, []string{"permessage-deflate"},
			"permessage-deflate", &DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{"everything", &DeflateConfig{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 11, ClientMaxWindowBits: 12},
			[]string{"permessage-deflate; client_max_window_bits; server_max_window_bits=14"},
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=12",
			&DeflateParams{true, true, 11, 12}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := fieldsWith(nil)
			for _, o := range tc.offers {
				fields = append(fields, "Sec-WebSocket-Extensions: "+o)
			}
			a, err := Check(readRequest(t, rawRequest("GET / HTTP/1.1", fields)), &ServerOptions{Deflate: tc.cfg})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, a.Deflate); diff != "" {
				t.Errorf("agreed params (-want +got):\n%s", diff)
			}
			if got := string(AppendExtensions(nil, a.Extensions)); got != tc.answer {
				t.Errorf("answer %q, want %q", got, tc.answer)
			}
			if tc.want != nil && tc.answer != "" {
				// The answer is one the offering client accepts.
				if _, err := ParseExtensions([]string{tc.answer}); err != nil {
					t.Errorf("answer does not parse: %v", err)
				}
			}
		})
	}
}

func TestDeflateOffer(t *testing.T) {
	for _, tc := range []struct {
		cfg  DeflateConfig
		want string
	}{
		{DeflateConfig{}, "permessage-deflate"},
		{DeflateConfig{ServerNoContextTakeover: true, ClientNoContextTakeover: true},
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{DeflateConfig{ServerMaxWindowBits: 10}, "permessage-deflate; server_max_window_bits=10"},
		{DeflateConfig{ServerMaxWindowBits: 15}, "permessage-deflate"},
		{DeflateConfig{ClientMaxWindowBits: 15}, "permessage-deflate; client_max_window_bits=15"},
		{DeflateConfig{ClientMaxWindowBits: 9}, "permessage-deflate; client_max_window_bits=9"},
	} {
		if got := string(AppendExtensions(nil, []Extension{deflateOffer(&tc.cfg)})); got != tc.want {
			t.Errorf("offer for %+v = %q, want %q", tc.cfg, got, tc.want)
		}
	}
}

// TestCheckExtensionResponse has a row per rule of RFC 7692 §7.1 on the
// client's side: a response to its offer is accepted (want) or fails with
// ErrExtensionResponse (wantErr names the reason).
func TestCheckExtensionResponse(t *testing.T) {
	plain := &DeflateConfig{}
	for _, tc := range []struct {
		name     string
		cfg      *DeflateConfig
		response []string
		want     *DeflateParams
		wantErr  string
	}{
		{"no offer, no answer", nil, nil, nil, ""},
		{"offer declined", plain, nil, nil, ""},
		{"accepted bare", plain, []string{"permessage-deflate"}, &DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, ""},
		{"not offered", nil, []string{"permessage-deflate"}, nil, "was not offered"},
		{"unknown extension", plain, []string{"x-foo"}, nil, "was not offered"},
		{"accepted twice", plain, []string{"permessage-deflate, permessage-deflate"}, nil, "twice"},
		{"accepted twice on two lines", plain, []string{"permessage-deflate", "permessage-deflate"}, nil, "twice"},
		{"unknown parameter", plain, []string{"permessage-deflate; foo=1"}, nil, "unknown parameter"},
		{"duplicate parameter", plain, []string{"permessage-deflate; server_no_context_takeover; server_no_context_takeover"}, nil, "repeated"},
		{"invalid window", plain, []string{"permessage-deflate; server_max_window_bits=16"}, nil, "8 to 15"},
		{"malformed", plain, []string{"permessage-deflate; =1"}, nil, "malformed"},
		{"client window not offered", plain, []string{"permessage-deflate; client_max_window_bits=10"}, nil, "not offered"},
		{"client window without value", &DeflateConfig{ClientMaxWindowBits: 15}, []string{"permessage-deflate; client_max_window_bits"}, nil, "needs a value"},
		{"client window larger than offered", &DeflateConfig{ClientMaxWindowBits: 10}, []string{"permessage-deflate; client_max_window_bits=11"}, nil, "larger than offered"},
		{"client window narrowed", &DeflateConfig{ClientMaxWindowBits: 15}, []string{"permessage-deflate; client_max_window_bits=9"},
			&DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 9}, ""},
		{"client window offered, not named", &DeflateConfig{ClientMaxWindowBits: 10}, []string{"permessage-deflate"},
			&DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 10}, ""},
		{"server window larger than offered", &DeflateConfig{ServerMaxWindowBits: 10}, []string{"permessage-deflate; server_max_window_bits=12"}, nil, "larger than offered"},
		{"server window smaller than offered", &DeflateConfig{ServerMaxWindowBits: 10}, []string{"permessage-deflate; server_max_window_bits=9"},
			&DeflateParams{ServerMaxWindowBits: 9, ClientMaxWindowBits: 15}, ""},
		{"server window offered, not answered", &DeflateConfig{ServerMaxWindowBits: 10}, []string{"permessage-deflate"}, nil, "not answered"},
		{"server_no_context_takeover offered, not answered", &DeflateConfig{ServerNoContextTakeover: true}, []string{"permessage-deflate"}, nil, "not answered"},
		{"server_no_context_takeover offered and answered", &DeflateConfig{ServerNoContextTakeover: true}, []string{"permessage-deflate; server_no_context_takeover"},
			&DeflateParams{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, ""},
		{"server window unasked", plain, []string{"permessage-deflate; server_max_window_bits=12"},
			&DeflateParams{ServerMaxWindowBits: 12, ClientMaxWindowBits: 15}, ""},
		{"server_no_context_takeover unasked", plain, []string{"permessage-deflate; server_no_context_takeover"},
			&DeflateParams{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, ""},
		{"client_no_context_takeover promised", &DeflateConfig{ClientNoContextTakeover: true}, []string{"permessage-deflate"},
			&DeflateParams{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tc.response {
				h.Add("Sec-WebSocket-Extensions", v)
			}
			exts, got, err := checkExtensionResponse(h, tc.cfg)
			if tc.wantErr != "" {
				if !errors.Is(err, ErrExtensionResponse) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want ErrExtensionResponse naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("agreed params (-want +got):\n%s", diff)
			}
			if (got != nil) != (len(exts) == 1) {
				t.Errorf("extensions %v for params %v", exts, got)
			}
		})
	}
}

func TestCheckAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	plain := readRequest(t, validRequest("Origin: https://example.com", "Sec-WebSocket-Protocol: chat"))
	deflate := readRequest(t, validRequest("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"))
	opts := &ServerOptions{Subprotocols: []string{"chat"}, Deflate: &DeflateConfig{}}
	for _, tc := range []struct {
		name string
		r    *http.Request
		max  float64
	}{
		{"no extension", plain, 0},
		{"permessage-deflate", deflate, 1},
	} {
		n := testing.AllocsPerRun(100, func() {
			if _, err := Check(tc.r, opts); err != nil {
				t.Fatal(err)
			}
		})
		if n > tc.max {
			t.Errorf("%s: Check allocates %v times, want at most %v", tc.name, n, tc.max)
		}
	}
}
