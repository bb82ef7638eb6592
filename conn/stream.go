package conn

import "io"

// Streaming a message from one place to another with io.Copy goes through
// these, so that no 32 KiB buffer is allocated per message: the message
// reader writes what it reads from a chunk of the free list, and the
// message writer reads into one. A chunk (64 KiB) is also the size of the
// frames a streamed copy sends, few enough writes for large messages.

// WriteTo writes the rest of the message to w, for io.Copy.
func (m *messageReader) WriteTo(w io.Writer) (int64, error) {
	c := getChunk()
	defer putChunk(c)
	buf := (*c)[:chunkSize]
	var total int64
	for {
		n, err := m.Read(buf)
		if n > 0 {
			k, werr := w.Write(buf[:n])
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

// ReadFrom writes what r yields, up to its end, into the message, for
// io.Copy.
func (m *messageWriter) ReadFrom(r io.Reader) (int64, error) {
	c := getChunk()
	defer putChunk(c)
	buf := (*c)[:chunkSize]
	var total int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			k, werr := m.Write(buf[:n])
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
