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
	lib    library
	cmd    *exec.Cmd
	addr   string
	in     io.WriteCloser
	out    *bufio.Reader
	exited chan struct{} // closed when the process has been waited for
}

// startServer starts lib's echo server as a process of its own, running
// this program with -serve, pinned to cpu unless it is negative.
func startServer(lib library, cpu int, cpuprofile string, conformance bool, addr string) (*serverProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"-serve", lib.name, "-control", "-addr", addr, "-cpu", strconv.Itoa(cpu)}
	if cpuprofile != "" {
		args = append(args, "-cpuprofile", cpuprofile)
	}
	if conformance {
		args = append(args, "-conformance")
	}
	p := &serverProc{lib: lib, cmd: exec.Command(self, args...), exited: make(chan struct{})}
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
		close(p.exited)
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

// snapshot is the state of a server at one instant.
type snapshot struct {
	proc  procSample
	stats serverStats
}

// snapshot reads the server's counters; cmd is as for stats.
func (p *serverProc) snapshot(cmd string) (snapshot, error) {
	s, err := p.stats(cmd)
	if err != nil {
		return snapshot{}, err
	}
	ps, err := readProc(p.cmd.Process.Pid)
	return snapshot{ps, s}, err
}

// resetPeak starts a new peak RSS measurement.
func (p *serverProc) resetPeak() error { return resetPeak(p.cmd.Process.Pid) }

// stop ends the server: the end of its input asks it to stop, and it is
// killed if it has not within a few seconds.
func (p *serverProc) stop() error {
	p.in.Close()
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s server did not stop; killed", p.lib.name)
	}
	if !p.cmd.ProcessState.Success() {
		return fmt.Errorf("%s server: %v", p.lib.name, p.cmd.ProcessState)
	}
	return nil
}
