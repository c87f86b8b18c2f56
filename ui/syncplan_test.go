package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// TestSynchronizePlanUntickAndQueue drives the synchronize view by
// messages: the plan lists each step, an unticked step is left for the
// next time, the rest goes through the App's queue, and Esc changes
// nothing.
func TestSynchronizePlanUntickAndQueue(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"a.txt": "from left", "same.txt": "s", "sub/deep.txt": "d"})
	writeFiles(t, right, map[string]string{"b.txt": "from right"})
	mt := time.Now().Add(-time.Hour).Truncate(time.Second)
	os.WriteFile(filepath.Join(right, "same.txt"), []byte("s"), 0o644)
	for _, p := range []string{filepath.Join(left, "same.txt"), filepath.Join(right, "same.txt")} {
		os.Chtimes(p, mt, mt)
	}
	q := newQueue(t)
	stateDir := t.TempDir()
	a := newTestApp(t, left, right, func(o *Options) { o.Queue = q; o.SyncStateDir = stateDir })

	press(t, a, "Z")
	mustContain(t, a, "Synchronize", "[x] copy →      a.txt", "[x] copy ←      b.txt", "[x] copy →      sub/deep.txt", "steps ticked")
	if body := planText(a); strings.Contains(body, "same.txt") {
		t.Errorf("the plan lists a file the same on both sides:\n%s", body)
	}
	d, ok := a.dialog.(*syncDialog)
	if !ok {
		t.Fatalf("dialog %T, want the synchronize plan", a.dialog)
	}
	for i, it := range d.plan.Items {
		if it.Path == "b.txt" {
			d.cur = i
		}
	}
	press(t, a, "space")
	mustContain(t, a, "[ ] copy ←      b.txt")
	press(t, a, "enter")
	if a.dialog != nil {
		t.Fatalf("the plan is still open after enter: %T", a.dialog)
	}
	if got, _ := os.ReadFile(filepath.Join(right, "a.txt")); string(got) != "from left" {
		t.Errorf("right a.txt = %q, want the left copy", got)
	}
	if got, _ := os.ReadFile(filepath.Join(right, "sub", "deep.txt")); string(got) != "d" {
		t.Errorf("right sub/deep.txt = %q", got)
	}
	if _, err := os.Stat(filepath.Join(left, "b.txt")); err == nil {
		t.Error("the unticked b.txt was copied")
	}
	if !strings.Contains(a.status, "synchronized: 2 copied") {
		t.Errorf("status %q", a.status)
	}
	if logged := strings.Join(a.log.lines, "\n"); !strings.Contains(logged, "sync: copy →      a.txt") {
		t.Errorf("the message log lacks the copy of a.txt:\n%s", logged)
	}

	// The unticked step is offered again; Esc leaves everything as it is.
	press(t, a, "Z")
	mustContain(t, a, "[x] copy ←      b.txt")
	if body := planText(a); strings.Contains(body, "a.txt") {
		t.Errorf("the plan lists a.txt again:\n%s", body)
	}
	press(t, a, "esc")
	if a.dialog != nil {
		t.Fatal("esc did not close the plan")
	}
	if _, err := os.Stat(filepath.Join(left, "b.txt")); err == nil {
		t.Error("esc copied b.txt")
	}
}

// TestSynchronizeTooManyDeletesStartsUnticked keeps the CLI's safety
// stop: a plan deleting more than half of a side shows a warning and its
// deletions unticked.
func TestSynchronizeTooManyDeletesStartsUnticked(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"1": "x", "2": "x", "3": "x", "4": "x"})
	q := newQueue(t)
	a := newTestApp(t, left, right, func(o *Options) { o.Queue = q; o.SyncStateDir = t.TempDir() })
	press(t, a, "Z", "enter")
	for _, n := range []string{"1", "2", "3"} {
		os.Remove(filepath.Join(left, n))
	}
	press(t, a, "Z")
	mustContain(t, a, "more than half", "[ ] delete right 1", "[ ] delete right 3")
	press(t, a, "enter")
	for _, n := range []string{"1", "2", "3", "4"} {
		if _, err := os.Stat(filepath.Join(right, n)); err != nil {
			t.Errorf("right %s: %v (an unticked deletion ran)", n, err)
		}
	}
}

// TestSynchronizeKeyIsRemappable pins the default key and the config name.
func TestSynchronizeKeyIsRemappable(t *testing.T) {
	km := DefaultKeyMap()
	if got := km.Synchronize.Keys(); len(got) != 1 || got[0] != "Z" {
		t.Errorf("default keys %v, want [Z]", got)
	}
	if err := km.Remap(map[string][]string{"synchronize": {"ctrl+e"}}); err != nil {
		t.Fatal(err)
	}
	if got := km.Synchronize.Keys(); got[0] != "ctrl+e" {
		t.Errorf("remapped keys %v", got)
	}
}

// planText is the open dialog's text alone, without the panes behind it.
func planText(a *App) string {
	if a.dialog == nil {
		return ""
	}
	return ansi.Strip(strings.Join(a.dialog.body(a, 100), "\n"))
}

// TestSynchronizeHonoursTheBookmarksExcludes: a bookmark's excludes leave
// paths out of the TUI's plan, as they do for ferry sync.
func TestSynchronizeHonoursTheBookmarksExcludes(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"keep.txt": "k", "debug.log": "noise", "node_modules/x.js": "x"})
	q := newQueue(t)
	a := newTestApp(t, left, right, func(o *Options) { o.Queue = q; o.SyncStateDir = t.TempDir() })
	a.panes[0].ep.Exclude = []string{"*.log"}
	a.panes[1].ep.Exclude = []string{"node_modules/"}
	press(t, a, "Z")
	mustContain(t, a, "[x] copy →      keep.txt")
	if body := planText(a); strings.Contains(body, "debug.log") || strings.Contains(body, "node_modules") {
		t.Errorf("the plan lists excluded paths:\n%s", body)
	}
}
