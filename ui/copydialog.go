package ui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
)

// copyDialog confirms an F5 copy whose selection holds directories and
// offers the filter their walks apply: patterns in gitignore syntax,
// prefilled with the bookmarks' default excludes, and .gitignore.
type copyDialog struct {
	src   int
	sel   []protocol.Entry
	lines []string
	form  form
	err   string
}

// Fields of the copy dialog.
const (
	cfFilter = iota
	cfGitignore
)

// copyDialog builds the dialog for copying sel from pane src.
func (a *App) copyDialog(src int, sel []protocol.Entry) *copyDialog {
	dp := a.panes[1-src]
	dirs := 0
	for _, e := range sel {
		if e.IsDir() {
			dirs++
		}
	}
	what := sanitize(sel[0].Name) + "/"
	if len(sel) > 1 {
		what = fmt.Sprintf("%d entries (%s)", len(sel), counted(dirs, "directory", "directories"))
	}
	d := &copyDialog{
		src: src, sel: sel,
		lines: []string{
			"Copy " + what + " to " + sanitize(dp.dir),
			"Leave out (gitignore patterns, space separated; !PATTERN takes back):",
		},
		form: form{fields: []*field{
			textField("exclude", formatFilterField(filter.Exclude(a.defaultExcludes(src)...)), false),
			checkField("honour .gitignore files"),
		}},
	}
	d.form.fields[cfFilter].input.CursorEnd()
	d.form.setFocus(cfFilter)
	return d
}

// defaultExcludes are the bookmarks' default excludes of a copy from pane
// src to the other: the source's, then the target's.
func (a *App) defaultExcludes(src int) []string {
	var out []string
	for _, p := range append(slices.Clone(a.panes[src].ep.Exclude), a.panes[1-src].ep.Exclude...) {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func (d *copyDialog) title() string { return "Copy" }

func (d *copyDialog) paste(msg tea.PasteMsg) tea.Cmd { return d.form.paste(msg) }

func (d *copyDialog) click(_ *App, _, line, col int) (bool, tea.Cmd) {
	_, cmd := d.form.click(line, col)
	return false, cmd
}

func (d *copyDialog) update(a *App, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if used, cmd := d.form.key(msg); used {
		d.err = ""
		return false, cmd
	}
	switch msg.String() {
	case "esc", "ctrl+c":
		return true, nil
	case "enter":
		spec, err := d.spec()
		if err != nil {
			d.err = err.Error()
			return false, nil
		}
		return true, a.queueEntries(d.src, d.sel, false, spec)
	}
	return false, nil
}

// spec reads the filter the dialog holds.
func (d *copyDialog) spec() (filter.Spec, error) {
	s := filter.Spec{
		Rules:     parseFilterField(d.form.fields[cfFilter].value()),
		Gitignore: d.form.fields[cfGitignore].on,
	}
	_, err := filter.Compile(s)
	return s, err
}

func (d *copyDialog) body(a *App, width int) []string {
	var out []string
	for _, l := range d.lines {
		out = append(out, wrap(l, width)...)
	}
	out = d.form.appendLines(a, width, out)
	if d.err != "" {
		out = append(out, a.th.errStyle.render(fit(d.err, width)))
	}
	return append(out, "", a.th.dim.render("enter: copy · tab: next field · space: tick · esc: cancel"))
}

// parseFilterField reads the filter field: patterns separated by spaces,
// "!" before one re-includes, a backslash keeps a space in a pattern.
func parseFilterField(s string) []filter.Rule {
	var out []filter.Rule
	var cur strings.Builder
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		p := cur.String()
		cur.Reset()
		r := filter.Rule{Pattern: p}
		if strings.HasPrefix(p, "!") && len(p) > 1 {
			r = filter.Rule{Include: true, Pattern: p[1:]}
		}
		out = append(out, r)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && s[i+1] == ' ':
			cur.WriteByte(' ')
			i++
		case c == ' ' || c == '\t':
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

// formatFilterField writes rules as parseFilterField reads them.
func formatFilterField(rules []filter.Rule) string {
	parts := make([]string, len(rules))
	for i, r := range rules {
		p := strings.ReplaceAll(r.Pattern, " ", `\ `)
		if r.Include {
			p = "!" + p
		}
		parts[i] = p
	}
	return strings.Join(parts, " ")
}
