package ui

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/ferryhq/ferry/config"
	"github.com/ferryhq/ferry/protocol"
)

func entry(name string, mode fs.FileMode) (*protocol.Entry, string) {
	return &protocol.Entry{Name: name, Mode: mode}, strings.ToLower(name)
}

func TestNameStyle_LSColors(t *testing.T) {
	th := themeFor(Options{LSColors: debianLSColors(t)}, true)
	for _, tc := range []struct {
		name string
		mode fs.FileMode
		want style
	}{
		{"src", fs.ModeDir | 0o755, "\x1b[01;34m"},
		{"tmp", fs.ModeDir | fs.ModeSticky | 0o777, "\x1b[30;42m"},
		{"link", fs.ModeSymlink | 0o777, "\x1b[01;36m"},
		{"run.sh", 0o755, "\x1b[01;32m"},
		{"Backup.TAR", 0o644, "\x1b[01;31m"},
		{"fifo", fs.ModeNamedPipe | 0o644, "\x1b[40;33m"},
		{"notes.txt", 0o644, ""},
	} {
		e, lower := entry(tc.name, tc.mode)
		if got := th.nameStyle(e, lower); got != tc.want {
			t.Errorf("%s (%v): got %q, want %q", tc.name, tc.mode, got, tc.want)
		}
	}
}

func TestNameStyle_BuiltInWithoutLSColors(t *testing.T) {
	th := themeFor(Options{}, true)
	dir, _ := entry("src", fs.ModeDir|0o755)
	if got := th.nameStyle(dir, "src"); got != th.dir || got == "" {
		t.Errorf("directory: got %q, want the theme's dir %q", got, th.dir)
	}
	zip, _ := entry("a.zip", 0o644)
	txt, _ := entry("a.go", 0o644)
	if th.nameStyle(zip, "a.zip") == "" || th.nameStyle(txt, "a.go") != "" {
		t.Errorf("archive %q, go source %q: want a colour for the archive alone", th.nameStyle(zip, "a.zip"), th.nameStyle(txt, "a.go"))
	}
}

func TestThemeOverridesWinOverLSColors(t *testing.T) {
	th := themeFor(Options{LSColors: debianLSColors(t), ThemeColors: map[string]string{"dir": "#ff0000", "cursor_bg": "31"}}, true)
	e, lower := entry("src", fs.ModeDir|0o755)
	if got := th.nameStyle(e, lower); !strings.Contains(string(got), "38;2;255;0;0") {
		t.Errorf("dir with [theme] dir = #ff0000: got %q", got)
	}
	if !strings.Contains(string(th.cursor), "48;5;31") {
		t.Errorf("cursor_bg = 31: cursor is %q", th.cursor)
	}
	link, lower := entry("l", fs.ModeSymlink)
	if got := th.nameStyle(link, lower); got != "\x1b[01;36m" {
		t.Errorf("link keeps LS_COLORS: got %q", got)
	}
}

func TestThemes_Differ(t *testing.T) {
	dark := themeFor(Options{}, true)
	light := themeFor(Options{}, false)
	named := themeFor(Options{Theme: "light"}, true)
	hc := themeFor(Options{Theme: "high-contrast"}, true)
	if dark.dir == light.dir || light.dir != named.dir || hc.dir == dark.dir || hc.cursor == dark.cursor {
		t.Errorf("dark %q, light %q, named light %q, high-contrast %q", dark.dir, light.dir, named.dir, hc.dir)
	}
}

func TestBackgroundColorMsgPicksThePalette(t *testing.T) {
	a := buildTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) { o.NoColor = false })
	dark := a.th.dir
	a.Update(tea.BackgroundColorMsg{Color: ansi.IndexedColor(15)})
	if a.th.dir == dark || a.th.dir != themeFor(Options{}, false).dir {
		t.Errorf("after a white background dir is %q, want the light palette's", a.th.dir)
	}
	a.Update(tea.BackgroundColorMsg{Color: ansi.IndexedColor(0)})
	if a.th.dir != dark {
		t.Errorf("after a black background dir is %q, want %q", a.th.dir, dark)
	}
}

// sgrParams finds the parameters of every SGR sequence.
var sgrParams = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

func TestNoColorIsPlain(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "src"), 0o755)
	os.WriteFile(filepath.Join(dir, "a.tar"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "run.sh"), nil, 0o755)
	for _, mod := range []func(*Options){
		func(o *Options) { o.NoColor = true },
		func(o *Options) { o.Theme = "no-color"; o.NoColor = false },
	} {
		a := newTestApp(t, dir, dir, func(o *Options) {
			o.LSColors = debianLSColors(t)
			o.ThemeColors = map[string]string{"dir": "#ff0000"}
			mod(o)
		})
		for _, m := range sgrParams.FindAllStringSubmatch(a.View().Content, -1) {
			for _, p := range strings.Split(m[1], ";") {
				if !slices.Contains([]string{"", "0", "00", "1", "01", "2", "3", "4", "7"}, p) {
					t.Fatalf("a colour under NO_COLOR: %q", m[0])
				}
			}
		}
	}
}

func TestThemeKeysMatchConfig(t *testing.T) {
	if !slices.Equal(themeColorKeys, config.ThemeColorKeys) {
		t.Errorf("ui keys %v\nconfig keys %v", themeColorKeys, config.ThemeColorKeys)
	}
	for _, v := range []string{"#fff", "#7D56F4", "0", "255", "256", "#ggg", "", "blue", "#12345"} {
		if validColor(v) != config.IsColor(v) {
			t.Errorf("%q: ui says %v, config %v", v, validColor(v), config.IsColor(v))
		}
	}
	for _, name := range config.Themes {
		themeFor(Options{Theme: name}, true) // every name builds
	}
	p := darkPalette()
	for _, k := range themeColorKeys {
		if _, ok := p[strings.TrimSuffix(k, "_bg")]; !ok {
			t.Errorf("[theme] %s has no style in the palette", k)
		}
	}
}

// BenchmarkKeyUpdateViewColoursIcons is BenchmarkKeyUpdateView with
// LS_COLORS (the Debian default) and icons on: one lookup per shown row.
func BenchmarkKeyUpdateViewColoursIcons(b *testing.B) {
	a := New(Options{Left: localEndpoint("left", b.TempDir()), Right: localEndpoint("right", b.TempDir()),
		LSColors: debianLSColors(b), Icons: true})
	b.Cleanup(a.Close)
	a.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
	a.panes[0].setListing("/big", hugeListing(100000))
	a.panes[1].setListing("/other", hugeListing(100))
	keys := []tea.KeyPressMsg{keyMsg("j"), keyMsg("pgdown"), keyMsg("j"), keyMsg("space")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Update(keys[i%len(keys)])
		_ = a.View()
		if a.panes[0].cursor >= len(a.panes[0].rows)-1 {
			a.panes[0].setCursor(0)
		}
	}
}
