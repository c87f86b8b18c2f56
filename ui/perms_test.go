package ui

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/ftp"
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
	mustContain(t, a, "permissions of 1 entry changed")
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

// TestPermsDialog_FTP sets a mode over FTP (SITE CHMOD on the demo
// server), and shows a read-only server's refusal in its own words.
func TestPermsDialog_FTP(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		root := t.TempDir()
		writeFiles(t, root, map[string]string{"index.html": "hi"})
		chmodT(t, filepath.Join(root, "index.html"), 0o600)
		srv, err := ftpd.Start(ctx, ftpd.Options{Root: root, ReadOnly: readOnly, Users: map[string]string{"demo": "pw"}})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		site, err := protocol.Parse("ftp://demo@" + srv.Addr() + "/")
		if err != nil {
			t.Fatal(err)
		}
		cfg := ftp.Config{Password: "pw", Timeout: 10 * time.Second}
		remote := Endpoint{Name: "demo@" + srv.Addr(), Site: site,
			Dial: func(ctx context.Context) (protocol.Client, error) { return ftp.Dial(ctx, site, cfg) }}
		a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) { o.Right = remote })
		a.focus = 1
		if !a.panes[1].selectName("index.html") {
			t.Fatalf("index.html not listed: %q, dir %q, %d items\n%s", a.panes[1].err, a.panes[1].dir, len(a.panes[1].items), screenText(a))
		}
		press(t, a, "P", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "backspace", "backspace", "backspace")
		typeText(t, a, "644")
		press(t, a, "enter")
		if readOnly {
			mustContain(t, a, "550 Permission denied")
			wantPerm(t, filepath.Join(root, "index.html"), 0o600)
			continue
		}
		wantPerm(t, filepath.Join(root, "index.html"), 0o644)
		mustContain(t, a, "-rw-r--r--")
	}
}
