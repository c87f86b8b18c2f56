package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// helpLines renders every binding of the keymap, so remapped keys show as
// they are.
func (a *App) helpLines() []string {
	var out []string
	for _, s := range a.keys.helpSections() {
		out = append(out, a.th.dialogTitle.render(s.title))
		for _, b := range s.bindings {
			h := b.Help()
			if !b.Enabled() {
				continue
			}
			out = append(out, "  "+a.th.key.render(fit(h.Key, 16))+" "+h.Desc)
		}
		out = append(out, "")
	}
	out = append(out,
		a.th.dialogTitle.render("Mouse"),
		"  click selects · double-click opens · wheel scrolls",
		"  press on an entry (or the marked set) and release over the other pane: copy",
		"",
		a.th.dialogTitle.render("Typing"),
		"  letters bound to nothing jump to the first matching name",
		"  keys are remapped in the config file: [keymap] copy = [\"f5\", \"c\"]",
	)
	return out
}

func (a *App) helpKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "down", "j":
		a.helpOff++
	case "up", "k":
		a.helpOff = max(a.helpOff-1, 0)
	case "pgdown", "space":
		a.helpOff += a.screenRows()
	case "pgup":
		a.helpOff = max(a.helpOff-a.screenRows(), 0)
	case "ctrl+c":
		return a.quit()
	default:
		a.screen = screenPanes
	}
	return nil
}

// Help shows two columns from helpTwoColumns cells on, helpGap apart.
const (
	helpTwoColumns = 100
	helpGap        = 2
)

// helpView draws every binding in the full-screen frame, in two columns
// (each filled top to bottom) when the window is wide enough.
func (a *App) helpView() string {
	lines := a.helpLines()
	rows, iw := a.screenRows(), a.screenCols()
	widths := []int{iw}
	if a.w >= helpTwoColumns {
		left := (iw - helpGap) / 2
		widths = []int{left, iw - left - helpGap}
	}
	cols := len(widths)
	a.helpOff = max(min(a.helpOff, len(lines)-rows*cols), 0)
	body := make([]string, rows)
	gap := strings.Repeat(" ", helpGap)
	for r := range body {
		var b strings.Builder
		for c, cw := range widths {
			i := a.helpOff + c*rows + r
			s := ""
			if i < len(lines) {
				s = lines[i]
			}
			if c > 0 {
				b.WriteString(gap)
			}
			b.WriteString(fit(s, cw))
		}
		body[r] = b.String()
	}
	first, last, n := itoa(min(a.helpOff+1, len(lines))), itoa(min(a.helpOff+rows*cols, len(lines))), itoa(len(lines))
	return a.drawScreen(&fullScreen{
		title:      "ferry — keys",
		titleStyle: a.th.frameTitle,
		pos:        []string{"lines " + first + "–" + last + " of " + n, first + "–" + last + "/" + n},
		hints:      []keyHint{a.hint("any key", "closes"), a.hint("↑↓ pgup pgdn", "scroll")},
		body:       body,
	})
}

// KeyTable renders the default keymap as a Markdown table, for the README.
func KeyTable() string {
	km := DefaultKeyMap()
	var b strings.Builder
	for _, s := range km.helpSections() {
		b.WriteString("| " + s.title + " | |\n|---|---|\n")
		for _, k := range s.bindings {
			h := k.Help()
			b.WriteString("| `" + h.Key + "` | " + h.Desc + " |\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}
