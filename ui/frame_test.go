package ui

import (
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/ferryhq/ferry/protocol"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/frame")

// goldenApp is a main screen that looks the same on every machine: fixed
// paths and names, no times (they would follow the clock and the zone).
func goldenApp(t *testing.T, w, h int, mods ...func(*Options)) *App {
	t.Helper()
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) {
		for _, m := range mods {
			m(o)
		}
	})
	a.panes[0].setListing("/home/alice/projects/ferry", []protocol.Entry{
		{Name: "docs", Mode: fs.ModeDir | 0o755},
		{Name: "main.go", Size: 1234, Mode: 0o644},
		{Name: "a file with a rather long name.txt", Size: 5 << 20, Mode: 0o644},
		{Name: "run.sh", Size: 90, Mode: 0o755},
	})
	a.panes[1].setListing("/srv/www", []protocol.Entry{
		{Name: "index.html", Size: 512, Mode: 0o644, Owner: "www", Group: "www-data"},
		{Name: "assets", Mode: fs.ModeDir | 0o755, Owner: "www", Group: "www-data"},
	})
	p := a.panes[1]
	p.ep.Name, p.ep.Local, p.security, p.encrypted = "demo@files.example.com:2222", false, "SFTP · ssh-ed25519 · aes128-gcm@openssh.com", true
	a.panes[0].setCursor(3) // main.go, marked: the bottom border shows the total
	a.panes[0].toggleMark()
	a.status = ""
	a.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return a
}

// checkFrames asserts that every line of s fits w cells and that the
// panes' corners are where the geometry puts them.
func checkFrames(t *testing.T, a *App, s string) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != a.h {
		t.Errorf("%d×%d: %d lines, want %d", a.w, a.h, len(lines), a.h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n != a.w {
			t.Errorf("%d×%d: line %d is %d cells, want %d: %q", a.w, a.h, i, n, a.w, l)
		}
	}
	g := a.geom()
	bottom := g.listTop + g.listRows
	type box struct{ x, w int }
	boxes := []box{{0, g.leftW}}
	if !g.single {
		boxes = append(boxes, box{g.leftW, g.rightW})
	}
	at := func(y, x int) string {
		r := []rune(lines[y])
		if x >= len(r) {
			return ""
		}
		return string(r[x])
	}
	for _, b := range boxes {
		for _, c := range []struct {
			y, x int
			want string
		}{
			{0, b.x, frameTL}, {0, b.x + b.w - 1, frameTR},
			{bottom, b.x, frameBL}, {bottom, b.x + b.w - 1, frameBR},
		} {
			if got := at(c.y, c.x); got != c.want {
				t.Errorf("%d×%d: cell (%d,%d) is %q, want %q", a.w, a.h, c.x, c.y, got, c.want)
			}
		}
		for y := 1; y < bottom; y++ {
			if at(y, b.x) != frameV || at(y, b.x+b.w-1) != frameV {
				t.Errorf("%d×%d: row %d lacks the sides at %d and %d: %q", a.w, a.h, y, b.x, b.x+b.w-1, lines[y])
			}
		}
	}
}

func TestMainScreenGolden(t *testing.T) {
	for _, w := range goldenWidths {
		a := goldenApp(t, w, 16)
		got := screenText(a)
		checkFrames(t, a, got)
		checkGolden(t, "main-"+itoa(w)+".txt", got)
	}
}

// goldenWidths are the window widths every golden screen is kept at: one
// pane at a time, the smallest two-pane window, a common one, a wide one.
var goldenWidths = []int{60, 80, 120, 160}

// checkGolden compares got with testdata/frame/NAME, or rewrites the file
// under -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", "frame", name)
	if *updateGolden {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -run %s -update)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("screen differs from %s:\n%s\nwant:\n%s", file, got, want)
	}
}

func TestLayoutColumnsFollowTheWidth(t *testing.T) {
	for _, tc := range []struct {
		w          int
		want, lack []string
	}{
		{60, []string{"1/2 "}, []string{"/srv/www", "Owner"}},
		{80, []string{"projects/ferry", "…www ─ demo@files.example.com:2222 ─╮"}, []string{"Owner", "1/2"}},
		{160, []string{"Owner", "www:www-data", "Perms"}, nil},
	} {
		a := goldenApp(t, tc.w, 16)
		s := screenText(a)
		for _, x := range tc.want {
			if !strings.Contains(s, x) {
				t.Errorf("%d columns: screen lacks %q:\n%s", tc.w, x, s)
			}
		}
		for _, x := range tc.lack {
			if strings.Contains(s, x) {
				t.Errorf("%d columns: screen shows %q:\n%s", tc.w, x, s)
			}
		}
	}
}

func TestNarrowScreenTabShowsTheOtherPane(t *testing.T) {
	a := goldenApp(t, 60, 16)
	mustContain(t, a, "1/2 /home/alice/projects/ferry")
	mustNotContain(t, a, "index.html")
	press(t, a, "tab")
	mustContain(t, a, "2/2 /srv/www", "index.html")
	checkFrames(t, a, screenText(a))
	// A click anywhere lands in the pane on screen.
	g := a.geom()
	a.Update(tea.MouseClickMsg{X: 50, Y: g.listTop + 1, Button: tea.MouseLeft})
	if a.focus != 1 || a.panes[1].cursor != 1 {
		t.Errorf("click at x=50: focus %d, cursor %d; want pane 1, row 1", a.focus, a.panes[1].cursor)
	}
}

func TestResizeKeepsFramesWhole(t *testing.T) {
	a := goldenApp(t, 160, 30)
	for _, wh := range [][2]int{{120, 20}, {79, 24}, {80, 12}, {61, 40}, {200, 50}, {140, 16}, {139, 16}} {
		a.Update(tea.WindowSizeMsg{Width: wh[0], Height: wh[1]})
		checkFrames(t, a, screenText(a))
	}
}

// TestDialogsStayInsideTheirFrame opens the host-key dialog, whose answers
// are the widest line, at many widths: every cell of the box's left and
// right edge must be border, never an answer run over it.
func TestDialogsStayInsideTheirFrame(t *testing.T) {
	for _, w := range []int{40, 50, 60, 72, 80, 100, 120, 160} {
		a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) { o.NoColor = false })
		a.Update(tea.WindowSizeMsg{Width: w, Height: 30})
		go a.Prompter().Trust(context.Background(), protocol.TrustRequest{ //nolint:errcheck
			Kind: protocol.TrustHostKey, Host: "a-rather-long-host-name.example.com:22", KeyType: "ssh-ed25519", Fingerprint: "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
		})
		deliverPrompt(t, a)
		for _, sel := range []string{"", "right", "right"} {
			if sel != "" {
				press(t, a, sel)
			}
			s := screenText(a)
			lines := strings.Split(s, "\n")
			_, inner, _, _ := a.dialogBox(0)
			boxW, _, x0, y0 := a.dialogBox(len(a.dialog.body(a, inner)))
			for i, l := range lines {
				if n := ansi.StringWidth(l); n > w {
					t.Errorf("%d columns: line %d is %d cells: %q", w, i, n, l)
				}
			}
			n := len(a.dialog.body(a, inner)) + 2
			for y := y0; y < y0+n && y < len(lines); y++ {
				r := []rune(lines[y])
				l, rt := string(r[x0]), string(r[x0+boxW-1])
				if !strings.Contains("╭│╰", l) || !strings.Contains("╮│╯", rt) {
					t.Errorf("%d columns, answer %q: row %d has %q at the left edge and %q at the right: %q", w, sel, y, l, rt, lines[y])
				}
			}
		}
		press(t, a, "esc")
	}
}

// TestEveryDialogStaysInsideItsFrame opens each dialog a key opens, at
// narrow and wide windows, and checks its edges are border on every row.
func TestEveryDialogStaysInsideItsFrame(t *testing.T) {
	for _, w := range []int{40, 60, 80, 120} {
		left := t.TempDir()
		writeFiles(t, left, map[string]string{"a file with a long name to copy.txt": "x", "sub/inner.txt": "i"})
		a := newTestApp(t, left, t.TempDir(), nil)
		a.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		press(t, a, "j", "j")
		for _, k := range []string{"c", "m", "n", "delete", "o", "i", "ctrl+f", "N", "P", "+", "ctrl+x s"} {
			press(t, a, strings.Fields(k)...)
			if a.dialog == nil {
				continue
			}
			s := screenText(a)
			lines := strings.Split(s, "\n")
			boxW, inner, _, _ := a.dialogBox(0)
			n := len(a.dialog.body(a, inner))
			_, _, x0, y0 := a.dialogBox(n)
			for i, l := range lines {
				if c := ansi.StringWidth(l); c > w {
					t.Errorf("%d columns, %s: line %d is %d cells: %q", w, k, i, c, l)
				}
			}
			for y := y0; y < min(y0+n+2, a.h, len(lines)); y++ {
				r := []rune(lines[y])
				if x0+boxW > len(r) {
					t.Errorf("%d columns, %s: row %d is short: %q", w, k, y, lines[y])
					continue
				}
				l, rt := string(r[x0]), string(r[x0+boxW-1])
				if !strings.Contains("╭│╰", l) || !strings.Contains("╮│╯", rt) {
					t.Errorf("%d columns, %s: row %d has %q at the left edge and %q at the right:\n%s", w, k, y, l, rt, s)
					break
				}
			}
			for a.dialog != nil {
				press(t, a, "esc")
			}
		}
	}
}

// TestBadgeColourFollowsTheConnection: an unencrypted session's badge is in
// the warning colour, a pane not connected (yet, or any more) dims it.
func TestBadgeColourFollowsTheConnection(t *testing.T) {
	a := goldenApp(t, 120, 16, func(o *Options) { o.NoColor = false })
	p := a.panes[1]
	p.security, p.encrypted = "FTP · unencrypted", false
	if top := a.topBorder(1, 60, false, false); !strings.Contains(top, string(a.th.insecure)+"FTP") {
		t.Errorf("connected, unencrypted: %q lacks the warning colour", top)
	}
	p.lost = true
	if top := a.topBorder(1, 60, false, false); !strings.Contains(top, string(a.th.dim)+"FTP") {
		t.Errorf("lost: %q, want the badge dimmed", top)
	}
}
