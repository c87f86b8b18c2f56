package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// dialog is a modal box over the panes. It gets every key while open; update
// returns true when the dialog is finished and should close.
type dialog interface {
	title() string
	update(a *App, msg tea.KeyPressMsg) (done bool, cmd tea.Cmd)
	body(a *App, width int) []string
}

// paster is a dialog with a text field that accepts pasted text.
type paster interface {
	paste(msg tea.PasteMsg) tea.Cmd
}

// alarmed dialogs draw their frame in the alarm style (a changed host key).
type alarmed interface{ alarm() bool }

// clicker is a dialog that takes left clicks: line and col are the cell
// within its body, as body(a, width) drew it.
type clicker interface {
	click(a *App, width, line, col int) (done bool, cmd tea.Cmd)
}

// choice is one answer of a choiceDialog, picked by its key or with
// arrows and Enter.
type choice struct {
	key   string // "y", "o", "esc"
	label string
}

// choiceDialog shows text and a row of answers.
type choiceDialog struct {
	heading string
	lines   []string
	choices []choice
	sel     int
	isAlarm bool
	// toggle is an optional check box, e.g. "apply to all".
	toggle   string
	toggleOn bool
	toggleK  string
	// onChoose runs with the index of the choice; a negative index means the
	// dialog was dismissed with Esc when no choice has the "esc" key.
	onChoose func(a *App, idx int, toggled bool) tea.Cmd
}

func (d *choiceDialog) title() string { return d.heading }
func (d *choiceDialog) alarm() bool   { return d.isAlarm }

func (d *choiceDialog) update(a *App, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	k := msg.String()
	switch k {
	case "left", "shift+tab", "h":
		if d.sel > 0 {
			d.sel--
		}
		return false, nil
	case "right", "tab", "l":
		if d.sel < len(d.choices)-1 {
			d.sel++
		}
		return false, nil
	case "enter":
		return true, d.onChoose(a, d.sel, d.toggleOn)
	}
	if d.toggle != "" && k == d.toggleK {
		d.toggleOn = !d.toggleOn
		return false, nil
	}
	for i, c := range d.choices {
		if strings.EqualFold(k, c.key) && (k == c.key || len(k) == 1) {
			return true, d.onChoose(a, i, d.toggleOn)
		}
	}
	if k == "esc" || k == "ctrl+c" {
		return true, d.onChoose(a, -1, d.toggleOn)
	}
	return false, nil
}

// click picks the answer under the pointer, or flips the check box.
func (d *choiceDialog) click(a *App, width, line, col int) (bool, tea.Cmd) {
	n := 1 // the blank line after the text
	for _, l := range d.lines {
		n += len(wrap(l, width))
	}
	if d.toggle != "" {
		if line == n {
			d.toggleOn = !d.toggleOn
			return false, nil
		}
		n++
	}
	// The answers' cells, laid out as wrapJoined lays them out.
	row, x := 0, 0
	for i, c := range d.choices {
		w := visibleWidth("[" + c.label + "]")
		if x > 0 && x+1+w > width {
			row, x = row+1, 0
		}
		if x > 0 {
			x++
		}
		if line == n+row && col >= x && col < x+w {
			d.sel = i
			return true, d.onChoose(a, i, d.toggleOn)
		}
		x += w
	}
	return false, nil
}

func (d *choiceDialog) body(a *App, width int) []string {
	out := make([]string, 0, len(d.lines)+4)
	for _, l := range d.lines {
		out = append(out, wrap(l, width)...)
	}
	out = append(out, "")
	if d.toggle != "" {
		box := "[ ]"
		if d.toggleOn {
			box = "[x]"
		}
		out = append(out, box+" "+d.toggle+" ("+d.toggleK+")")
	}
	var row []string
	for i, c := range d.choices {
		lbl := "[" + c.label + "]"
		if i == d.sel {
			lbl = a.th.cursor.render(lbl)
		}
		row = append(row, lbl)
	}
	out = append(out, wrapJoined(row, width)...)
	return out
}

// inputDialog asks for one line of text.
type inputDialog struct {
	heading  string
	lines    []string
	input    textinput.Model
	onSubmit func(a *App, value string) tea.Cmd
	onCancel func(a *App) tea.Cmd
}

func newInputDialog(heading, prompt, value string, secret bool, onSubmit func(a *App, v string) tea.Cmd) *inputDialog {
	in := newTextInput()
	in.Prompt = prompt
	in.SetValue(value)
	in.CursorEnd()
	if secret {
		in.EchoMode = textinput.EchoPassword
		in.EchoCharacter = '•'
	}
	in.Focus()
	return &inputDialog{heading: heading, input: in, onSubmit: onSubmit}
}

func (d *inputDialog) title() string { return d.heading }

func (d *inputDialog) update(a *App, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "enter":
		return true, d.onSubmit(a, d.input.Value())
	case "esc", "ctrl+c":
		if d.onCancel != nil {
			return true, d.onCancel(a)
		}
		return true, nil
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return false, cmd
}

func (d *inputDialog) paste(msg tea.PasteMsg) tea.Cmd {
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return cmd
}

func (d *inputDialog) body(a *App, width int) []string {
	out := make([]string, 0, len(d.lines)+3)
	for _, l := range d.lines {
		out = append(out, wrap(l, width)...)
	}
	d.input.SetWidth(max(width-len([]rune(d.input.Prompt))-1, 4))
	out = append(out, d.input.View(), "", a.th.dim.render("enter: ok · esc: cancel"))
	return out
}

// wrap breaks a plain line into lines of at most width cells, at spaces
// where it can.
func wrap(s string, width int) []string {
	if width <= 0 {
		return nil
	}
	var out []string
	for {
		if len([]rune(s)) <= width {
			return append(out, s)
		}
		r := []rune(s)
		cut := width
		for i := width; i > width/2; i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, string(r[:cut]))
		s = strings.TrimLeft(string(r[cut:]), " ")
	}
}

// wrapJoined lays out pre-styled parts separated by spaces over lines.
func wrapJoined(parts []string, width int) []string {
	var out []string
	cur, w := "", 0
	for _, p := range parts {
		pw := visibleWidth(p)
		if w > 0 && w+1+pw > width {
			out = append(out, cur)
			cur, w = "", 0
		}
		if w > 0 {
			cur += " "
			w++
		}
		cur += p
		w += pw
	}
	return append(out, cur)
}

// newTextInput is a text field with a steady cursor: a blinking one needs a
// timer message stream for no benefit here.
func newTextInput() textinput.Model {
	in := textinput.New()
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	return in
}
