package ui

import (
	"context"
	"fmt"
	"path"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
)

// mkdirDialog asks for a name and creates the directory in pane i.
func (a *App) mkdirDialog(i int) tea.Cmd {
	return a.createDialog(i, "New directory in ", func(ctx context.Context, c protocol.Client, target string) error {
		if err := c.Mkdir(ctx, target); err != nil {
			return fmt.Errorf("mkdir %s: %w", target, err)
		}
		return nil
	})
}

// createDialog asks for a name (relative to pane i's directory, or
// absolute), runs create on the pane's client in a Cmd, and refreshes
// every pane showing that directory with the cursor on the new entry.
func (a *App) createDialog(i int, title string, create func(ctx context.Context, c protocol.Client, target string) error) tea.Cmd {
	p := a.panes[i]
	if !a.usable(i) {
		return nil
	}
	a.openDialog(newInputDialog(title+sanitize(p.dir), "name: ", "", false, func(a *App, v string) tea.Cmd {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil
		}
		target := v
		if !strings.HasPrefix(v, "/") {
			target = p.join(v)
		}
		p.selectAfter = path.Base(target)
		c := p.client
		return opCmd(a.ctx, a.io[i], refreshList(i, a, p.dir), "created "+target, func(ctx context.Context) error {
			return create(ctx, c, target)
		})
	}))
	return nil
}

// usable reports (and explains) whether pane i can run operations.
func (a *App) usable(i int) bool {
	p := a.panes[i]
	if p.client == nil || p.lost || p.dir == "" {
		a.setErr(fmt.Errorf("%s is not connected — ctrl+r reconnects, ctrl+o connects", p.ep.Name))
		return false
	}
	return true
}

// deleteDialog confirms, then deletes the selection recursively.
func (a *App) deleteDialog(i int) tea.Cmd {
	p := a.panes[i]
	if !a.usable(i) {
		return nil
	}
	sel := p.selection()
	if len(sel) == 0 {
		return nil
	}
	what := sanitize(sel[0].Name)
	if sel[0].IsDir() {
		what += "/ and everything in it"
	}
	if len(sel) > 1 {
		dirs := 0
		for _, e := range sel {
			if e.IsDir() {
				dirs++
			}
		}
		what = fmt.Sprintf("%d entries", len(sel))
		if dirs > 0 {
			what += " (" + counted(dirs, "directory", "directories") + ", recursively)"
		}
	}
	a.openDialog(&choiceDialog{
		heading: "Delete",
		lines:   []string{"Delete " + what + " on " + sanitize(p.ep.Name) + "?", "This cannot be undone."},
		choices: []choice{{"y", "Delete"}, {"n", "Cancel"}},
		sel:     1,
		onChoose: func(a *App, idx int, _ bool) tea.Cmd {
			if idx != 0 {
				return nil
			}
			p.clearMarks()
			c, dir := p.client, p.dir
			lk, actx, refresh := a.io[i], a.ctx, refreshList(i, a, dir)
			n := 0
			return func() tea.Msg {
				var err error
				lk.do(func() {
					ctx, cancel := context.WithCancel(actx)
					defer cancel()
					for _, e := range sel {
						if err = removeAll(ctx, c, path.Join(dir, e.Name), e.IsDir(), &n); err != nil {
							return
						}
					}
				})
				return opDoneMsg{pane: i, refresh: refresh, text: "deleted " + counted(n, "entry", "entries"), err: err}
			}
		},
	})
	return nil
}

// refreshList names pane i and the other pane when it shows the same
// directory of the same site.
func refreshList(i int, a *App, dir string) []int {
	out := []int{i}
	o := a.panes[1-i]
	if o.siteID() == a.panes[i].siteID() && o.dir == dir {
		out = append(out, 1-i)
	}
	return out
}

// moveDialog offers rename in place (one entry) or a move to the other pane.
func (a *App) moveDialog(i int) tea.Cmd {
	p := a.panes[i]
	if !a.usable(i) {
		return nil
	}
	sel := p.selection()
	if len(sel) == 0 {
		return nil
	}
	o := a.panes[1-i]
	choices := []choice{}
	if len(sel) == 1 {
		choices = append(choices, choice{"r", "Rename here"})
	}
	choices = append(choices, choice{"o", "Move to " + sanitize(o.dir)}, choice{"esc", "Cancel"})
	label := sanitize(sel[0].Name)
	if len(sel) > 1 {
		label = fmt.Sprintf("%d entries", len(sel))
	}
	a.openDialog(&choiceDialog{
		heading: "Move / rename",
		lines:   []string{"Move or rename " + label},
		choices: choices,
		onChoose: func(a *App, idx int, _ bool) tea.Cmd {
			if idx < 0 || choices[idx].key == "esc" {
				return nil
			}
			if choices[idx].key == "r" {
				a.openDialog(a.renameDialog(i, sel[0]))
				return nil
			}
			return a.moveToOther(i, sel)
		},
	})
	return nil
}

func (a *App) renameDialog(i int, e protocol.Entry) dialog {
	p := a.panes[i]
	return newInputDialog("Rename "+sanitize(e.Name), "to: ", e.Name, false, func(a *App, v string) tea.Cmd {
		v = strings.TrimSpace(v)
		if v == "" || v == e.Name {
			return nil
		}
		from := p.join(e.Name)
		to := v
		if !strings.HasPrefix(v, "/") {
			to = p.join(v)
		}
		p.selectAfter = path.Base(to)
		c := p.client
		return opCmd(a.ctx, a.io[i], refreshList(i, a, p.dir), "renamed to "+to, func(ctx context.Context) error {
			if err := c.Rename(ctx, from, to); err != nil {
				return fmt.Errorf("rename %s to %s: %w", from, to, err)
			}
			return nil
		})
	})
}

// moveToOther renames on the server when both panes are the same site, and
// otherwise queues copies that delete their sources.
func (a *App) moveToOther(i int, sel []protocol.Entry) tea.Cmd {
	p, o := a.panes[i], a.panes[1-i]
	if o.client == nil || o.lost || o.dir == "" {
		a.setErr(fmt.Errorf("the other pane (%s) is not connected", o.ep.Name))
		return nil
	}
	if p.siteID() != o.siteID() {
		return a.queueEntries(i, sel, true, filter.Spec{})
	}
	if p.dir == o.dir {
		a.setErr(fmt.Errorf("source and target directory are the same"))
		return nil
	}
	c, from, to := p.client, p.dir, o.dir
	p.clearMarks()
	return opCmd(a.ctx, a.io[i], []int{0, 1}, fmt.Sprintf("moved %d entries to %s", len(sel), to), func(ctx context.Context) error {
		for _, e := range sel {
			if err := c.Rename(ctx, path.Join(from, e.Name), path.Join(to, e.Name)); err != nil {
				return fmt.Errorf("move %s: %w", e.Name, err)
			}
		}
		return nil
	})
}
