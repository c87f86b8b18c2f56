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
		a.helpOff += a.h - 2
	case "pgup":
		a.helpOff = max(a.helpOff-(a.h-2), 0)
	case "ctrl+c":
		return a.quit()
	default:
		a.screen = screenPanes
	}
	return nil
}

func (a *App) helpView() string {
	lines := a.helpLines()
	rows := max(a.h-2, 1)
	// Two columns when the window is wide enough.
	colW := a.w
	if a.w >= 100 {
		colW = a.w / 2
	}
	cols := 1
	if colW < a.w {
		cols = 2
	}
	a.helpOff = max(min(a.helpOff, len(lines)-rows*cols), 0)
	out := []string{a.th.headerFocus.render(fit(" ferry — keys", a.w))}
	for r := 0; r < rows; r++ {
		var b strings.Builder
		for c := 0; c < cols; c++ {
			i := a.helpOff + c*rows + r
			s := ""
			if i < len(lines) {
				s = lines[i]
			}
			b.WriteString(fit(s, colW))
		}
		out = append(out, fit(b.String(), a.w))
	}
	out = append(out, fit(" any key closes · ↑↓ pgup pgdn scroll", a.w))
	return strings.Join(out, "\n")
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
