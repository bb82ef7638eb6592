package deflate

import (
	"math/bits"
	"sync"
)

// Without context takeover a connection needs no compression state
// between messages, so it can take a Compressor or Decompressor for each
// message and give it back after: idle connections then hold none. The
// pools hold one kind of object each, by window size and level.
var (
	compressorPools   [MaxWindowBits - MinWindowBits + 1][BestCompression - HuffmanOnly + 1]sync.Pool
	decompressorPools [MaxWindowBits - MinWindowBits + 1]sync.Pool
)

// GetCompressor returns a Compressor with an empty window, as
// NewCompressor makes, from a pool if one is there. Give it back with
// PutCompressor.
func GetCompressor(windowBits, level int) (*Compressor, error) {
	if err := checkCompressorArgs(windowBits, level); err != nil {
		return nil, err
	}
	level = normalLevel(level)
	if z, ok := compressorPools[windowBits-MinWindowBits][level-HuffmanOnly].Get().(*Compressor); ok {
		return z, nil
	}
	return NewCompressor(windowBits, level)
}

// PutCompressor forgets z's window and sink and puts z in its pool. The
// caller must not use z after.
func PutCompressor(z *Compressor) {
	z.Reset(nil)
	z.ResetHistory()
	compressorPools[z.windowBits-MinWindowBits][z.level-HuffmanOnly].Put(z)
}

// GetDecompressor returns a Decompressor with an empty window, as
// NewDecompressor makes, from a pool if one is there. Give it back with
// PutDecompressor.
func GetDecompressor(windowBits int) (*Decompressor, error) {
	if err := checkWindowBits(windowBits); err != nil {
		return nil, err
	}
	if d, ok := decompressorPools[windowBits-MinWindowBits].Get().(*Decompressor); ok {
		return d, nil
	}
	return NewDecompressor(windowBits)
}

// PutDecompressor forgets d's window and source and puts d in its pool.
// The caller must not use d after.
func PutDecompressor(d *Decompressor) {
	d.Reset(nil)
	d.ResetHistory()
	d.err = ErrNoSource
	d.complete = true
	decompressorPools[bits.Len(uint(len(d.win)))-1-MinWindowBits].Put(d)
}
