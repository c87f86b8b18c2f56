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

// form is a column of fields; Tab and arrows move, Enter submits.
type form struct {
	fields []*field
	focus  int
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
