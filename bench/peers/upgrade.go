package main

import (
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
