package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// E turns the readable form used in the tests, with "^[" for ESC, into
// the bytes a terminal sees.
func E(s string) string { return strings.ReplaceAll(s, "^[", "\x1b") }

func TestFlatten(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text is left alone", "abc\ndef", "abc\ndef"},
		{"a colour is stated with a reset before it",
			"^[[38;5;75mab", "^[[0;38;5;75mab"},
		{"39 goes back to the default foreground",
			"^[[38;5;240m│^[[39m name", "^[[0;38;5;240m│^[[0m name"},
		{"49 ends a background",
			"^[[48;5;237m x ^[[38;5;240m^[[49m│", "^[[0;48;5;237m x ^[[0;38;5;240m│"},
		{"the background comes first and the foreground last",
			"^[[38;5;16m^[[48;5;116m^[[4mx", "^[[0;48;5;116;4;38;5;16mx"},
		{"combined parameters", "^[[0;1;38;5;75mx", "^[[0;1;38;5;75mx"},
		{"an empty parameter is 0", "^[[1m^[[;3mx", "^[[0;3mx"},
		{"ESC[m resets", "^[[31ma^[[mb", "^[[0;31ma^[[0mb"},
		{"22 ends bold and faint", "^[[1;2ma^[[22mb^[[0m", "^[[0;1;38;2;127;127;127ma^[[0mb"},
		{"23 24 27 29 end italic, underline, reverse, strike",
			"^[[3;4;7;9ma^[[23;24;27;29mb", "^[[0;48;2;196;196;196;3;9;4;38;2;23;23;23ma^[[0mb"},
		{"4:0 is no underline", "^[[4ma^[[4:0mb", "^[[0;4ma^[[0mb"},
		{"4:3 is an underline", "^[[4:3ma", "^[[0;4ma"},
		{"16 colours keep their codes", "^[[31ma^[[97mb", "^[[0;31ma^[[0;97mb"},
		{"40–47 become the colour freeze draws for 30–37",
			"^[[41ma^[[40mb", "^[[0;48;2;215;78;111ma^[[0;48;2;40;42;46mb"},
		{"100–107 become the colour freeze draws for 90–97",
			"^[[107ma", "^[[0;48;2;255;255;255ma"},
		{"truecolour", "^[[38;2;1;2;3;48;2;4;5;6ma", "^[[0;48;2;4;5;6;38;2;1;2;3ma"},
		{"colon forms", "^[[38:5:75;48:2::4:5:6ma^[[38:2:7:8:9mb",
			"^[[0;48;2;4;5;6;38;5;75ma^[[0;48;2;4;5;6;38;2;7;8;9mb"},
		{"underline colour is read past and dropped", "^[[58;5;1;31ma", "^[[0;31ma"},
		{"reverse swaps the colours", "^[[38;5;16;48;5;116;7ma", "^[[0;48;5;16;38;5;116ma"},
		{"reverse of the defaults names freeze's colours",
			"^[[7ma", "^[[0;48;2;196;196;196;38;2;23;23;23ma"},
		{"reverse of a basic colour", "^[[31;7ma", "^[[0;48;2;215;78;111;38;2;23;23;23ma"},
		{"faint default text is grey", "^[[2ma", "^[[0;38;2;127;127;127ma"},
		{"faint fades an indexed colour into the background",
			"^[[2;38;5;75;48;5;237ma", "^[[0;48;5;237;38;2;80;128;176ma"},
		{"strike", "^[[9ma", "^[[0;9ma"},
		{"the style is stated again on each line", "^[[38;5;75ma\nb\n^[[39mc",
			"^[[0;38;5;75ma\n^[[0;38;5;75mb\n^[[0mc"},
		{"a default line after a styled one starts with a reset",
			"^[[31ma^[[0m\nb", "^[[0;31ma\n^[[0mb"},
		{"changes with no text between them are written once",
			"^[[31m^[[32m^[[0m^[[33ma", "^[[0;33ma"},
		{"the last state is kept at the end", "^[[31ma^[[0m", "^[[0;31ma^[[0m"},
		{"runes are copied whole", "^[[1m…·─ü", "^[[0;1m…·─ü"},
		{"other CSI sequences pass through", "^[[2Ja^[[?25l", "^[[2Ja^[[?25l"},
		{"a private SGR-like sequence passes through", "^[[>4;1ma", "^[[>4;1ma"},
		{"OSC passes through whole", "^[[31m^[]8;;http://x/^[\\a^[]8;;^G",
			"^[]8;;http://x/^[\\^[[0;31ma^[]8;;^G"},
		{"a cut-off sequence is kept", "a^[[3", "a^[[3"},
		{"an unknown colour form is skipped", "^[[38;9;31ma", "^[[0;31ma"},
		{"an out-of-range colour is ignored", "^[[38;5;300;1ma", "^[[0;1ma"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.ReplaceAll(E(tt.in), "^G", "\a")
			want := strings.ReplaceAll(E(tt.want), "^G", "\a")
			got := string(Flatten([]byte(in), 0))
			if got != want {
				t.Errorf("Flatten(%q)\n got %q\nwant %q", in, got, want)
			}
			sameLook(t, []byte(in), []byte(got))
		})
	}
}

var sgrRE = regexp.MustCompile("\x1b\\[[0-9;:]*m")

// A row of the two panes as tmux captured it, with the cursor row of the
// inactive left pane: its background has to end at the pane's border (49)
// and the text after 39 has to lose the border's grey.
func TestFlattenCapturedRow(t *testing.T) {
	row := E("^[[38;5;240m│^[[39m^[[48;5;237m ..                            UP                         ^[[38;5;240m^[[49m│^[[38;5;75m│^[[1m ..^[[0m^[[39m^[[49m                            ^[[1m^[[38;5;75mUP^[[0m^[[39m^[[49m                         ^[[38;5;75m│")
	want := E("^[[0;38;5;240m│^[[0;48;5;237m ..                            UP                         ^[[0;38;5;240m│^[[0;38;5;75m│^[[0;1;38;5;75m ..^[[0m                            ^[[0;1;38;5;75mUP^[[0m                         ^[[0;38;5;75m│")
	got := string(Flatten([]byte(row), 120))
	if got != want {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
	if a, b := sgrRE.ReplaceAllString(got, ""), sgrRE.ReplaceAllString(row, ""); a != b {
		t.Errorf("the text changed:\n%q\n%q", a, b)
	}
	// Every sequence is one freeze reads whole: a reset, then only codes
	// from the subset it renders.
	for _, seq := range sgrRE.FindAllString(got, -1) {
		if !inFreezeTerms(seq) {
			t.Errorf("sequence %q is not in freeze's terms", seq)
		}
	}
}

// inFreezeTerms reports whether seq starts with a reset and has only codes
// freeze v0.2.2 renders, with the foreground last.
func inFreezeTerms(seq string) bool {
	ps := strings.Split(strings.TrimSuffix(strings.TrimPrefix(seq, "\x1b["), "m"), ";")
	if ps[0] != "0" {
		return false
	}
	for i := 1; i < len(ps); i++ {
		n, err := strconv.Atoi(ps[i])
		switch {
		case err != nil:
			return false
		case n == 38 || n == 48:
			if i+1 >= len(ps) {
				return false
			}
			width := map[string]int{"5": 2, "2": 4}[ps[i+1]]
			if width == 0 || i+width >= len(ps) || n == 38 && i+width != len(ps)-1 {
				return false
			}
			i += width
		case n == 1, n == 3, n == 4, n == 9:
		case n >= 30 && n <= 37, n >= 90 && n <= 97:
			if i != len(ps)-1 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(nil, strings.NewReader(E("^[[7mx\n")), &out); err != nil {
		t.Fatal(err)
	}
	if want := E("^[[0;48;2;196;196;196;38;2;23;23;23mx\n"); out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	out.Reset()
	if err := run([]string{"-width", "3"}, strings.NewReader(E("^[[41mx\n")), &out); err != nil {
		t.Fatal(err)
	}
	if want := E("^[[0;48;2;215;78;111mx^[[0;48;2;215;78;111m  \n"); out.String() != want {
		t.Errorf("-width 3: got %q, want %q", out.String(), want)
	}
	if err := run([]string{"a", "b"}, nil, &out); err == nil {
		t.Error("two arguments were accepted")
	}
	if err := run([]string{t.TempDir() + "/missing"}, nil, &out); err == nil {
		t.Error("a missing file was accepted")
	}
}

// look is how a style shows in freeze's colours: the colours drawn and
// the attributes, however they were named.
type look struct {
	fg, bg                          color
	bold, italic, underline, strike bool
}

func (s style) look() look {
	fg, bg := toRGB(s.fg, freezeText), toRGB(s.bg, freezeBackground)
	if s.reverse {
		fg, bg = bg, fg
	}
	if s.faint {
		fg = blend(fg, bg)
	}
	return look{fg, bg, s.bold, s.italic, s.underline, s.strike}
}

// looks gives, for each byte of text in s, how a terminal draws it, and
// the text itself. A newline draws nothing, so its look is left out. With
// perLine, the style goes back to the default at each line, as in freeze.
func looks(s []byte, perLine bool) ([]look, string) {
	var cur style
	var out []look
	var text []byte
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			n, params, isSGR := scanEscape(s[i:])
			if isSGR {
				cur = cur.apply(params)
			}
			i += n
			continue
		}
		if s[i] != '\n' {
			out = append(out, cur.look())
		} else if perLine {
			cur = style{}
		}
		text = append(text, s[i])
		i++
	}
	return out, string(text)
}

// A whole screen as docs/screenshots.sh captures it (the queue, with a
// bar across the screen whose end tmux left out): the text and the style
// of every character stay as they were, every sequence is one that freeze
// reads right, and with -width the bar reaches across.
func TestFlattenCapturedScreen(t *testing.T) {
	in, err := os.ReadFile("testdata/queue.ans")
	if err != nil {
		t.Fatal(err)
	}
	out := Flatten(in, 0)
	sameLook(t, in, out)
	for n, line := range strings.Split(string(out), "\n") {
		for _, seq := range sgrRE.FindAllString(line, -1) {
			if !inFreezeTerms(seq) {
				t.Errorf("line %d: sequence %q is not in freeze's terms", n+1, seq)
			}
		}
	}
	found := false
	for _, line := range strings.Split(string(Flatten(in, 120)), "\n") {
		if strings.Contains(line, "Transfers (3)") {
			found = true
			if w := ansi.StringWidth(line); w != 120 {
				t.Errorf("the queue's title is %d columns wide, not 120: %q", w, line)
			}
		}
	}
	if !found {
		t.Error("no queue title in the capture")
	}
}

// sameLook checks that out shows the text of in, each character as in
// draws it, both in a terminal and read line by line as freeze reads.
func sameLook(t *testing.T, in, out []byte) {
	t.Helper()
	inLooks, inText := looks(in, false)
	for _, perLine := range []bool{false, true} {
		outLooks, outText := looks(out, perLine)
		if inText != outText {
			t.Fatalf("the text changed: %q became %q", inText, outText)
		}
		for i := range inLooks {
			if inLooks[i] != outLooks[i] {
				t.Fatalf("perLine %v, byte %d (%q): %+v became %+v", perLine, i, inText[i], inLooks[i], outLooks[i])
			}
		}
	}
}

func TestFlattenWidth(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a bar cut short is filled out in its background",
			"^[[1;48;5;25m title\n^[[0mx", "^[[0;48;5;25;1m title^[[0;48;5;25m  \n^[[0mx"},
		{"a line ending in the default background is left",
			"^[[48;5;25m t^[[49m \n", "^[[0;48;5;25m t^[[0m \n"},
		{"an empty line after a bar stays empty", "^[[48;5;25mabcdefgh\n\n", "^[[0;48;5;25mabcdefgh\n\n"},
		{"a full line is left", "^[[48;5;25mabcdefgh\n", "^[[0;48;5;25mabcdefgh\n"},
		{"reverse video is not filled", "^[[7;48;5;25mab\n", "^[[0;48;2;196;196;196;38;5;25mab\n"},
		{"width counts cells, not bytes", "^[[48;5;1m─…·\n", "^[[0;48;5;1m─…·^[[0;48;5;1m     \n"},
		{"the last line without a newline", "^[[48;5;1mab", "^[[0;48;5;1mab^[[0;48;5;1m      "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Flatten([]byte(E(tt.in)), 8))
			if want := E(tt.want); got != want {
				t.Errorf("Flatten(%q, 8)\n got %q\nwant %q", E(tt.in), got, want)
			}
		})
	}
}
