package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// Screen rows above the listing (header, path, column titles) and below it
// (pane info, queue summary, status, key bar).
const (
	paneTopRows    = 3
	footerRows     = 4
	minQueueRows   = 4
	minListRows    = 3
	columnGapCells = 1
)

// geometry is where things are on screen, for drawing and mouse hits.
type geometry struct {
	leftW, rightW int // pane widths; the left one includes the divider
	listTop       int // first listing row
	listRows      int
	queueTop      int // first row of the queue panel (title), when shown
	queueRows     int // rows of the queue panel including its title
}

func (a *App) geom() geometry {
	g := geometry{leftW: a.w / 2, listTop: paneTopRows}
	g.rightW = a.w - g.leftW
	body := a.h - paneTopRows - footerRows
	if a.showQueue {
		g.queueRows = max(minQueueRows, body/3)
		if body-g.queueRows < minListRows {
			g.queueRows = max(body-minListRows, 0)
		}
	}
	g.listRows = max(body-g.queueRows, 1)
	g.queueTop = g.listTop + g.listRows + 1
	return g
}

// layout tells the panes how many rows they show.
func (a *App) layout() {
	g := a.geom()
	for _, p := range a.panes {
		p.height = g.listRows
		p.clamp()
	}
}

// View draws the whole window. It only formats state.
func (a *App) View() tea.View {
	var content string
	switch {
	case a.w < minWidth || a.h < minHeight:
		content = fit("too small", max(a.w, 1))
	default:
		content = a.screenContent()
	}
	v := tea.NewView(content)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "ferry — " + sanitize(a.panes[0].ep.Name) + " ⇄ " + sanitize(a.panes[1].ep.Name)
	return v
}

// The smallest window ferry draws in; 80×24 is the smallest it is made for.
const (
	minWidth  = 30
	minHeight = 10
)

func (a *App) screenContent() string {
	var content string
	switch a.screen {
	case screenHelp:
		content = a.helpView()
	case screenLog:
		content = a.logScreen()
	case screenPager:
		content = a.pagerView()
	default:
		content = a.mainView()
	}
	if a.dialog != nil {
		content = a.overlayDialog(content)
	}
	return content
}

func (a *App) mainView() string {
	g := a.geom()
	left := a.paneLines(0, g.leftW-1, g.listRows)
	right := a.paneLines(1, g.rightW, g.listRows)
	lines := make([]string, 0, a.h)
	div := a.th.dim.render("│")
	for i := range left {
		lines = append(lines, left[i]+div+right[i])
	}
	if a.showQueue {
		lines = append(lines, a.queuePanel(a.w, g.queueRows)...)
	}
	lines = append(lines, a.queueSummary(a.w), a.statusLine(a.w), a.keyBar(a.w))
	if len(lines) > a.h {
		lines = lines[:a.h]
	}
	return strings.Join(lines, "\n")
}

// paneLines renders pane i as header, path, column titles, rows and an info
// line, each exactly w cells wide. Only the visible rows are formatted.
func (a *App) paneLines(i, w, rows int) []string {
	p := a.panes[i]
	th := &a.th
	focused := i == a.focus && !a.qFocus
	out := make([]string, 0, rows+paneTopRows+1)

	// Header: name and security.
	hs := th.header
	if focused {
		hs = th.headerFocus
	}
	sec := p.security
	if sec == "" && p.ep.Local {
		sec = "local"
	}
	secStyle := th.secure
	if sec != "" && !p.encrypted && !p.ep.Local {
		secStyle = th.insecure
	}
	name, badge := headerParts(sanitize(p.ep.Name), sec, w)
	out = append(out, hs.render(name)+secStyle.render(badge))

	// Path line, with busy and sort state.
	info := ""
	switch {
	case p.busy != "":
		info = p.busy
	case p.filter != "" || a.filtering && focused:
		info = "filter: " + p.filter
	}
	sortTag := "[" + p.sort.String()
	if p.desc {
		sortTag += "↓"
	}
	sortTag += "]"
	dir := p.dir
	if dir == "" {
		dir = "—"
	}
	right := sortTag
	if info != "" {
		right = info + " " + sortTag
	}
	pathW := max(w-visibleWidth(right)-1, 1)
	out = append(out, th.path.render(fitLeftPath(sanitize(dir), pathW))+" "+th.dim.render(fitLeft(right, w-pathW-1)))

	cols := columnsFor(w)
	out = append(out, th.colHeader.render(cols.header(w)))

	if p.err != "" && len(p.items) == 0 {
		for r := 0; r < rows; r++ {
			line := ""
			if r == 1 {
				line = th.errStyle.render(fit("  "+sanitize(p.err), w))
			}
			out = append(out, fit(line, w))
		}
	} else {
		now := a.now()
		for r := 0; r < rows; r++ {
			idx := p.offset + r
			if idx >= len(p.rows) {
				out = append(out, strings.Repeat(" ", w))
				continue
			}
			out = append(out, a.rowLine(p, idx, w, cols, focused, now))
		}
	}

	// Info line: marks, or the error, or the entry under the cursor.
	var infoLine string
	switch {
	case p.err != "":
		infoLine = th.errStyle.render(fit(" "+sanitize(p.err), w))
	case p.markedN > 0:
		infoLine = th.marked.render(fit(fmt.Sprintf(" %d marked, %s", p.markedN, humanSize(p.markedSize)), w))
	default:
		infoLine = fit(fmt.Sprintf(" %d entries", len(p.items)), w)
		if it := p.current(); it != nil && it.e.IsLink() && it.e.Target != "" {
			infoLine = fit(" → "+sanitize(it.e.Target), w)
		}
	}
	out = append(out, infoLine)
	return out
}

// fitLeftPath keeps the end of a long path, which is the part that matters.
func fitLeftPath(s string, w int) string {
	if visibleWidth(s) <= w {
		return fit(s, w)
	}
	return fitLeft(s, w)
}

// columns decides which columns fit a pane width.
type columns struct {
	name, size, time, perm int
}

func columnsFor(w int) columns {
	c := columns{size: 6}
	rest := w - 1 // mark column
	if rest >= 50 {
		c.perm = 10
	}
	if rest >= 34 {
		c.time = 12
	}
	c.name = rest - c.size - columnGapCells
	if c.time > 0 {
		c.name -= c.time + columnGapCells
	}
	if c.perm > 0 {
		c.name -= c.perm + columnGapCells
	}
	if c.name < 4 {
		c.size, c.name = 0, rest
	}
	return c
}

func (c columns) header(w int) string {
	s := " " + fit("Name", c.name)
	if c.size > 0 {
		s += " " + fitLeft("Size", c.size)
	}
	if c.time > 0 {
		s += " " + fit("Modified", c.time)
	}
	if c.perm > 0 {
		s += " " + fit("Perms", c.perm)
	}
	return fit(s, w)
}

func (a *App) rowLine(p *pane, idx, w int, c columns, focused bool, now time.Time) string {
	th := &a.th
	ri := p.rows[idx]
	var b strings.Builder
	b.Grow(w + 16)
	var st style
	if ri == parentRow {
		b.WriteString(" ")
		b.WriteString(fit(th.parentIcon()+"..", c.name))
		if c.size > 0 {
			b.WriteString(" " + fitLeft("UP", c.size))
		}
		st = th.dir
	} else {
		it := &p.items[ri]
		mark := " "
		if it.marked {
			mark = "+"
		}
		b.WriteString(mark)
		name := th.icon(&it.e, it.lower) + it.name
		switch {
		case it.e.IsDir():
			name += "/"
		case it.e.IsLink():
			name += "@"
		}
		b.WriteString(fit(name, c.name))
		if c.size > 0 {
			sz := humanSize(it.e.Size)
			if it.e.IsDir() {
				sz = "DIR"
			}
			b.WriteString(" " + fitLeft(sz, c.size))
		}
		if c.time > 0 {
			b.WriteString(" " + fit(shortTime(it.e.ModTime, now), c.time))
		}
		if c.perm > 0 {
			b.WriteString(" " + protocol.ModeString(it.e.Mode))
		}
		switch {
		case it.marked:
			st = th.marked
		case it.cmp == cmpNewer:
			st = th.newer
		case it.cmp == cmpMissing:
			st = th.missing
		case it.cmp == cmpDiffer:
			st = th.diff
		default:
			st = th.nameStyle(&it.e, it.lower)
		}
	}
	line := fit(b.String(), w)
	if idx == p.cursor {
		if focused {
			return th.cursor.render(line)
		}
		return th.cursorDim.render(line)
	}
	return st.render(line)
}

func (a *App) statusLine(w int) string {
	th := &a.th
	switch {
	case a.filtering:
		return fit(th.key.render("/")+a.panes[a.focus].filter+"█", w)
	case a.jumping:
		return fit(th.key.render("jump: ")+a.jumpText+"█", w)
	case a.seqKey != "":
		return fit(th.dim.render(a.seqKey+"…"), w)
	}
	s := a.status
	if a.syncBrowse {
		s = "[sync] " + s
	}
	if a.compareOn {
		s = "[compare] " + s
	}
	if a.watch != nil {
		s = "⟳ " + a.watch.label + " │ " + s
	}
	if a.statusErr {
		return th.errStyle.render(fit(s, w))
	}
	return fit(s, w)
}

// keyBar is the Midnight Commander style function-key bar.
func (a *App) keyBar(w int) string {
	km := &a.keys
	items := []struct {
		b key.Binding
		d string
	}{
		{km.Help, "Help"}, {km.Queue, "Queue"}, {km.View, "View"}, {km.Edit, "Edit"}, {km.Copy, "Copy"},
		{km.Move, "Move"}, {km.Mkdir, "Mkdir"}, {km.Delete, "Delete"}, {km.Log, "Log"}, {km.Quit, "Quit"},
	}
	var b strings.Builder
	used := 0
	for _, it := range items {
		if len(it.b.Keys()) == 0 {
			continue
		}
		k := strings.ToUpper(it.b.Keys()[0])
		for _, x := range it.b.Keys() {
			if len(x) >= 2 && x[0] == 'f' && x[1] >= '1' && x[1] <= '9' {
				k = strings.ToUpper(x)
				break
			}
		}
		seg := k + it.d + " "
		if used+len(seg) > w {
			break
		}
		b.WriteString(a.th.key.render(k))
		b.WriteString(a.th.header.render(it.d))
		b.WriteString(" ")
		used += len(seg)
	}
	return fit(b.String(), w)
}
