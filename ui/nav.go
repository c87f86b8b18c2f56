package ui

import (
	"path"

	tea "charm.land/bubbletea/v2"
)

// open enters the directory under the cursor, goes up on "..", and views a
// file.
func (a *App) open(i int) tea.Cmd {
	p := a.panes[i]
	if p.onParent() {
		return a.goParent(i)
	}
	it := p.current()
	if it == nil {
		return nil
	}
	if it.e.IsLink() && !it.e.IsDir() {
		return a.openLink(i, p.join(it.e.Name), it.e.Size)
	}
	if it.e.IsDir() {
		return tea.Batch(a.list(i, p.join(it.e.Name)), a.follow(i, it.e.Name))
	}
	return a.viewFile(i)
}

// follow enters name in the other pane when synchronized browsing is on.
func (a *App) follow(i int, name string) tea.Cmd {
	if !a.syncBrowse {
		return nil
	}
	o := a.panes[1-i]
	if o.client == nil || o.lost {
		return nil
	}
	return a.list(1-i, o.join(name))
}

// goParent lists the directory above; the cursor lands on the one we left.
func (a *App) goParent(i int) tea.Cmd {
	p := a.panes[i]
	if p.dir == "/" || p.dir == "" {
		return nil
	}
	cmd := a.list(i, p.parentDir())
	if a.syncBrowse {
		o := a.panes[1-i]
		if o.client != nil && !o.lost && o.dir != "/" {
			cmd = tea.Batch(cmd, a.list(1-i, path.Dir(o.dir)))
		}
	}
	return cmd
}
