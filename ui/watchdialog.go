package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ferryhq/ferry/filter"
)

// watchDialog asks how to keep the remote pane's directory up to date
// with the local pane's before the watch starts: what to leave out
// (prefilled with both bookmarks' excludes, as F5 does) and whether
// removals here are made there too, which is off unless ticked because a
// watch left running deletes without asking again.
type watchDialog struct {
	local, remote int // the panes
	from, to      string
	site          string // the remote pane's name
	form          form
	err           string
}

// Fields of the watch dialog.
const (
	wfExclude = iota
	wfGitignore
	wfDelete
)

// watchDialog builds the dialog for watching pane local into pane remote.
func (a *App) watchDialog(local, remote int) *watchDialog {
	lp, rp := a.panes[local], a.panes[remote]
	d := &watchDialog{
		local: local, remote: remote,
		from: sanitize(lp.dir),
		site: sanitize(rp.ep.Name),
		to:   sanitize(rp.ep.Name) + ":" + sanitize(rp.dir),
		form: form{fields: []*field{
			textField("exclude", formatFilterField(filter.Exclude(a.defaultExcludes(local)...)), false),
			checkField("use .gitignore files"),
			checkField("delete remote files deleted here"),
		}},
	}
	d.form.fields[wfExclude].input.CursorEnd()
	d.form.setFocus(wfExclude)
	return d
}

func (d *watchDialog) title() string { return "Keep remote up to date" }

func (d *watchDialog) paste(msg tea.PasteMsg) tea.Cmd { return d.form.paste(msg) }

func (d *watchDialog) click(_ *App, _, line, col int) (bool, tea.Cmd) {
	if ok, cmd := d.form.click(line, col); ok {
		d.err = ""
		return false, cmd
	}
	return false, nil
}

func (d *watchDialog) update(a *App, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if used, cmd := d.form.key(msg); used {
		d.err = ""
		return false, cmd
	}
	switch msg.String() {
	case "esc", "ctrl+c":
		return true, nil
	case "enter":
		spec := filter.Spec{
			Rules:     parseFilterField(d.form.fields[wfExclude].value()),
			Gitignore: d.form.fields[wfGitignore].on,
		}
		rules, err := filter.Compile(spec)
		if err != nil {
			d.err = err.Error()
			return false, nil
		}
		return true, a.startWatch(d.local, d.remote, rules, d.form.fields[wfDelete].on)
	}
	return false, nil
}

// body draws the endpoints, the fields and what will happen. The boxes
// of the check fields come before their labels, so a narrow window cuts
// a label's end rather than the box that says whether it is ticked.
func (d *watchDialog) body(a *App, width int) []string {
	out := wrap(d.from, width)
	out = append(out, wrap("→ "+d.to, width)...)
	out = append(out, "")
	out = append(out, wrap("Leave out (gitignore patterns; !PATTERN takes back):", width)...)
	ex := form{fields: d.form.fields[:wfGitignore], focus: -1}
	if d.form.focus == wfExclude {
		ex.focus = wfExclude
	}
	d.form.hits = map[int]int{len(out): wfExclude}
	out = append(out, ex.lines(a, width)...)
	d.form.labelW = ex.labelW
	del := d.form.fields[wfDelete].on
	for i := wfGitignore; i <= wfDelete; i++ {
		d.form.hits[len(out)] = i
		f := d.form.fields[i]
		box, lbl := "[ ] ", f.label
		if f.on {
			box = "[x] "
		}
		if i == d.form.focus {
			lbl = a.th.key.render(lbl)
		}
		out = append(out, box+lbl)
	}
	// What Keeper.Run does: a catch-up compare first (watch.Keeper's
	// compare), then each change as it settles.
	first := "First a mirror: uploads what is new or changed here (size or time), makes missing directories"
	if del {
		for _, l := range wrap("Files will be deleted on "+d.site+" (excluded ones stay).", width) {
			out = append(out, a.th.warn.render(l))
		}
		first += ", deletes what only the remote has. Then each save is uploaded, each removal made there too."
	} else {
		first += "; what only the remote has stays. Then each save is uploaded; removals here are not made there."
	}
	out = append(out, "")
	for _, l := range wrap(first, width) {
		out = append(out, a.th.dim.render(l))
	}
	if d.err != "" {
		out = append(out, a.th.errStyle.render(fit(d.err, width)))
	}
	return append(out, "", a.th.dim.render(strings.Join([]string{"enter: start", "tab: next field", "space: tick", "esc: cancel"}, " · ")))
}
