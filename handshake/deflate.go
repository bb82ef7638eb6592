package handshake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// deflateName is the extension token of RFC 7692 §7.
const deflateName = "permessage-deflate"

// The parameters of permessage-deflate (RFC 7692 §7.1).
const (
	serverNoContextTakeover = "server_no_context_takeover"
	clientNoContextTakeover = "client_no_context_takeover"
	serverMaxWindowBits     = "server_max_window_bits"
	clientMaxWindowBits     = "client_max_window_bits"
)

// Window sizes are the base-2 logarithm of the LZ77 sliding window, from
// 8 (256 bytes) to 15 (32 KiB) (RFC 7692 §7.1.2).
const (
	minWindowBits = 8
	maxWindowBits = 15
)

// DeflateConfig is what one side wants from permessage-deflate
// (RFC 7692 §7.1). The zero value asks for nothing: context takeover in
// both directions and 32 KiB windows.
//
// On the server ([ServerOptions].Deflate), it narrows what the server
// accepts, where RFC 7692 lets the server narrow:
//   - ServerNoContextTakeover: the server resets its compressor after each
//     message and says so in every response (§7.1.1.1).
//   - ClientNoContextTakeover: the server asks the client to reset its
//     compressor after each message (§7.1.1.2).
//   - ServerMaxWindowBits (8..15; 0 means 15): the largest window the
//     server compresses with; it answers the smaller of this and the
//     offer's server_max_window_bits (§7.1.2.1).
//   - ClientMaxWindowBits (8..15; 0 means 15): the window the server asks
//     the client to keep to. §7.1.2.2 lets a server name the client's window
//     only when the offer carries client_max_window_bits, so against an
//     offer without it this preference is not applied; the offer is still
//     accepted, and the client may then use a 32 KiB window.
//
// On the client ([ClientOptions].Deflate), it is the offer:
//   - ServerNoContextTakeover: offer server_no_context_takeover; a server
//     that accepts the offer without answering it fails the handshake.
//   - ClientNoContextTakeover: offer client_no_context_takeover, a promise
//     that the client resets its compressor after each message.
//   - ServerMaxWindowBits (8..14): offer server_max_window_bits; a server
//     that accepts the offer must answer it with this window or a smaller
//     one. 0 or 15 leaves the server's window unlimited.
//   - ClientMaxWindowBits (8..15): offer client_max_window_bits with this
//     value, which tells the server the client can keep to any window it
//     names up to this size; 0 does not offer the parameter, so the server
//     cannot name the client's window.
//
// Values other than 0 and 8..15 are invalid.
type DeflateConfig struct {
	ServerNoContextTakeover bool
	ClientNoContextTakeover bool
	ServerMaxWindowBits     int
	ClientMaxWindowBits     int
}

// DeflateParams is the permessage-deflate configuration both sides agreed
// on. The window sizes are always 8..15 (15 when the handshake did not name
// one). The compressor of a side must keep to its own window and, under
// no-context-takeover, reset after each message; the decompressor of the
// other side may rely on it.
type DeflateParams struct {
	ServerNoContextTakeover bool
	ClientNoContextTakeover bool
	ServerMaxWindowBits     int
	ClientMaxWindowBits     int
}

// check reports whether c holds only valid values.
func (c *DeflateConfig) check() error {
	for _, w := range [...]struct {
		name string
		bits int
	}{{"ServerMaxWindowBits", c.ServerMaxWindowBits}, {"ClientMaxWindowBits", c.ClientMaxWindowBits}} {
		if w.bits != 0 && (w.bits < minWindowBits || w.bits > maxWindowBits) {
			return fmt.Errorf("Deflate.%s is %d, want 0 or 8..15", w.name, w.bits)
		}
	}
	return nil
}

// deflateElement is what one permessage-deflate offer or response says.
type deflateElement struct {
	serverNoContextTakeover bool
	clientNoContextTakeover bool
	serverBits              int  // server_max_window_bits, 0 when absent
	clientBits              int  // client_max_window_bits, 0 when absent or without a value
	clientBitsNamed         bool // client_max_window_bits present, with or without a value
}

// readDeflate reads the parameters of the extension sc is on. why is empty
// when they are acceptable; otherwise it names the rule of RFC 7692 §7.1
// they break: an unknown or repeated parameter, a value where none belongs,
// a missing or invalid window size. A response must give
// client_max_window_bits a value (§7.1.2.2); an offer need not.
func readDeflate(sc *extScanner, response bool) (d deflateElement, why string) {
	var seen [4]bool // indexed like the parameters below
	for p, ok := sc.param(); ok; p, ok = sc.param() {
		var i int
		switch {
		case strings.EqualFold(p.Name, serverNoContextTakeover):
			i = 0
			d.serverNoContextTakeover = true
		case strings.EqualFold(p.Name, clientNoContextTakeover):
			i = 1
			d.clientNoContextTakeover = true
		case strings.EqualFold(p.Name, serverMaxWindowBits):
			i = 2
			if d.serverBits = windowBits(p.Value); !p.HasValue || d.serverBits == 0 {
				return d, "server_max_window_bits needs a value from 8 to 15"
			}
		case strings.EqualFold(p.Name, clientMaxWindowBits):
			i = 3
			d.clientBitsNamed = true
			if !p.HasValue {
				if response {
					return d, "client_max_window_bits needs a value in a response"
				}
				break
			}
			if d.clientBits = windowBits(p.Value); d.clientBits == 0 {
				return d, "client_max_window_bits needs a value from 8 to 15"
			}
		default:
			return d, "unknown parameter " + strconv.Quote(p.Name)
		}
		if seen[i] {
			return d, "repeated parameter " + p.Name
		}
		seen[i] = true
		if i < 2 && p.HasValue {
			return d, p.Name + " takes no value"
		}
	}
	if sc.why != "" {
		return d, "malformed parameters"
	}
	return d, ""
}

// windowBits parses a window size (1*DIGIT, 8..15); 0 means invalid.
func windowBits(v string) int {
	n := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0
		}
		if n = n*10 + int(c-'0'); n > maxWindowBits {
			return 0
		}
	}
	if n < minWindowBits {
		return 0
	}
	return n
}

// deflateAnswer holds an accepted offer's agreement and response together,
// so that accepting costs one allocation.
type deflateAnswer struct {
	params DeflateParams
	ext    [1]Extension
	param  [4]Param
}

// negotiateDeflate returns the server's answer to the first permessage-deflate
// offer in f it can accept under cfg, or nil (RFC 7692 §5.1). A malformed
// Sec-WebSocket-Extensions header declines every offer: the server cannot
// tell where one offer ends, and declining is always allowed.
func negotiateDeflate(f fields, cfg *DeflateConfig) *deflateAnswer {
	if cfg == nil || !validExtensions(f) {
		return nil
	}
	const name = "Sec-Websocket-Extensions"
	for v, c, ok := f.field(name, 0); ok; v, c, ok = f.field(name, c) {
		sc := extScanner{s: v}
		for ext, ok := sc.extension(); ok; ext, ok = sc.extension() {
			if !strings.EqualFold(ext, deflateName) {
				continue // an extension this server does not implement
			}
			if offer, why := readDeflate(&sc, false); why == "" {
				return answerDeflate(offer, cfg)
			}
		}
	}
	return nil
}

// answerDeflate accepts offer under cfg. Every parameter can only narrow
// what the offer asked for, so an acceptable offer is always accepted whole
// (RFC 7692 §7.1.1, §7.1.2).
func answerDeflate(offer deflateElement, cfg *DeflateConfig) *deflateAnswer {
	a := &deflateAnswer{}
	p := &a.params
	// §7.1.1.1: an offered server_no_context_takeover is accepted only by
	// answering it; the server may also add it unasked.
	p.ServerNoContextTakeover = offer.serverNoContextTakeover || cfg.ServerNoContextTakeover
	// §7.1.1.2: the server may answer client_no_context_takeover whether or
	// not it was offered; answering an offered one makes the client's
	// promise part of the agreement.
	p.ClientNoContextTakeover = offer.clientNoContextTakeover || cfg.ClientNoContextTakeover
	// §7.1.2.1: answer the same or a smaller server window than offered;
	// the server may name one unasked.
	p.ServerMaxWindowBits = narrow(offer.serverBits, cfg.ServerMaxWindowBits)
	// §7.1.2.2: the client's window may be named only when the offer has
	// client_max_window_bits, and never larger than its value.
	p.ClientMaxWindowBits = narrow(offer.clientBits, 0)
	if offer.clientBitsNamed {
		p.ClientMaxWindowBits = narrow(offer.clientBits, cfg.ClientMaxWindowBits)
	}

	params := a.param[:0]
	if p.ServerNoContextTakeover {
		params = append(params, Param{Name: serverNoContextTakeover})
	}
	if p.ClientNoContextTakeover {
		params = append(params, Param{Name: clientNoContextTakeover})
	}
	if offer.serverBits != 0 || p.ServerMaxWindowBits < maxWindowBits {
		params = append(params, windowParam(serverMaxWindowBits, p.ServerMaxWindowBits))
	}
	if offer.clientBitsNamed && p.ClientMaxWindowBits < maxWindowBits {
		params = append(params, windowParam(clientMaxWindowBits, p.ClientMaxWindowBits))
	}
	if len(params) == 0 {
		params = nil // as ParseExtensions reads a bare extension
	}
	a.ext[0] = Extension{Name: deflateName, Params: params}
	return a
}

// narrow returns the smaller of two window sizes, where 0 stands for 15.
func narrow(a, b int) int {
	if a == 0 {
		a = maxWindowBits
	}
	if b == 0 {
		b = maxWindowBits
	}
	return min(a, b)
}

func windowParam(name string, bits int) Param {
	return Param{Name: name, Value: strconv.Itoa(bits), HasValue: true}
}

// deflateOffer returns the client's offer for cfg.
func deflateOffer(cfg *DeflateConfig) Extension {
	ext := Extension{Name: deflateName}
	if cfg.ServerNoContextTakeover {
		ext.Params = append(ext.Params, Param{Name: serverNoContextTakeover})
	}
	if cfg.ClientNoContextTakeover {
		ext.Params = append(ext.Params, Param{Name: clientNoContextTakeover})
	}
	if cfg.ServerMaxWindowBits != 0 && cfg.ServerMaxWindowBits < maxWindowBits {
		ext.Params = append(ext.Params, windowParam(serverMaxWindowBits, cfg.ServerMaxWindowBits))
	}
	if cfg.ClientMaxWindowBits != 0 {
		ext.Params = append(ext.Params, windowParam(clientMaxWindowBits, cfg.ClientMaxWindowBits))
	}
	return ext
}

// checkExtensionResponse validates the server's Sec-WebSocket-Extensions
// against the client's offer, cfg (nil when the client offered nothing),
// and returns the agreed extensions (RFC 6455 §4.1, RFC 7692 §7.1). An error
// wraps ErrExtensionResponse.
func checkExtensionResponse(h http.Header, cfg *DeflateConfig) ([]Extension, *DeflateParams, error) {
	const name = "Sec-Websocket-Extensions"
	f := mimeFields(h)
	var agreed *DeflateParams
	for v, c, ok := f.field(name, 0); ok; v, c, ok = f.field(name, c) {
		sc := extScanner{s: v}
		for ext, ok := sc.extension(); ok; ext, ok = sc.extension() {
			switch {
			case cfg == nil || !strings.EqualFold(ext, deflateName):
				return nil, nil, fmt.Errorf("%w: %q was not offered", ErrExtensionResponse, ext)
			case agreed != nil:
				return nil, nil, fmt.Errorf("%w: %s accepted twice", ErrExtensionResponse, deflateName)
			}
			d, why := readDeflate(&sc, true)
			if why == "" {
				why = checkDeflateResponse(d, cfg)
			}
			if why != "" {
				return nil, nil, fmt.Errorf("%w: %s: %s", ErrExtensionResponse, deflateName, why)
			}
			agreed = &DeflateParams{
				ServerNoContextTakeover: d.serverNoContextTakeover,
				// A client that offered client_no_context_takeover
				// promised it (§7.1.1.2), answered or not.
				ClientNoContextTakeover: d.clientNoContextTakeover || cfg.ClientNoContextTakeover,
				ServerMaxWindowBits:     narrow(d.serverBits, 0),
				ClientMaxWindowBits:     narrow(d.clientBits, cfg.ClientMaxWindowBits),
			}
		}
		if err := sc.error(); err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrExtensionResponse, err)
		}
	}
	if agreed == nil {
		return nil, nil, nil
	}
	exts, err := ParseExtensions(h[name])
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrExtensionResponse, err)
	}
	return exts, agreed, nil
}

// checkDeflateResponse returns why a well-formed response d does not answer
// the offer made from cfg, or "" (RFC 7692 §7.1).
func checkDeflateResponse(d deflateElement, cfg *DeflateConfig) string {
	offeredServerBits := cfg.ServerMaxWindowBits != 0 && cfg.ServerMaxWindowBits < maxWindowBits
	switch {
	// §7.1.1.1 and §7.1.2.1: the server accepts these two parameters only
	// by answering them, so an answer without them is not an answer to
	// this offer.
	case cfg.ServerNoContextTakeover && !d.serverNoContextTakeover:
		return "server_no_context_takeover was offered but not answered"
	case offeredServerBits && d.serverBits == 0:
		return "server_max_window_bits was offered but not answered"
	case offeredServerBits && d.serverBits > cfg.ServerMaxWindowBits:
		return "server_max_window_bits larger than offered"
	// §7.1.2.2: client_max_window_bits only if offered, never larger.
	case d.clientBitsNamed && cfg.ClientMaxWindowBits == 0:
		return "client_max_window_bits was not offered"
	case d.clientBits > cfg.ClientMaxWindowBits && cfg.ClientMaxWindowBits != 0:
		return "client_max_window_bits larger than offered"
	}
	return ""
}
