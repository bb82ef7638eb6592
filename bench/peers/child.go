package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// serverProc is a running server process, seen from the load client.
type serverProc struct {
	lib  library
	cmd  *exec.Cmd
	addr string
	in   io.WriteCloser
	out  *bufio.Reader
	done chan struct{} // closed when the process has been waited for
}

// startServer starts an echo server as a process of its own, running this
// program with -serve and -control.
func startServer(cfg serveConfig) (*serverProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	lib := cfg.lib
	args := []string{"-serve", lib.name, "-control", "-addr", cfg.addr, "-cpu", strconv.Itoa(cfg.cpu)}
	if cfg.cpuprofile != "" {
		args = append(args, "-cpuprofile", cfg.cpuprofile)
	}
	if cfg.memprofile != "" {
		args = append(args, "-memprofile", cfg.memprofile)
	}
	if cfg.conformance {
		args = append(args, "-conformance")
	}
	p := &serverProc{lib: lib, cmd: exec.Command(self, args...), done: make(chan struct{})}
	p.cmd.Stderr = os.Stderr
	if p.in, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p.out = bufio.NewReader(stdout)
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	line, err := p.readLine(10 * time.Second)
	if err != nil {
		p.stop()
		return nil, fmt.Errorf("%s server: %v", lib.name, err)
	}
	var ok bool
	if p.addr, ok = strings.CutPrefix(line, "listening "); !ok {
		p.stop()
		return nil, fmt.Errorf("%s server: unexpected first line %q", lib.name, line)
	}
	return p, nil
}

// readLine reads a line of the server's output, waiting at most timeout.
func (p *serverProc) readLine(timeout time.Duration) (string, error) {
	type result struct {
		line string
		err  error
	}
	c := make(chan result, 1)
	go func() {
		line, err := p.out.ReadString('\n')
		c <- result{strings.TrimSuffix(line, "\n"), err}
	}()
	select {
	case r := <-c:
		return r.line, r.err
	case <-time.After(timeout):
		// The read goes on; the process is of no further use.
		p.cmd.Process.Kill()
		return "", errors.New("no answer in time; killed")
	}
}

// stats sends a command ("stats" or "gc") and returns the answer.
func (p *serverProc) stats(cmd string) (serverStats, error) {
	var s serverStats
	if _, err := io.WriteString(p.in, cmd+"\n"); err != nil {
		return s, err
	}
	line, err := p.readLine(30 * time.Second)
	if err != nil {
		return s, fmt.Errorf("%s server: %s: %v", p.lib.name, cmd, err)
	}
	err = json.Unmarshal([]byte(line), &s)
	return s, err
}

// snapshot is the state of a server at one instant, with the load
// client's count of messages at that instant.
type snapshot struct {
	stats serverStats
	proc  procSample
	count int64
}

// snapshot reads the server's counters; cmd is as for stats. count, if
// not nil, is the load's progress: it is read before and after the
// request, and the snapshot's count is interpolated at the instant the
// server read its counters, so that a server slow to answer does not
// shift its counters against the client's.
func (p *serverProc) snapshot(cmd string, count func() int64) (snapshot, error) {
	var na, nb int64
	if count != nil {
		na = count()
	}
	ta := time.Now()
	s, err := p.stats(cmd)
	tb := time.Now()
	if count != nil {
		nb = count()
	}
	if err != nil {
		return snapshot{}, err
	}
	ps, err := readProc(p.cmd.Process.Pid)
	ts := time.Unix(0, s.Time)
	return snapshot{s, ps, interpolate(na, nb, ta, tb, ts)}, err
}

// interpolate returns the count at t, knowing it was na at ta and nb at
// tb, and assuming it grew evenly in between.
func interpolate(na, nb int64, ta, tb, t time.Time) int64 {
	span := tb.Sub(ta)
	if span <= 0 || !t.After(ta) {
		return na
	}
	if !t.Before(tb) {
		return nb
	}
	return na + int64(float64(nb-na)*float64(t.Sub(ta))/float64(span))
}

// exited reports whether the server process has ended.
func (p *serverProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// resetPeak starts a new peak RSS measurement.
func (p *serverProc) resetPeak() error { return resetPeak(p.cmd.Process.Pid) }

// stop ends the server: the end of its input asks it to stop, and it is
// killed if it has not within a few seconds.
func (p *serverProc) stop() error {
	p.in.Close()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s server did not stop; killed", p.lib.name)
	}
	if !p.cmd.ProcessState.Success() {
		return fmt.Errorf("%s server: %v", p.lib.name, p.cmd.ProcessState)
	}
	return nil
}
