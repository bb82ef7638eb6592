package server

// ring is a first-in, first-out queue in a circular buffer. Its buffer
// starts small and doubles as needed up to the limit its caller passes to
// push, so that a quiet socket costs little and a busy one allocates only
// while it grows.
type ring[T any] struct {
	buf  []T
	head int // index of the oldest element
	n    int // number of elements
}

// minRing is the capacity of a ring's first buffer.
const minRing = 4

// len returns the number of elements queued.
func (q *ring[T]) len() int { return q.n }

// push appends v. The caller ensures q.len() < limit.
func (q *ring[T]) push(v T, limit int) {
	if q.n == len(q.buf) {
		q.grow(limit)
	}
	q.buf[(q.head+q.n)%len(q.buf)] = v
	q.n++
}

// grow doubles the buffer, up to limit (and at least by one).
func (q *ring[T]) grow(limit int) {
	size := min(max(2*len(q.buf), minRing), limit)
	size = max(size, q.n+1)
	buf := make([]T, size)
	k := copy(buf, q.buf[q.head:])
	copy(buf[k:], q.buf[:q.head])
	q.buf, q.head = buf, 0
}

// pop removes and returns the oldest element.
func (q *ring[T]) pop() (T, bool) {
	var zero T
	if q.n == 0 {
		return zero, false
	}
	v := q.buf[q.head]
	q.buf[q.head] = zero // let the element be collected
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return v, true
}

// clear drops every element and the buffer.
func (q *ring[T]) clear() { *q = ring[T]{} }
