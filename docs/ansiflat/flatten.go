package main

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// colorKind says how a colour was named, which decides how it is written
// back: freeze looks indexed and basic colours up in tables of its own.
type colorKind uint8

const (
	colorDefault colorKind = iota // the terminal's own (39, 49)
	colorBasic                    // n 0–15: 30–37, 90–97 and their backgrounds
	colorIndexed                  // n 0–255: 38;5;n, 48;5;n
	colorRGB                      // 38;2;r;g;b, 48;2;r;g;b
)

type color struct {
	kind    colorKind
	n       uint8
	r, g, b uint8
}

func rgb(r, g, b uint8) color { return color{kind: colorRGB, r: r, g: g, b: b} }

// style is the SGR state a terminal keeps between characters.
type style struct {
	fg, bg                                          color
	bold, faint, italic, underline, reverse, strike bool
}

// freeze's default configuration draws text in its "charm" theme's text
// colour on the background of configurations/base.json; reverse video of a
// default colour has to name these, since freeze has no reverse.
var (
	freezeText       = rgb(0xc4, 0xc4, 0xc4)
	freezeBackground = rgb(0x17, 0x17, 0x17)
)

// freezeBasic is freeze's ansiPalette: the colours it draws for 30–37 and
// 90–97. Backgrounds in the basic colours are written as these RGB values,
// so that a background shows the same colour as text in that colour does
// (freeze draws 48;5;0–15 from the xterm table instead, and 100–107 not
// at all).
var freezeBasic = [16]color{
	rgb(0x28, 0x2a, 0x2e), rgb(0xd7, 0x4e, 0x6f), rgb(0x31, 0xbb, 0x71), rgb(0xd3, 0xe5, 0x61),
	rgb(0x80, 0x56, 0xff), rgb(0xed, 0x61, 0xd7), rgb(0x04, 0xd7, 0xd7), rgb(0xc5, 0xc8, 0xc6),
	rgb(0x4b, 0x4b, 0x4b), rgb(0xfe, 0x5f, 0x86), rgb(0x00, 0xd7, 0x87), rgb(0xeb, 0xff, 0x71),
	rgb(0x8f, 0x69, 0xff), rgb(0xff, 0x7a, 0xea), rgb(0x00, 0xfe, 0xfe), rgb(0xff, 0xff, 0xff),
}

// xterm16 is the first sixteen entries of freeze's 256-colour table.
var xterm16 = [16]color{
	rgb(0x00, 0x00, 0x00), rgb(0x80, 0x00, 0x00), rgb(0x00, 0x80, 0x00), rgb(0x80, 0x80, 0x00),
	rgb(0x00, 0x00, 0x80), rgb(0x80, 0x00, 0x80), rgb(0x00, 0x80, 0x80), rgb(0xc0, 0xc0, 0xc0),
	rgb(0x80, 0x80, 0x80), rgb(0xff, 0x00, 0x00), rgb(0x00, 0xff, 0x00), rgb(0xff, 0xff, 0x00),
	rgb(0x00, 0x00, 0xff), rgb(0xff, 0x00, 0xff), rgb(0x00, 0xff, 0xff), rgb(0xff, 0xff, 0xff),
}

// toRGB gives the colour freeze draws for c, def standing for the default.
// Indexed colours follow the xterm table, as freeze's does (freeze's has
// two greys a shade off, which matters only to the faint blend).
func toRGB(c, def color) color {
	switch c.kind {
	case colorBasic:
		return freezeBasic[c.n]
	case colorIndexed:
		n := int(c.n)
		switch {
		case n < 16:
			return xterm16[n]
		case n < 232:
			n -= 16
			level := func(v int) uint8 {
				if v == 0 {
					return 0
				}
				return uint8(55 + 40*v)
			}
			return rgb(level(n/36), level(n/6%6), level(n%6))
		default:
			v := uint8(8 + 10*(n-232))
			return rgb(v, v, v)
		}
	case colorRGB:
		return c
	}
	return def
}

// faintShare is how many fifths of the foreground faint text keeps, the
// rest being the background: freeze has no faint, and terminals draw it as
// the colour partly faded into the background, whatever the colour. Three
// fifths turns freeze's default text colour into #7f7f7f, about xterm's
// grey 244, which is how faint text looks in common dark terminal themes.
// The result is written as a 24-bit colour, which freeze draws as given.
const faintShare = 3

func blend(fg, bg color) color {
	mix := func(f, b uint8) uint8 {
		return uint8((faintShare*int(f) + (5-faintShare)*int(b) + 2) / 5)
	}
	return rgb(mix(fg.r, bg.r), mix(fg.g, bg.g), mix(fg.b, bg.b))
}

// sgr writes s as one sequence in the terms freeze understands: a reset,
// the background, the attributes, then the foreground. It is one sequence
// rather than several because freeze gives each sequence a fresh text
// span: within one sequence the codes add up, across sequences only the
// last one counts. The reset comes first because freeze has no other way
// to end a background or an attribute.
func (s style) sgr() string {
	fg, bg := s.fg, s.bg
	if s.reverse {
		fg, bg = bg, fg
		if fg.kind == colorDefault {
			fg = freezeBackground
		}
		if bg.kind == colorDefault {
			bg = freezeText
		}
	}
	if s.faint {
		fg = blend(toRGB(fg, freezeText), toRGB(bg, freezeBackground))
	}
	codes := []string{"0"}
	switch bg.kind {
	case colorBasic:
		c := freezeBasic[bg.n]
		codes = append(codes, "48", "2", itoa(c.r), itoa(c.g), itoa(c.b))
	case colorIndexed:
		codes = append(codes, "48", "5", itoa(bg.n))
	case colorRGB:
		codes = append(codes, "48", "2", itoa(bg.r), itoa(bg.g), itoa(bg.b))
	}
	if s.bold {
		codes = append(codes, "1")
	}
	if s.italic {
		codes = append(codes, "3")
	}
	// freeze keeps one text decoration; underline, written last, wins.
	if s.strike {
		codes = append(codes, "9")
	}
	if s.underline {
		codes = append(codes, "4")
	}
	switch fg.kind {
	case colorBasic:
		if fg.n < 8 {
			codes = append(codes, itoa(30+fg.n))
		} else {
			codes = append(codes, itoa(90+fg.n-8))
		}
	case colorIndexed:
		codes = append(codes, "38", "5", itoa(fg.n))
	case colorRGB:
		codes = append(codes, "38", "2", itoa(fg.r), itoa(fg.g), itoa(fg.b))
	}
	return "\x1b[" + strings.Join(codes, ";") + "m"
}

func itoa(n uint8) string { return strconv.Itoa(int(n)) }

// num reads one parameter; an empty one is 0, as in a terminal, and one
// that is not a number is -1, which matches no code.
func num(p string) int {
	if p == "" {
		return 0
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// extColor reads the colour after 38, 48 or 58, either in colon form
// (sub holds 38's own sub-parameters) or in the common semicolon form
// (from the parameters that follow, rest). It returns how many of rest it
// used up.
func extColor(sub, rest []string) (c color, ok bool, used int) {
	var args []string
	if len(sub) > 1 {
		args = sub[1:]
	} else {
		args = rest
	}
	if len(args) == 0 {
		return color{}, false, 0
	}
	octet := func(p string) (uint8, bool) {
		n := num(p)
		return uint8(n), n >= 0 && n <= 255
	}
	switch num(args[0]) {
	case 5:
		if len(args) < 2 {
			return color{}, false, len(rest)
		}
		n, ok := octet(args[1])
		used = 2
		if len(sub) > 1 {
			used = 0
		}
		return color{kind: colorIndexed, n: n}, ok, used
	case 2:
		vals := args[1:]
		used = 4
		if len(sub) > 1 {
			used = 0
			if len(vals) >= 4 { // 38:2:colourspace:r:g:b
				vals = vals[1:]
			}
		}
		if len(vals) < 3 {
			return color{}, false, len(rest)
		}
		r, okr := octet(vals[0])
		g, okg := octet(vals[1])
		b, okb := octet(vals[2])
		return rgb(r, g, b), okr && okg && okb, used
	}
	if len(sub) > 1 {
		return color{}, false, 0
	}
	return color{}, false, 1
}

// apply returns s changed by the parameters of one SGR sequence.
func (s style) apply(params string) style {
	ps := strings.Split(params, ";")
	for i := 0; i < len(ps); i++ {
		sub := strings.Split(ps[i], ":")
		switch code := num(sub[0]); {
		case code == 0:
			s = style{}
		case code == 1:
			s.bold = true
		case code == 2:
			s.faint = true
		case code == 3:
			s.italic = true
		case code == 4:
			s.underline = len(sub) < 2 || num(sub[1]) != 0 // 4:0 is "no underline"
		case code == 7:
			s.reverse = true
		case code == 9:
			s.strike = true
		case code == 21: // double underline
			s.underline = true
		case code == 22:
			s.bold, s.faint = false, false
		case code == 23:
			s.italic = false
		case code == 24:
			s.underline = false
		case code == 27:
			s.reverse = false
		case code == 29:
			s.strike = false
		case code >= 30 && code <= 37:
			s.fg = color{kind: colorBasic, n: uint8(code - 30)}
		case code == 39:
			s.fg = color{}
		case code >= 40 && code <= 47:
			s.bg = color{kind: colorBasic, n: uint8(code - 40)}
		case code == 49:
			s.bg = color{}
		case code >= 90 && code <= 97:
			s.fg = color{kind: colorBasic, n: uint8(code - 90 + 8)}
		case code >= 100 && code <= 107:
			s.bg = color{kind: colorBasic, n: uint8(code - 100 + 8)}
		case code == 38 || code == 48 || code == 58:
			c, ok, used := extColor(sub, ps[i+1:])
			i += used
			if ok && code == 38 {
				s.fg = c
			} else if ok && code == 48 {
				s.bg = c
			}
		}
	}
	return s
}

// scanEscape measures the escape sequence at the start of b (b[0] is ESC).
// For an SGR sequence it also returns its parameters. A sequence cut off
// by the end of the input runs to the end.
func scanEscape(b []byte) (n int, params string, isSGR bool) {
	if len(b) < 2 {
		return len(b), "", false
	}
	switch b[1] {
	case '[':
		j := 2
		for j < len(b) && b[j] >= 0x30 && b[j] <= 0x3f {
			j++
		}
		p := j
		for j < len(b) && b[j] >= 0x20 && b[j] <= 0x2f {
			j++
		}
		if j == len(b) || b[j] < 0x40 || b[j] > 0x7e {
			return j, "", false
		}
		params := string(b[2:p])
		isSGR = b[j] == 'm' && p == j && strings.Trim(params, "0123456789;:") == ""
		return j + 1, params, isSGR
	case ']', 'P', 'X', '^', '_': // strings, ended by BEL or ESC \
		for j := 2; j < len(b); j++ {
			if b[j] == 0x07 {
				return j + 1, "", false
			}
			if b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\' {
				return j + 2, "", false
			}
		}
		return len(b), "", false
	}
	j := 1
	for j < len(b) && b[j] >= 0x20 && b[j] <= 0x2f {
		j++
	}
	if j < len(b) && b[j] >= 0x30 && b[j] <= 0x7e {
		j++
	}
	return j, "", false
}

// Flatten rewrites src, a capture with SGR colours, so that each run of
// text is preceded by its whole style in the codes freeze renders (see
// style.sgr). The style is written only before text, where it takes
// effect, and again at the start of every line that does not start in the
// default style, because freeze starts every line afresh while a terminal
// carries the style over. Bytes other than SGR sequences are copied as
// they are.
//
// With width > 0, a line narrower than width whose last character has a
// background is filled out to width with spaces in that background.
// Programs draw a bar across the screen by writing its text and then
// erasing the rest of the row in the bar's colour (EL or ECH, which take
// the current background); tmux shows those cells in the colour but its
// capture-pane leaves them out, even with -N.
func Flatten(src []byte, width int) []byte {
	var out bytes.Buffer
	out.Grow(len(src) + len(src)/4)
	var cur, shown style // the input's state; the state the output set
	fresh := false       // a line began since shown was set
	var last style       // the style of the line's last character
	var text []byte      // the line's characters, for its width
	endLine := func() {
		if width <= 0 || len(text) == 0 || last.bg.kind == colorDefault || last.reverse {
			return
		}
		if n := width - ansi.StringWidth(string(text)); n > 0 {
			pad := style{bg: last.bg}
			out.WriteString(pad.sgr())
			out.WriteString(strings.Repeat(" ", n))
			shown, fresh = pad, false
		}
	}
	for i := 0; i < len(src); {
		switch c := src[i]; c {
		case 0x1b:
			n, params, isSGR := scanEscape(src[i:])
			if isSGR {
				cur = cur.apply(params)
			} else {
				out.Write(src[i : i+n])
			}
			i += n
		case '\n':
			endLine()
			out.WriteByte(c)
			fresh = shown != style{}
			text, last = text[:0], style{}
			i++
		default:
			if fresh || cur != shown {
				out.WriteString(cur.sgr())
				shown, fresh = cur, false
			}
			out.WriteByte(c)
			text = append(text, c)
			last = cur
			i++
		}
	}
	endLine()
	if cur != shown {
		out.WriteString(cur.sgr())
	}
	return out.Bytes()
}
