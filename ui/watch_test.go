package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
	"github.com/ferryhq/ferry/transfer"
)

// loop is a small event loop for a test: Cmds run in goroutines, their
// messages go to Update on the test's goroutine, as in a tea.Program.
type loop struct {
	t    *testing.T
	a    *App
	msgs chan tea.Msg
}

func (l *loop) do(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if m := cmd(); m != nil {
			l.msgs <- m
		}
	}()
}

// pump delivers messages until cond holds, for up to 10 s.
func (l *loop) pump(what string, cond func() bool) {
	l.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			l.t.Fatalf("timed out waiting for %s; status %q", what, l.a.status)
		}
		select {
		case m := <-l.msgs:
			if b, ok := m.(tea.BatchMsg); ok {
				for _, c := range b {
					l.do(c)
				}
				continue
			}
			_, cmd := l.a.Update(m)
			l.do(cmd)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (l *loop) press(k string) {
	_, cmd := l.a.Update(keyMsg(k))
	l.do(cmd)
}

// TestWatchToggle turns "keep remote up to date" on for a local pane and
// a remote one, sees a saved file reach the remote through the queue, and
// turns it off again.
func TestWatchToggle(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"index.html": "v1"})
	q, err := transfer.New(transfer.Options{Ephemeral: true, Conflict: transfer.PolicyOverwrite})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	remote := Endpoint{
		Name: "u@example.com", Client: local.New(), Path: filepath.ToSlash(right), Exclude: []string{"*.log"},
		Dial: func(context.Context) (protocol.Client, error) { return local.New(), nil },
	}
	a := newTestApp(t, left, "", func(o *Options) { o.Right, o.Queue = remote, q })
	l := &loop{t: t, a: a, msgs: make(chan tea.Msg, 1000)}

	l.press("ctrl+w")
	if a.watch == nil {
		t.Fatalf("ctrl+w did not start the watch; status %q", a.status)
	}
	mustContain(t, a, "⟳ "+filepath.ToSlash(left)+" → u@example.com:")
	l.pump("the catch-up", func() bool { return strings.HasPrefix(a.status, "watching ") })
	l.pump("the first upload", func() bool { return fileHolds(filepath.Join(right, "index.html"), "v1") })

	if err := os.WriteFile(filepath.Join(left, "index.html"), []byte("v2"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(left, "debug.log"), []byte("x"), 0o644) // the bookmark excludes it
	l.pump("the saved file", func() bool { return fileHolds(filepath.Join(right, "index.html"), "v2") })
	n := 0
	for _, j := range q.Jobs() {
		if strings.HasSuffix(j.DstPath, "/index.html") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("the queue holds %d jobs for index.html, want 2 (catch-up and save)", n)
	}

	if _, err := os.Stat(filepath.Join(right, "debug.log")); err == nil {
		t.Error("debug.log, which the bookmark excludes, was uploaded")
	}

	l.press("ctrl+w")
	if a.watch != nil || !strings.Contains(a.status, "stopped watching") {
		t.Fatalf("ctrl+w did not stop the watch; status %q", a.status)
	}
	mustNotContain(t, a, "⟳")
	os.WriteFile(filepath.Join(left, "late.txt"), []byte("x"), 0o644)
	time.Sleep(500 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(right, "late.txt")); err == nil {
		t.Error("a file saved after the watch stopped was uploaded")
	}
}

func TestWatchToggle_NeedsLocalAndRemote(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	press(t, a, "ctrl+w")
	if a.watch != nil || !strings.Contains(a.status, "needs a local pane and a remote pane") {
		t.Fatalf("two local panes: status %q, watch %v", a.status, a.watch)
	}
}

// TestWatchReport_StaleIgnored drops reports of a watch since stopped.
func TestWatchReport_StaleIgnored(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	a.setStatus("idle")
	if cmd := a.onWatchReport(watchReportMsg{id: 7}); cmd != nil || a.status != "idle" {
		t.Errorf("a stale report changed the status to %q", a.status)
	}
}

func fileHolds(p, content string) bool {
	b, err := os.ReadFile(p)
	return err == nil && string(b) == content
}
