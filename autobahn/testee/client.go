package testee

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"sync"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/handshake"
)

// Client runs the cases of a fuzzing server (the original's wstest -m
// fuzzingserver, or this module's) with the library's client: it asks
// /getCaseCount, echoes every message of each /runCase, then asks
// /updateReports.
type Client struct {
	// URL is the fuzzing server, ws://host:port.
	URL string
	// Agent is the name the reports give this client.
	Agent string
	// Parallel is how many cases run at once; 0 or 1 runs them one after
	// the other, as the original's testee client does.
	Parallel int
	// Heavy, if set, tells the heavy case numbers: at most HeavyParallel
	// (at least 1) of them run at once, never beside a light one.
	Heavy         func(n int) bool
	HeavyParallel int
	// Done, if set, is called after each case with its number.
	Done func(n int)
}

// dialOptions offers permessage-deflate and lets the server choose the
// client's window, so that every compression case can be negotiated.
var dialOptions = &conn.DialOptions{
	ClientOptions: handshake.ClientOptions{Deflate: &handshake.DeflateConfig{ClientMaxWindowBits: 15}},
}

// Run runs every case, then asks for the reports.
func (c *Client) Run(ctx context.Context) error {
	n, err := c.caseCount(ctx)
	if err != nil {
		return err
	}
	light := make(chan struct{}, max(c.Parallel, 1))
	heavy := make(chan struct{}, max(c.HeavyParallel, 1))
	heavyPhase := false
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	for i := 1; i <= n && ctx.Err() == nil && !failed(); i++ {
		isHeavy := c.Heavy != nil && c.Heavy(i)
		if i > 1 && isHeavy != heavyPhase {
			wg.Wait()
		}
		heavyPhase = isHeavy
		slots := light
		if isHeavy {
			slots = heavy
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.echo(ctx, c.endpoint("/runCase", "case", strconv.Itoa(i), "agent", c.Agent)); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("testee: case %d: %w", i, err)
				}
				mu.Unlock()
			}
			<-slots
			if c.Done != nil {
				c.Done(i)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.echo(ctx, c.endpoint("/updateReports", "agent", c.Agent))
}

// endpoint builds the URL of a fuzzing server resource.
func (c *Client) endpoint(path string, params ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	u := c.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// caseCount asks the server how many cases it has.
func (c *Client) caseCount(ctx context.Context) (int, error) {
	ws, _, err := conn.Dial(ctx, c.endpoint("/getCaseCount"), nil)
	if err != nil {
		return 0, err
	}
	defer ws.Close(frame.CloseNormal, "")
	_, p, err := ws.ReadMessage(ctx)
	if err != nil {
		return 0, fmt.Errorf("testee: reading the case count: %w", err)
	}
	n, err := strconv.Atoi(string(p))
	if err != nil {
		return 0, fmt.Errorf("testee: case count %q: %w", p, err)
	}
	return n, nil
}

// echo connects to u and sends back every message until the connection
// ends. Only a failure to connect is an error: a case may well end the
// connection with a protocol error, on purpose.
func (c *Client) echo(ctx context.Context, u string) error {
	ws, _, err := conn.Dial(ctx, u, dialOptions)
	if err != nil {
		return err
	}
	defer ws.Close(frame.CloseNormal, "")
	for {
		typ, p, err := ws.ReadMessage(ctx)
		if err != nil {
			return nil
		}
		if err := ws.WriteMessage(ctx, typ, p); err != nil {
			return nil
		}
	}
}
