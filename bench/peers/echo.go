package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// echoCell is one echo workload: messages of size octets on conns
// connections, each keeping inflight messages sent and not yet echoed.
type echoCell struct {
	size, conns, inflight int
}

func (c echoCell) String() string {
	return fmt.Sprintf("%s c=%d f=%d", sizeName(c.size), c.conns, c.inflight)
}

// checkEvery is how often an echo's content is compared with what was
// sent, besides the first echo of each connection: comparing every echo
// would make the client's cost grow with the message size.
const checkEvery = 64

// echoLoad drives an echoCell against a server.
type echoLoad struct {
	cell    echoCell
	payload []byte // the message, unmasked
	frames  []byte // inflight copies of the masked frame of payload
	conns   []*echoConn
	wg      sync.WaitGroup
	done    chan struct{}

	errMu   sync.Mutex
	stopped bool
	err     error
}

// echoConn is one connection of an echoLoad.
type echoConn struct {
	*loadConn
	credits chan struct{} // one per message the writer may send
	echoed  atomic.Int64
	_       [64]byte // keep counters of different connections apart in memory
}

// startEcho opens the cell's connections to addr and starts the traffic.
func startEcho(addr string, cell echoCell) (*echoLoad, error) {
	l := &echoLoad{cell: cell, payload: make([]byte, cell.size), done: make(chan struct{})}
	for i := range l.payload {
		l.payload[i] = byte(i*7 + i>>8)
	}
	// Every frame carries the same mask key; see the package documentation.
	frame := appendClientFrame(nil, opBinary, l.payload, [4]byte{0x37, 0xfa, 0x21, 0x3d})
	l.frames = make([]byte, 0, len(frame)*cell.inflight)
	for range cell.inflight {
		l.frames = append(l.frames, frame...)
	}
	bufSize := min(max(cell.size, 4<<10), 64<<10)
	for range cell.conns {
		lc, err := dialLoad(addr, bufSize, 5*time.Second)
		if err != nil {
			l.stop()
			return nil, err
		}
		c := &echoConn{loadConn: lc, credits: make(chan struct{}, cell.inflight)}
		for range cell.inflight {
			c.credits <- struct{}{}
		}
		l.conns = append(l.conns, c)
	}
	for _, c := range l.conns {
		l.wg.Add(2)
		go l.write(c, len(frame))
		go l.read(c)
	}
	return l, nil
}

// write sends a frame for each credit, as many in one write as there are
// credits at hand.
func (l *echoLoad) write(c *echoConn, frameLen int) {
	defer l.wg.Done()
	for {
		select {
		case <-c.credits:
		case <-l.done:
			return
		}
		n := 1
	more:
		for n < l.cell.inflight {
			select {
			case <-c.credits:
				n++
			default:
				break more
			}
		}
		if _, err := c.nc.Write(l.frames[:n*frameLen]); err != nil {
			l.fail(err)
			return
		}
	}
}

// read takes the echoes and gives a credit back for each.
func (l *echoLoad) read(c *echoConn) {
	defer l.wg.Done()
	for i := int64(0); ; i++ {
		if err := c.readEcho(l.payload, i%checkEvery == 0); err != nil {
			l.fail(err)
			return
		}
		c.echoed.Add(1)
		c.credits <- struct{}{}
	}
}

// fail records the first error; those that come after stop began are
// the stop's own doing and are not recorded.
func (l *echoLoad) fail(err error) {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	if l.err == nil && !l.stopped {
		l.err = err
	}
}

// errNow returns the first error met so far, without stopping.
func (l *echoLoad) errNow() error {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	return l.err
}

// waitEachEchoed waits until every connection had an echo, or timeout.
func (l *echoLoad) waitEachEchoed(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, c := range l.conns {
		for c.echoed.Load() == 0 {
			if err := l.errNow(); err != nil {
				return err
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("no echo on some connection within %v", timeout)
			}
			time.Sleep(time.Millisecond)
		}
	}
	return nil
}

// echoed returns the number of messages echoed so far.
func (l *echoLoad) echoed() int64 {
	var n int64
	for _, c := range l.conns {
		n += c.echoed.Load()
	}
	return n
}

// stop ends the traffic and closes the connections. It returns the first
// error the connections met before, if any.
func (l *echoLoad) stop() error {
	l.errMu.Lock()
	l.stopped = true
	l.errMu.Unlock()
	close(l.done)
	for _, c := range l.conns {
		c.close()
	}
	l.wg.Wait()
	return l.errNow()
}
