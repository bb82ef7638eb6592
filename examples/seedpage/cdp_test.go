package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/rfc6455/ws/conn"
)

// devtools is a client of the Chrome DevTools Protocol over this module's
// own WebSocket client: commands with ids, answers matched to them.
type devtools struct {
	c *conn.Conn

	mu      sync.Mutex
	nextID  int
	waiting map[int]chan cdpAnswer
	err     error // why reading stopped
}

type cdpAnswer struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// dialDevTools connects to the browser's DevTools WebSocket at url and
// starts reading its messages.
func dialDevTools(ctx context.Context, url string) (*devtools, error) {
	c, _, err := conn.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	d := &devtools{c: c, waiting: make(map[int]chan cdpAnswer)}
	go d.read()
	return d, nil
}

// read dispatches the answers to the waiting calls; events are ignored.
func (d *devtools) read() {
	for {
		_, p, err := d.c.ReadMessage(context.Background())
		if err != nil {
			d.mu.Lock()
			d.err = err
			for id, ch := range d.waiting {
				close(ch)
				delete(d.waiting, id)
			}
			d.mu.Unlock()
			return
		}
		var msg struct {
			ID int `json:"id"`
			cdpAnswer
		}
		if json.Unmarshal(p, &msg) != nil || msg.ID == 0 {
			continue
		}
		d.mu.Lock()
		ch := d.waiting[msg.ID]
		delete(d.waiting, msg.ID)
		d.mu.Unlock()
		if ch != nil {
			ch <- msg.cdpAnswer
		}
	}
}

// call sends a command, to the browser or to the page of session, and
// decodes its result into result (which may be nil).
func (d *devtools) call(ctx context.Context, session, method string, params, result any) error {
	d.mu.Lock()
	if d.err != nil {
		d.mu.Unlock()
		return d.err
	}
	d.nextID++
	id := d.nextID
	ch := make(chan cdpAnswer, 1)
	d.waiting[id] = ch
	d.mu.Unlock()
	msg, err := json.Marshal(struct {
		ID        int    `json:"id"`
		SessionID string `json:"sessionId,omitempty"`
		Method    string `json:"method"`
		Params    any    `json:"params,omitempty"`
	}{id, session, method, params})
	if err != nil {
		return err
	}
	if err := d.c.WriteMessage(ctx, conn.MessageText, msg); err != nil {
		return err
	}
	select {
	case a, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: connection ended: %w", method, d.err)
		}
		if a.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, a.Error.Message, a.Error.Code)
		}
		if result != nil {
			return json.Unmarshal(a.Result, result)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// evaluate runs a JavaScript expression in the page of session, waits for
// it if it is a promise, and decodes its value into result (which may be
// nil).
func (d *devtools) evaluate(ctx context.Context, session, expr string, result any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	params := map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true}
	if err := d.call(ctx, session, "Runtime.evaluate", params, &r); err != nil {
		return err
	}
	if e := r.ExceptionDetails; e != nil {
		return fmt.Errorf("%s: %s %s", expr, e.Text, e.Exception.Description)
	}
	if result == nil || r.Result.Value == nil {
		return nil
	}
	return json.Unmarshal(r.Result.Value, result)
}

func (d *devtools) close() { d.c.CloseNow() }
