package ui

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func wantPerm(t *testing.T, p string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: got %04o, want %04o", filepath.Base(p), got, want)
	}
}

func chmodT(t *testing.T, p string, m fs.FileMode) {
	t.Helper()
	if err := os.Chmod(p, m); err != nil {
		t.Fatal(err)
	}
}

// TestPermsDialog_One ticks the owner's execute box of one file and
// applies: the octal field follows the boxes.
func TestPermsDialog_One(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"a.txt": "a"})
	chmodT(t, filepath.Join(left, "a.txt"), 0o644)
	a := newTestApp(t, left, t.TempDir(), nil)
	a.panes[0].selectName("a.txt")

	press(t, a, "P")
	mustContain(t, a, "Permissions of a.txt", "644")
	press(t, a, "right", "right", "space")
	mustContain(t, a, "744")
	press(t, a, "enter")
	wantPerm(t, filepath.Join(left, "a.txt"), 0o744)
	mustContain(t, a, "permissions of 1 entries changed")
}

// TestPermsDialog_Mixed marks two files whose group write differs: it
// shows as mixed, and stays as each file has it while others' execute is
// ticked; then the octal field sets all three digits (ctrl+x c).
func TestPermsDialog_Mixed(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"a.txt": "a", "b.txt": "b"})
	chmodT(t, filepath.Join(left, "a.txt"), 0o644)
	chmodT(t, filepath.Join(left, "b.txt"), 0o664)
	a := newTestApp(t, left, t.TempDir(), nil)
	p := a.panes[0]
	for _, n := range []string{"a.txt", "b.txt"} {
		p.selectName(n)
		press(t, a, "insert")
	}
	press(t, a, "ctrl+x", "c")
	mustContain(t, a, "Permissions of 2 entries", "6x4", "[-]")
	for range 8 {
		press(t, a, "right")
	}
	press(t, a, "space")
	mustContain(t, a, "6x5")
	press(t, a, "enter")
	wantPerm(t, filepath.Join(left, "a.txt"), 0o645)
	wantPerm(t, filepath.Join(left, "b.txt"), 0o665)

	for _, n := range []string{"a.txt", "b.txt"} {
		p.selectName(n)
		press(t, a, "insert")
	}
	press(t, a, "P", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab") // to the octal field
	press(t, a, "backspace", "backspace", "backspace")
	typeText(t, a, "600")
	if d := a.dialog.(*permDialog); d.rows[0].state(0o020) != 0 {
		t.Errorf("group write after typing 600: state %d, want off", d.rows[0].state(0o020))
	}
	press(t, a, "enter")
	wantPerm(t, filepath.Join(left, "a.txt"), 0o600)
	wantPerm(t, filepath.Join(left, "b.txt"), 0o600)
}

// TestPermsDialog_Recursive gives files 644 and directories 755 in one
// action, then directories only 700.
func TestPermsDialog_Recursive(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"tree/a.txt": "a", "tree/sub/b.txt": "b"})
	tree := filepath.Join(left, "tree")
	chmodT(t, filepath.Join(tree, "a.txt"), 0o600)
	chmodT(t, filepath.Join(tree, "sub", "b.txt"), 0o600)
	chmodT(t, filepath.Join(tree, "sub"), 0o700)
	chmodT(t, tree, 0o700)
	a := newTestApp(t, left, t.TempDir(), nil)
	a.panes[0].selectName("tree")

	press(t, a, "P")
	for range 10 {
		press(t, a, "tab")
	}
	press(t, a, "space") // recursive
	mustContain(t, a, "Files", "Directories", "files and directories")
	octal := func(row int, v string) {
		t.Helper()
		a.dialog.(*permDialog).focus = 10*row + 9
		a.dialog.(*permDialog).setFocus(10*row + 9)
		press(t, a, "backspace", "backspace", "backspace")
		typeText(t, a, v)
	}
	octal(0, "644")
	octal(1, "755")
	press(t, a, "enter")
	for _, f := range []string{"a.txt", "sub/b.txt"} {
		wantPerm(t, filepath.Join(tree, f), 0o644)
	}
	for _, d := range []string{"", "sub"} {
		wantPerm(t, filepath.Join(tree, d), 0o755)
	}

	a.panes[0].selectName("tree")
	press(t, a, "P")
	for range 10 {
		press(t, a, "tab")
	}
	press(t, a, "space", "tab", "space", "space") // recursive, directories only
	mustContain(t, a, "directories only")
	octal(1, "700")
	octal(0, "600") // not applied: directories only
	press(t, a, "enter")
	wantPerm(t, filepath.Join(tree, "a.txt"), 0o644)
	wantPerm(t, filepath.Join(tree, "sub"), 0o700)
	wantPerm(t, tree, 0o700)
}
