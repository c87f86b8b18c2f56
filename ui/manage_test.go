package ui

import (
	"context"
	"crypto/sha256"
	"fmt"
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

// stuckClient lists nothing until its context ends, as a server that
// never answers: what a canceled task must get out of.
type stuckClient struct{ *local.Client }

func (stuckClient) List(ctx context.Context, _ string) ([]protocol.Entry, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// stuckDial makes the background sessions of the left pane stuck ones.
func stuckDial(o *Options) {
	o.Left.Dial = func(context.Context) (protocol.Client, error) { return stuckClient{local.New()}, nil }
}

// dialogText is the open dialog's body without styles.
func dialogText(a *App) string {
	return ansi.Strip(strings.Join(a.dialog.body(a, 100), "\n"))
}

// mustEnd waits for a task's goroutine to finish (its channel closes).
func mustEnd(t *testing.T, tk *task) {
	t.Helper()
	select {
	case _, ok := <-tk.ch:
		if ok {
			for range tk.ch {
			}
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the task still runs 5s after Esc")
	}
}

func TestPropertiesCountsADirectoryAndSumsAFile(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"tree/a.txt": "aaaa", "tree/sub/b.txt": "bb", "tree/sub/deeper/c.txt": "c", "tree/empty/": "", "f.txt": "payload"})
	os.Symlink("..", filepath.Join(left, "tree", "sub", "up"))
	a := newTestApp(t, left, t.TempDir(), nil)
	p := a.panes[0]

	p.selectName("tree")
	press(t, a, "i")
	mustContain(t, a, "Properties of tree", "Type      directory", "7 (7 bytes) in 3 files, 3 directories, 1 links (not followed)")
	mustNotContain(t, a, "counting")
	press(t, a, "esc")
	if a.dialog != nil {
		t.Fatal("Esc left the properties open")
	}

	p.selectName("f.txt")
	press(t, a, "i")
	mustContain(t, a, "Size      7 (7 bytes)", "press c to compute", "Mode      -rw-r--r-- (0644)")
	press(t, a, "c")
	mustContain(t, a, "sha256, computed by the server:", fmt.Sprintf("%x", sha256.Sum256([]byte("payload"))))
	press(t, a, "esc")
}

func TestPropertiesEscCancelsTheCount(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"tree/a.txt": "a"})
	a := newTestApp(t, left, t.TempDir(), stuckDial)
	a.panes[0].selectName("tree")
	a.Update(keyMsg("i")) // the count starts and never ends by itself
	d, ok := a.dialog.(*propsDialog)
	if !ok {
		t.Fatalf("i opened %T, want the properties", a.dialog)
	}
	mustContain(t, a, "counting…")
	press(t, a, "esc")
	if a.dialog != nil {
		t.Fatal("Esc left the properties open")
	}
	mustEnd(t, d.size)
}

func TestFindStreamsMatchesAndEnterGoesThere(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{
		"a/Notes.TXT": "x", "a/b/notes.txt": "yy", "a/b/c/other.log": "z", "notes.txt.bak": "", "big/notes.txt": strings.Repeat("n", 5000),
	})
	a := newTestApp(t, left, t.TempDir(), nil)
	p := a.panes[0]

	press(t, a, "ctrl+f")
	mustContain(t, a, "Find below", "name (glob)", "ignore case")
	press(t, a, "backspace")
	typeText(t, a, "notes.txt")
	press(t, a, "enter")
	mustContain(t, a, "3 found", "a/Notes.TXT", "a/b/notes.txt", "big/notes.txt")
	if body := dialogText(a); strings.Contains(body, "other.log") || strings.Contains(body, "notes.txt.bak") {
		t.Fatalf("find lists what does not match:\n%s", body)
	}

	d := a.dialog.(*findDialog)
	for i, h := range d.hits {
		if strings.HasSuffix(h.path, "/a/b/notes.txt") {
			d.sel = i
		}
	}
	press(t, a, "enter")
	if a.dialog != nil {
		t.Fatal("Enter on a match left the find open")
	}
	if p.dir != filepath.ToSlash(filepath.Join(left, "a", "b")) || p.currentName() != "notes.txt" {
		t.Fatalf("pane at %s on %q, want a/b on notes.txt", p.dir, p.currentName())
	}

	t.Run("size, type and case narrow the search", func(t *testing.T) {
		press(t, a, "ctrl+f", "backspace")
		typeText(t, a, "notes.txt")
		press(t, a, "down", "space", "down", "right", "down")
		typeText(t, a, "1k")
		press(t, a, "enter")
		d := a.dialog.(*findDialog)
		if len(d.hits) != 0 {
			// The pane is in a/b now: only a/b/notes.txt is below, and it is small.
			t.Fatalf("got %d matches, want none: %+v", len(d.hits), d.hits)
		}
		press(t, a, "esc")
	})

	t.Run("a bad size is shown, not searched", func(t *testing.T) {
		press(t, a, "ctrl+f", "down", "down", "down")
		typeText(t, a, "ten")
		press(t, a, "enter")
		mustContain(t, a, `bad size "ten"`)
		press(t, a, "esc")
	})
}

func TestFindEscStopsTheWalk(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"a/x.txt": "x"})
	a := newTestApp(t, left, t.TempDir(), stuckDial)
	press(t, a, "ctrl+f")
	d := a.dialog.(*findDialog)
	a.Update(keyMsg("enter"))
	mustContain(t, a, "searching…")
	press(t, a, "esc")
	mustContain(t, a, "stopped")
	mustEnd(t, d.t)
	press(t, a, "esc")
	if a.dialog != nil {
		t.Fatal("a second Esc left the find open")
	}
}

func TestNewFileSymlinkAndCopyPath(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"target.txt": "t"})
	a := newTestApp(t, left, t.TempDir(), func(o *Options) {
		o.Left.Site = protocol.Site{Scheme: protocol.SchemeSFTP, Host: "example.com", User: "u"}
		o.Left.Local = false
	})
	p := a.panes[0]

	press(t, a, "N")
	mustContain(t, a, "New file in")
	typeText(t, a, "empty.txt")
	press(t, a, "enter")
	if st, err := os.Stat(filepath.Join(left, "empty.txt")); err != nil || st.Size() != 0 {
		t.Fatalf("N made %v, %v; want an empty file", st, err)
	}
	if p.currentName() != "empty.txt" {
		t.Fatalf("cursor on %q after N, want empty.txt", p.currentName())
	}
	press(t, a, "N")
	typeText(t, a, "target.txt")
	press(t, a, "enter")
	mustContain(t, a, "new file")
	if b, _ := os.ReadFile(filepath.Join(left, "target.txt")); string(b) != "t" {
		t.Fatalf("N over an existing file changed it to %q", b)
	}

	p.selectName("target.txt")
	press(t, a, "ctrl+x", "s")
	mustContain(t, a, "Symbolic link to target.txt")
	press(t, a, "enter")
	if got, err := os.Readlink(filepath.Join(left, "target.txt.link")); err != nil || got != "target.txt" {
		t.Fatalf("link reads %q, %v; want target.txt", got, err)
	}

	p.selectName("target.txt")
	full := filepath.ToSlash(filepath.Join(left, "target.txt"))
	for _, tc := range []struct{ key, want string }{
		{"y", full},
		{"Y", "sftp://u@example.com/" + strings.TrimPrefix(full, "/")},
	} {
		_, cmd := a.Update(keyMsg(tc.key))
		if cmd == nil {
			t.Fatalf("%s: no command", tc.key)
		}
		if got := fmt.Sprint(cmd()); got != tc.want {
			t.Fatalf("%s put %q on the clipboard, want %q", tc.key, got, tc.want)
		}
	}
}

func TestFindKeepsAtMostMaxFindHits(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	tk := &task{cancel: func() {}, ch: make(chan tea.Msg)}
	d := &findDialog{t: tk}
	batch := make([]findHit, 256)
	for range 50 {
		d.taskMsg(a, findMsg{t: tk, hits: batch})
	}
	d.taskMsg(a, findMsg{t: tk, done: true})
	if len(d.hits) != maxFindHits || d.more != 50*256-maxFindHits {
		t.Fatalf("kept %d and counted %d more, want %d and %d", len(d.hits), d.more, maxFindHits, 50*256-maxFindHits)
	}
}
