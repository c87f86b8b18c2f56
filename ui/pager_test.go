package ui

import (
	"bytes"
	tea "charm.land/bubbletea/v2"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
)

// meteredClient is a local Client that counts the bytes read from the files
// it opens.
type meteredClient struct {
	*local.Client
	read *atomic.Int64
}

func (c meteredClient) Open(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
	r, err := c.Client.Open(ctx, p, off)
	if err != nil {
		return nil, err
	}
	return meteredReader{r, c.read}, nil
}

type meteredReader struct {
	io.ReadCloser
	read *atomic.Int64
}

func (r meteredReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	r.read.Add(int64(n))
	return n, err
}

// viewerLines returns the viewer's body: the screen without its frame (the
// borders, the sides and their margins), each line with its trailing blanks
// trimmed.
func viewerLines(a *App) []string {
	lines := strings.Split(screenText(a), "\n")
	lines = lines[1 : len(lines)-1]
	for i, l := range lines {
		l = strings.TrimSuffix(strings.TrimPrefix(l, frameV+" "), " "+frameV)
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}

// openViewer writes name with content into a fresh left pane and views it.
func openViewer(t *testing.T, name string, content []byte) *App {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, dir, t.TempDir(), nil)
	a.panes[0].selectName(name)
	press(t, a, "f3")
	if a.screen != screenPager || a.pager == nil {
		t.Fatalf("f3 on %s did not open the viewer (status %q)", name, a.status)
	}
	return a
}

func TestViewerShowsABinaryFileAsAHexDump(t *testing.T) {
	content := append([]byte("Hello world\n\x00\x01\x02\x03"), "\xff\xfeABCDEFGHIJKLMN~\x7fxyz"...)
	a := openViewer(t, "blob.bin", content)
	want := []string{
		"00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 01 02 03  |Hello world.....|",
		"00000010  ff fe 41 42 43 44 45 46  47 48 49 4a 4b 4c 4d 4e  |..ABCDEFGHIJKLMN|",
		"00000020  7e 7f 78 79 7a                                    |~.xyz|",
	}
	got := viewerLines(a)
	for i, w := range want {
		if got[i] != w {
			t.Fatalf("hex line %d:\ngot  %q\nwant %q", i, got[i], w)
		}
	}
	if got[len(want)] != "" {
		t.Fatalf("line past the end of the file: %q", got[len(want)])
	}
	mustContain(t, a, "blob.bin ─", "─ 37 · hex ─", "offset 00000000 of 37  100%", "end", "F4/x text")
}

func TestViewerKeySwitchesBetweenTextAndHex(t *testing.T) {
	t.Run("a binary file shows as cleaned text and back", func(t *testing.T) {
		a := openViewer(t, "blob.bin", []byte("Hello\tworld\x00\x01 end\nsecond line\n"))
		mustContain(t, a, "00000000  48 65 6c 6c")
		press(t, a, "x")
		if a.pager.hex {
			t.Fatal("x left the viewer in hex")
		}
		mustContain(t, a, "Hello    world.. end", "second line", "· binary", "F4/x hex")
		mustNotContain(t, a, "00000000  48")
		press(t, a, "f4")
		if !a.pager.hex {
			t.Fatal("f4 did not go back to hex")
		}
		mustContain(t, a, "00000000  48 65 6c 6c")
		mustNotContain(t, a, "Hello    world")
	})
	t.Run("a text file opens as text and shows its bytes", func(t *testing.T) {
		a := openViewer(t, "notes.txt", []byte("plain text\n"))
		if a.pager.hex {
			t.Fatal("a text file opened as hex")
		}
		mustContain(t, a, "plain text", "line 1/1")
		press(t, a, "x")
		mustContain(t, a, "00000000  70 6c 61 69 6e 20 74 65  78 74 0a                 |plain text.|")
	})
	t.Run("the place is kept across the switch", func(t *testing.T) {
		var b strings.Builder
		for i := 0; i < 5000; i++ {
			b.WriteString("line " + pad3(i%1000) + "\n") // 9 bytes a line
		}
		a := openViewer(t, "lines.txt", []byte(b.String()))
		for range 100 {
			press(t, a, "j")
		}
		press(t, a, "x")
		if got, want := a.pager.hx.top, int64(100*9/16); got != want {
			t.Fatalf("hex view of text line 100 starts at line %d, want %d", got, want)
		}
		for range 16 {
			press(t, a, "j")
		}
		press(t, a, "x")
		if got, want := a.pager.top, (56+16)*16/9; got != want {
			t.Fatalf("text view of offset %#x starts at line %d, want %d", (56+16)*16, got, want)
		}
	})
}

func TestViewerJumpsToTheEndOfAHugeFileWithoutReadingIt(t *testing.T) {
	const size = 1<<30 + 3
	dir := t.TempDir()
	p := filepath.Join(dir, "disk.img")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("IMG\x00\x01")); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Skipf("no sparse file: %v", err)
	}
	if _, err := f.WriteAt([]byte("the END"), size-7); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var read atomic.Int64
	c := meteredClient{local.New(), &read}
	a := newTestApp(t, dir, t.TempDir(), func(o *Options) {
		o.Left.Client = c
		o.Left.Dial = func(context.Context) (protocol.Client, error) { return c, nil }
	})
	a.panes[0].selectName("disk.img")
	press(t, a, "f3")
	mustContain(t, a, "00000000  49 4d 47 00 01 00 00 00  00 00 00 00 00 00 00 00  |IMG.............|", "· hex", "0%")
	if n := read.Load(); n > pagerChunk {
		t.Fatalf("opening read %d bytes", n)
	}
	press(t, a, "G")
	got := viewerLines(a)
	if w := []string{
		"3ffffff0  00 00 00 00 00 00 00 00  00 00 00 00 74 68 65 20  |............the |",
		"40000000  45 4e 44                                          |END|",
	}; got[len(got)-2] != w[0] || got[len(got)-1] != w[1] {
		t.Fatalf("the end of the file shows\n%q\n%q\nwant\n%q\n%q", got[len(got)-2], got[len(got)-1], w[0], w[1])
	}
	mustContain(t, a, "100%", "end")
	if n := read.Load(); n > 3*pagerChunk {
		t.Fatalf("jumping to the end read %d bytes", n)
	}
	press(t, a, "g", "pgdown", "G", "home", "end")
	if n := read.Load(); n > 8*pagerChunk {
		t.Fatalf("moving to both ends and back read %d bytes", n)
	}
	if held := a.pager.hx.held(); held > hexHeld*pagerChunk {
		t.Fatalf("the viewer holds %d bytes", held)
	}
	mustContain(t, a, "40000000  45 4e 44")
}

func TestViewerFollowsTheFileWhenTheListingIsWrong(t *testing.T) {
	for _, c := range []struct {
		name   string
		listed int64
	}{
		{"listed too big", 1 << 30},
		{"listed too small", 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			content := bytes.Repeat([]byte{0, 'a', 'b', 'c'}, 100000) // 400000 bytes: two chunks
			writeFiles(t, dir, map[string]string{"f.bin": string(content)})
			a := newTestApp(t, dir, t.TempDir(), nil)
			run(t, a, a.viewPath(0, filepath.ToSlash(filepath.Join(dir, "f.bin")), c.listed))
			press(t, a, "G")
			press(t, a, "G")
			if a.pager.size != int64(len(content)) || a.pager.err != nil {
				t.Fatalf("size %d, err %v; want %d", a.pager.size, a.pager.err, len(content))
			}
			mustContain(t, a, "00061a70  00 61 62 63 00 61 62 63  00 61 62 63 00 61 62 63  |.abc.abc.abc.abc|", "100%")
		})
	}
}

func TestViewerReads8BitTextAsWindows1252(t *testing.T) {
	a := openViewer(t, "latin1.txt", []byte("caf\xe9 cr\xe8me br\xfbl\xe9e\r\n\x80 5, \x93quoted\x94\n"))
	if a.pager.hex {
		t.Fatal("8-bit text opened as hex")
	}
	mustContain(t, a, "café crème brûlée", "€ 5, “quoted”", "read as Windows-1252")
}

func TestViewerTakesUTF8CutAtTheSniffAsText(t *testing.T) {
	for _, r := range []string{"é", "€", "𝄞"} {
		content := strings.Repeat("a", sniffLen-1) + r + " and more\nline two\n"
		a := openViewer(t, "cut.txt", []byte(content))
		if a.pager.hex || a.pager.kind != kindText {
			t.Fatalf("%q across the sniff's end: hex %v, kind %v", r, a.pager.hex, a.pager.kind)
		}
		if l := a.pager.lines[0]; !strings.HasSuffix(l, r+" and more") {
			t.Fatalf("%q across the sniff's end: first line ends %q", r, l[len(l)-20:])
		}
	}
}

func TestHelpListsTheViewerKey(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	help := strings.Join(a.helpLines(), "\n")
	if !strings.Contains(help, "Viewer (F3)") || !strings.Contains(help, "hex dump / text") {
		t.Fatalf("help lacks the viewer's hex key:\n%s", help)
	}
}

// TestViewerScrollsLongLinesSideways: a line wider than the window is cut
// at first; → shows its end, ← and 0 come back.
func TestViewerScrollsLongLinesSideways(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"wide.txt": "HEAD" + strings.Repeat("-", 150) + "TAIL\nshort\n"})
	a := newTestApp(t, left, t.TempDir(), nil)
	a.Update(tea.WindowSizeMsg{Width: 60, Height: 12})
	a.panes[0].selectName("wide.txt")
	press(t, a, "f3")
	mustContain(t, a, "HEAD", "short")
	mustNotContain(t, a, "TAIL")
	for i := 0; i < 30 && !strings.Contains(screenText(a), "TAIL"); i++ {
		press(t, a, "right")
	}
	mustContain(t, a, "TAIL", "col ")
	mustNotContain(t, a, "HEAD")
	at := a.pager.left
	press(t, a, "right")
	if a.pager.left != at {
		t.Errorf("→ went on past the end of the widest line: %d, then %d", at, a.pager.left)
	}
	press(t, a, "left")
	if a.pager.left != max(at-pagerSideStep, 0) {
		t.Errorf("← moved from %d to %d", at, a.pager.left)
	}
	press(t, a, "0")
	mustContain(t, a, "HEAD")
	checkScreenFrame(t, a, screenText(a))
}

// TestViewerFinds: / finds text past what was read (reading on), n and N
// step between matches, case is ignored unless the text has a capital,
// and a miss says so.
func TestViewerFinds(t *testing.T) {
	left := t.TempDir()
	var b strings.Builder
	for i := 0; i < 30000; i++ {
		b.WriteString("line number " + itoa(i) + "\n")
		if i%10000 == 5000 {
			b.WriteString("a Needle here\n")
		}
	}
	writeFiles(t, left, map[string]string{"big.log": b.String()})
	a := newTestApp(t, left, t.TempDir(), nil)
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 20})
	a.panes[0].selectName("big.log")
	press(t, a, "f3")
	find := func(term string) {
		t.Helper()
		press(t, a, "/")
		for a.dialog != nil && a.dialog.(*inputDialog).input.Value() != "" {
			press(t, a, "backspace")
		}
		typeText(t, a, term)
		press(t, a, "enter")
	}
	find("number 29999")
	mustContain(t, a, "line number 29999")
	if !a.pager.eof && a.pager.read < int64(b.Len()) {
		t.Errorf("the search found a line it had not read? read %d of %d", a.pager.read, b.Len())
	}
	find("needle") // from the end: it goes round to the top
	mustContain(t, a, "a Needle here", "search went on from the top")
	first := a.pager.find.hit
	if got := a.pager.lines[first]; got != "a Needle here" || first != 5001 {
		t.Fatalf("first match at line %d %q, want 5001", first, got)
	}
	press(t, a, "n")
	if a.pager.find.hit != 15002 {
		t.Errorf("n went to line %d, want 15002", a.pager.find.hit)
	}
	press(t, a, "N")
	if a.pager.find.hit != first {
		t.Errorf("N went to line %d, want %d", a.pager.find.hit, first)
	}
	if !strings.Contains(a.View().Content, string(a.th.marked)) && !a.th.noColor {
		t.Error("the match is not highlighted")
	}
	find("NEEDLE") // a capital: case counts
	mustContain(t, a, "“NEEDLE” not found")
	checkScreenFrame(t, a, screenText(a))
}
