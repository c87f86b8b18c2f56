package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSynchronizedBrowsing: with ctrl+y on, entering a directory (a real
// one, or a link to one) and going up move the other pane the same way;
// off, the other pane stays put.
func TestSynchronizedBrowsing(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"sub/a.txt": "a", "other/b.txt": "b"})
	writeFiles(t, right, map[string]string{"sub/a.txt": "a", "ldir/c.txt": "c", "other/d.txt": "d"})
	if err := os.Symlink("other", filepath.Join(left, "ldir")); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, left, right, nil)
	l, r := a.panes[0], a.panes[1]
	enter := func(name string) {
		t.Helper()
		if !l.selectName(name) {
			t.Fatalf("no %s in the left pane", name)
		}
		press(t, a, "enter")
	}
	inDir := func(p *pane, want string) {
		t.Helper()
		if !strings.HasSuffix(p.dir, want) {
			t.Fatalf("%s pane in %q, want …%s", p.ep.Name, p.dir, want)
		}
	}

	press(t, a, "ctrl+y")
	if !a.syncBrowse {
		t.Fatal("ctrl+y did not turn synchronized browsing on")
	}
	enter("sub")
	inDir(l, "/sub")
	inDir(r, "/sub")
	press(t, a, "backspace")
	inDir(l, filepath.ToSlash(filepath.Base(left)))
	inDir(r, filepath.ToSlash(filepath.Base(right)))

	enter("ldir") // a link to a directory, known as one only once followed
	inDir(l, "/ldir")
	inDir(r, "/ldir")
	mustContain(t, a, "b.txt", "c.txt")
	press(t, a, "backspace")

	press(t, a, "ctrl+y")
	enter("sub")
	inDir(l, "/sub")
	inDir(r, filepath.ToSlash(filepath.Base(right)))
}
