package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/transfer"
)

func TestMkdirRenameDelete(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"old.txt": "data", "tree/a/b.txt": "b", "tree/c.txt": "c"})
	a := newTestApp(t, left, t.TempDir(), nil)
	p := a.panes[0]

	press(t, a, "f7")
	mustContain(t, a, "New directory")
	typeText(t, a, "fresh")
	press(t, a, "enter")
	if st, err := os.Stat(filepath.Join(left, "fresh")); err != nil || !st.IsDir() {
		t.Fatalf("F7 made no directory: %v", err)
	}
	if p.currentName() != "fresh" {
		t.Fatalf("cursor on %q after mkdir, want fresh", p.currentName())
	}

	p.selectName("old.txt")
	press(t, a, "f6")
	mustContain(t, a, "Rename here")
	press(t, a, "r", "ctrl+u")
	typeText(t, a, "new.txt")
	press(t, a, "enter")
	if _, err := os.Stat(filepath.Join(left, "new.txt")); err != nil {
		t.Fatalf("rename failed: %v", err)
	}
	if p.currentName() != "new.txt" {
		t.Fatalf("cursor on %q after rename", p.currentName())
	}

	p.selectName("tree")
	press(t, a, "f8")
	mustContain(t, a, "Delete tree/ and everything in it")
	press(t, a, "enter") // default is Cancel
	if _, err := os.Stat(filepath.Join(left, "tree")); err != nil {
		t.Fatal("Enter on the default answer deleted the tree")
	}
	press(t, a, "f8", "y")
	if _, err := os.Stat(filepath.Join(left, "tree")); !os.IsNotExist(err) {
		t.Fatalf("tree still there: %v", err)
	}
	if p.lookup("tree") != nil {
		t.Fatal("listing not refreshed after delete")
	}
	mustContain(t, a, "deleted 4 entries")
}

func TestMoveToOtherPaneOnSameSiteRenames(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"l/m.txt": "move me", "r/": ""})
	a := newTestApp(t, filepath.Join(root, "l"), filepath.Join(root, "r"), nil)
	a.panes[0].selectName("m.txt")
	press(t, a, "f6", "o")
	b, err := os.ReadFile(filepath.Join(root, "r", "m.txt"))
	if err != nil || string(b) != "move me" {
		t.Fatalf("moved file: %q, %v", b, err)
	}
	if a.panes[1].lookup("m.txt") == nil || a.panes[0].lookup("m.txt") != nil {
		t.Fatal("panes not refreshed after move")
	}
}

// newQueue starts a real transfer queue that asks on conflicts.
func newQueue(t *testing.T) *transfer.Queue {
	t.Helper()
	q, err := transfer.New(transfer.Options{Workers: 2, EventInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	q.Events() // events are only gathered once someone listens
	return q
}

// pumpQueue feeds queue events into the App until cond holds.
func pumpQueue(t *testing.T, a *App, q *transfer.Queue, cond func() bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case ev := <-q.Events():
			// Update would re-arm a wait on the channel; tests read it here.
			run(t, a, a.onQueueEvent(ev))
		case <-deadline:
			t.Fatalf("queue did not settle; dialog %T asking %v asked %v; screen:\n%s", a.dialog, a.queue.asking, a.queue.asked, screenText(a))
		}
	}
}

func TestCopyMarkedFilesThroughTheQueue(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	big := strings.Repeat("0123456789", 100000)
	writeFiles(t, left, map[string]string{"one.bin": big, "two.txt": "two", "skip.txt": "no", "dir/x.txt": "x"})
	q := newQueue(t)
	a := newTestApp(t, left, right, func(o *Options) { o.Queue = q })
	p := a.panes[0]
	p.selectName("one.bin")
	press(t, a, "insert")
	p.selectName("two.txt")
	press(t, a, "space")
	p.selectName("dir")
	press(t, a, "insert")
	press(t, a, "f5")
	mustContain(t, a, "Copy 3 entries (1 directory)", "exclude")
	press(t, a, "enter")
	if p.markedN != 0 {
		t.Fatal("marks not cleared after F5")
	}
	pumpQueue(t, a, q, func() bool { return a.queue.totals.Done == 3 && a.queue.totals.Active == 0 })
	for name, want := range map[string]string{"one.bin": big, "two.txt": "two", "dir/x.txt": "x"} {
		b, err := os.ReadFile(filepath.Join(right, name))
		if err != nil || string(b) != want {
			t.Fatalf("%s on the right: %d bytes, %v", name, len(b), err)
		}
	}
	if _, err := os.Stat(filepath.Join(right, "skip.txt")); !os.IsNotExist(err) {
		t.Fatal("an unmarked file was copied")
	}
	mustContain(t, a, "3 done")
	// The right pane was refreshed when the jobs finished.
	pumpQueue(t, a, q, func() bool { return a.panes[1].lookup("two.txt") != nil })
	press(t, a, "t")
	a.Update(tea.WindowSizeMsg{Width: 200, Height: 40}) // room for the whole temporary path
	mustContain(t, a, "Transfers (3)", "one.bin → "+filepath.ToSlash(right), "done")
}

func TestConflictDialogResolvesOnlyThatJob(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"same.txt": "new content", "other.txt": "other"})
	writeFiles(t, right, map[string]string{"same.txt": "old"})
	q := newQueue(t)
	a := newTestApp(t, left, right, func(o *Options) { o.Queue = q })
	p := a.panes[0]
	p.selectName("other.txt")
	press(t, a, "space", "space") // other.txt, then same.txt
	press(t, a, "f5")
	pumpQueue(t, a, q, func() bool { return a.dialog != nil && a.queue.totals.Done == 1 })
	mustContain(t, a, "File exists", "Overwrite", "apply to all")
	if b, _ := os.ReadFile(filepath.Join(right, "other.txt")); string(b) != "other" {
		t.Fatal("the other job waited on the conflict")
	}
	press(t, a, "o")
	pumpQueue(t, a, q, func() bool { return a.queue.totals.Done == 2 })
	if b, _ := os.ReadFile(filepath.Join(right, "same.txt")); string(b) != "new content" {
		t.Fatalf("overwrite gave %q", b)
	}
}

func TestMouseClickDoubleClickWheelAndDrag(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	files := map[string]string{"sub/in.txt": "in", "drag.txt": "dragged"}
	for i := 0; i < 80; i++ {
		files["f"+pad3(i)] = "x"
	}
	writeFiles(t, left, files)
	q := newQueue(t)
	a := newTestApp(t, left, right, func(o *Options) { o.Queue = q })
	clock := time.Now()
	a.now = func() time.Time { return clock }
	p := a.panes[0]
	g := a.geom()
	click := func(x, y int) { _, c := a.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}); run(t, a, c) }
	release := func(x, y int) { _, c := a.Update(tea.MouseReleaseMsg{X: x, Y: y, Button: tea.MouseLeft}); run(t, a, c) }

	// Rows: .., sub, drag.txt, f000…
	click(5, g.listTop+2)
	release(5, g.listTop+2)
	if p.currentName() != "drag.txt" {
		t.Fatalf("click selected %q, want drag.txt", p.currentName())
	}
	// Drag it to the right pane.
	clock = clock.Add(time.Second)
	click(5, g.listTop+2)
	release(g.leftW+5, g.listTop+4)
	pumpQueue(t, a, q, func() bool { return a.queue.totals.Done == 1 })
	if b, err := os.ReadFile(filepath.Join(right, "drag.txt")); err != nil || string(b) != "dragged" {
		t.Fatalf("drag copy: %q %v", b, err)
	}

	// Wheel scrolls the pane under the mouse.
	_, c := a.Update(tea.MouseWheelMsg{X: 5, Y: g.listTop + 3, Button: tea.MouseWheelDown})
	run(t, a, c)
	if p.offset != wheelStep {
		t.Fatalf("wheel offset %d, want %d", p.offset, wheelStep)
	}
	_, c = a.Update(tea.MouseWheelMsg{X: 5, Y: g.listTop + 3, Button: tea.MouseWheelUp})
	run(t, a, c)

	// Double click opens a directory; a slow second click does not.
	clock = clock.Add(time.Second)
	click(5, g.listTop+1)
	release(5, g.listTop+1)
	clock = clock.Add(time.Second)
	click(5, g.listTop+1)
	release(5, g.listTop+1)
	if strings.HasSuffix(p.dir, "/sub") {
		t.Fatal("two slow clicks opened the directory")
	}
	clock = clock.Add(100 * time.Millisecond)
	click(5, g.listTop+1)
	if !strings.HasSuffix(p.dir, "/sub") {
		t.Fatalf("double click did not open sub: %s", p.dir)
	}
	// A click in the right pane focuses it.
	click(g.leftW+3, g.listTop)
	if a.focus != 1 {
		t.Fatal("click did not focus the right pane")
	}
}

func TestQuitAsksWhileTransfersRun(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	a.queue.totals = transfer.Totals{Jobs: 1, Active: 1}
	_, cmd := a.Update(keyMsg("q"))
	if cmd != nil || a.dialog == nil {
		t.Fatal("q quit without asking while a transfer runs")
	}
	mustContain(t, a, "Quit ferry?", "1 transfer is running")
	_, cmd = a.Update(keyMsg("n"))
	if cmd != nil || a.quitting {
		t.Fatal("n quit anyway")
	}
	a.queue.totals = transfer.Totals{}
	_, cmd = a.Update(keyMsg("f10"))
	if cmd == nil {
		t.Fatal("F10 did not quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("F10 returned something other than tea.Quit")
	}
}

var _ = context.Background

func TestSavedJobsShowAtStart(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"f": "data"})
	q := newQueue(t)
	src, dst := localEndpoint("l", left).transferEndpoint(), localEndpoint("r", right).transferEndpoint()
	if _, err := q.Add(transfer.Spec{Src: src, SrcPath: left + "/f", Dst: dst, DstPath: right + "/f"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, left, right, func(o *Options) { o.Queue = q })
	a.Update(queueSeedMsg(q.Jobs()))
	press(t, a, "t")
	mustContain(t, a, "Transfers (1)", "f → ")
}

func TestMoveAcrossSitesQueuesCopiesThatDeleteTheSource(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"m.txt": "moving"})
	q := newQueue(t)
	a := newTestApp(t, left, right, func(o *Options) {
		o.Queue = q
		o.Right.Transfer.ID = "other-site" // the same disk, but another site to the queue
	})
	a.panes[0].selectName("m.txt")
	press(t, a, "f6")
	mustContain(t, a, "Move to /tmp/")
	press(t, a, "o")
	pumpQueue(t, a, q, func() bool {
		return a.queue.totals.Done == 1 && a.panes[0].lookup("m.txt") == nil && a.panes[1].lookup("m.txt") != nil
	})
	if b, err := os.ReadFile(filepath.Join(right, "m.txt")); err != nil || string(b) != "moving" {
		t.Fatalf("moved file: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(left, "m.txt")); !os.IsNotExist(err) {
		t.Fatal("the source is still there")
	}
}
