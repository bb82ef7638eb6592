package fuzz

import (
	"hash/maphash"
	"sync"
)

// deflateCacheSize bounds the memory of the compressed messages the
// fuzzer remembers.
const deflateCacheSize = 256 << 20

// minCached is the smallest message worth remembering.
const minCached = 256

// deflateCache remembers messages compressed without context. The
// compression cases send the same slices of the same corpus, at the same
// sizes, case after case, and a compressor that starts afresh turns the
// same message into the same octets: remembering them saves compressing
// them again without changing a single octet on the wire. Entries are
// found by two independent 64-bit hashes of the message, with its length
// and the compressor's settings; the oldest go first when the cache is
// full.
type deflateCache struct {
	mu    sync.Mutex
	seeds [2]maphash.Seed
	m     map[cacheKey][]byte
	fifo  []cacheKey
	size  int
	limit int
}

type cacheKey struct {
	h1, h2               uint64
	n, windowBits, level int
}

func newDeflateCache(limit int) *deflateCache {
	return &deflateCache{
		seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		m:     map[cacheKey][]byte{},
		limit: limit,
	}
}

// sharedDeflateCache serves every connection of the process.
var sharedDeflateCache = newDeflateCache(deflateCacheSize)

func (c *deflateCache) key(p []byte, windowBits, level int) cacheKey {
	return cacheKey{
		h1: maphash.Bytes(c.seeds[0], p), h2: maphash.Bytes(c.seeds[1], p),
		n: len(p), windowBits: windowBits, level: level,
	}
}

// get returns the compressed message for k. The caller must not modify it.
func (c *deflateCache) get(k cacheKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out, ok := c.m[k]
	return out, ok
}

// put remembers a copy of out under k.
func (c *deflateCache) put(k cacheKey, out []byte) {
	if len(out) > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		return
	}
	for c.size+len(out) > c.limit && len(c.fifo) > 0 {
		old := c.fifo[0]
		c.fifo = c.fifo[1:]
		c.size -= len(c.m[old])
		delete(c.m, old)
	}
	c.m[k] = append([]byte(nil), out...)
	c.fifo = append(c.fifo, k)
	c.size += len(out)
}
