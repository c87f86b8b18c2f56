package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// sitesDialog is the site manager: saved bookmarks grouped by folder, ssh
// config aliases and recent sites, with a filter. Typing filters; Enter
// connects; the other actions are on control and function keys so they
// never collide with the filter text.
type sitesDialog struct {
	sites   []Bookmark
	filter  string
	sel     int
	loading bool
	pane    int
	// rowAt maps the body's lines to the sites drawn on them, for clicks.
	rowAt map[int]int
}

// siteTimeout bounds one call on the bookmark store.
const siteTimeout = 10 * time.Second

func (a *App) sitesDialog() tea.Cmd {
	if a.opts.Connect == nil {
		a.setErr(errors.New("connecting is not available here"))
		return nil
	}
	a.openDialog(a.newSitesDialog(a.focus, ""))
	return a.loadSites()
}

// newSitesDialog builds the dialog with this run's recent sites; loadSites
// adds the store's.
func (a *App) newSitesDialog(pane int, filter string) *sitesDialog {
	d := &sitesDialog{loading: a.opts.Bookmarks != nil, pane: pane, filter: filter}
	d.sites = a.runRecent()
	return d
}

func (a *App) runRecent() []Bookmark {
	out := make([]Bookmark, 0, len(a.recent))
	for _, r := range a.recent {
		out = append(out, Bookmark{Name: r, URL: r, Note: "this session", Kind: KindRecent})
	}
	return out
}

// loadSites lists the store in a Cmd.
func (a *App) loadSites() tea.Cmd {
	if a.opts.Bookmarks == nil {
		return nil
	}
	return a.siteOp("", nil)
}

// siteOp runs fn on the store (when set), then lists it again, so the
// dialog shows the result of the change.
func (a *App) siteOp(okText string, fn func(ctx context.Context, bm Bookmarks) error) tea.Cmd {
	bm, ctx := a.opts.Bookmarks, a.ctx
	return func() tea.Msg {
		var m sitesMsg
		if fn != nil {
			octx, cancel := context.WithTimeout(ctx, siteTimeout)
			m.opErr = fn(octx, bm)
			cancel()
			if m.opErr == nil {
				m.op = okText
			}
		}
		lctx, cancel := context.WithTimeout(ctx, siteTimeout)
		defer cancel()
		m.sites, m.err = bm.List(lctx)
		return m
	}
}

func (a *App) onSites(msg sitesMsg) tea.Cmd {
	if msg.opErr != nil {
		a.setErr(msg.opErr)
	} else if msg.op != "" {
		a.setStatus(msg.op)
	}
	d, ok := a.dialog.(*sitesDialog)
	if !ok {
		return nil
	}
	d.loading = false
	if msg.err != nil && msg.opErr == nil {
		a.setErr(fmt.Errorf("bookmarks: %w", msg.err))
	}
	d.setSites(a.runRecent(), msg.sites)
	return nil
}

// setSites merges this run's recent sites with the store's list, drops
// duplicates, and orders everything by group then name.
func (d *sitesDialog) setSites(run, stored []Bookmark) {
	cur := ""
	if vis := d.visible(); d.sel < len(vis) {
		cur = vis[d.sel].Name
	}
	seen := map[string]bool{}
	var all []Bookmark
	for _, s := range stored {
		if s.Kind == KindRecent {
			seen[s.Name] = true
		}
		all = append(all, s)
	}
	for _, r := range run {
		if !seen[r.Name] {
			all = append(all, r)
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		gi, gj := groupKey(all[i]), groupKey(all[j])
		if gi != gj {
			return gi < gj
		}
		if all[i].Kind == KindRecent {
			return false // keep recent sites newest first
		}
		return strings.ToLower(all[i].Name) < strings.ToLower(all[j].Name)
	})
	d.sites = all
	d.sel = 0
	for i, s := range d.visible() {
		if s.Name == cur {
			d.sel = i
		}
	}
}

// groupKey orders groups: loose bookmarks, folders A–Z, ssh aliases, recent.
func groupKey(b Bookmark) string {
	switch b.Kind {
	case KindSSHAlias:
		return "2"
	case KindRecent:
		return "3"
	}
	if b.Folder == "" {
		return "0"
	}
	return "1" + strings.ToLower(b.Folder)
}

// groupTitle is the heading a group is shown under.
func groupTitle(b Bookmark) string {
	switch b.Kind {
	case KindSSHAlias:
		return "ssh config"
	case KindRecent:
		return "recent"
	}
	if b.Folder == "" {
		return "bookmarks"
	}
	return b.Folder
}

func (d *sitesDialog) visible() []Bookmark {
	if d.filter == "" {
		return d.sites
	}
	f := strings.ToLower(d.filter)
	var out []Bookmark
	for _, s := range d.sites {
		if fuzzy(strings.ToLower(s.Name+" "+s.URL+" "+s.Folder+" "+s.Note), f) {
			out = append(out, s)
		}
	}
	return out
}

func (d *sitesDialog) title() string { return "Site manager" }

func (d *sitesDialog) current() (Bookmark, bool) {
	vis := d.visible()
	if d.sel < len(vis) {
		return vis[d.sel], true
	}
	return Bookmark{}, false
}

// click selects the site clicked; a click on the selected one connects,
// as a double click does in FileZilla's site manager.
func (d *sitesDialog) click(a *App, _, line, _ int) (bool, tea.Cmd) {
	i, ok := d.rowAt[line]
	if !ok {
		return false, nil
	}
	if i != d.sel {
		d.sel = i
		return false, nil
	}
	return d.update(a, tea.KeyPressMsg{Code: tea.KeyEnter})
}

func (d *sitesDialog) update(a *App, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	vis := d.visible()
	switch msg.String() {
	case "esc", "ctrl+c":
		return true, nil
	case "up":
		d.sel = max(d.sel-1, 0)
	case "down":
		d.sel = min(d.sel+1, max(len(vis)-1, 0))
	case "pgup":
		d.sel = max(d.sel-10, 0)
	case "pgdown":
		d.sel = min(d.sel+10, max(len(vis)-1, 0))
	case "enter":
		if s, ok := d.current(); ok {
			return true, a.connectSite(d.pane, ConnectRequest{Addr: s.Name, Type: "auto", FTPMode: "passive"}, "")
		}
	case "ctrl+n", "f7":
		return a.addCurrentSite(d)
	case "ctrl+e", "f4":
		return a.editSite(d)
	case "delete", "f8", "ctrl+d":
		return a.deleteSite(d)
	case "ctrl+o":
		return true, a.connectDialog()
	case "backspace":
		if r := []rune(d.filter); len(r) > 0 {
			d.filter = string(r[:len(r)-1])
			d.sel = 0
		}
	default:
		if msg.Text != "" && msg.Mod&(tea.ModCtrl|tea.ModAlt) == 0 {
			d.filter += msg.Text
			d.sel = 0
		}
	}
	return false, nil
}

func (d *sitesDialog) body(a *App, width int) []string {
	out := []string{"filter: " + sanitize(d.filter) + "█", ""}
	vis := d.visible()
	if d.loading {
		out = append(out, "loading bookmarks…")
	}
	if len(vis) == 0 && !d.loading {
		out = append(out, a.th.dim.render("no sites — ctrl+n saves the pane's connection, ctrl+o connects"))
	}
	maxRows := max(a.h-12, 3)
	start := max(d.sel-maxRows+1, 0)
	group := ""
	if start > 0 {
		group = groupTitle(vis[start-1]) // no heading for a group already scrolled into
	}
	nameW := max(width/3, 8)
	d.rowAt = map[int]int{}
	for i := start; i < len(vis) && i < start+maxRows; i++ {
		s := vis[i]
		if g := groupTitle(s); g != group || i == start && start == 0 {
			group = g
			out = append(out, a.th.key.render("▸ "+sanitize(g)))
		}
		url := sanitize(s.URL)
		if room := max(width-nameW-3, 4); visibleWidth(url) > room {
			url = fit(url, room)
		}
		d.rowAt[len(out)] = i
		line := "  " + fit(sanitize(s.Name), nameW) + " " + url
		if i == d.sel {
			line = a.th.cursor.render(fit(line, width))
		} else if room := width - visibleWidth(line) - 2; s.Note != "" && room > 3 {
			line += "  " + a.th.dim.render(fit(sanitize(s.Note), room))
		}
		out = append(out, line)
	}
	out = append(out, "")
	for _, l := range wrap("type to filter · ↑↓ choose · enter connect · ctrl+n save the pane's site · ctrl+e edit · del delete · ctrl+o connect form · esc close", width) {
		out = append(out, a.th.dim.render(l))
	}
	return out
}
