// Package deflate implements DEFLATE (RFC 1951) as the permessage-deflate
// extension of WebSocket (RFC 7692) uses it: a Compressor and a
// Decompressor that work message by message, keep their LZ77 window from
// one message to the next (context takeover) unless told to forget it,
// honour any negotiated window of 2^8 to 2^15 bytes, and hold little
// memory, so that every connection can keep one of each.
//
// # Messages
//
// A compressed message is DEFLATE data ending with an empty stored block
// whose last four octets, 00 00 ff ff, the sender removes (RFC 7692
// §7.2.1). Compressor.Close writes that end and removes them. The
// Decompressor appends them itself when its source ends (§7.2.2): its
// source yields the message's payload exactly as it came in its frames,
// and Read returns io.EOF at the end of the message. A message may also
// end its DEFLATE stream with a final block (§7.2.3.4); the next message
// then starts a new stream, with the same window.
//
// Package conn owns everything around this: the RSV1 bit, fragmenting,
// which messages to compress, and the negotiated parameters.
//
// # Windows and context takeover
//
// The window size of each direction is negotiated (server_max_window_bits,
// client_max_window_bits). A Compressor never refers further back than
// 2^windowBits bytes. A Decompressor keeps exactly that many bytes and
// rejects a message that refers further back with ErrWindowExceeded, or
// before the data it has seen with ErrDistanceTooFar.
//
// Without no_context_takeover, messages share the window. With it, call
// ResetHistory before each message, or take an object from the pool
// (GetCompressor, GetDecompressor) for each message and give it back
// after: then an idle connection holds no compression memory at all.
//
// # Memory
//
// Measured heap per object after one message (see TestMemoryPerObject and
// BenchmarkDeflateMemory in package bench):
//
//	                             window bits 15   window bits 8
//	Compressor, BestSpeed              81 KiB           13 KiB
//	Compressor, levels 2 to 9         145 KiB           14 KiB
//	Compressor, HuffmanOnly            65 KiB
//	Compressor, NoCompression          49 KiB
//	Decompressor                       40 KiB          8.3 KiB
//
// For comparison, compress/flate's Writer holds 1.2 MB at BestSpeed and
// 0.8 MB at DefaultCompression, and its Reader 40 KiB for its fixed 32 KiB
// window.
//
// A Compressor's memory is its window plus a lookahead of a quarter of it
// (at least 1 KiB), a hash table of up to 8192 two-byte entries, a buffer
// of tokens for one block (half the lookahead, four bytes each), and at
// levels 2 to 9 a hash chain of two bytes per window byte. A
// Decompressor's is its window, a 2 KiB input buffer and 6 KiB of
// decoding tables.
//
// # Bounds
//
// DEFLATE data can inflate about a thousandfold, so the size of a
// compressed message says little about its size. Read decodes at most one
// window ahead of what the caller has taken, and never reads its source
// more than 2 KiB ahead of what it decodes: a caller that stops reading at
// its message-size limit stops the work and the memory there.
//
// # Errors
//
// Data that breaks a rule of RFC 1951 or RFC 7692 gives a *CorruptError,
// one of the Err variables, each naming the rule; errors.Is(err,
// ErrCorrupt) matches them all. A message cut short gives
// io.ErrUnexpectedEOF. These errors stay: every later Read returns them.
//
// An error of the source, such as a passed read deadline, is returned as
// it is and not kept. It loses nothing: each step of decoding either
// completes or, when the input at hand runs short, waits for more without
// changing anything, so the next Read reads the source again and goes on
// where the last one stopped, with the same output as if the error had
// not happened.
//
// # Compression
//
// BestSpeed (also DefaultCompression) matches greedily with one candidate
// per hash bucket, the way WebSocket traffic is best served: at about the
// speed of compress/flate's BestSpeed with the same ratio. Levels 2 to 9
// follow hash chains and, from 4 on, match lazily, with ratios close to
// compress/flate's at the same level. Each block is written in the
// cheapest of the three forms, stored, fixed codes or codes of its own,
// counted in bits. Codes are at most 15 bits (7 for the code length code)
// and always complete, as zlib and compress/flate require.
package deflate
