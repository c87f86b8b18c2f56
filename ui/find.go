package ui

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/treewalk"
)

// maxFindHits bounds what a find keeps: past it, matches are counted but
// not listed, so a pattern that matches a million entries costs no more
// memory than one that matches ten thousand.
const maxFindHits = 10_000

// findDialog asks what to look for below pane i's directory, then lists
// the matches as the background walk finds them. Enter on a match moves
// the pane to its directory with the cursor on it; Esc stops a running
// search, and closes the dialog once stopped.
type findDialog struct {
	pane int
	root string
	form form
	err  string

	t       *task
	match   treewalk.Match
	hits    []findHit
	more    int64 // matches past maxFindHits
	scanned int64
	done    bool
	walkErr error
	failed  int64 // directories that could not be listed
	since   time.Time
	took    time.Duration
	sel     int
	off     int
}

type findHit struct {
	path  string
	dir   bool
	size  int64
	mtime time.Time
}

type findMsg struct {
	t       *task
	hits    []findHit
	scanned int64
	failed  int64
	done    bool
	err     error
}

func (m findMsg) from() *task { return m.t }

// findOpen opens the find dialog for pane i.
func (a *App) findOpen(i int) tea.Cmd {
	if !a.usable(i) {
		return nil
	}
	d := &findDialog{pane: i, root: a.panes[i].dir, form: form{fields: []*field{
		textField("name (glob)", "*", false),
		checkField("ignore case"),
		choiceField("type", "any", "files", "directories"),
		textField("larger than", "", false),
		textField("modified within", "", false),
	}}}
	d.form.fields[1].on = true
	a.openDialog(d)
	return d.form.setFocus(0)
}

func (d *findDialog) title() string {
	return "Find below " + d.root
}

// click works on the form while no search runs; the results take keys.
func (d *findDialog) click(_ *App, _, line, col int) (bool, tea.Cmd) {
	if d.t != nil {
		return false, nil
	}
	_, cmd := d.form.click(line, col)
	return false, cmd
}

func (d *findDialog) paste(msg tea.PasteMsg) tea.Cmd {
	if d.t == nil {
		return d.form.paste(msg)
	}
	return nil
}

func (d *findDialog) update(a *App, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if d.t == nil {
		return d.formKey(a, msg)
	}
	switch msg.String() {
	case "esc", "ctrl+c":
		if !d.done {
			d.t.stop()
			d.done, d.walkErr = true, context.Canceled
			d.took = a.now().Sub(d.since)
			return false, nil
		}
		return true, nil
	case "up", "k":
		d.sel--
	case "down", "j":
		d.sel++
	case "pgup":
		d.sel -= 10
	case "pgdown":
		d.sel += 10
	case "home":
		d.sel = 0
	case "end":
		d.sel = len(d.hits) - 1
	case "enter":
		if len(d.hits) == 0 {
			return false, nil
		}
		d.t.stop()
		return true, a.jumpTo(d.pane, d.hits[d.sel].path)
	}
	d.sel = max(min(d.sel, len(d.hits)-1), 0)
	return false, nil
}

func (d *findDialog) formKey(a *App, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "esc", "ctrl+c":
		return true, nil
	case "enter":
		m, err := d.matchFromForm(a.now())
		if err != nil {
			d.err = err.Error()
			return false, nil
		}
		return false, d.start(a, m)
	}
	_, cmd := d.form.key(msg)
	return false, cmd
}

// matchFromForm reads the form into a Match.
func (d *findDialog) matchFromForm(now time.Time) (treewalk.Match, error) {
	f := d.form.fields
	m := treewalk.Match{Name: strings.TrimSpace(f[0].value()), Fold: f[1].on, Larger: -1}
	if m.Name == "*" {
		m.Name = ""
	}
	if err := m.Validate(); err != nil {
		return m, err
	}
	m.Type = [...]byte{0, 'f', 'd'}[f[2].opt]
	if v := strings.TrimSpace(f[3].value()); v != "" {
		n, err := treewalk.ParseSize(v)
		if err != nil {
			return m, err
		}
		m.Larger = n
	}
	if v := strings.TrimSpace(f[4].value()); v != "" {
		age, err := treewalk.ParseAge(v)
		if err != nil {
			return m, err
		}
		m.Since = now.Add(-age)
	}
	return m, nil
}

// start runs the walk: matches go to the dialog in batches, at most every
// 100 ms or 256 at a time.
func (d *findDialog) start(a *App, m treewalk.Match) tea.Cmd {
	p, lk, root := a.panes[d.pane], a.io[d.pane], d.root
	d.match, d.err, d.since = m, "", a.now()
	var cmd tea.Cmd
	d.t, cmd = a.startTask(func(ctx context.Context, t *task, send func(tea.Msg, bool)) {
		c, opts, release, err := session(ctx, p, lk)
		if err != nil {
			send(findMsg{t: t, done: true, err: err}, true)
			return
		}
		defer release()
		var batch []findHit
		var scanned, failed int64
		last := time.Now()
		err = treewalk.Walk(ctx, c, root, opts, func(it treewalk.Item) error {
			if it.Err != nil {
				failed++
				return nil
			}
			scanned++
			if m.Matches(it.Entry) {
				e := it.Entry
				batch = append(batch, findHit{path: it.Path, dir: e.IsDir() && !e.IsLink(), size: e.Size, mtime: e.ModTime})
			}
			if len(batch) >= 256 || time.Since(last) >= 100*time.Millisecond {
				last = time.Now()
				if len(batch) > 0 {
					send(findMsg{t: t, hits: batch, scanned: scanned, failed: failed}, true)
					batch = nil
				} else {
					send(findMsg{t: t, scanned: scanned, failed: failed}, false)
				}
			}
			return nil
		})
		send(findMsg{t: t, hits: batch, scanned: scanned, failed: failed, done: true, err: err}, true)
	})
	return cmd
}

func (d *findDialog) taskMsg(a *App, msg taskMsg) tea.Cmd {
	m, ok := msg.(findMsg)
	if !ok || m.t != d.t || d.done && d.walkErr == context.Canceled {
		return nil
	}
	room := maxFindHits - len(d.hits)
	if len(m.hits) > room {
		d.more += int64(len(m.hits) - room)
		m.hits = m.hits[:room]
	}
	d.hits = append(d.hits, m.hits...)
	d.scanned, d.failed = max(d.scanned, m.scanned), max(d.failed, m.failed)
	if m.done {
		d.done, d.walkErr, d.took = true, m.err, a.now().Sub(d.since)
		return nil
	}
	return m.t.wait()
}

func (d *findDialog) body(a *App, width int) []string {
	if d.t == nil {
		out := d.form.appendLines(a, width, nil)
		if d.err != "" {
			out = append(out, "", a.th.errStyle.render(fit(d.err, width)))
		}
		return append(out, "", a.th.dim.render("enter: find · tab: next field · space: toggle · sizes 10k, 1.5M · ages 30m, 12h, 7d"))
	}
	n := int64(len(d.hits)) + d.more
	state := fmt.Sprintf("searching… %d found, %d scanned", n, d.scanned)
	if d.done {
		state = fmt.Sprintf("%d found, %d scanned in %s", n, d.scanned, d.took.Round(time.Millisecond))
		switch {
		case d.walkErr == context.Canceled:
			state += " — stopped"
		case d.walkErr != nil:
			state += " — " + d.walkErr.Error()
		}
	}
	if d.failed > 0 {
		state += " · " + counted(int(d.failed), "directory", "directories") + " unreadable"
	}
	if d.more > 0 {
		state += fmt.Sprintf(" · the first %d listed", maxFindHits)
	}
	out := []string{state, ""}
	rows := max(a.h-10, 3)
	if d.sel < d.off {
		d.off = d.sel
	}
	if d.sel >= d.off+rows {
		d.off = d.sel - rows + 1
	}
	prefix := strings.TrimSuffix(d.root, "/") + "/"
	for i := d.off; i < min(d.off+rows, len(d.hits)); i++ {
		h := d.hits[i]
		name := sanitize(strings.TrimPrefix(h.path, prefix))
		size := humanSize(h.size)
		if h.dir {
			name += "/"
			size = ""
		}
		line := fmt.Sprintf("%6s  %s", size, name)
		line = fit(line, width)
		if i == d.sel {
			line = a.th.cursor.render(line)
		}
		out = append(out, line)
	}
	for i := len(d.hits) - d.off; i < rows; i++ {
		out = append(out, "")
	}
	help := "enter: go to · ↑/↓: move · esc: stop"
	if d.done {
		help = "enter: go to · ↑/↓: move · esc: close"
	}
	return append(out, "", a.th.dim.render(help))
}

// jumpTo moves pane i to the directory of full with the cursor on it.
func (a *App) jumpTo(i int, full string) tea.Cmd {
	p := a.panes[i]
	p.selectAfter = path.Base(full)
	return a.list(i, path.Dir(full))
}
