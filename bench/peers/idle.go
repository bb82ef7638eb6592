package main

import (
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
