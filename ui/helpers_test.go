package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
)

// localEndpoint is a pane over the local filesystem starting in dir.
func localEndpoint(name, dir string) Endpoint {
	return Endpoint{
		Name: name, Local: true, Client: local.New(), Path: filepath.ToSlash(dir),
		Dial: func(context.Context) (protocol.Client, error) { return local.New(), nil },
	}
}

// newTestApp builds an App over two local directories, sized w×h, with both
// listings loaded.
func newTestApp(t testing.TB, left, right string, mod func(*Options)) *App {
	t.Helper()
	a := buildTestApp(t, left, right, mod)
	for i := range a.panes {
		run(t, a, a.connect(i))
	}
	return a
}

// buildTestApp is newTestApp without connecting the panes.
func buildTestApp(t testing.TB, left, right string, mod func(*Options)) *App {
	t.Helper()
	opts := Options{Left: localEndpoint("left", left), Right: localEndpoint("right", right), NoColor: true, TempDir: t.TempDir()}
	if mod != nil {
		mod(&opts)
	}
	a := New(opts)
	t.Cleanup(a.Close)
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return a
}

// run executes cmd and feeds what it returns back into Update, following
// batches, until nothing is left. Commands that wait for background events
// (prompts, log lines, queue events) are abandoned after a short wait.
func run(t testing.TB, a *App, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 1000 {
			t.Fatal("command loop did not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg, ok := runOne(c, 5*time.Second)
		if !ok {
			t.Logf("a command was still running after 5s; abandoned")
		}
		if !ok || msg == nil {
			continue
		}
		if b, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, b...)
			continue
		}
		if _, ok := msg.(queueEventMsg); ok {
			// Don't chase the queue's event stream here; tests pump it.
			a.Update(msg)
			continue
		}
		_, next := a.Update(msg)
		queue = append(queue, next)
	}
}

func runOne(c tea.Cmd, d time.Duration) (tea.Msg, bool) {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- c() }()
	select {
	case m := <-ch:
		return m, true
	case <-time.After(d):
		return nil, false
	}
}

// press sends keys by name ("j", "f5", "enter", "ctrl+r", "G") and runs the
// resulting commands.
func press(t testing.TB, a *App, keys ...string) {
	t.Helper()
	for _, k := range keys {
		_, cmd := a.Update(keyMsg(k))
		run(t, a, cmd)
	}
}

// typeText sends each rune as a key press.
func typeText(t testing.TB, a *App, s string) {
	t.Helper()
	for _, r := range s {
		press(t, a, string(r))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]rune{
		"enter": tea.KeyEnter, "tab": tea.KeyTab, "esc": tea.KeyEscape, "backspace": tea.KeyBackspace,
		"space": tea.KeySpace, "insert": tea.KeyInsert, "delete": tea.KeyDelete,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"home": tea.KeyHome, "end": tea.KeyEnd, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
		"f1": tea.KeyF1, "f2": tea.KeyF2, "f3": tea.KeyF3, "f4": tea.KeyF4, "f5": tea.KeyF5,
		"f6": tea.KeyF6, "f7": tea.KeyF7, "f8": tea.KeyF8, "f9": tea.KeyF9, "f10": tea.KeyF10,
	}
	var mod tea.KeyMod
	if strings.HasPrefix(k, "ctrl+") {
		mod = tea.ModCtrl
		k = strings.TrimPrefix(k, "ctrl+")
	}
	if strings.HasPrefix(k, "shift+") {
		mod |= tea.ModShift
		k = strings.TrimPrefix(k, "shift+")
	}
	if c, ok := named[k]; ok {
		m := tea.KeyPressMsg{Code: c, Mod: mod}
		if c == tea.KeySpace {
			m.Text = " "
		}
		return m
	}
	r := []rune(k)[0]
	if mod != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: k}
}

// screen renders the View without ANSI sequences.
func screenText(a *App) string { return ansi.Strip(a.View().Content) }

func mustContain(t testing.TB, a *App, want ...string) {
	t.Helper()
	s := screenText(a)
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func mustNotContain(t testing.TB, a *App, bad ...string) {
	t.Helper()
	s := screenText(a)
	for _, w := range bad {
		if strings.Contains(s, w) {
			t.Fatalf("screen unexpectedly shows %q:\n%s", w, s)
		}
	}
}

// writeFiles creates files (and parent dirs); names ending in / are dirs.
func writeFiles(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
