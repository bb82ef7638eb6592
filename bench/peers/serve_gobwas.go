package main

import (
	"bufio"
	"io"
	"net"

	"github.com/gobwas/ws"
)

// serveGobwas echoes with gobwas/ws's low-level API on raw connections:
// ws.Upgrade, then a loop that reads each frame with ws.ReadHeader through
// a bufio.Reader and writes it back, unmasked, with ws.WriteHeader through
// a bufio.Writer, one flush per frame. Fragments are echoed as they come.
func serveGobwas(ln net.Listener, conformance bool) error {
	return serveRaw(ln, func(nc net.Conn) {
		defer nc.Close()
		if _, err := ws.Upgrade(nc); err != nil {
			return
		}
		br := bufio.NewReaderSize(nc, 4096)
		var bw *bufio.Writer // made when the first frame comes, as idle connections need none
		var buf []byte
		for {
			h, err := ws.ReadHeader(br)
			if err != nil {
				return
			}
			if bw == nil {
				bw = bufio.NewWriterSize(nc, 4096)
			}
			if h.Length > readLimit {
				ws.WriteFrame(bw, ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusMessageTooBig, "")))
				bw.Flush()
				return
			}
			if int64(cap(buf)) < h.Length {
				buf = make([]byte, h.Length)
			}
			payload := buf[:h.Length]
			if _, err := io.ReadFull(br, payload); err != nil {
				return
			}
			if h.Masked {
				ws.Cipher(payload, h.Mask, 0)
			}
			switch h.OpCode {
			case ws.OpClose:
				ws.WriteFrame(bw, ws.NewCloseFrame(payload))
				bw.Flush()
				return
			case ws.OpPing:
				ws.WriteFrame(bw, ws.NewPongFrame(payload))
			case ws.OpPong:
				continue
			default:
				if ws.WriteHeader(bw, ws.Header{Fin: h.Fin, OpCode: h.OpCode, Length: h.Length}) != nil {
					return
				}
				if _, err := bw.Write(payload); err != nil {
					return
				}
			}
			if bw.Flush() != nil {
				return
			}
		}
	})
}
