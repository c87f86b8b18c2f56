package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// The site manager's changes: save the pane's connection, edit, delete.
// Each opens a small dialog in place of the manager and reopens the manager,
// with its filter, when done.

// reopenSites shows the manager again; op, when set, changes the store
// first and the list is read after it.
func (a *App) reopenSites(d *sitesDialog, okText string, op func(ctx context.Context, bm Bookmarks) error) tea.Cmd {
	nd := a.newSitesDialog(d.pane, d.filter)
	nd.sites, nd.loading = d.sites, a.opts.Bookmarks != nil
	a.openDialog(nd)
	if a.opts.Bookmarks == nil {
		return nil
	}
	return a.siteOp(okText, op)
}

// addCurrentSite saves the connection of the manager's pane (or else of
// the other pane) as a bookmark, asking for its name.
func (a *App) addCurrentSite(d *sitesDialog) (bool, tea.Cmd) {
	if a.opts.Bookmarks == nil {
		a.setErr(errors.New("no bookmark store to save to"))
		return false, nil
	}
	ep := a.panes[d.pane].ep
	if ep.Site.Host == "" {
		ep = a.panes[1-d.pane].ep
	}
	if ep.Site.Host == "" {
		a.setErr(errors.New("neither pane is connected to a server — connect first (ctrl+o)"))
		return false, nil
	}
	site := ep.Site
	site.Password = ""
	addr := site.String()
	in := newInputDialog("Save site as bookmark", "name: ", site.Host, false, func(a *App, name string) tea.Cmd {
		name = strings.TrimSpace(name)
		if name == "" {
			a.setErr(errors.New("a bookmark needs a name"))
			return a.reopenSites(d, "", nil)
		}
		b := Bookmark{Name: name, URL: addr}
		return a.reopenSites(d, "saved bookmark "+name, func(ctx context.Context, bm Bookmarks) error {
			if err := bm.Save(ctx, b); err != nil {
				return fmt.Errorf("save bookmark %s: %w", name, err)
			}
			return nil
		})
	})
	in.lines = []string{"Save " + sanitize(addr) + " as a bookmark."}
	in.onCancel = func(a *App) tea.Cmd { return a.reopenSites(d, "", nil) }
	a.openDialog(in)
	return true, nil
}

// editable refuses sites that do not live in the bookmarks file.
func (a *App) editable(s Bookmark) bool {
	switch s.Kind {
	case KindSSHAlias:
		a.setErr(fmt.Errorf("%s comes from ~/.ssh/config; edit that file to change it", s.Name))
		return false
	case KindRecent:
		a.setErr(fmt.Errorf("%s is a recent site, not a bookmark — connect and save it with ctrl+n", s.Name))
		return false
	}
	return true
}

// deleteSite asks, then removes the bookmark and its saved secrets.
func (a *App) deleteSite(d *sitesDialog) (bool, tea.Cmd) {
	s, ok := d.current()
	if !ok || !a.editable(s) {
		return false, nil
	}
	ed, ok := a.opts.Bookmarks.(BookmarkEditor)
	if !ok {
		a.setErr(errors.New("this bookmark store cannot delete"))
		return false, nil
	}
	a.openDialog(&choiceDialog{
		heading: "Delete bookmark?",
		lines:   []string{"Delete the bookmark " + sanitize(s.Name) + " (" + sanitize(s.URL) + ") and its saved password?"},
		choices: []choice{{"y", "Delete"}, {"n", "Keep"}},
		onChoose: func(a *App, idx int, _ bool) tea.Cmd {
			if idx != 0 {
				return a.reopenSites(d, "", nil)
			}
			return a.reopenSites(d, "deleted bookmark "+s.Name, func(ctx context.Context, _ Bookmarks) error {
				return ed.Remove(ctx, s.Name)
			})
		},
	})
	return true, nil
}

// siteForm edits one bookmark: name (a change renames), folder, URL, notes.
type siteForm struct {
	form *form
	orig Bookmark
	from *sitesDialog
}

const (
	sfName = iota
	sfFolder
	sfURL
	sfNote
)

func (a *App) editSite(d *sitesDialog) (bool, tea.Cmd) {
	s, ok := d.current()
	if !ok || !a.editable(s) {
		return false, nil
	}
	f := &form{fields: []*field{
		textField("Name", s.Name, false),
		textField("Folder", s.Folder, false),
		textField("URL", s.URL, false),
		textField("Notes", s.Note, false),
	}}
	for _, st := range s.Settings {
		f.fields = append(f.fields, textField(st.Label, st.Value, false))
	}
	cmd := f.setFocus(0)
	a.openDialog(&siteForm{form: f, orig: s, from: d})
	return true, cmd
}

func (d *siteForm) title() string                  { return "Edit bookmark " + sanitize(d.orig.Name) }
func (d *siteForm) paste(msg tea.PasteMsg) tea.Cmd { return d.form.paste(msg) }

func (d *siteForm) click(_ *App, _, line, col int) (bool, tea.Cmd) {
	_, cmd := d.form.click(line, col)
	return false, cmd
}

func (d *siteForm) body(a *App, width int) []string {
	out := wrap("Tab moves between fields, Enter saves, Esc cancels. An empty setting means ferry's default.", width)
	out = append(out, "")
	return d.form.appendLines(a, width, out)
}

func (d *siteForm) update(a *App, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if used, cmd := d.form.key(msg); used {
		return false, cmd
	}
	switch msg.String() {
	case "esc", "ctrl+c":
		return true, a.reopenSites(d.from, "", nil)
	case "enter":
		v := func(i int) string { return strings.TrimSpace(d.form.fields[i].value()) }
		b := Bookmark{Name: v(sfName), Folder: strings.Trim(v(sfFolder), "/"), URL: v(sfURL), Note: v(sfNote)}
		for i, st := range d.orig.Settings {
			st.Value = v(sfNote + 1 + i)
			b.Settings = append(b.Settings, st)
		}
		if b.Name == "" || b.URL == "" {
			a.setErr(errors.New("a bookmark needs a name and a URL"))
			return false, nil
		}
		from := d.orig.Name
		ed, canRename := a.opts.Bookmarks.(BookmarkEditor)
		if b.Name != from && !canRename {
			a.setErr(errors.New("this bookmark store cannot rename"))
			return false, nil
		}
		return true, a.reopenSites(d.from, "saved bookmark "+b.Name, func(ctx context.Context, bm Bookmarks) error {
			if b.Name != from {
				if err := ed.Rename(ctx, from, b.Name); err != nil {
					return fmt.Errorf("rename %s to %s: %w", from, b.Name, err)
				}
			}
			if err := bm.Save(ctx, b); err != nil {
				return fmt.Errorf("save bookmark %s: %w", b.Name, err)
			}
			return nil
		})
	}
	return false, nil
}
