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

// sizeTotals adds up the windows of the cells of one message size.
type sizeTotals struct {
	msgs       int64
	cpu        time.Duration
	mallocs    uint64
	bytes      uint64
	syscalls   int64
	peakByConn map[int]int64
}

// measureEcho runs every echo cell against a server and adds to res a
// row per cell and per message size. A cell that fails is recorded and
// skipped while the server lives.
func measureEcho(cfg runConfig, p *serverProc, res *results) error {
	totals := map[int]*sizeTotals{}
	var sizes []int
	for _, cell := range cfg.cells {
		// The peak is the cell's own: what earlier cells left behind is
		// collected and returned to the system first.
		if _, err := p.stats("gc"); err != nil {
			return err
		}
		if err := p.resetPeak(); err != nil {
			return err
		}
		w, clientUse, err := measureEchoCell(cfg, p, cell)
		if err != nil {
			if p.exited() {
				return fmt.Errorf("%v: %w", cell, err)
			}
			// The server lives: the next cells may still be measured.
			res.fail(fmt.Errorf("%s, echo %v: %w", p.lib.name, cell, err))
			fmt.Fprintf(cfg.log, "FAILED: %s, echo %v: %v\n", p.lib.name, cell, err)
			continue
		}
		msgs := w.count
		rate := float64(msgs) / w.elapsed.Seconds()
		res.add(metric{sectionThroughput, fmt.Sprintf("msg/s %v", cell), true}, p.lib.name, rate)
		res.add(metric{sectionThroughput, fmt.Sprintf("MB/s %v", cell), true}, p.lib.name, rate*float64(cell.size)/1e6)
		fmt.Fprintf(cfg.log, "%-10s %-18v %9.0f msg/s %8.1f MB/s  server %6.2f µs/msg %6.2f allocs/msg %5.2f syscalls/msg  peak %5.1f MiB  CPU server %3.0f%% client %3.0f%%\n",
			p.lib.name, cell, rate, rate*float64(cell.size)/1e6,
			float64(w.cpu.Microseconds())/float64(msgs), float64(w.mallocs)/float64(msgs),
			float64(w.syscalls)/float64(msgs), float64(w.peak)/(1<<20),
			100*float64(w.cpu)/float64(w.elapsed), 100*clientUse)

		t, ok := totals[cell.size]
		if !ok {
			t = &sizeTotals{peakByConn: map[int]int64{}}
			totals[cell.size] = t
			sizes = append(sizes, cell.size)
		}
		t.msgs += msgs
		t.cpu += w.cpu
		t.mallocs += w.mallocs
		t.bytes += w.bytes
		t.syscalls += w.syscalls
		t.peakByConn[cell.conns] = max(t.peakByConn[cell.conns], w.peak)
	}
	for _, size := range sizes {
		t := totals[size]
		name := sizeName(size)
		per := func(what string, v float64) {
			res.add(metric{sectionPerMessage, what + " " + name, false}, p.lib.name, v/float64(t.msgs))
		}
		per("server CPU s/1e6 msg", t.cpu.Seconds()*1e6)
		per("allocs/msg", float64(t.mallocs))
		per("B alloc/msg", float64(t.bytes))
		per("read+write syscalls/msg", float64(t.syscalls))
		for _, conns := range []int{1, 64} {
			if peak, ok := t.peakByConn[conns]; ok {
				res.add(metric{sectionPerMessage, fmt.Sprintf("peak RSS MiB %s c=%d", name, conns), false}, p.lib.name, float64(peak)/(1<<20))
			}
		}
	}
	return nil
}

// measureEchoCell runs one echo cell and returns the window measured and
// the client's CPU use meanwhile.
func measureEchoCell(cfg runConfig, p *serverProc, cell echoCell) (window, float64, error) {
	load, err := startEcho(p.addr, cell)
	if err != nil {
		return window{}, 0, err
	}
	// Buffers grow with the first message of each connection; the window
	// measures the steady state.
	waited := time.Now()
	if err := load.waitEachEchoed(20 * time.Second); err != nil {
		load.stop()
		return window{}, 0, err
	}
	if d := time.Since(waited); d > time.Second {
		fmt.Fprintf(cfg.log, "%s, %v: %v until every connection had an echo\n", p.lib.name, cell, d.Round(time.Millisecond))
	}
	cpu0, t0 := clientCPU(), time.Now()
	w, err := measureWindow(cfg, p, load.echoed)
	clientUse := float64(clientCPU()-cpu0) / float64(time.Since(t0))
	if serr := load.stop(); err == nil {
		err = serr
	}
	if err == nil && w.count == 0 {
		err = fmt.Errorf("no message echoed in %v", w.elapsed)
	}
	return w, clientUse, err
}
