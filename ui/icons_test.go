package ui

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestIconCellsAreTwoCells(t *testing.T) {
	s := newIconSet()
	all := []string{s.dir, s.file, s.link, s.exec, s.special}
	for _, c := range s.exts {
		all = append(all, c)
	}
	for _, c := range s.names {
		all = append(all, c)
	}
	for _, c := range all {
		if w := ansi.StringWidth(c); w != iconCellWidth {
			t.Errorf("icon %q is %d cells, want %d", c, w, iconCellWidth)
		}
	}
}

func TestIconFor(t *testing.T) {
	s := newIconSet()
	for _, tc := range []struct {
		name string
		mode fs.FileMode
		want string
	}{
		{"src", fs.ModeDir | 0o755, iconDir}, {"main.go", 0o644, "\ue627"},
		{"Makefile", 0o644, "\uf0ad"}, {"PHOTO.JPG", 0o644, iconImage},
		{"run", 0o755, iconExec}, {"data.bin", 0o644, iconFile},
		{"l", fs.ModeSymlink | 0o777, iconLink}, {"a.tar", 0o644, iconArchive},
	} {
		e, lower := entry(tc.name, tc.mode)
		if got := s.cell(e, lower); got != iconCell(tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, iconCell(tc.want))
		}
	}
}

// rowOf is the screen line showing name, and the cell where name starts.
func rowOf(t *testing.T, screen, name string) (string, int) {
	t.Helper()
	for _, l := range strings.Split(ansi.Strip(screen), "\n") {
		if i := strings.Index(l, name); i >= 0 {
			return l, ansi.StringWidth(l[:i])
		}
	}
	t.Fatalf("%q not on screen:\n%s", name, ansi.Strip(screen))
	return "", 0
}

func TestIconsKeepRowWidths(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "src"), 0o755)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "日本語のファイル.txt"), nil, 0o644)
	plain := newTestApp(t, dir, dir, func(o *Options) { o.NoColor = false })
	icons := newTestApp(t, dir, dir, func(o *Options) { o.NoColor = false; o.Icons = true })
	for _, name := range []string{"main.go", "日本語のファイル.txt", "src/"} {
		pl, px := rowOf(t, plain.View().Content, name)
		il, ix := rowOf(t, icons.View().Content, name)
		if pw, iw := ansi.StringWidth(pl), ansi.StringWidth(il); pw != iw || iw != 120 {
			t.Errorf("%s: row is %d cells with icons, %d without; want 120\n%q\n%q", name, iw, pw, il, pl)
		}
		if ix != px+iconCellWidth {
			t.Errorf("%s: name at cell %d with icons, %d without; want it %d further", name, ix, px, iconCellWidth)
		}
	}
	// The golden of one row: the icon, a space, the name, as the plain row
	// has them without the icon.
	il, _ := rowOf(t, icons.View().Content, "main.go")
	if !strings.Contains(il, "\ue627 main.go ") {
		t.Errorf("row with icons %q lacks %q", il, "\ue627 main.go ")
	}
	pl, _ := rowOf(t, plain.View().Content, "main.go")
	if strings.ContainsRune(pl, '\ue627') {
		t.Errorf("icons are off by default, got %q", pl)
	}
}
