package conn

import (
	"context"
	"errors"
	"io"

	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/internal/deflate"
)

// reader is the read side of a Conn: a buffer over the socket and the
// state of the frame and message in progress. All of it is kept between
// calls, so a read interrupted by a deadline resumes where it stopped.
// Its fields are owned by whoever holds lock.
type reader struct {
	c    *Conn
	lock lock
	intr interrupter
	ctx  context.Context // of the read call in progress, nil between calls

	// buf[pos:end] is read from the socket and not yet consumed. buf is
	// small while the connection waits for a message that will likely fit
	// it, and otherwise a buffer lent by the pool (pooled).
	buf       []byte
	pos, end  int
	bufSize   int     // of a lent buffer: Options.ReadBufferSize
	pooled    *[]byte // the lent buffer, if buf is one
	small     [smallBuffer]byte
	lastSmall bool // the last message fit small

	// The data frame in progress.
	remain int64 // payload octets not yet consumed
	fin    bool
	masked bool
	key    frame.MaskKey
	keyPos int

	// The data message in progress.
	active     bool // started, and its last frame's payload not yet consumed
	typ        MessageType
	compressed bool  // RSV1 was set on its first frame (RFC 7692 §6)
	size       int64 // payload octets consumed so far, as sent
	utf8       frame.UTF8Validator

	// A compressed message being decompressed: inflate reads the payload
	// through raw, and out counts what it produced.
	inflate *deflate.Decompressor
	raw     rawPayload
	out     int64

	// err ends the read side for good: the peer's close, a protocol
	// violation, or a network error. Timeouts are not kept here.
	err error

	ctrl [frame.MaxControlPayload]byte

	msg messageReader // handed out by NextReader

	// ReadMessage's message, kept across an interrupted call: in partial
	// when its size was known, else in chunks lent by the pool.
	resume  bool
	partial []byte
	chunks  []*[]byte
	total   int // octets in chunks
}

// smallBuffer is the size of the buffer an idle connection reads into:
// it holds a whole control frame, and small messages with their header.
const smallBuffer = 256

// exactLimit is the largest message ReadMessage allocates at its announced
// size before its octets arrive; a larger one is gathered in lent chunks
// and copied once complete, so that a length the peer claims but does not
// send costs nothing, and the message still costs one allocation.
const exactLimit = 64 << 10

func (r *reader) init(c *Conn, size int, buffered []byte) {
	r.c = c
	r.intr.nc = c.nc
	r.intr.timeout = c.idleTimeout
	r.bufSize = size
	r.lastSmall = true
	r.buf = r.small[:]
	if len(buffered) > len(r.small) {
		r.lend(len(buffered))
	}
	r.end = copy(r.buf, buffered)
	r.msg.r = r
	r.raw.r = r
}

// unlock ends a read call: it tells the writer whether received octets
// wait to be read (see batch.go), then releases the read lock.
func (r *reader) unlock() {
	r.c.w.setReadAhead(r.pos < r.end)
	r.ctx = nil
	r.lock.unlock()
}

// fill reads more octets from the socket into the buffer. A timeout is
// returned as it is (nothing is lost); any other error ends the read side.
func (r *reader) fill() error {
	switch {
	case r.pos == r.end:
		r.pos, r.end = 0, 0
		if !r.active && r.lastSmall {
			r.release()
		} else if r.pooled == nil {
			r.lend(0)
		}
	case r.end == len(r.buf) && r.pooled == nil:
		r.lend(0)
	case r.end == len(r.buf):
		r.end = copy(r.buf, r.buf[r.pos:r.end])
		r.pos = 0
	}
	r.c.w.readerWaits(r.ctx)
	r.intr.refresh()
	n, err := r.c.nc.Read(r.buf[r.end:])
	r.end += n
	if n > 0 {
		return nil
	}
	return r.inputError(err)
}

// lend moves the unconsumed octets into a buffer from the pool, of at
// least n octets.
func (r *reader) lend(n int) {
	b := getBuffer(max(r.bufSize, n))
	r.end = copy(*b, r.buf[r.pos:r.end])
	r.pos = 0
	r.buf, r.pooled = *b, b
}

// release gives the lent buffer back, once it holds nothing unconsumed.
func (r *reader) release() {
	if r.pooled != nil {
		putBuffer(r.pooled)
		r.pooled = nil
	}
	r.buf, r.pos, r.end = r.small[:], 0, 0
}

// inputError classifies an error of the socket's Read.
func (r *reader) inputError(err error) error {
	if err == nil {
		err = io.ErrNoProgress
	}
	if isTimeout(err) {
		if r.intr.expired() {
			return r.fail(ErrIdleTimeout)
		}
		return err
	}
	if local := r.c.localEnd(); local != nil {
		err = local
	} else if err == io.EOF {
		// §7.1.5: the TCP connection closed without a close frame.
		err = io.ErrUnexpectedEOF
	}
	r.err = err
	r.c.inputEnded()
	return err
}

// nextFrame reads frames until the header of a data frame, handling the
// control frames before it (§5.5). On return the frame's payload is ready
// to be consumed.
func (r *reader) nextFrame() error {
	for {
		if r.err != nil {
			return r.err
		}
		h, n, err := frame.ParseHeader(r.buf[r.pos:r.end])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			if err := r.fill(); err != nil {
				return err
			}
			continue
		}
		if err == nil {
			err = r.check(&h)
		}
		if err != nil {
			return r.fail(err)
		}
		if h.Opcode.IsControl() {
			// A control frame is consumed only once all of it is buffered, so
			// that an interrupted read never leaves half of one behind.
			if r.end-r.pos < n+int(h.Length) {
				if err := r.fill(); err != nil {
					return err
				}
				continue
			}
			r.pos += n
			p := r.ctrl[:h.Length]
			r.pos += copy(p, r.buf[r.pos:])
			if h.Masked {
				frame.Mask(h.Mask, 0, p)
			}
			if err := r.control(h.Opcode, p); err != nil {
				return err
			}
			continue
		}
		r.pos += n
		if h.Opcode != frame.OpContinuation {
			if err := r.start(&h); err != nil {
				return err
			}
		}
		r.remain = h.Length
		r.fin = h.Fin
		r.masked = h.Masked
		r.key = h.Mask
		r.keyPos = 0
		if h.Length == 0 {
			// An empty final frame ends its message here.
			return r.consume(nil)
		}
		return nil
	}
}

// start begins the message whose first frame has header h.
func (r *reader) start(h *frame.Header) error {
	r.active = true
	r.typ = MessageType(h.Opcode)
	r.size = 0
	r.utf8.Reset()
	// An empty compressed payload is read as an empty message, although
	// strictly DEFLATE needs at least one block.
	r.compressed = h.Rsv&frame.Rsv1 != 0 && !(h.Fin && h.Length == 0)
	if !r.compressed {
		return nil
	}
	d, err := r.c.comp.decompressor()
	if err != nil {
		return r.fail(err)
	}
	d.Reset(&r.raw)
	r.inflate = d
	r.out = 0
	return nil
}

// check applies the rules a header must follow on this connection.
func (r *reader) check(h *frame.Header) error {
	if err := h.Validate(); err != nil {
		return err
	}
	// §5.1: clients mask every frame, servers none.
	if r.c.role == Server && !h.Masked {
		return frame.ErrUnmaskedFrame
	}
	if r.c.role == Client && h.Masked {
		return frame.ErrMaskedFrame
	}
	// §5.2: no RSV bit means anything without an extension; RFC 7692 §6
	// gives RSV1 to the first frame of a compressed message.
	rsv := h.Rsv
	if r.c.comp != nil && (h.Opcode == frame.OpText || h.Opcode == frame.OpBinary) {
		rsv &^= frame.Rsv1
	}
	if rsv != 0 {
		return frame.ErrReservedBits
	}
	if h.Opcode.IsControl() {
		return nil
	}
	// §5.4: fragments of one message are not interleaved with another.
	if h.Opcode == frame.OpContinuation {
		if !r.active {
			return frame.ErrUnexpectedContinuation
		}
	} else if r.active {
		return frame.ErrExpectedContinuation
	}
	// §10.4: refuse a message over the limit before reading its payload.
	// A compressed message is measured again as it inflates.
	size, compressed := h.Length, h.Rsv&frame.Rsv1 != 0
	if h.Opcode == frame.OpContinuation {
		size += r.size
		compressed = r.compressed
	}
	if r.c.readLimit > 0 && size > wireLimit(r.c.readLimit, compressed) {
		return frame.ErrMessageTooBig
	}
	return nil
}

// wireLimit is the most octets a message may take on the wire under the
// read limit. Compressed, it may be a little larger than what it inflates
// to: DEFLATE's fixed codes spend at most 9 bits on a literal, an eighth
// more. Bounding it keeps a peer from sending, as one message, empty
// blocks without end.
func wireLimit(limit int64, compressed bool) int64 {
	if !compressed {
		return limit
	}
	if w := limit + limit/8 + 1024; w > limit {
		return w
	}
	return limit // an addition that overflowed: the limit is huge anyway
}

// control acts on a control frame.
func (r *reader) control(op frame.Opcode, p []byte) error {
	switch op {
	case frame.OpPing:
		if r.c.onPing != nil {
			r.c.onPing(p)
		} else {
			r.c.w.autoPong(p)
		}
	case frame.OpPong:
		if r.c.onPong != nil {
			r.c.onPong(p)
		}
	case frame.OpClose:
		code, reason, err := frame.ParseClosePayload(p)
		if err != nil {
			return r.fail(err)
		}
		r.err = &CloseError{Code: code, Reason: reason}
		r.c.peerClosed(code)
		return r.err
	}
	return nil
}

// fail ends the read side after a protocol violation by the peer:
// §7.1.7, fail the connection with the error's close code.
func (r *reader) fail(err error) error {
	r.err = err
	code, reason := frame.CloseProtocolError, err.Error()
	var fe *frame.Error
	if errors.As(err, &fe) {
		code, reason = fe.Code, fe.Reason
	}
	if r.c.beforeFail != nil {
		r.c.beforeFail(err)
	}
	r.c.failed(code, reason)
	return err
}

// consume accounts for payload octets taken from the frame in progress:
// unmask them, validate text as it arrives (so a text message fails on its
// first bad octet, §8.1), and check the end of the message.
func (r *reader) consume(p []byte) error {
	if r.masked {
		r.keyPos = frame.Mask(r.key, r.keyPos, p)
	}
	r.remain -= int64(len(p))
	r.size += int64(len(p))
	text := r.typ == MessageText && !r.compressed
	if text && !r.utf8.Feed(p) {
		return r.fail(frame.ErrInvalidUTF8)
	}
	if r.remain == 0 && r.fin {
		r.active = false
		r.lastSmall = r.size <= smallBuffer/2
		if text && !r.utf8.Complete() {
			return r.fail(frame.ErrInvalidUTF8)
		}
	}
	return nil
}

// readPayload reads octets of the active message into p, decompressed if
// it is compressed. It returns io.EOF at the end of the message.
func (r *reader) readPayload(p []byte) (int, error) {
	if r.inflate != nil {
		return r.readInflated(p)
	}
	return r.readRaw(p)
}

// readRaw reads octets of the active message into p as they were sent. It
// returns io.EOF at the end of the message.
func (r *reader) readRaw(p []byte) (int, error) {
	for r.remain == 0 {
		if !r.active {
			return 0, io.EOF
		}
		if err := r.nextFrame(); err != nil {
			return 0, err
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > r.remain {
		p = p[:r.remain]
	}
	var n int
	switch {
	case r.pos < r.end:
		n = copy(p, r.buf[r.pos:r.end])
		r.pos += n
	case len(p) >= len(r.buf):
		// Large reads go straight into the caller's buffer.
		var err error
		r.c.w.readerWaits(r.ctx)
		r.intr.refresh()
		n, err = r.c.nc.Read(p)
		if n == 0 {
			return 0, r.inputError(err)
		}
	default:
		if err := r.fill(); err != nil {
			return 0, err
		}
		n = copy(p, r.buf[r.pos:r.end])
		r.pos += n
	}
	if err := r.consume(p[:n]); err != nil {
		return 0, err
	}
	return n, nil
}

// skipMessage consumes the rest of the active message, validating it as if
// it were read, so that a new one can start.
func (r *reader) skipMessage() error {
	// A compressed message is inflated all the same: with context takeover
	// the next message may refer to it.
	var scratch [512]byte
	for r.inflate != nil {
		if _, err := r.readInflated(scratch[:]); err != nil && err != io.EOF {
			return err
		}
	}
	for r.active {
		for r.remain == 0 {
			if err := r.nextFrame(); err != nil {
				return err
			}
		}
		if r.pos == r.end {
			if err := r.fill(); err != nil {
				return err
			}
		}
		n := min(int64(r.end-r.pos), r.remain)
		p := r.buf[r.pos : r.pos+int(n)]
		r.pos += int(n)
		if err := r.consume(p); err != nil {
			return err
		}
	}
	return nil
}

// begin starts the next message: the rest of an abandoned one is skipped,
// then frames are read up to the first data frame.
func (r *reader) begin() error {
	r.dropMessage()
	if err := r.skipMessage(); err != nil {
		return err
	}
	return r.nextFrame()
}

// ReadMessage reads the next whole message and returns its type and
// payload, which the caller owns.
//
// ctx bounds the call. If it ends (or the read deadline passes) part-way
// through a message, the error is returned and nothing is lost: the next
// ReadMessage returns that message whole.
//
// When the peer closes the connection, ReadMessage returns a *CloseError;
// after a protocol violation by the peer, the *frame.Error whose close code
// was sent.
func (c *Conn) ReadMessage(ctx context.Context) (MessageType, []byte, error) {
	r := &c.r
	if err := r.lock.lock(ctx); err != nil {
		return 0, nil, err
	}
	defer r.unlock()
	r.ctx = ctx
	stop := r.intr.watch(ctx)
	typ, p, err := r.readMessage()
	fired := r.intr.release(stop)
	return typ, p, interrupted(ctx, fired, err)
}

func (r *reader) readMessage() (MessageType, []byte, error) {
	if !r.resume {
		if err := r.begin(); err != nil {
			return 0, nil, err
		}
		r.resume = true
		if r.inflate == nil && r.fin && r.remain <= exactLimit {
			r.partial = r.messageBuffer(int(r.remain))
		}
	}
	var err error
	if r.partial == nil {
		err = r.readChunks()
	}
	if err == nil && r.partial != nil {
		err = r.readExact()
	}
	if err != nil {
		if !isTimeout(err) {
			r.dropMessage()
		}
		return 0, nil, err
	}
	p := r.partial
	if p == nil {
		p = r.joinChunks(r.total)
	}
	r.dropMessage()
	return r.typ, p, nil
}

// readExact reads the message into partial, allocated at its size.
func (r *reader) readExact() error {
	for {
		n, err := r.readPayload(r.partial[len(r.partial):cap(r.partial)])
		r.partial = r.partial[:len(r.partial)+n]
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// readChunks reads the message into chunks lent by the pool, until its
// end, or until an eighth of a message of known size has arrived: then it
// moves what it has into partial, allocated at the message's size, for
// readExact to go on.
func (r *reader) readChunks() error {
	for {
		if claimed := int64(r.total) + r.remain; r.fin && r.inflate == nil && int64(r.total) >= claimed/8 && r.total > 0 {
			r.partial = r.joinChunks(int(claimed))
			r.putChunks()
			return nil
		}
		if len(r.chunks) == 0 || len(*r.chunks[len(r.chunks)-1]) == chunkSize {
			r.chunks = append(r.chunks, getChunk())
		}
		c := r.chunks[len(r.chunks)-1]
		n, err := r.readPayload((*c)[len(*c):chunkSize])
		*c = (*c)[:len(*c)+n]
		r.total += n
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// chunkSize is the size of the chunks a message of unknown size is
// gathered in.
const chunkSize = 64 << 10

// joinChunks copies the gathered octets into a buffer of size octets.
func (r *reader) joinChunks(size int) []byte {
	p := r.messageBuffer(size)
	for _, c := range r.chunks {
		p = append(p, *c...)
	}
	return p
}

// messageBuffer returns an empty, non-nil buffer for a message of size
// octets: from Options.MessageBuffer, or allocated when there is none or
// it gave too small a buffer.
func (r *reader) messageBuffer(size int) []byte {
	if r.c.newMessage != nil {
		if b := r.c.newMessage(size); b != nil && cap(b) >= size {
			return b[:0]
		}
	}
	return make([]byte, 0, size)
}

// putChunks gives the chunks back.
func (r *reader) putChunks() {
	for i, c := range r.chunks {
		putChunk(c)
		r.chunks[i] = nil
	}
	r.chunks, r.total = r.chunks[:0], 0
}

// dropMessage forgets ReadMessage's message.
func (r *reader) dropMessage() {
	r.putChunks()
	r.partial, r.resume = nil, false
}

// NextReader waits for the next message and returns its type and a reader
// of its payload, which returns io.EOF at the end of the message. The
// reader is valid until the next call to NextReader or ReadMessage, which
// skips whatever of the message was not read.
//
// ctx bounds the wait for the message and every Read of the returned
// reader. An interrupted Read loses nothing: read again to continue.
func (c *Conn) NextReader(ctx context.Context) (MessageType, io.Reader, error) {
	r := &c.r
	if err := r.lock.lock(ctx); err != nil {
		return 0, nil, err
	}
	defer r.unlock()
	r.ctx = ctx
	stop := r.intr.watch(ctx)
	err := r.begin()
	fired := r.intr.release(stop)
	if err != nil {
		return 0, nil, interrupted(ctx, fired, err)
	}
	r.msg.ctx = ctx
	return r.typ, &r.msg, nil
}

// messageReader is the io.Reader of one message from NextReader.
type messageReader struct {
	r   *reader
	ctx context.Context
}

func (m *messageReader) Read(p []byte) (int, error) {
	r := m.r
	if err := r.lock.lock(m.ctx); err != nil {
		return 0, err
	}
	defer r.unlock()
	r.ctx = m.ctx
	stop := r.intr.watch(m.ctx)
	n, err := r.readPayload(p)
	fired := r.intr.release(stop)
	return n, interrupted(m.ctx, fired, err)
}

// rawPayload is the decompressor's source: the payload of the compressed
// message as it was sent, across its frames.
type rawPayload struct{ r *reader }

func (p *rawPayload) Read(b []byte) (int, error) { return p.r.readRaw(b) }

// readInflated reads decompressed octets of the active compressed message
// into p, counting them against the read limit and validating text.
func (r *reader) readInflated(p []byte) (int, error) {
	if limit := r.c.readLimit; limit > 0 {
		// Never inflate more than one octet past the limit.
		p = p[:min(int64(len(p)), limit-r.out+1)]
	}
	n, err := r.inflate.Read(p)
	r.out += int64(n)
	if r.c.readLimit > 0 && r.out > r.c.readLimit {
		return 0, r.fail(frame.ErrMessageTooBig)
	}
	if r.typ == MessageText && !r.utf8.Feed(p[:n]) {
		return 0, r.fail(frame.ErrInvalidUTF8)
	}
	switch {
	case err == nil:
		return n, nil
	case err == io.EOF:
		r.inflate = nil
		r.c.comp.decompressed()
		if r.typ == MessageText && !r.utf8.Complete() {
			return 0, r.fail(frame.ErrInvalidUTF8)
		}
		return n, io.EOF
	case r.err != nil:
		return n, r.err // the connection ended under the message
	case isTimeout(err):
		return n, err
	}
	return 0, r.fail(ErrInvalidCompressedData)
}
