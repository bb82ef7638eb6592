package fuzz

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// DefaultDeflateLevel is the compress/flate level the fuzzer compresses
// with. The original uses zlib's default (6); the fastest level keeps the
// compression cases, which move about a gigabyte each way per group,
// within the run's time budget. The level changes compression ratios, not
// verdicts: any level is valid DEFLATE.
const DefaultDeflateLevel = flate.BestSpeed

// extensionName is the name of RFC 7692's extension.
const extensionName = "permessage-deflate"

// DeflateOffer is one permessage-deflate offer of a client (RFC 7692 §7).
// The field names are the original's.
type DeflateOffer struct {
	AcceptNoContextTakeover  bool // client_no_context_takeover: the client can drop its context
	AcceptMaxWindowBits      bool // client_max_window_bits: the client can shrink its window
	RequestNoContextTakeover bool // server_no_context_takeover: asked of the server
	RequestMaxWindowBits     int  // server_max_window_bits=N asked of the server, 0 for none
}

// DefaultDeflateOffer is the original's default offer: the client accepts
// both parameters and requests nothing.
func DefaultDeflateOffer() DeflateOffer {
	return DeflateOffer{AcceptNoContextTakeover: true, AcceptMaxWindowBits: true}
}

// String returns the offer as a Sec-WebSocket-Extensions element.
func (o DeflateOffer) String() string {
	s := extensionName
	if o.AcceptNoContextTakeover {
		s += "; client_no_context_takeover"
	}
	if o.AcceptMaxWindowBits {
		s += "; client_max_window_bits"
	}
	if o.RequestNoContextTakeover {
		s += "; server_no_context_takeover"
	}
	if o.RequestMaxWindowBits != 0 {
		s += "; server_max_window_bits=" + strconv.Itoa(o.RequestMaxWindowBits)
	}
	return s
}

// DeflateAccept is a server's acceptance of an offer, with what the server
// asks of the client in return.
type DeflateAccept struct {
	Offer                    DeflateOffer
	RequestNoContextTakeover bool // client_no_context_takeover asked of the client
	RequestMaxWindowBits     int  // client_max_window_bits=N asked of the client, 0 for none
}

// Validate checks that the acceptance asks only what the offer allows
// (RFC 7692 §7.1.1.1, §7.1.2.2).
func (a DeflateAccept) Validate() error {
	if a.RequestNoContextTakeover && !a.Offer.AcceptNoContextTakeover {
		return errors.New("client_no_context_takeover requested of a client that did not offer it")
	}
	if a.RequestMaxWindowBits != 0 {
		if !validWindowBits(a.RequestMaxWindowBits) {
			return fmt.Errorf("client_max_window_bits=%d out of range 8-15", a.RequestMaxWindowBits)
		}
		if !a.Offer.AcceptMaxWindowBits {
			return errors.New("client_max_window_bits requested of a client that did not offer it")
		}
	}
	return nil
}

// String returns the response element for the acceptance.
func (a DeflateAccept) String() string {
	s := extensionName
	if a.Offer.RequestNoContextTakeover {
		s += "; server_no_context_takeover"
	}
	if a.Offer.RequestMaxWindowBits != 0 {
		s += "; server_max_window_bits=" + strconv.Itoa(a.Offer.RequestMaxWindowBits)
	}
	if a.RequestNoContextTakeover {
		s += "; client_no_context_takeover"
	}
	if a.RequestMaxWindowBits != 0 {
		s += "; client_max_window_bits=" + strconv.Itoa(a.RequestMaxWindowBits)
	}
	return s
}

// DeflateResponse is the permessage-deflate element of a server's answer.
type DeflateResponse struct {
	ClientMaxWindowBits     int
	ClientNoContextTakeover bool
	ServerMaxWindowBits     int
	ServerNoContextTakeover bool
}

// DeflateParams are the parameters in force on a connection, for both
// directions. Window sizes are in bits, 15 when not negotiated.
type DeflateParams struct {
	ServerNoContextTakeover bool `json:"server_no_context_takeover"`
	ClientNoContextTakeover bool `json:"client_no_context_takeover"`
	ServerMaxWindowBits     int  `json:"server_max_window_bits"`
	ClientMaxWindowBits     int  `json:"client_max_window_bits"`
}

func validWindowBits(n int) bool { return n >= 8 && n <= 15 }

// extParam is one parameter of an extension element.
type extParam struct {
	name     string
	value    string
	hasValue bool
}

// extension is one element of a Sec-WebSocket-Extensions header.
type extension struct {
	name   string
	params []extParam
}

// parseExtensions splits a Sec-WebSocket-Extensions value the way the
// original does: elements at commas, parameters at semicolons, values
// after the first '=', surrounding quotes removed.
func parseExtensions(header string) []extension {
	var exts []extension
	for _, e := range strings.Split(header, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		parts := strings.Split(e, ";")
		ext := extension{name: strings.ToLower(strings.TrimSpace(parts[0]))}
		for _, p := range parts[1:] {
			name, value, hasValue := strings.Cut(p, "=")
			param := extParam{name: strings.ToLower(strings.TrimSpace(name)), hasValue: hasValue}
			if hasValue {
				v := strings.TrimSpace(value)
				v = strings.TrimPrefix(v, `"`)
				v = strings.TrimSuffix(v, `"`)
				param.value = v
			}
			ext.params = append(ext.params, param)
		}
		exts = append(exts, ext)
	}
	return exts
}

// uniqueParams checks that no parameter repeats (RFC 7692 §7.1).
func uniqueParams(params []extParam) error {
	seen := map[string]bool{}
	for _, p := range params {
		if seen[p.name] {
			return fmt.Errorf("multiple occurrence of extension parameter '%s' for extension '%s'", p.name, extensionName)
		}
		seen[p.name] = true
	}
	return nil
}

func illegalValue(p extParam) error {
	return fmt.Errorf("illegal extension parameter value '%s' for parameter '%s' of extension '%s'", p.value, p.name, extensionName)
}

// windowBitsParam parses the value of a *_max_window_bits parameter.
func windowBitsParam(p extParam) (int, error) {
	n, err := strconv.Atoi(p.value)
	if err != nil || !p.hasValue || !validWindowBits(n) {
		return 0, illegalValue(p)
	}
	return n, nil
}

// parseDeflateOffer reads a client's offer as the original server does.
// Note that the original counts every offer as accepting
// client_no_context_takeover, which a client must always honour anyway
// (RFC 7692 §7.1.1.2).
func parseDeflateOffer(params []extParam) (DeflateOffer, error) {
	o := DeflateOffer{AcceptNoContextTakeover: true}
	if err := uniqueParams(params); err != nil {
		return o, err
	}
	for _, p := range params {
		switch p.name {
		case "client_max_window_bits":
			if p.hasValue {
				if _, err := windowBitsParam(p); err != nil {
					return o, err
				}
			}
			o.AcceptMaxWindowBits = true
		case "client_no_context_takeover":
			if p.hasValue {
				return o, illegalValue(p)
			}
		case "server_max_window_bits":
			n, err := windowBitsParam(p)
			if err != nil {
				return o, err
			}
			o.RequestMaxWindowBits = n
		case "server_no_context_takeover":
			if p.hasValue {
				return o, illegalValue(p)
			}
			o.RequestNoContextTakeover = true
		default:
			return o, fmt.Errorf("illegal extension parameter '%s' for extension '%s'", p.name, extensionName)
		}
	}
	return o, nil
}

// parseDeflateResponse reads a server's answer as the original client does.
func parseDeflateResponse(params []extParam) (DeflateResponse, error) {
	var r DeflateResponse
	if err := uniqueParams(params); err != nil {
		return r, err
	}
	for _, p := range params {
		var err error
		switch p.name {
		case "client_max_window_bits":
			r.ClientMaxWindowBits, err = windowBitsParam(p)
		case "client_no_context_takeover":
			if p.hasValue {
				err = illegalValue(p)
			}
			r.ClientNoContextTakeover = true
		case "server_max_window_bits":
			r.ServerMaxWindowBits, err = windowBitsParam(p)
		case "server_no_context_takeover":
			if p.hasValue {
				err = illegalValue(p)
			}
			r.ServerNoContextTakeover = true
		default:
			err = fmt.Errorf("illegal extension parameter '%s' for extension '%s'", p.name, extensionName)
		}
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// permessageDeflate compresses outgoing and inflates incoming messages
// (RFC 7692 §7.2) with the negotiated parameters.
type permessageDeflate struct {
	params DeflateParams

	// Outgoing.
	level       int
	w           *flate.Writer
	out         bytes.Buffer
	noContextTx bool
	windowTx    int

	// Incoming: a reader reset per message, primed with the last window of
	// output when the peer keeps its context.
	r           io.ReadCloser
	src         bytes.Reader
	in          []byte
	inflated    bytes.Buffer // scratch for the output, kept between messages
	dict        []byte
	noContextRx bool
}

func newPermessageDeflate(isServer bool, p DeflateParams, level int) *permessageDeflate {
	if p.ServerMaxWindowBits == 0 {
		p.ServerMaxWindowBits = 15
	}
	if p.ClientMaxWindowBits == 0 {
		p.ClientMaxWindowBits = 15
	}
	d := &permessageDeflate{params: p, level: level}
	if isServer {
		d.noContextTx, d.windowTx = p.ServerNoContextTakeover, p.ServerMaxWindowBits
		d.noContextRx = p.ClientNoContextTakeover
	} else {
		d.noContextTx, d.windowTx = p.ClientNoContextTakeover, p.ClientMaxWindowBits
		d.noContextRx = p.ServerNoContextTakeover
	}
	return d
}

// syncTail is the end of a sync flush, which RFC 7692 §7.2.1 removes from
// each message and §7.2.2 puts back before inflating.
var syncTail = []byte{0x00, 0x00, 0xff, 0xff}

// finalBlock is an empty final stored block: appended after the tail, it
// ends the stream so that a reader stops cleanly at the message's end.
var finalBlock = []byte{0x01, 0x00, 0x00, 0xff, 0xff}

// deflate compresses one message (RFC 7692 §7.2.1). The caller must not
// modify the result, which is valid until the next call.
//
// compress/flate always uses a 32 KiB window. When the peer asked for a
// smaller one, the message is compressed in pieces no longer than the
// window, each by a fresh compressor, so that no match reaches further
// back than the window allows; context is then never carried over.
func (d *permessageDeflate) deflate(p []byte) []byte {
	fresh := d.noContextTx || d.windowTx < 15 // no context carried over
	if !fresh || len(p) < minCached {
		return d.compress(p)
	}
	k := sharedDeflateCache.key(p, d.windowTx, d.level)
	if out, ok := sharedDeflateCache.get(k); ok {
		return out
	}
	out := d.compress(p)
	sharedDeflateCache.put(k, out)
	return out
}

// compress is deflate without the cache.
func (d *permessageDeflate) compress(p []byte) []byte {
	d.out.Reset()
	if d.w == nil {
		d.w, _ = flate.NewWriter(&d.out, d.level)
	} else if d.noContextTx || d.windowTx < 15 {
		d.w.Reset(&d.out)
	}
	if d.windowTx >= 15 {
		d.w.Write(p)
		d.w.Flush()
	} else {
		window := 1 << d.windowTx
		for i := 0; i < len(p) || i == 0; i += window {
			if i > 0 {
				d.w.Reset(&d.out)
			}
			d.w.Write(p[i:min(i+window, len(p))])
			d.w.Flush()
		}
	}
	return bytes.TrimSuffix(d.out.Bytes(), syncTail)
}

// errTooBig is an inflated message over the size limit.
var errTooBig = errors.New("message too big")

// codeForInflateError is the close code for a failure to inflate.
func codeForInflateError(err error) int {
	if errors.Is(err, errTooBig) {
		return codeMessageTooBig
	}
	return codeInvalidPayload
}

// inflate decompresses one message (RFC 7692 §7.2.2), refusing to produce
// more than limit octets.
func (d *permessageDeflate) inflate(p []byte, limit int64) ([]byte, error) {
	d.in = append(append(append(d.in[:0], p...), syncTail...), finalBlock...)
	d.src.Reset(d.in)
	if d.noContextRx {
		d.dict = nil
	}
	if d.r == nil {
		d.r = flate.NewReaderDict(&d.src, d.dict)
	} else if err := d.r.(flate.Resetter).Reset(&d.src, d.dict); err != nil {
		return nil, err
	}
	d.inflated.Reset()
	if _, err := d.inflated.ReadFrom(io.LimitReader(d.r, limit+1)); err != nil {
		return nil, err
	}
	if int64(d.inflated.Len()) > limit {
		return nil, errTooBig
	}
	out := bytes.Clone(d.inflated.Bytes())
	if !d.noContextRx {
		// Keep the last window of output: the next message may refer to it.
		const window = 1 << 15
		if len(out) >= window {
			d.dict = append(d.dict[:0], out[len(out)-window:]...)
		} else {
			d.dict = append(d.dict, out...)
			if len(d.dict) > window {
				d.dict = append(d.dict[:0:0], d.dict[len(d.dict)-window:]...)
			}
		}
	}
	return out, nil
}
