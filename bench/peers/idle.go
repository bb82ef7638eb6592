package main

import (
	"fmt"
	"sync"
	"time"
)

// openIdle opens n upgraded connections to addr, workers at a time, and
// returns them; on error it closes those it opened.
func openIdle(addr string, n, workers int) ([]*loadConn, error) {
	conns := make([]*loadConn, n)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := dialLoad(addr, 512, 10*time.Second)
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		closeAll(conns)
		return nil, firstErr
	}
	return conns, nil
}

func closeAll(conns []*loadConn) {
	for _, c := range conns {
		if c != nil {
			c.close()
		}
	}
}

// measureIdle opens cfg.idleConns connections and adds to res the growth
// of the server's RSS, heap and stacks per connection.
func measureIdle(cfg runConfig, p *serverProc, res *results) error {
	before, err := p.snapshot("gc", nil)
	if err != nil {
		return err
	}
	conns, err := openIdle(p.addr, cfg.idleConns, 64)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	// Let every server goroutine reach its wait for the first frame.
	time.Sleep(200 * time.Millisecond)
	cmd := "gc"
	if cfg.profiles != "" {
		cmd = "heap"
	}
	after, err := p.snapshot(cmd, nil)
	if err != nil {
		return err
	}
	n := float64(cfg.idleConns)
	rss := float64(after.proc.RSS-before.proc.RSS) / n
	heap := float64(int64(after.stats.HeapInuse)-int64(before.stats.HeapInuse)) / n
	stack := float64(int64(after.stats.StackInuse)-int64(before.stats.StackInuse)) / n
	name := fmt.Sprintf("idle conns (%d)", cfg.idleConns)
	res.add(metric{sectionIdle, "RSS KiB/conn, " + name, false}, p.lib.name, rss/1024)
	res.add(metric{sectionIdle, "heap KiB/conn, " + name, false}, p.lib.name, heap/1024)
	res.add(metric{sectionIdle, "stack KiB/conn, " + name, false}, p.lib.name, stack/1024)
	fmt.Fprintf(cfg.log, "%-10s idle: %6.2f KiB RSS, %6.2f KiB heap, %6.2f KiB stack per connection, %d goroutines\n",
		p.lib.name, rss/1024, heap/1024, stack/1024, after.stats.Goroutines)
	return nil
}
