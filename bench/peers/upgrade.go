package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// upgradeLoad keeps workers clients connecting to a server, each
// finishing the opening handshake and resetting the connection, over and
// over.
type upgradeLoad struct {
	done     chan struct{}
	wg       sync.WaitGroup
	upgrades atomic.Int64

	errOnce sync.Once
	err     error
}

func startUpgrades(addr string, workers int) *upgradeLoad {
	l := &upgradeLoad{done: make(chan struct{})}
	for range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for {
				select {
				case <-l.done:
					return
				default:
				}
				c, err := dialLoad(addr, 512, 5*time.Second)
				if err != nil {
					l.errOnce.Do(func() { l.err = err })
					return
				}
				c.close()
				l.upgrades.Add(1)
			}
		}()
	}
	return l
}

// stop ends the load and returns the first error a client met.
func (l *upgradeLoad) stop() error {
	close(l.done)
	l.wg.Wait()
	l.errOnce.Do(func() {})
	return l.err
}

// measureUpgrades counts upgrades in a window and adds to res their rate
// and the server's CPU time and allocations per upgrade.
func measureUpgrades(cfg runConfig, p *serverProc, res *results) error {
	load := startUpgrades(p.addr, cfg.upgradeWorkers)
	cpu0, t0 := clientCPU(), time.Now()
	w, err := measureWindow(cfg, p, load.upgrades.Load)
	clientUse := float64(clientCPU()-cpu0) / float64(time.Since(t0))
	n := w.count
	if serr := load.stop(); err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("no upgrade in %v", w.elapsed)
	}
	sect, path := sectionUpgradeHTTP, "net/http"
	if p.lib.raw {
		sect, path = sectionUpgradeRaw, "raw net.Conn"
	}
	rate := float64(n) / w.elapsed.Seconds()
	per := float64(n)
	res.add(metric{sect, "upgrades/s, " + path, true}, p.lib.name, rate)
	res.add(metric{sect, "server CPU µs/upgrade, " + path, false}, p.lib.name, float64(w.cpu.Microseconds())/per)
	res.add(metric{sect, "allocs/upgrade, " + path, false}, p.lib.name, float64(w.mallocs)/per)
	res.add(metric{sect, "B alloc/upgrade, " + path, false}, p.lib.name, float64(w.bytes)/per)
	fmt.Fprintf(cfg.log, "%-10s upgrades (%s) %7.0f/s, server %5.1f µs %6.1f allocs %7.0f B each, client CPU %3.0f%%\n",
		p.lib.name, path, rate, float64(w.cpu.Microseconds())/per, float64(w.mallocs)/per, float64(w.bytes)/per, 100*clientUse)
	return nil
}
