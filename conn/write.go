package conn

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"sync"
	"sync/atomic"

	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/internal/deflate"
)

// writer is the write side of a Conn. Two locks order the writers: msgLock
// is held for a whole data message, so that messages never interleave, and
// frameLock for each frame on the wire, so that control frames can go out
// between the fragments of a message (§5.4).
type writer struct {
	c         *Conn
	msgLock   lock
	frameLock lock
	intr      interrupter

	// Owned by the holder of msgLock.
	size int            // of the message buffer: Options.WriteBufferSize
	mw   messageWriter  // handed out by NextWriter
	cw   compressWriter // handed out by NextWriter with permessage-deflate

	// Owned by the holder of frameLock.
	err     error                                   // the stream is broken: a frame went out in part
	small   [frame.MaxHeaderSize + smallBuffer]byte // a whole small frame is built here
	hdr     [frame.MaxHeaderSize]byte
	iov     [2][]byte
	bufs    net.Buffers
	keys    *[128]byte // random masking keys, fetched in batches; only a client has them
	keysPos int

	// An automatic pong waiting for frameLock; only the latest is kept
	// (§5.5.3 allows answering just the most recent ping).
	pongMu      sync.Mutex
	pong        [frame.MaxControlPayload]byte
	pongLen     int
	pongPending atomic.Bool

	// closed is set once our close frame is sent: no data may follow (§5.5.1).
	closed atomic.Bool

	batch batch // data frames waiting to go out together
}

func (w *writer) init(c *Conn, size int) {
	w.c = c
	w.intr.nc, w.intr.write = c.nc, true
	w.intr.timeout = c.writeTimeout
	w.size = size
	if c.role == Client {
		// Only a client masks (§5.1): a server's Conn is the smaller.
		w.keys = new([128]byte)
	}
	w.keysPos = len(w.keys)
	w.mw.w = w
	w.cw.m = &w.mw
}

// maskKey returns a fresh masking key from crypto/rand (§5.3, §10.3).
func (w *writer) maskKey() frame.MaskKey {
	if w.keysPos == len(w.keys) {
		rand.Read(w.keys[:])
		w.keysPos = 0
	}
	var k frame.MaskKey
	copy(k[:], w.keys[w.keysPos:])
	w.keysPos += len(k)
	return k
}

// header returns the header of a frame from this side.
func (w *writer) header(op frame.Opcode, fin bool, rsv byte, n int) frame.Header {
	h := frame.Header{Fin: fin, Rsv: rsv, Opcode: op, Length: int64(n)}
	if w.c.role == Client {
		h.Masked = true
		h.Mask = w.maskKey()
	}
	return h
}

// writeFrame sends one frame whose payload is p, with frameLock held. A
// small frame is built whole in w.small and sent in one write; a server
// sends a larger one with one vectored write of header and payload; a
// client masks a copy of it in a buffer lent by the pool.
func (w *writer) writeFrame(op frame.Opcode, fin bool, rsv byte, p []byte) error {
	if w.err != nil {
		return w.err
	}
	h := w.header(op, fin, rsv, len(p))
	if b := w.batchRoom(op, h.Size()+len(p)); b != nil {
		n := len(frame.AppendHeader(b[:0], h))
		copy(b[n:], p)
		if h.Masked {
			frame.Mask(h.Mask, 0, b[n:])
		}
		w.batched(len(b))
		return nil
	}
	if err := w.flushBatch(); err != nil {
		return err
	}
	switch {
	case h.Size()+len(p) <= len(w.small):
		b := frame.AppendHeader(w.small[:0], h)
		n := len(b)
		b = append(b, p...)
		if h.Masked {
			frame.Mask(h.Mask, 0, b[n:])
		}
		return w.send(b, false)
	case h.Masked:
		// Masking must not touch the caller's bytes: mask a copy, a
		// buffer-full at a time.
		buf := getBuffer(frame.MaxHeaderSize + w.size)
		defer putBuffer(buf)
		b := frame.AppendHeader((*buf)[:0], h)
		pos, sent := 0, false
		for {
			n := copy(b[len(b):cap(b)], p)
			pos = frame.Mask(h.Mask, pos, b[len(b):len(b)+n])
			b = b[:len(b)+n]
			p = p[n:]
			if err := w.send(b, sent); err != nil {
				return err
			}
			if len(p) == 0 {
				return nil
			}
			b, sent = (*buf)[:0], true
		}
	default:
		w.iov[0], w.iov[1] = frame.AppendHeader(w.hdr[:0], h), p
		w.bufs = w.iov[:]
		n, err := w.bufs.WriteTo(w.c.nc)
		w.iov[1] = nil
		return w.sent(n > 0, err)
	}
}

// send writes b, part of a frame; started says whether octets of the frame
// already went out.
func (w *writer) send(b []byte, started bool) error {
	n, err := w.c.nc.Write(b)
	return w.sent(started || n > 0, err)
}

// sent classifies the outcome of a write. A write that timed out before
// sending anything leaves the stream intact; after part of a frame went out
// the connection can only be dropped.
func (w *writer) sent(started bool, err error) error {
	if err == nil {
		return nil
	}
	if !started && isTimeout(err) {
		return err
	}
	w.err = err
	w.c.outputBroken(err)
	return err
}

// unlockFrame releases frameLock, first sending a pong the reader left
// pending and the batch if it may not wait any longer; the check after
// releasing closes the race with a reader (or the batch's timer) that
// found the lock held.
func (w *writer) unlockFrame() {
	for {
		if w.pongPending.Load() {
			w.flushPong()
		}
		if w.mustFlush() {
			w.flushDue(context.Background())
		}
		w.frameLock.unlock()
		if !w.pongPending.Load() && !w.mustFlush() || !w.frameLock.tryLock() {
			return
		}
	}
}

// autoPong answers a ping (§5.5.2) without blocking the reader: if a frame
// is being written, the pong goes out right after it.
func (w *writer) autoPong(p []byte) {
	w.pongMu.Lock()
	w.pongLen = copy(w.pong[:], p)
	w.pongPending.Store(true)
	w.pongMu.Unlock()
	if w.frameLock.tryLock() {
		w.unlockFrame()
	}
}

// flushPong sends the pending pong, with frameLock held.
func (w *writer) flushPong() {
	var p [frame.MaxControlPayload]byte
	w.pongMu.Lock()
	n := copy(p[:], w.pong[:w.pongLen])
	w.pongPending.Store(false)
	w.pongMu.Unlock()
	if w.closed.Load() {
		return
	}
	stop := w.intr.watch(context.Background())
	w.writeFrame(frame.OpPong, true, 0, p[:n])
	w.intr.release(stop)
}

// withFrame runs send with frameLock held and ctx bounding its writes,
// unless our close frame went out already.
func (w *writer) withFrame(ctx context.Context, send func() error) error {
	if err := w.frameLock.lock(ctx); err != nil {
		return err
	}
	defer w.unlockFrame()
	if w.closed.Load() {
		return ErrClosed
	}
	stop := w.intr.watch(ctx)
	err := send()
	return interrupted(ctx, w.intr.release(stop), err)
}

// control sends a control frame from the application.
func (w *writer) control(ctx context.Context, op frame.Opcode, p []byte) error {
	if len(p) > frame.MaxControlPayload {
		return frame.ErrControlTooLong
	}
	return w.withFrame(ctx, func() error { return w.writeFrame(op, true, 0, p) })
}

// Ping sends a ping with payload p (at most 125 bytes). The pong comes back
// to Options.PongHandler.
func (c *Conn) Ping(ctx context.Context, p []byte) error { return c.w.control(ctx, frame.OpPing, p) }

// Pong sends an unsolicited pong, or answers a ping when a PingHandler
// replaced the automatic answer.
func (c *Conn) Pong(ctx context.Context, p []byte) error { return c.w.control(ctx, frame.OpPong, p) }

// errBadMessageType is returned for a MessageType other than text or binary.
var errBadMessageType = errors.New("websocket: message type must be MessageText or MessageBinary")

// WriteMessage sends p as one message of type typ: a single frame, or with
// permessage-deflate, compressed when p is at least CompressionThreshold
// bytes. It never modifies p (a client masks a copy). It waits for a
// message being written by another goroutine to finish. ctx (and the
// write deadline) bound the call; see SetWriteDeadline for what an
// interruption leaves behind. A message answering a pipelining peer may
// wait in a batch instead (see Options.NoWriteBatching): then an error in
// sending the batch breaks the connection, and the next write reports it.
func (c *Conn) WriteMessage(ctx context.Context, typ MessageType, p []byte) error {
	if typ != MessageText && typ != MessageBinary {
		return errBadMessageType
	}
	w := &c.w
	if err := w.msgLock.lock(ctx); err != nil {
		return err
	}
	defer w.msgLock.unlock()
	if c.comp != nil && len(p) >= c.comp.threshold {
		return w.writeCompressed(ctx, frame.Opcode(typ), p)
	}
	return w.withFrame(ctx, func() error { return w.writeFrame(frame.Opcode(typ), true, 0, p) })
}

// writeCompressed sends p as a compressed message, with msgLock held: the
// compressor writes into the message writer, which sends a frame per
// buffer-full, RSV1 on the first (RFC 7692 §6.1).
func (w *writer) writeCompressed(ctx context.Context, op frame.Opcode, p []byte) error {
	z, err := w.c.comp.compressor()
	if err != nil {
		return err
	}
	w.mw.start(ctx, op, frame.Rsv1, false)
	z.Reset(&w.mw)
	_, err = z.Write(p)
	if cerr := z.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = w.mw.finish()
	}
	w.mw.abort()
	w.c.comp.compressed()
	return err
}

// NextWriter starts a message of type typ and returns a writer for its
// payload. Each time the write buffer fills a frame goes out; Close sends
// the last frame. Until Close, other messages wait; control frames do not.
// The writer is valid until Close. ctx bounds the wait for the message
// before and every Write and the Close of the returned writer.
func (c *Conn) NextWriter(ctx context.Context, typ MessageType) (WriteCloser, error) {
	if typ != MessageText && typ != MessageBinary {
		return nil, errBadMessageType
	}
	w := &c.w
	if err := w.msgLock.lock(ctx); err != nil {
		return nil, err
	}
	if w.closed.Load() {
		w.msgLock.unlock()
		return nil, ErrClosed
	}
	if c.comp == nil {
		w.mw.start(ctx, frame.Opcode(typ), 0, true)
		return &w.mw, nil
	}
	z, err := c.comp.compressor()
	if err != nil {
		w.msgLock.unlock()
		return nil, err
	}
	w.mw.start(ctx, frame.Opcode(typ), frame.Rsv1, true)
	z.Reset(&w.mw)
	w.cw.z = z
	return &w.cw, nil
}

// WriteCloser is the writer NextWriter returns.
type WriteCloser interface {
	Write(p []byte) (int, error)
	Close() error
}

// messageWriter streams one message, a frame per buffer-full.
type messageWriter struct {
	w    *writer
	buf  *[]byte // lent by the pool for the message; its first frame.MaxHeaderSize octets are room for a header
	ctx  context.Context
	op   frame.Opcode // of the next frame: the message type, then continuation
	rsv  byte         // of the next frame: RSV1 on the first of a compressed message
	n    int          // payload octets buffered after the header room
	open bool
	// owner: the writer holds msgLock and releases it at its end
	// (NextWriter); otherwise its caller does (WriteMessage).
	owner bool
}

// errWriterClosed is returned by a message writer used after its Close.
var errWriterClosed = errors.New("websocket: write to a closed message writer")

func (m *messageWriter) start(ctx context.Context, op frame.Opcode, rsv byte, owner bool) {
	m.ctx, m.op, m.rsv, m.n, m.open, m.owner = ctx, op, rsv, 0, true, owner
	m.buf = getBuffer(frame.MaxHeaderSize + m.w.size)
}

func (m *messageWriter) Write(p []byte) (int, error) {
	if !m.open {
		return 0, errWriterClosed
	}
	buf := *m.buf
	room := len(buf) - frame.MaxHeaderSize
	written := 0
	for len(p) > 0 {
		if m.n == room {
			if err := m.flush(false, nil); err != nil {
				return written, err
			}
		}
		if m.n == 0 && len(p) > room {
			// More than a buffer-full: send it as a frame of its own.
			if err := m.flush(false, p); err != nil {
				return written, err
			}
			return written + len(p), nil
		}
		k := copy(buf[frame.MaxHeaderSize+m.n:], p)
		m.n += k
		p = p[k:]
		written += k
	}
	return written, nil
}

// Close sends the last frame of the message and lets the next one start.
func (m *messageWriter) Close() error {
	if !m.open {
		return errWriterClosed
	}
	err := m.finish()
	m.abort() // finish has ended the message already if it can never end
	return err
}

// finish sends the last frame of the message.
func (m *messageWriter) finish() error { return m.flush(true, nil) }

// flush sends the buffered payload as a frame, or p when given (with
// nothing buffered).
func (m *messageWriter) flush(fin bool, p []byte) error {
	w := m.w
	broken := false
	err := w.withFrame(m.ctx, func() error {
		var err error
		if p != nil {
			err = w.writeFrame(m.op, fin, m.rsv, p)
		} else {
			err = w.writeBuffered(*m.buf, m.op, fin, m.rsv, m.n)
		}
		broken = w.err != nil
		return err
	})
	if err != nil {
		if err == ErrClosed || broken {
			m.abort() // the message can never be finished
		}
		return err
	}
	m.op, m.rsv, m.n = frame.OpContinuation, 0, 0
	return nil
}

// abort ends a message that can no longer be finished.
func (m *messageWriter) abort() {
	if m.open {
		m.end()
	}
}

// end closes the writer and lets the next message start.
func (m *messageWriter) end() {
	m.open = false
	putBuffer(m.buf)
	m.buf = nil
	if m.owner {
		m.w.msgLock.unlock()
	}
}

// writeBuffered sends the n payload octets in the message buffer buf as
// one frame, writing the header into the room before them: one write, no
// copy.
func (w *writer) writeBuffered(buf []byte, op frame.Opcode, fin bool, rsv byte, n int) error {
	if w.err != nil {
		return w.err
	}
	h := w.header(op, fin, rsv, n)
	start := frame.MaxHeaderSize - h.Size()
	frame.AppendHeader(buf[start:start], h)
	payload := buf[frame.MaxHeaderSize : frame.MaxHeaderSize+n]
	if h.Masked {
		frame.Mask(h.Mask, 0, payload)
	}
	return w.sendFrame(op, buf[start:frame.MaxHeaderSize+n])
}

// sendFrame sends f, a whole frame of opcode op, or adds it to the batch.
func (w *writer) sendFrame(op frame.Opcode, f []byte) error {
	if b := w.batchRoom(op, len(f)); b != nil {
		copy(b, f)
		w.batched(len(f))
		return nil
	}
	if err := w.flushBatch(); err != nil {
		return err
	}
	return w.send(f, false)
}

// compressWriter streams a compressed message: the compressor's output
// goes to the message writer.
type compressWriter struct {
	m *messageWriter
	z *deflate.Compressor
}

func (cw *compressWriter) Write(p []byte) (int, error) {
	if !cw.m.open {
		return 0, errWriterClosed
	}
	return cw.z.Write(p)
}

func (cw *compressWriter) Close() error {
	if !cw.m.open {
		return errWriterClosed
	}
	err := cw.z.Close()
	cw.m.w.c.comp.compressed()
	if err != nil {
		cw.m.abort()
		return err
	}
	return cw.m.Close()
}
