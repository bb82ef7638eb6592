package conn

import (
	"sync"

	"github.com/rfc6455/ws/internal/sizeclass"
)

// Buffers are lent by size class (powers of two), so that a connection
// holds one only while it reads or writes a message: an idle connection
// holds none (see reader.fill and messageWriter).
const (
	minPoolClass = 9  // 512 B
	maxPoolClass = 24 // 16 MiB
)

var bufferPools [maxPoolClass - minPoolClass + 1]sync.Pool

// poolClass returns the class of buffers that hold n octets.
func poolClass(n int) int {
	return sizeclass.Of(n, minPoolClass)
}

// getBuffer returns a buffer of n octets. Give it back with putBuffer.
func getBuffer(n int) *[]byte {
	c := poolClass(n)
	if c > maxPoolClass {
		b := make([]byte, n)
		return &b
	}
	if b, ok := bufferPools[c-minPoolClass].Get().(*[]byte); ok {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, 1<<c)
	return &b
}

// putBuffer gives b back; the caller must not use it after.
func putBuffer(b *[]byte) {
	c := poolClass(cap(*b))
	if 1<<c != cap(*b) || c > maxPoolClass {
		return // not one of the pool's
	}
	bufferPools[c-minPoolClass].Put(b)
}

// ReadMessage gathers a large message in chunks before it knows the
// message will come (see reader.readChunks). They are kept in a free list
// of bounded length rather than a sync.Pool, which a collection empties:
// under the collections that large messages cause, the pool would keep
// allocating. At most maxFreeChunks stay allocated (4 MiB).
const maxFreeChunks = 64

var freeChunks = make(chan *[]byte, maxFreeChunks)

func getChunk() *[]byte {
	select {
	case c := <-freeChunks:
		return c
	default:
		c := make([]byte, 0, chunkSize)
		return &c
	}
}

func putChunk(c *[]byte) {
	*c = (*c)[:0]
	select {
	case freeChunks <- c:
	default:
	}
}
