package suite

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
)

// Server is the original's fuzzing server: a client under test connects
// to it, once per case, and echoes what it receives. The URLs are those
// of the original:
//
//	/getCaseCount                  a text message with the number of cases
//	/runCase?case=N&agent=A        runs case N (1-based) for agent A
//	/getCaseInfo?case=N            {"id": ..., "description": ...}
//	/getCaseStatus?case=N&agent=A  {"behavior": ...}, once case N has run for A
//	/updateReports?agent=A         writes the reports
//	/stopServer                    stops the server
//
// Each of them closes the connection when it is done. A Server handles
// any number of connections at once.
type Server struct {
	// Cases are the cases clients run, numbered from 1 in this order.
	Cases []*Case
	// Exclude skips cases per agent.
	Exclude AgentExclusions
	// Fuzz configures each connection.
	Fuzz fuzz.Options
	// UpdateReports writes the reports of every agent; /updateReports
	// calls it. It may be nil.
	UpdateReports func(results map[string][]*Result)
	// Done, if set, is called after each case.
	Done func(*Result)
	// Stop, if set, is called on /stopServer.
	Stop func()

	mu        sync.Mutex
	results   map[string]map[string]*Result // agent -> case id -> latest result
	listeners map[[2]string][]func(*Result) // (agent, id) -> waiting /getCaseStatus
	running   map[string]int                // agent -> cases under way
}

// settleTimeout bounds how long /updateReports waits for the agent's cases
// still under way: a client may ask for the reports as soon as it has
// seen the last case close, before the server has noted the end.
const settleTimeout = 10 * time.Second

// settle waits until no case of agent is under way, or settleTimeout.
func (s *Server) settle(agent string) {
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		n := s.running[agent]
		s.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Serve accepts connections on ln until it is closed.
func (s *Server) Serve(ln net.Listener) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fuzz.NewServer(nc, &s.Fuzz).Serve(s.connect)
		}()
	}
}

// Results returns the results so far, per agent, in case order.
func (s *Server) Results() map[string][]*Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]*Result{}
	for agent, byID := range s.results {
		for _, c := range All() {
			if r := byID[c.ID]; r != nil {
				out[agent] = append(out[agent], r)
			}
		}
	}
	return out
}

// record stores a result and answers whoever waits for it.
func (s *Server) record(r *Result) {
	s.mu.Lock()
	if s.results == nil {
		s.results = map[string]map[string]*Result{}
	}
	if s.results[r.Agent] == nil {
		s.results[r.Agent] = map[string]*Result{}
	}
	s.results[r.Agent][r.ID] = r
	key := [2]string{r.Agent, r.ID}
	waiting := s.listeners[key]
	delete(s.listeners, key)
	s.mu.Unlock()
	for _, fn := range waiting {
		fn(r)
	}
	if s.Done != nil {
		s.Done(r)
	}
}

// whenDone calls fn with the result of a case for an agent, now if there
// is one, else once it is recorded.
func (s *Server) whenDone(agent, id string, fn func(*Result)) {
	s.mu.Lock()
	if r := s.results[agent][id]; r != nil {
		s.mu.Unlock()
		fn(r)
		return
	}
	if s.listeners == nil {
		s.listeners = map[[2]string][]func(*Result){}
	}
	key := [2]string{agent, id}
	s.listeners[key] = append(s.listeners[key], fn)
	s.mu.Unlock()
}

// single returns the only value of a query parameter; more than one is an
// error, none is "".
func single(r *fuzz.Request, name string) (string, error) {
	v := r.Params[name]
	if len(v) > 1 {
		return "", fmt.Errorf("multiple %s values given", name)
	}
	if len(v) == 0 {
		return "", nil
	}
	return v[0], nil
}

// connect routes an opening handshake by its path, as the original does.
func (s *Server) connect(c *fuzz.Conn, r *fuzz.Request) (fuzz.Handler, error) {
	agent, err := single(r, "agent")
	if err != nil {
		return nil, err
	}
	number := 0
	if tuple, err := single(r, "casetuple"); err != nil {
		return nil, err
	} else if tuple != "" {
		for i, c := range s.Cases {
			if c.ID == strings.TrimSpace(tuple) {
				number = i + 1
			}
		}
		if number == 0 {
			return nil, fmt.Errorf("invalid test case tuple %s", tuple)
		}
	}
	if v, err := single(r, "case"); err != nil {
		return nil, err
	} else if v != "" {
		if number, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("invalid test case ID %s", v)
		}
	}
	var kase *Case
	if number != 0 {
		if number < 1 || number > len(s.Cases) {
			return nil, fmt.Errorf("case %d not found", number)
		}
		kase = s.Cases[number-1]
	}

	switch r.Path {
	case "/runCase":
		if kase == nil {
			return nil, errors.New("need case to run")
		}
		if agent == "" {
			return nil, errors.New("need agent to run case")
		}
		s.mu.Lock()
		if s.running == nil {
			s.running = map[string]int{}
		}
		s.running[agent]++
		s.mu.Unlock()
		t := newTest(kase, c, agent, func(t *Test) {
			if !t.excluded {
				s.record(t.result(number))
			}
			s.mu.Lock()
			s.running[agent]--
			s.mu.Unlock()
		})
		t.exclude = s.Exclude
		return t, nil
	case "/updateReports":
		if agent == "" {
			return nil, errors.New("need agent to update reports for")
		}
		return onOpen(func(c *fuzz.Conn) {
			go func() {
				s.settle(agent)
				if s.UpdateReports != nil {
					s.UpdateReports(s.Results())
				}
				c.Post(func() { c.SendClose(nil, nil) })
			}()
		}), nil
	case "/getCaseCount":
		return onOpen(func(c *fuzz.Conn) {
			c.SendMessage([]byte(strconv.Itoa(len(s.Cases))), false, 0)
			c.SendClose(nil, nil)
		}), nil
	case "/getCaseInfo":
		if kase == nil {
			return nil, errors.New("need case to get info")
		}
		return onOpen(func(c *fuzz.Conn) {
			msg := fmt.Sprintf(`{"id": %s, "description": %s}`, jsonString(kase.ID), jsonString(prettyDescription(kase)))
			c.SendMessage([]byte(msg), false, 0)
			c.SendClose(nil, nil)
		}), nil
	case "/getCaseStatus":
		if kase == nil {
			return nil, errors.New("need case to get status")
		}
		if agent == "" {
			return nil, errors.New("need agent to get status")
		}
		return onOpen(func(c *fuzz.Conn) {
			s.whenDone(agent, kase.ID, func(r *Result) {
				c.Post(func() {
					c.SendMessage([]byte(`{"behavior": `+jsonString(string(r.Behavior))+`}`), false, 0)
					c.SendClose(nil, nil)
				})
			})
		}), nil
	case "/stopServer":
		return onOpen(func(c *fuzz.Conn) {
			c.SendClose(nil, nil)
			if s.Stop != nil {
				s.Stop()
			}
		}), nil
	}
	return nil, fmt.Errorf("unknown resource %s (the original's direct command mode is not implemented)", r.Path)
}

// prettyDescription is a case description up to its first HTML tag, with
// white space collapsed, as /getCaseInfo gives it.
func prettyDescription(c *Case) string {
	text, _, _ := strings.Cut(c.Description, "<")
	return strings.Join(strings.Fields(text), " ")
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// onOpen is a fuzz.Handler that only acts when the connection opens.
type onOpen func(c *fuzz.Conn)

func (f onOpen) Open(c *fuzz.Conn)              { f(c) }
func (onOpen) Message(*fuzz.Conn, []byte, bool) {}
func (onOpen) Pong(*fuzz.Conn, []byte)          {}
func (onOpen) Lost(*fuzz.Conn)                  {}
