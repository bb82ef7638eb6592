package conn

import (
	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/handshake"
	"github.com/rfc6455/ws/internal/deflate"
)

// DefaultCompressionThreshold is the size below which WriteMessage sends a
// message uncompressed when permessage-deflate is in use: compressing a few
// dozen bytes costs more time than it saves on the wire, and RFC 7692 §6
// lets any message go uncompressed.
const DefaultCompressionThreshold = 128

// ErrInvalidCompressedData is the error, and 1007 the close code, for a
// compressed message whose DEFLATE data is invalid (RFC 7692 §7.2.2).
var ErrInvalidCompressedData = &frame.Error{Code: frame.CloseInvalidPayload, Reason: "invalid compressed data"}

// compression is a Conn's permessage-deflate state (RFC 7692). A side that
// keeps its context holds its compressor or decompressor for the life of
// the connection; without context takeover each message takes one from a
// pool and gives it back, so that an idle connection holds none.
type compression struct {
	level     int
	threshold int

	writeBits int                 // our window, as agreed
	writeKeep bool                // context takeover in our direction
	z         *deflate.Compressor // held between messages only if writeKeep

	readKeep bool // context takeover in the peer's direction
	d        *deflate.Decompressor
}

// readWindowBits is the window of every decompressor: the largest. A peer
// that agreed to a smaller window but uses the full one (zlib turns 8 into
// 9; encoders that cannot limit their window) is still understood.
const readWindowBits = deflate.MaxWindowBits

func newCompression(p *handshake.DeflateParams, role Role, opts *Options) *compression {
	c := &compression{level: opts.CompressionLevel, threshold: opts.CompressionThreshold}
	if c.level == 0 {
		c.level = deflate.BestSpeed
	}
	if c.threshold == 0 {
		c.threshold = DefaultCompressionThreshold
	}
	if role == Server {
		c.writeBits, c.writeKeep = p.ServerMaxWindowBits, !p.ServerNoContextTakeover
		c.readKeep = !p.ClientNoContextTakeover
	} else {
		c.writeBits, c.writeKeep = p.ClientMaxWindowBits, !p.ClientNoContextTakeover
		c.readKeep = !p.ServerNoContextTakeover
	}
	return c
}

// compressor returns the compressor for the next message.
func (c *compression) compressor() (*deflate.Compressor, error) {
	if c.z != nil {
		return c.z, nil
	}
	var err error
	if c.writeKeep {
		c.z, err = deflate.NewCompressor(c.writeBits, c.level)
	} else {
		c.z, err = deflate.GetCompressor(c.writeBits, c.level)
	}
	return c.z, err
}

// compressed is called at the end of each compressed message.
func (c *compression) compressed() {
	if !c.writeKeep && c.z != nil {
		deflate.PutCompressor(c.z)
		c.z = nil
	}
}

// decompressor returns the decompressor for the next message.
func (c *compression) decompressor() (*deflate.Decompressor, error) {
	if c.d != nil {
		return c.d, nil
	}
	var err error
	if c.readKeep {
		c.d, err = deflate.NewDecompressor(readWindowBits)
	} else {
		c.d, err = deflate.GetDecompressor(readWindowBits)
	}
	return c.d, err
}

// decompressed is called at the end of each compressed message.
func (c *compression) decompressed() {
	if !c.readKeep && c.d != nil {
		deflate.PutDecompressor(c.d)
		c.d = nil
	}
}
