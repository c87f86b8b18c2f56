package ui

import (
	"context"
	"errors"
	"io"
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

// aliasClient is a local Client that serves the file at real under the
// name shown, so a viewer's title is the same on every machine.
type aliasClient struct {
	*local.Client
	shown, real string
}

func (c aliasClient) path(p string) string {
	if p == c.shown {
		return c.real
	}
	return p
}

func (c aliasClient) Open(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
	return c.Client.Open(ctx, c.path(p), off)
}

func (c aliasClient) Stat(ctx context.Context, p string) (protocol.Entry, error) {
	return c.Client.Stat(ctx, c.path(p))
}

// viewerAt opens the viewer, w×h, on content shown as the file at path.
func viewerAt(t *testing.T, path string, content []byte, w, h int) *App {
	t.Helper()
	real := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(real, content, 0o644); err != nil {
		t.Fatal(err)
	}
	c := aliasClient{local.New(), path, filepath.ToSlash(real)}
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) {
		o.Left.Client = c
		o.Left.Dial = func(context.Context) (protocol.Client, error) { return c, nil }
	})
	a.Update(tea.WindowSizeMsg{Width: w, Height: h})
	run(t, a, a.viewPath(0, path, int64(len(content))))
	if a.screen != screenPager || a.pager == nil || a.pager.err != nil {
		t.Fatalf("the viewer did not open %s: %v", path, a.pager)
	}
	return a
}

// goldenText is a small text file with a tab, a long line and a wide rune.
func goldenText() []byte {
	var b strings.Builder
	b.WriteString("# Notes\n\n")
	b.WriteString("Transfers resume where they stopped;\tthe queue survives a restart.\n")
	b.WriteString("A long line: " + strings.Repeat("lorem ipsum dolor sit amet ", 8) + "END\n")
	b.WriteString("Wide runes: 日本語のファイル名 are two cells each.\n")
	for i := 1; i <= 25; i++ {
		b.WriteString("line " + pad3(i) + "\n")
	}
	return []byte(b.String())
}

// goldenBinary is 300 bytes holding NULs, so it opens as a hex dump.
func goldenBinary() []byte {
	b := make([]byte, 300)
	for i := range b {
		b[i] = byte(i * 7)
	}
	copy(b[16:], "ferry hex view")
	return b
}

// goldenLog is a message log with every kind of line, at fixed times.
func goldenLog(a *App) {
	a.log = newLogView()
	at := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	for i, l := range []string{
		"* demo@files.example.com connected (SFTP · ssh-ed25519 · aes128-gcm@openssh.com)",
		"> USER alice", "< 331 Password required", "> PASS ****", "< 230 Logged in",
		"> CWD /srv/www", "< 250 Directory changed to /srv/www, a reply long enough to be cut in every window narrower than a hundred and sixty columns",
		"> PASV", "< 227 Entering Passive Mode (127,0,0,1,195,80)", "> RETR index.html",
		"< 150 Opening BINARY mode data connection", "< 226 Transfer complete",
		"= downloaded /srv/www/index.html → /home/alice/index.html (512 B)",
		"! upload /home/alice/big.iso: permission denied",
		"* watch: 3 files up to date", "> QUIT", "< 221 Goodbye",
		"* demo@files.example.com closed",
	} {
		a.log.add(at.Add(time.Duration(i)*time.Second), l)
	}
}

// fullScreens opens each full screen at w×h: help, the message log, the
// viewer on text and on a binary file.
var fullScreens = []struct {
	name string
	open func(t *testing.T, w, h int) *App
}{
	{"help", func(t *testing.T, w, h int) *App {
		a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
		a.Update(tea.WindowSizeMsg{Width: w, Height: h})
		press(t, a, "f1")
		return a
	}},
	{"log", func(t *testing.T, w, h int) *App {
		a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
		a.Update(tea.WindowSizeMsg{Width: w, Height: h})
		goldenLog(a)
		press(t, a, "f9")
		return a
	}},
	{"pager", func(t *testing.T, w, h int) *App {
		return viewerAt(t, "/home/alice/projects/ferry/docs/release-notes/notes.txt", goldenText(), w, h)
	}},
	{"hex", func(t *testing.T, w, h int) *App {
		return viewerAt(t, "/srv/www/assets/images/logo.bin", goldenBinary(), w, h)
	}},
}

// checkScreenFrame asserts that a full screen is a.h lines of exactly a.w
// cells, framed: rounded corners, a side and a blank margin cell at either
// end of every row between the borders.
func checkScreenFrame(t *testing.T, a *App, s string) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != a.h {
		t.Errorf("%d×%d: %d lines, want %d", a.w, a.h, len(lines), a.h)
		return
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n != a.w {
			t.Errorf("%d×%d: line %d is %d cells, want %d: %q", a.w, a.h, i, n, a.w, l)
		}
	}
	ends := func(y int, l, r string) {
		t.Helper()
		if !strings.HasPrefix(lines[y], l) || !strings.HasSuffix(lines[y], r) {
			t.Errorf("%d×%d: row %d does not run from %q to %q: %q", a.w, a.h, y, l, r, lines[y])
		}
	}
	ends(0, frameTL+frameH, frameH+frameTR)
	ends(a.h-1, frameBL+frameH, frameH+frameBR)
	// A hex dump gives up its margins rather than the end of its lines
	// (fullScreen.columns); everything else keeps a blank cell each side.
	tight := a.screen == screenPager && a.pager != nil && a.pager.hex && a.w-2 >= hexLineCells && a.w-4 < hexLineCells
	for y := 1; y < a.h-1; y++ {
		if tight {
			ends(y, frameV, frameV)
		} else {
			ends(y, frameV+" ", " "+frameV)
		}
	}
}

// hexLineCells is how wide a hex dump line of a small file is.
var hexLineCells = visibleWidth(hexLine(0, 8, make([]byte, hexWidth)))

func TestFullScreensGolden(t *testing.T) {
	for _, sc := range fullScreens {
		for _, w := range goldenWidths {
			a := sc.open(t, w, 16)
			got := screenText(a)
			checkScreenFrame(t, a, got)
			checkGolden(t, sc.name+"-"+itoa(w)+".txt", got)
		}
	}
}

// TestFullScreensFitEveryWidth draws each full screen at every width from
// the smallest ferry draws in, and at a few heights.
func TestFullScreensFitEveryWidth(t *testing.T) {
	for _, sc := range fullScreens {
		a := sc.open(t, 120, 16)
		for _, wh := range [][2]int{{minWidth, minHeight}, {31, 12}, {33, 40}, {37, 10}, {45, 16}, {52, 20}, {64, 16}, {79, 24}, {99, 24}, {100, 24}, {101, 24}, {139, 30}, {200, 50}, {400, 12}} {
			a.Update(tea.WindowSizeMsg{Width: wh[0], Height: wh[1]})
			checkScreenFrame(t, a, screenText(a))
		}
		for w := minWidth; w <= 170; w++ {
			a.Update(tea.WindowSizeMsg{Width: w, Height: 14})
			checkScreenFrame(t, a, screenText(a))
		}
	}
}

// TestColouredFullScreenFits draws the screens with the colour theme: the
// labels' styles must not count as cells.
func TestColouredFullScreenFits(t *testing.T) {
	for _, sc := range fullScreens {
		a := sc.open(t, 80, 16)
		a.th = newTheme(themeOptions{dark: true})
		for _, w := range []int{minWidth, 47, 80, 133} {
			a.Update(tea.WindowSizeMsg{Width: w, Height: 16})
			s := a.View().Content
			if !strings.Contains(s, "\x1b[") {
				t.Fatalf("%s: no colour drawn", sc.name)
			}
			for i, l := range strings.Split(s, "\n") {
				if n := ansi.StringWidth(l); n != w {
					t.Errorf("%s, %d columns: line %d is %d cells: %q", sc.name, w, i, n, l)
				}
			}
		}
	}
}

func TestFullScreenBordersGiveWayInOrder(t *testing.T) {
	t.Run("the viewer keeps the path's end and sheds the mode's words first", func(t *testing.T) {
		a := viewerAt(t, "/home/alice/projects/ferry/a/very/deep/tree/of/directories/latin1.txt", []byte("caf\xe9 cr\xe8me\n"), 160, 16)
		top := strings.Split(screenText(a), "\n")[0]
		for _, want := range []string{"/home/alice/projects/ferry/a/very/deep/tree/of/directories/latin1.txt", "11 · 8-bit text, read as Windows-1252"} {
			if !strings.Contains(top, want) {
				t.Errorf("160 columns: top border %q lacks %q", top, want)
			}
		}
		a.Update(tea.WindowSizeMsg{Width: 60, Height: 16})
		top = strings.Split(screenText(a), "\n")[0]
		if !strings.Contains(top, "directories/latin1.txt ") || !strings.Contains(top, "… ") && !strings.Contains(top, " …") {
			t.Errorf("60 columns: top border %q does not keep the path's end", top)
		}
		if !strings.Contains(top, " 11 · 8-bit text ") {
			t.Errorf("60 columns: top border %q lacks the short mode", top)
		}
		a.Update(tea.WindowSizeMsg{Width: minWidth, Height: 16})
		top = strings.Split(screenText(a), "\n")[0]
		if !strings.Contains(top, "latin1.txt") {
			t.Errorf("%d columns: top border %q lost the file's name", minWidth, top)
		}
	})
	t.Run("the position shortens, the way out stays and the other hints go from the end", func(t *testing.T) {
		a := viewerAt(t, "/srv/www/assets/images/logo.bin", goldenBinary(), 160, 16)
		bottom := func() string {
			l := strings.Split(screenText(a), "\n")
			return l[len(l)-1]
		}
		for _, want := range []string{"offset 00000000 of 300  73%", "q/esc close", "F4/x text", "↑↓ pgup pgdn scroll", "g G start/end"} {
			if !strings.Contains(bottom(), want) {
				t.Errorf("160 columns: bottom border %q lacks %q", bottom(), want)
			}
		}
		a.Update(tea.WindowSizeMsg{Width: 60, Height: 16})
		if b := bottom(); !strings.Contains(b, "offset 00000000 of 300  73%") || !strings.Contains(b, "q/esc close") || strings.Contains(b, "start/end") {
			t.Errorf("60 columns: bottom border %q, want the position and the first hints only", b)
		}
		a.Update(tea.WindowSizeMsg{Width: 40, Height: 16})
		if b := bottom(); !strings.Contains(b, "─ 00000000  73% ─") || !strings.Contains(b, "q/esc close") || strings.Contains(b, "F4/x") {
			t.Errorf("40 columns: bottom border %q, want the offset and percentage, and the way out", b)
		}
		a.Update(tea.WindowSizeMsg{Width: minWidth, Height: 16})
		if b := bottom(); !strings.Contains(b, "─ 73% ─") || !strings.Contains(b, "q/esc close") {
			t.Errorf("%d columns: bottom border %q, want the percentage and the way out", minWidth, b)
		}
	})
	t.Run("an error shows in the bottom border", func(t *testing.T) {
		a := viewerAt(t, "/srv/notes.txt", []byte("short\n"), 80, 16)
		a.pager.err = errors.New("read /srv/notes.txt: connection lost")
		mustContain(t, a, "line 1/1  read /srv/notes.txt: connection lost")
		checkScreenFrame(t, a, screenText(a))
	})
}

// TestFullScreensPageByTheirFrame checks that paging moves by the rows
// inside the frame, and that the last page ends on the last line.
func TestFullScreensPageByTheirFrame(t *testing.T) {
	const h = 12
	rows := h - 2
	t.Run("viewer", func(t *testing.T) {
		a := viewerAt(t, "/srv/notes.txt", goldenText(), 80, h)
		press(t, a, "pgdown")
		if a.pager.top != rows {
			t.Fatalf("pgdown moved to line %d, want %d", a.pager.top, rows)
		}
		press(t, a, "G")
		body := viewerLines(a)
		if len(body) != rows || body[rows-1] != "line 025" {
			t.Fatalf("the end shows %q", body)
		}
		mustContain(t, a, "line "+itoa(len(a.pager.lines)-rows+1)+"/"+itoa(len(a.pager.lines))+"  end")
	})
	t.Run("log", func(t *testing.T) {
		a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
		a.Update(tea.WindowSizeMsg{Width: 80, Height: h})
		goldenLog(a)
		press(t, a, "f9")
		mustContain(t, a, "line 9/18  following", "18 lines", "* demo@files.example.com closed")
		press(t, a, "g")
		mustContain(t, a, "line 1/18", "09:26:53 * demo@files.example.com connected")
		mustNotContain(t, a, "following")
		press(t, a, "pgdown")
		if a.log.top != rows-2 || !a.log.follow {
			// 18 lines, 10 rows: a page down from the top reaches the end.
			t.Fatalf("pgdown: top %d, follow %v", a.log.top, a.log.follow)
		}
	})
	t.Run("help", func(t *testing.T) {
		a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
		a.Update(tea.WindowSizeMsg{Width: 80, Height: h})
		press(t, a, "f1")
		n := len(a.helpLines())
		mustContain(t, a, "lines 1–"+itoa(rows)+" of "+itoa(n))
		press(t, a, "pgdown")
		mustContain(t, a, "lines "+itoa(rows+1)+"–"+itoa(2*rows)+" of "+itoa(n))
		a.Update(tea.WindowSizeMsg{Width: 120, Height: h})
		mustContain(t, a, "lines "+itoa(rows+1)+"–"+itoa(3*rows)+" of "+itoa(n))
	})
}

// TestFullScreensScrollByWheel checks that the wheel still scrolls each
// full screen, and that the viewer stops where its last page fills the
// frame.
func TestFullScreensScrollByWheel(t *testing.T) {
	const h = 12
	wheel := func(a *App, b tea.MouseButton) {
		_, c := a.Update(tea.MouseWheelMsg{X: 10, Y: 5, Button: b})
		run(t, a, c)
	}
	a := viewerAt(t, "/srv/notes.txt", goldenText(), 80, h)
	wheel(a, tea.MouseWheelDown)
	if a.pager.top != wheelStep {
		t.Fatalf("viewer: the wheel moved to line %d, want %d", a.pager.top, wheelStep)
	}
	for range 20 {
		wheel(a, tea.MouseWheelDown)
	}
	if want := len(a.pager.lines) - (h - 2); a.pager.top != want {
		t.Fatalf("viewer: the wheel stopped at line %d, want %d", a.pager.top, want)
	}
	checkScreenFrame(t, a, screenText(a))

	a = newTestApp(t, t.TempDir(), t.TempDir(), nil)
	a.Update(tea.WindowSizeMsg{Width: 80, Height: h})
	goldenLog(a)
	press(t, a, "f9")
	screenText(a) // follows the end
	wheel(a, tea.MouseWheelUp)
	if want := 18 - (h - 2) - wheelStep; a.log.top != want || a.log.follow {
		t.Fatalf("log: the wheel moved to line %d (follow %v), want %d", a.log.top, a.log.follow, want)
	}
	mustContain(t, a, "line "+itoa(18-(h-2)-wheelStep+1)+"/18")

	a = newTestApp(t, t.TempDir(), t.TempDir(), nil)
	a.Update(tea.WindowSizeMsg{Width: 80, Height: h})
	press(t, a, "f1")
	wheel(a, tea.MouseWheelDown)
	mustContain(t, a, "lines "+itoa(wheelStep+1)+"–")
}
