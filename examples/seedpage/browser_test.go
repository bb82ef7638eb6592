//go:build unix

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rfc6455/ws/conn"
	"github.com/rfc6455/ws/frame"
	"github.com/rfc6455/ws/server"
)

// browserWait bounds every wait of the browser test.
const browserWait = 30 * time.Second

// findChromium returns the path of a Chromium, or skips the test (fails
// it in CI, where .ci/run installs one).
func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := "no Chromium found; install it (Debian: apt-get install chromium) to run the browser test"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startChromium starts a headless Chromium with remote debugging on a
// loopback port and returns the URL of its DevTools WebSocket.
func startChromium(t *testing.T, ctx context.Context) string {
	path := findChromium(t)
	dir := t.TempDir()
	cmd := exec.Command(path,
		"--headless", "--no-sandbox", "--disable-gpu",
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		"--user-data-dir="+dir, "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"about:blank")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	// Chromium runs helper processes: put them all in a process group of
	// their own, to end them together, and do not wait long for them to
	// let go of stderr.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		await(t, exited, "Chromium's exit")
	})
	// Chromium writes its port and the path of the browser's WebSocket to
	// DevToolsActivePort once it listens.
	portFile := filepath.Join(dir, "DevToolsActivePort")
	for {
		if b, err := os.ReadFile(portFile); err == nil {
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			if len(lines) == 2 {
				return "ws://127.0.0.1:" + lines[0] + lines[1]
			}
		}
		select {
		case <-exited:
			t.Fatalf("Chromium exited: %s", stderr.String())
		case <-ctx.Done():
			t.Fatalf("Chromium did not start: %v\n%s", ctx.Err(), stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// serverView is what the seed handler saw, through its observer.
type serverView struct {
	mu        sync.Mutex
	sockets   []*server.Socket
	received  map[*server.Socket][]string
	connected chan *server.Socket
	receivedC chan string
	ended     chan error
}

func newServerView() *serverView {
	return &serverView{
		received:  make(map[*server.Socket][]string),
		connected: make(chan *server.Socket, 4),
		receivedC: make(chan string, 16),
		ended:     make(chan error, 4),
	}
}

func (v *serverView) observer() *observer {
	return &observer{
		connected: func(ws *server.Socket) {
			v.mu.Lock()
			v.sockets = append(v.sockets, ws)
			v.mu.Unlock()
			v.connected <- ws
		},
		received: func(ws *server.Socket, msg string) {
			v.mu.Lock()
			v.received[ws] = append(v.received[ws], msg)
			v.mu.Unlock()
			v.receivedC <- msg
		},
		ended: func(ws *server.Socket, err error) { v.ended <- err },
	}
}

func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(browserWait):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// waitFor is a JavaScript expression: a promise of cond's value once it is
// truthy, polled in the page, rejected after a bounded time.
func waitFor(cond string) string {
	return fmt.Sprintf(`new Promise((resolve, reject) => {
		const end = Date.now() + %d;
		(function poll() {
			const v = (%s);
			if (v) { resolve(v); return; }
			if (Date.now() > end) { reject(new Error("timed out waiting for: " + %q)); return; }
			setTimeout(poll, 20);
		})();
	})`, browserWait.Milliseconds(), cond, cond)
}

// pushes returns the messages the page lists, decoded.
func pushes(t *testing.T, ctx context.Context, d *devtools, session string, atLeast int) []push {
	t.Helper()
	var lines []string
	expr := waitFor(fmt.Sprintf(`document.querySelectorAll("#messages li").length >= %d &&
		Array.from(document.querySelectorAll("#messages li"), li => li.textContent)`, atLeast))
	if err := d.evaluate(ctx, session, expr, &lines); err != nil {
		t.Fatal(err)
	}
	var out []push
	for _, l := range lines {
		var p push
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("the page shows %q, not a push: %v", l, err)
		}
		out = append(out, p)
	}
	return out
}

// TestBrowser drives the seed page in a real headless Chromium through the
// DevTools protocol: connect, at least two pushes, a message echoed in
// client_msg, a clean close seen by the server; then a second connection,
// whose send goes out once (the page registers its handlers once).
func TestBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*browserWait)
	defer cancel()
	view := newServerView()
	srv := httptest.NewServer(newHandler(view.observer(), nil))
	defer srv.Close()

	d, err := dialDevTools(ctx, startChromium(t, ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	var target struct{ TargetID string }
	if err := d.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		t.Fatal(err)
	}
	var attached struct{ SessionID string }
	if err := d.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		t.Fatal(err)
	}
	session := attached.SessionID
	if err := d.call(ctx, session, "Page.navigate", map[string]any{"url": srv.URL + "/"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.evaluate(ctx, session, waitFor(`document.readyState === "complete" && document.getElementById("connect")`), nil); err != nil {
		t.Fatal(err)
	}
	click := func(id string) {
		t.Helper()
		if err := d.evaluate(ctx, session, fmt.Sprintf(`document.getElementById(%q).click()`, id), nil); err != nil {
			t.Fatal(err)
		}
	}
	connected := func() {
		t.Helper()
		if err := d.evaluate(ctx, session, waitFor(`document.getElementById("status").textContent === "connected"`), nil); err != nil {
			t.Fatal(err)
		}
	}

	// Connect: the server pushes every second.
	click("connect")
	first := await(t, view.connected, "the page's socket")
	connected()
	got := pushes(t, ctx, d, session, 2)
	for i, p := range got[:2] {
		if want := fmt.Sprintf("send %d times!", i+1); p.ServerMsg != want || p.ClientMsg != "" {
			t.Errorf("push %d: %+v, want server_msg %q and no client_msg", i, p, want)
		}
		if _, err := time.Parse(timeLayout, p.Time); err != nil {
			t.Errorf("push %d: time %q: %v", i, p.Time, err)
		}
	}

	// Send: the server hears it and echoes it in client_msg.
	const text = "hello from Chromium"
	if err := d.evaluate(ctx, session, fmt.Sprintf(`document.getElementById("text").value = %q`, text), nil); err != nil {
		t.Fatal(err)
	}
	click("send")
	if msg := await(t, view.receivedC, "the page's message"); msg != text {
		t.Errorf("server received %q, want %q", msg, text)
	}
	var echoed bool
	expr := waitFor(fmt.Sprintf(`Array.from(document.querySelectorAll("#messages li")).some(li => JSON.parse(li.textContent).client_msg === %q)`, text))
	if err := d.evaluate(ctx, session, expr, &echoed); err != nil || !echoed {
		t.Errorf("the page never showed client_msg %q: %v", text, err)
	}

	// Close: the server sees a clean close.
	click("close")
	err = await(t, view.ended, "the end of the socket")
	var ce *conn.CloseError
	if !errors.As(err, &ce) || (ce.Code != frame.CloseNormal && ce.Code != frame.CloseNoStatus) {
		t.Errorf("server saw the socket end with %v, want a close with 1000 or 1005", err)
	}
	var status string
	if err := d.evaluate(ctx, session, waitFor(`document.getElementById("status").textContent.startsWith("closed") && document.getElementById("status").textContent`), &status); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(status, "clean: true") {
		t.Errorf("page status %q, want a clean close", status)
	}
	await(t, first.Done(), "the end of the first socket")

	// Connect again and send once: one message reaches the server. The
	// server handles a socket's messages in order, so the echo of a
	// duplicate would come before the next push.
	click("connect")
	second := await(t, view.connected, "the second socket")
	connected()
	if err := d.evaluate(ctx, session, `document.getElementById("messages").replaceChildren(); document.getElementById("text").value = "once"`, nil); err != nil {
		t.Fatal(err)
	}
	click("send")
	await(t, view.receivedC, "the second message")
	expr = waitFor(`(() => {
		const ps = Array.from(document.querySelectorAll("#messages li"), li => JSON.parse(li.textContent));
		const i = ps.findIndex(p => p.client_msg === "once");
		return i >= 0 && ps.slice(i + 1).some(p => !p.client_msg);
	})()`)
	if err := d.evaluate(ctx, session, expr, nil); err != nil {
		t.Fatal(err)
	}
	view.mu.Lock()
	msgs := view.received[second]
	view.mu.Unlock()
	if len(msgs) != 1 || msgs[0] != "once" {
		t.Errorf("the second socket received %q, want one \"once\"", msgs)
	}
	click("close")
	await(t, view.ended, "the end of the second socket")
}
