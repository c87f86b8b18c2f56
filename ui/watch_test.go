package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
	"github.com/ferryhq/ferry/transfer"
	"github.com/ferryhq/ferry/watch"
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

func (l *loop) press(keys ...string) {
	for _, k := range keys {
		_, cmd := l.a.Update(keyMsg(k))
		l.do(cmd)
	}
}

// watchApp is an App with a local pane on left and, on the right, the
// directory right as a remote site ("u@example.com", its bookmark excluding
// remoteExcludes), a real queue, and a loop reading the queue's events.
func watchApp(t *testing.T, left, right string, remoteExcludes ...string) (*App, *loop, *transfer.Queue) {
	t.Helper()
	q, err := transfer.New(transfer.Options{Ephemeral: true, Conflict: transfer.PolicyOverwrite, EventInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	remote := Endpoint{
		Name: "u@example.com", Client: local.New(), Path: filepath.ToSlash(right), Exclude: remoteExcludes,
		Dial: func(context.Context) (protocol.Client, error) { return local.New(), nil },
	}
	a := newTestApp(t, left, "", func(o *Options) { o.Right, o.Queue = remote, q })
	l := &loop{t: t, a: a, msgs: make(chan tea.Msg, 1000)}
	l.do(waitQueue(a.ctx, q.Events()))
	t.Cleanup(func() {
		if a.watch != nil {
			a.watch.cancel()
		}
	})
	return a, l, q
}

// startWatch opens the dialog with ctrl+w, presses keys in it, then Enter,
// and waits for the catch-up to end.
func (l *loop) startWatch(keys ...string) {
	l.t.Helper()
	l.press("ctrl+w")
	if _, ok := l.a.dialog.(*watchDialog); !ok {
		l.t.Fatalf("ctrl+w opened %T, want the watch dialog; status %q", l.a.dialog, l.a.status)
	}
	for _, k := range keys {
		l.press(k)
	}
	l.press("enter")
	if l.a.dialog != nil || l.a.watch == nil {
		l.t.Fatalf("enter did not start the watch: dialog %T, status %q", l.a.dialog, l.a.status)
	}
	l.pump("the catch-up", func() bool { return l.a.watch != nil && l.a.watch.caughtUp })
}

func (l *loop) logged(s string) bool {
	for _, line := range l.a.log.lines {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestWatchToggle turns "keep remote up to date" on for a local pane and
// a remote one, sees a saved file reach the remote through the queue, and
// turns it off again.
func TestWatchToggle(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"index.html": "v1"})
	a, l, q := watchApp(t, left, right, "*.log")

	l.startWatch()
	mustContain(t, a, "⟳ "+filepath.ToSlash(left)+" → u@example.com:")
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
	l.pump("the count", func() bool { return a.watch.uploaded == 2 })
	mustContain(t, a, "│ 2 uploaded │")

	if exists(filepath.Join(right, "debug.log")) {
		t.Error("debug.log, which the bookmark excludes, was uploaded")
	}

	l.press("ctrl+w")
	if a.watch != nil || !strings.Contains(a.status, "stopped watching") || !strings.Contains(a.status, "2 uploaded") {
		t.Fatalf("ctrl+w did not stop the watch, or did not say what it uploaded; status %q", a.status)
	}
	mustNotContain(t, a, "⟳")
	os.WriteFile(filepath.Join(left, "late.txt"), []byte("x"), 0o644)
	time.Sleep(500 * time.Millisecond)
	if exists(filepath.Join(right, "late.txt")) {
		t.Error("a file saved after the watch stopped was uploaded")
	}
}

// TestWatchDialog shows what the dialog offers and that Esc starts nothing.
func TestWatchDialog(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	a, l, _ := watchApp(t, left, right, ".git", "node_modules/")
	l.press("ctrl+w")
	mustContain(t, a, "Keep remote up to date", filepath.ToSlash(left), "→ u@example.com:"+filepath.ToSlash(right),
		"exclude .git node_modules/", "[ ] use .gitignore files", "[ ] delete remote files deleted here",
		"the remote has stays")
	mustNotContain(t, a, "will be deleted")
	l.press("tab", "tab", "space")
	mustContain(t, a, "[x] delete remote files deleted here", "Files will be deleted on u@example.com", "deletes what only the remote has")
	mustNotContain(t, a, "the remote has stays")

	// A bad pattern keeps the dialog open and says why.
	l.press("shift+tab", "shift+tab")
	typeText(t, a, " a[")
	l.press("enter")
	mustContain(t, a, `filter pattern "a["`)
	if a.dialog == nil || a.watch != nil {
		t.Fatal("a bad pattern closed the dialog or started the watch")
	}
	l.press("esc")
	if a.dialog != nil || a.watch != nil {
		t.Fatalf("esc: dialog %T, watch %v", a.dialog, a.watch)
	}
}

// TestWatchDialog_FitsItsFrame draws the dialog, the warning shown, from
// 40 to 200 columns.
func TestWatchDialog_FitsItsFrame(t *testing.T) {
	for _, w := range []int{40, 50, 60, 72, 80, 100, 120, 160, 200} {
		a := goldenApp(t, w, 24, func(o *Options) { o.Queue = newQueue(t) })
		a.panes[1].ep.Exclude = []string{".git", "node_modules/", "*.log"}
		press(t, a, "ctrl+w", "tab", "tab", "space")
		if _, ok := a.dialog.(*watchDialog); !ok {
			t.Fatalf("%d columns: ctrl+w opened %T; status %q", w, a.dialog, a.status)
		}
		s := screenText(a)
		checkDialogFrame(t, a, s)
		_, inner, _, _ := a.dialogBox(0)
		if n := len(a.dialog.body(a, inner)); n+2 > a.h {
			t.Errorf("%d columns: the dialog is %d rows high, more than the window's %d", w, n+2, a.h)
		}
		if !strings.Contains(s, "[x] ") {
			t.Errorf("%d columns: the ticked box is cut off:\n%s", w, s)
		}
	}
}

// TestWatchDelete_On: with the box ticked the first mirror removes what
// the remote alone has, and a file removed here is removed there.
func TestWatchDelete_On(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"keep.txt": "k", "gone.txt": "g"})
	writeFiles(t, right, map[string]string{"gone.txt": "g", "extra.txt": "only there"})
	a, l, _ := watchApp(t, left, right)
	l.startWatch("tab", "tab", "space")
	if !a.watch.keeper.Delete {
		t.Fatal("the ticked box did not reach the Keeper")
	}
	l.pump("the mirror's removal", func() bool { return !exists(filepath.Join(right, "extra.txt")) })
	l.pump("the mirror's upload", func() bool { return fileHolds(filepath.Join(right, "keep.txt"), "k") })
	if err := os.Remove(filepath.Join(left, "gone.txt")); err != nil {
		t.Fatal(err)
	}
	l.pump("the removal", func() bool { return !exists(filepath.Join(right, "gone.txt")) })
	l.pump("the count", func() bool { return a.watch.deleted == 2 })
	mustContain(t, a, "2 deleted")
}

// TestWatchDelete_Off: by default nothing is removed on the remote, at
// the start or later.
func TestWatchDelete_Off(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"keep.txt": "k", "gone.txt": "g"})
	writeFiles(t, right, map[string]string{"gone.txt": "g", "extra.txt": "only there"})
	a, l, _ := watchApp(t, left, right)
	l.startWatch()
	if a.watch.keeper.Delete {
		t.Fatal("the Keeper deletes though the box was not ticked")
	}
	if err := os.Remove(filepath.Join(left, "gone.txt")); err != nil {
		t.Fatal(err)
	}
	l.pump("the removal kept", func() bool { return l.logged("kept gone.txt on the remote") })
	if !exists(filepath.Join(right, "gone.txt")) || !exists(filepath.Join(right, "extra.txt")) {
		t.Error("the watch removed a remote file with deletion off")
	}
}

// TestWatchExclude: a pattern typed into the dialog keeps a file home,
// at the start and when saved later; .gitignore is honoured when ticked.
func TestWatchExclude(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"a.txt": "a", "secret.env": "s", ".gitignore": "*.bak\n", "old.bak": "b"})
	a, l, _ := watchApp(t, left, right)
	l.press("ctrl+w")
	typeText(t, a, "*.env")
	l.press("tab", "space", "enter")
	l.pump("the catch-up", func() bool { return a.watch != nil && a.watch.caughtUp })
	l.pump("the upload", func() bool { return fileHolds(filepath.Join(right, "a.txt"), "a") })
	os.WriteFile(filepath.Join(left, "new.env"), []byte("n"), 0o644)
	os.WriteFile(filepath.Join(left, "new.txt"), []byte("n"), 0o644)
	l.pump("the saved file", func() bool { return fileHolds(filepath.Join(right, "new.txt"), "n") })
	for _, f := range []string{"secret.env", "new.env", "old.bak"} {
		if exists(filepath.Join(right, f)) {
			t.Errorf("%s, which the filter excludes, was uploaded", f)
		}
	}
}

// TestWatchRefreshesPanes: a file saved here shows in the local pane and,
// once uploaded, in the remote pane, without ctrl+r; the cursor and the
// marks stay where they were.
func TestWatchRefreshesPanes(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"a.txt": "a", "b.txt": "b", "sub/c.txt": "c"})
	a, l, _ := watchApp(t, left, right)
	lp, rp := a.panes[0], a.panes[1]
	lp.selectName("b.txt")
	lp.toggleMark() // marks b.txt, moves on
	lp.selectName("a.txt")
	l.startWatch()
	l.pump("the first uploads in the remote pane", func() bool { return rp.selectName("a.txt") && rp.selectName("sub") })
	rp.selectName("a.txt")

	os.WriteFile(filepath.Join(left, "new.txt"), []byte("n"), 0o644)
	l.pump("new.txt in both panes", func() bool {
		return hasEntry(lp, "new.txt") && hasEntry(rp, "new.txt")
	})
	if lp.currentName() != "a.txt" || rp.currentName() != "a.txt" {
		t.Errorf("the cursors moved: local on %q, remote on %q", lp.currentName(), rp.currentName())
	}
	if lp.markedN != 1 || !lp.items[indexOf(lp, "b.txt")].marked {
		t.Errorf("the marks were lost: %d marked", lp.markedN)
	}

	// In a subdirectory, shown in both panes.
	l.do(a.list(0, lp.dir+"/sub"))
	l.do(a.list(1, rp.dir+"/sub"))
	l.pump("both panes in sub", func() bool { return strings.HasSuffix(lp.dir, "/sub") && strings.HasSuffix(rp.dir, "/sub") })
	os.WriteFile(filepath.Join(left, "sub", "d.txt"), []byte("d"), 0o644)
	l.pump("sub/d.txt in both panes", func() bool { return hasEntry(lp, "d.txt") && hasEntry(rp, "d.txt") })
	os.Remove(filepath.Join(left, "sub", "c.txt"))
	l.pump("sub/c.txt gone from the local pane", func() bool { return !hasEntry(lp, "c.txt") })
}

func hasEntry(p *pane, name string) bool { return indexOf(p, name) >= 0 }

func indexOf(p *pane, name string) int {
	for i := range p.items {
		if p.items[i].e.Name == name {
			return i
		}
	}
	return -1
}

// TestWatchRefresh_Debounced: many changes at once relist a pane a few
// times, not once per file.
func TestWatchRefresh_Debounced(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	a.watchSeq++
	a.watch = &watching{id: a.watchSeq, cancel: func() {}, localRoot: a.panes[0].dir, jobs: map[transfer.JobID]bool{}, caughtUp: true}
	a.panes[1].ep.Local = false // a remote pane, another site
	seq := a.panes[0].seq
	for i := range 100 {
		a.onWatchReport(watchReportMsg{id: a.watch.id, r: watch.Report{Kind: watch.KindQueued, Path: "f" + itoa(i), Job: transfer.JobID(i + 1)}})
	}
	if !a.watch.ticking || !a.watch.dirty[0] || a.watch.dirty[1] {
		t.Fatalf("ticking %v, dirty %v: want a tick for the local pane alone", a.watch.ticking, a.watch.dirty)
	}
	if a.panes[0].seq != seq {
		t.Error("the local pane was relisted before the tick")
	}
	run(t, a, a.onWatchRefresh(watchRefreshMsg{id: a.watch.id}))
	if a.panes[0].seq != seq+1 {
		t.Errorf("the tick relisted the local pane %d times, want 1", a.panes[0].seq-seq)
	}
	if a.watch.ticking || a.watch.dirty[0] {
		t.Error("the tick did not clear its state")
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

// TestWatchStatus: the status line's prefix counts what the watch did,
// leaves the zeros out, and names the last error unless the status line
// says it already.
func TestWatchStatus(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	a.watch = &watching{id: 1, cancel: func() {}, label: "./site → h:/www", jobs: map[transfer.JobID]bool{4: true}}
	a.watch.uploaded, a.watch.deleted = 3, 1
	if got, want := a.watchStatus(), "./site → h:/www │ 3 uploaded · 1 queued · 1 deleted"; got != want {
		t.Errorf("watchStatus() = %q, want %q", got, want)
	}
	a.watch.lastErr = "error: a.txt: permission denied"
	a.setStatus("copied")
	mustContain(t, a, "⟳ ./site → h:/www │ 3 uploaded · 1 queued · 1 deleted │ last error: error: a.txt: permission denied │ copied")
	a.setErr(errors.New("watch: " + a.watch.lastErr))
	if strings.Contains(a.watchStatus(), "last error") {
		t.Errorf("the error is told twice: %q", a.watchStatus())
	}
}
