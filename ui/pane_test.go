package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

func TestListingShowsDirsFirstWithColumnsAndParent(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"b.txt": "hello", "a.txt": "x", "zdir/": "", ".hidden": "h"})
	a := newTestApp(t, left, right, nil)
	p := a.panes[0]
	var names []string
	for _, r := range p.rows {
		if r == parentRow {
			names = append(names, "..")
		} else {
			names = append(names, p.items[r].e.Name)
		}
	}
	if got, want := strings.Join(names, ","), "..,zdir,a.txt,b.txt"; got != want {
		t.Fatalf("rows = %s, want %s", got, want)
	}
	mustContain(t, a, "zdir/", "DIR", "-rw-r--r--", "Name", "Size", "Modified", "Perms", filepath.Base(left)+" ─", "[name] ─╯")
	mustNotContain(t, a, ".hidden")
	press(t, a, ".")
	mustContain(t, a, ".hidden")
}

func TestNavigationKeys(t *testing.T) {
	left := t.TempDir()
	files := map[string]string{"sub/inner.txt": "i"}
	for i := 0; i < 100; i++ {
		files[filepath.Join("f", "..", "file"+pad3(i))] = "x"
	}
	writeFiles(t, left, files)
	a := newTestApp(t, left, t.TempDir(), nil)
	p := a.panes[0]
	press(t, a, "j")
	if p.currentName() != "sub" {
		t.Fatalf("after j cursor on %q, want sub", p.currentName())
	}
	press(t, a, "G")
	if p.currentName() != "file099" {
		t.Fatalf("after G cursor on %q, want file099", p.currentName())
	}
	press(t, a, "g", "g")
	if !p.onParent() {
		t.Fatalf("after gg cursor on %q, want ..", p.currentName())
	}
	press(t, a, "pgdown")
	if p.cursor != p.height-1 {
		t.Fatalf("after pgdown cursor %d, want %d", p.cursor, p.height-1)
	}
	press(t, a, "ctrl+u")
	if want := p.height - 1 - p.height/2; p.cursor != want {
		t.Fatalf("after ctrl+u cursor %d, want %d", p.cursor, want)
	}
	press(t, a, "end")
	if p.cursor != len(p.rows)-1 {
		t.Fatal("end did not reach the last row")
	}
	// Offset keeps the cursor visible and only visible rows are drawn.
	if p.offset+p.height <= p.cursor || p.offset > p.cursor {
		t.Fatalf("cursor %d outside view [%d,%d)", p.cursor, p.offset, p.offset+p.height)
	}
	mustContain(t, a, "file099")
	mustNotContain(t, a, "file010")
	press(t, a, "home", "j", "enter")
	if !strings.HasSuffix(p.dir, "/sub") {
		t.Fatalf("enter went to %q, want …/sub", p.dir)
	}
	mustContain(t, a, "inner.txt")
	press(t, a, "backspace")
	if p.currentName() != "sub" {
		t.Fatalf("going up left the cursor on %q, want sub", p.currentName())
	}
	press(t, a, "l")
	if !strings.HasSuffix(p.dir, "/sub") {
		t.Fatal("l did not open the directory")
	}
	press(t, a, "h")
	press(t, a, "tab")
	if a.focus != 1 {
		t.Fatal("tab did not switch panes")
	}
}

func pad3(i int) string {
	s := "00" + itoa(i)
	return s[len(s)-3:]
}

func TestMarkingAndStatus(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"a.go": "12345", "b.go": "123", "c.txt": "1", "d.txt": "12"})
	a := newTestApp(t, left, t.TempDir(), nil)
	p := a.panes[0]
	press(t, a, "j", "space", "insert")
	if p.markedN != 2 || p.markedSize != 8 {
		t.Fatalf("marked %d (%d bytes), want 2 (8 bytes)", p.markedN, p.markedSize)
	}
	mustContain(t, a, "2 marked, 8")
	press(t, a, "*")
	if p.markedN != 2 || !p.lookup("c.txt").marked || p.lookup("a.go").marked {
		t.Fatal("* did not invert the marks")
	}
	press(t, a, "-")
	if a.dialog == nil {
		t.Fatal("- opened no dialog")
	}
	press(t, a, "ctrl+u") // clear the prefilled "*"
	typeText(t, a, "*.txt")
	press(t, a, "enter")
	if p.markedN != 0 {
		t.Fatalf("after unmarking *.txt %d remain marked", p.markedN)
	}
	press(t, a, "+", "ctrl+u")
	typeText(t, a, "*.go")
	press(t, a, "enter")
	if p.markedN != 2 || !p.lookup("a.go").marked || !p.lookup("b.go").marked {
		t.Fatalf("+ *.go marked %d", p.markedN)
	}
	mustContain(t, a, "+a.go")
}

func TestFilterJumpSort(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"apple.txt": "1", "banana.md": "22", "zebra.go": "333", "zulu.txt": "4444"})
	now := time.Now()
	os.Chtimes(filepath.Join(left, "apple.txt"), now, now.Add(-time.Hour))
	a := newTestApp(t, left, t.TempDir(), nil)
	p := a.panes[0]

	press(t, a, "/")
	typeText(t, a, "zb")
	if len(p.rows) != 1 || p.currentName() != "zebra.go" {
		t.Fatalf("filter zb kept %d rows, cursor %q", len(p.rows), p.currentName())
	}
	mustContain(t, a, "filter: zb")
	press(t, a, "esc")
	if len(p.rows) != 5 {
		t.Fatalf("esc left %d rows, want 5", len(p.rows))
	}

	// "z" is bound to nothing, so typing jumps.
	typeText(t, a, "zu")
	if p.currentName() != "zulu.txt" {
		t.Fatalf("jump zu landed on %q", p.currentName())
	}
	press(t, a, "esc")
	// ctrl+s starts a jump even with letters that are bound ("b", "a").
	press(t, a, "ctrl+s")
	typeText(t, a, "ba")
	if p.currentName() != "banana.md" {
		t.Fatalf("ctrl+s jump landed on %q", p.currentName())
	}
	press(t, a, "esc")

	press(t, a, "s", "s") // ext, then size
	if p.sort != sortSize {
		t.Fatalf("sort = %v, want size", p.sort)
	}
	if p.items[p.rows[1]].e.Name != "apple.txt" {
		t.Fatalf("size sort first is %q", p.items[p.rows[1]].e.Name)
	}
	press(t, a, "S")
	if p.items[p.rows[1]].e.Name != "zulu.txt" {
		t.Fatalf("reverse size sort first is %q", p.items[p.rows[1]].e.Name)
	}
	mustContain(t, a, "[size↓]")
}

func TestResizeKeepsEveryLineInsideTheWindow(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{strings.Repeat("long-name-", 20) + ".txt": "x", "日本語ファイル名.txt": "y"})
	a := newTestApp(t, left, t.TempDir(), nil)
	for _, sz := range [][2]int{{80, 24}, {200, 60}, {100, 30}, {40, 12}, {30, 10}} {
		a.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for _, showQ := range []bool{false, true} {
			a.showQueue = showQ
			a.layout()
			lines := strings.Split(screenText(a), "\n")
			if len(lines) != sz[1] {
				t.Fatalf("%dx%d queue=%v: %d lines", sz[0], sz[1], showQ, len(lines))
			}
			for i, l := range lines {
				if w := visibleWidth(l); w != sz[0] {
					t.Fatalf("%dx%d: line %d is %d cells wide: %q", sz[0], sz[1], i, w, l)
				}
			}
		}
	}
	for _, sz := range [][2]int{{0, 0}, {10, 3}, {1, 1}} {
		a.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		if s := screenText(a); !strings.Contains(s, "too small") && sz[0] >= 10 {
			t.Fatalf("%v: %q", sz, s)
		}
	}
}

func TestUnparsedListingLinesAreShownNotActedOn(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	p := a.panes[0]
	p.setListing(p.dir, []protocol.Entry{{Name: "ok.txt", Size: 1}, {Raw: "weird line from a server"}})
	mustContain(t, a, "weird line from a server", "ok.txt")
	p.selectName("ok.txt")
	press(t, a, "G")
	if it := p.current(); it == nil || it.e.Name != "" {
		t.Fatal("cursor not on the raw line")
	}
	if sel := p.selection(); len(sel) != 0 {
		t.Fatalf("a raw line is selectable: %v", sel)
	}
}
