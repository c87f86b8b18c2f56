package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// fieldKind says how a form field is edited.
type fieldKind int

const (
	fieldText fieldKind = iota
	fieldSecret
	fieldChoice // cycles through options with ←/→ or space
	fieldCheck
)

type field struct {
	label   string
	kind    fieldKind
	input   textinput.Model
	options []string
	opt     int
	on      bool
}

func textField(label, value string, secret bool) *field {
	in := newTextInput()
	in.Prompt = ""
	in.SetValue(value)
	k := fieldText
	if secret {
		in.EchoMode = textinput.EchoPassword
		in.EchoCharacter = '•'
		k = fieldSecret
	}
	return &field{label: label, kind: k, input: in}
}

func choiceField(label string, options ...string) *field {
	return &field{label: label, kind: fieldChoice, options: options}
}

func checkField(label string) *field { return &field{label: label, kind: fieldCheck} }

func (f *field) value() string {
	switch f.kind {
	case fieldChoice:
		return f.options[f.opt]
	case fieldCheck:
		if f.on {
			return "yes"
		}
		return ""
	}
	return f.input.Value()
}

// form is a column of fields; Tab and arrows move, Enter submits, and a
// click focuses a field, ticks a box or picks an option.
type form struct {
	fields []*field
	focus  int
	// hits maps the dialog body's lines to the fields drawn on them, and
	// labelW is the label column's width, as the last drawing left them:
	// a click is read against what is on screen.
	hits   map[int]int
	labelW int
}

// appendLines draws the form's fields after out, recording which line
// holds which field for clicks.
func (f *form) appendLines(a *App, width int, out []string) []string {
	ls := f.lines(a, width)
	f.hits = make(map[int]int, len(ls))
	for i := range ls {
		f.hits[len(out)+i] = i
	}
	return append(out, ls...)
}

// click handles a left click at cell col of body line line: the field
// there takes the focus; a box toggles, a choice takes the option clicked
// (‹ and › step), a text field puts its cursor there. It reports whether
// the click was on a field.
func (f *form) click(line, col int) (bool, tea.Cmd) {
	i, ok := f.hits[line]
	if !ok || i < 0 || i >= len(f.fields) {
		return false, nil
	}
	cmd := f.setFocus(i)
	fl := f.fields[i]
	x := col - f.labelW - 1 // past the label and its space
	switch fl.kind {
	case fieldCheck:
		fl.on = !fl.on
	case fieldChoice:
		// Drawn as "‹ a b c ›".
		at := 2
		switch {
		case x < at:
			fl.opt = (fl.opt - 1 + len(fl.options)) % len(fl.options)
			return true, cmd
		}
		for j, o := range fl.options {
			w := visibleWidth(o)
			if x >= at && x < at+w {
				fl.opt = j
				return true, cmd
			}
			at += w + 1
		}
		if x >= at {
			fl.opt = (fl.opt + 1) % len(fl.options)
		}
	default:
		if x >= 0 {
			fl.input.SetCursor(x)
		}
	}
	return true, cmd
}

func (f *form) setFocus(i int) tea.Cmd {
	if i < 0 || i >= len(f.fields) {
		return nil
	}
	if cur := f.fields[f.focus]; cur.kind == fieldText || cur.kind == fieldSecret {
		cur.input.Blur()
	}
	f.focus = i
	if cur := f.fields[i]; cur.kind == fieldText || cur.kind == fieldSecret {
		return cur.input.Focus()
	}
	return nil
}

// key handles one key; it reports whether the form used it.
func (f *form) key(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	cur := f.fields[f.focus]
	switch msg.String() {
	case "tab", "down":
		return true, f.setFocus((f.focus + 1) % len(f.fields))
	case "shift+tab", "up":
		return true, f.setFocus((f.focus - 1 + len(f.fields)) % len(f.fields))
	}
	switch cur.kind {
	case fieldChoice:
		switch msg.String() {
		case "right", "space", "l":
			cur.opt = (cur.opt + 1) % len(cur.options)
			return true, nil
		case "left", "h":
			cur.opt = (cur.opt - 1 + len(cur.options)) % len(cur.options)
			return true, nil
		}
		return false, nil
	case fieldCheck:
		if msg.String() == "space" || msg.String() == "x" {
			cur.on = !cur.on
			return true, nil
		}
		return false, nil
	}
	if msg.String() == "enter" || msg.String() == "esc" {
		return false, nil
	}
	var cmd tea.Cmd
	cur.input, cmd = cur.input.Update(msg)
	return true, cmd
}

func (f *form) paste(msg tea.PasteMsg) tea.Cmd {
	cur := f.fields[f.focus]
	if cur.kind != fieldText && cur.kind != fieldSecret {
		return nil
	}
	var cmd tea.Cmd
	cur.input, cmd = cur.input.Update(msg)
	return cmd
}

func (f *form) lines(a *App, width int) []string {
	labelW := 0
	for _, fl := range f.fields {
		labelW = max(labelW, len(fl.label))
	}
	f.labelW = labelW
	out := make([]string, 0, len(f.fields))
	for i, fl := range f.fields {
		lbl := fit(fl.label, labelW) + " "
		if i == f.focus {
			lbl = a.th.key.render(lbl)
		}
		var v string
		switch fl.kind {
		case fieldChoice:
			parts := make([]string, len(fl.options))
			for j, o := range fl.options {
				if j == fl.opt {
					parts[j] = a.th.cursor.render(o)
				} else {
					parts[j] = o
				}
			}
			v = "‹ " + strings.Join(parts, " ") + " ›"
		case fieldCheck:
			v = "[ ]"
			if fl.on {
				v = "[x]"
			}
		default:
			fl.input.SetWidth(max(width-labelW-2, 4))
			v = fl.input.View()
		}
		out = append(out, lbl+v)
	}
	return out
}
