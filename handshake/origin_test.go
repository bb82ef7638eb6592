package handshake

import (
	"errors"
	"testing"
)

func TestOrigin(t *testing.T) {
	patterns := &ServerOptions{OriginPatterns: []string{"*.example.org", "LocalHost:8080"}}
	for _, tc := range []struct {
		name   string
		host   string
		origin []string // Origin lines
		opts   *ServerOptions
		want   bool
	}{
		{"no Origin: not a browser", "example.com", nil, nil, true},
		{"same host", "example.com", []string{"https://example.com"}, nil, true},
		{"same host, other case", "Example.COM", []string{"http://EXAMPLE.com"}, nil, true},
		{"same host and port", "example.com:8443", []string{"https://example.com:8443"}, nil, true},
		{"other port", "example.com", []string{"http://example.com:8080"}, nil, false},
		{"other host", "example.com", []string{"https://evil.example"}, nil, false},
		{"suffix is not the host", "example.com", []string{"https://notexample.com"}, nil, false},
		{"opaque origin", "example.com", []string{"null"}, nil, false},
		{"no scheme", "example.com", []string{"example.com"}, nil, false},
		{"user info", "example.com", []string{"https://user@example.com"}, nil, false},
		{"path after the host", "example.com", []string{"https://example.com/page"}, nil, true},
		{"two Origin lines", "example.com", []string{"https://example.com", "https://example.com"}, nil, false},
		{"pattern with wildcard", "example.com", []string{"https://app.example.org"}, patterns, true},
		{"wildcard needs a subdomain", "example.com", []string{"https://example.org"}, patterns, false},
		{"pattern case folded", "example.com", []string{"http://localhost:8080"}, patterns, true},
		{"pattern port must match", "example.com", []string{"http://localhost:9090"}, patterns, false},
		{"allow any origin", "example.com", []string{"https://evil.example"}, &ServerOptions{AllowAnyOrigin: true}, true},
		{"allow any origin, even null", "example.com", []string{"null"}, &ServerOptions{AllowAnyOrigin: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := fieldsWith([]string{"Host"}, "Host: "+tc.host)
			for _, o := range tc.origin {
				fields = append(fields, "Origin: "+o)
			}
			_, err := Check(readRequest(t, rawRequest("GET / HTTP/1.1", fields)), tc.opts)
			switch {
			case tc.want && err != nil:
				t.Fatalf("Check: %v, want success", err)
			case !tc.want && !errors.Is(err, ErrOriginRefused):
				t.Fatalf("Check: %v, want ErrOriginRefused", err)
			}
		})
	}
}

func TestSubprotocol(t *testing.T) {
	server := &ServerOptions{Subprotocols: []string{"chat", "superchat"}}
	for _, tc := range []struct {
		name    string
		offered []string // Sec-WebSocket-Protocol lines
		opts    *ServerOptions
		want    string
	}{
		{"none offered", nil, server, ""},
		{"server's preference wins", []string{"superchat, chat"}, server, "chat"},
		{"only the second is spoken", []string{"mqtt, superchat"}, server, "superchat"},
		{"on several lines", []string{"mqtt", "superchat"}, server, "superchat"},
		{"whitespace and empty elements", []string{" ,  superchat ,"}, server, "superchat"},
		{"names are case-sensitive", []string{"Chat"}, server, ""},
		{"no match", []string{"mqtt"}, server, ""},
		{"server speaks none", []string{"chat"}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := fieldsWith(nil)
			for _, p := range tc.offered {
				fields = append(fields, "Sec-WebSocket-Protocol: "+p)
			}
			a, err := Check(readRequest(t, rawRequest("GET / HTTP/1.1", fields)), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if a.Subprotocol != tc.want {
				t.Errorf("Subprotocol %q, want %q", a.Subprotocol, tc.want)
			}
		})
	}
}
