package conn

import "io"

// Streaming a message from one place to another with io.Copy goes through
// these, so that no 32 KiB buffer is allocated per message: the message
// reader writes what it reads from a chunk of the free list, and the
// message writer reads into one. A chunk (64 KiB) is also the size of the
// frames a streamed copy sends, few enough writes for large messages.

// WriteTo writes the rest of the message to w, for io.Copy.
func (m *messageReader) WriteTo(w io.Writer) (int64, error) { return copyThroughChunk(w, m) }

// ReadFrom writes what r yields, up to its end, into the message, for
// io.Copy.
func (m *messageWriter) ReadFrom(r io.Reader) (int64, error) { return copyThroughChunk(m, r) }

// copyThroughChunk copies src to dst until src's end, as io.Copy does,
// through a chunk borrowed from the free list.
func copyThroughChunk(dst io.Writer, src io.Reader) (int64, error) {
	c := getChunk()
	defer putChunk(c)
	buf := (*c)[:chunkSize]
	var total int64
	for {
		n, err := src.Read(buf)
		if n > 0 {
			k, werr := dst.Write(buf[:n])
			total += int64(k)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
