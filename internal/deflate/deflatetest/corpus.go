// Package deflatetest makes inputs for the tests and benchmarks of package
// deflate: text and JSON messages that compress as real WebSocket traffic
// does, reproducibly from a seed, noisy samples that compress a little,
// and random bytes that do not compress.
package deflatetest

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// words is a small vocabulary; Text draws from it with a Zipf
// distribution, as the words of natural language are.
var words = []string{
	"the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by",
	"on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had",
	"they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there", "been", "if",
	"more", "when", "will", "would", "who", "so", "no", "message", "server", "client", "frame",
	"window", "connection", "protocol", "handshake", "compression", "stream", "buffer",
	"extension", "payload", "length", "socket", "request", "response", "header", "status", "close",
	"error", "reason", "binary", "text", "ping", "pong", "browser", "network", "latency", "memory",
	"allocation", "history", "dictionary", "literal", "distance", "symbol", "table", "reader", "writer",
	"between", "through", "without", "another", "because", "however", "although", "therefore",
}

// Text returns n bytes of English-like text: words with a Zipf
// distribution, in sentences, in lines.
func Text(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	zipf := rand.NewZipf(r, 1.1, 2, uint64(len(words)-1))
	b := make([]byte, 0, n+32)
	for len(b) < n {
		sentence := 4 + r.IntN(12)
		for i := range sentence {
			w := words[zipf.Uint64()]
			if i == 0 {
				b = append(b, w[0]-'a'+'A')
				b = append(b, w[1:]...)
			} else {
				b = append(b, ' ')
				b = append(b, w...)
			}
		}
		b = append(b, '.')
		if r.IntN(4) == 0 {
			b = append(b, '\n')
		} else {
			b = append(b, ' ')
		}
	}
	return b[:n]
}

// JSON returns a JSON message of about n bytes (at least n, never more
// than n plus one record), the shape of what web applications send over
// WebSocket: an array of records with repeated keys and varied values.
func JSON(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 2))
	b := append(make([]byte, 0, n+256), `{"type":"update","seq":`...)
	b = strconv.AppendUint(b, r.Uint64N(1e9), 10)
	b = append(b, `,"items":[`...)
	for i := 0; len(b) < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendUint(b, r.Uint64N(1e6), 10)
		b = append(b, `,"name":"`...)
		b = append(b, words[r.IntN(len(words))]...)
		b = append(b, '_')
		b = append(b, words[r.IntN(len(words))]...)
		b = append(b, `","price":`...)
		b = strconv.AppendFloat(b, float64(r.IntN(100000))/100, 'f', 2, 64)
		b = append(b, `,"active":`...)
		b = strconv.AppendBool(b, r.IntN(2) == 0)
		b = append(b, `,"tags":["`...)
		b = append(b, words[r.IntN(20)]...)
		b = append(b, `","`...)
		b = append(b, words[r.IntN(20)]...)
		b = append(b, `"]}`...)
	}
	return append(b, "]}"...)
}

// Random returns n bytes that do not compress.
func Random(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 3))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// Noisy returns n bytes of a sampled signal: smooth waves plus noise, as
// in pictures and sound. Huffman coding shrinks them by a few percent;
// LZ77 finds almost no matches.
func Noisy(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 4))
	b := make([]byte, n)
	for i := range b {
		x := float64(i)
		v := 128 + 60*math.Sin(x/97) + 40*math.Cos(x/13+1) + r.NormFloat64()*6
		b[i] = byte(min(max(v, 0), 255))
	}
	return b
}
