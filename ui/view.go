package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// Screen rows above the listing (the pane's top border, column titles) and
// below it (the pane's bottom border, queue summary, status, key bar).
const (
	paneTopRows    = 2
	footerRows     = 4
	minQueueRows   = 5
	minListRows    = 3
	columnGapCells = 1
)

// Window widths where the layout changes: below narrowWidth one pane shows
// at a time (Tab switches); from wideWidth on the panes show more columns.
const (
	narrowWidth = 80
	wideWidth   = 140
)

// geometry is where things are on screen, for drawing and mouse hits.
type geometry struct {
	leftW, rightW int  // pane widths, borders included; rightW is 0 when single
	single        bool // one pane at a time, the focused one, full width
	listTop       int  // first listing row
	listRows      int
	queueTop      int // first row of the queue panel (its top border), when shown
	queueRows     int // rows of the queue panel including its borders
}

func (a *App) geom() geometry {
	g := geometry{leftW: a.w / 2, listTop: paneTopRows}
	g.rightW = a.w - g.leftW
	if a.w < narrowWidth {
		g.single, g.leftW, g.rightW = true, a.w, 0
	}
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

// shown is the pane drawn at screen x: the focused one when only one shows.
func (g geometry) shown(x, focus int) int {
	switch {
	case g.single:
		return focus
	case x >= g.leftW:
		return 1
	}
	return 0
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
		// Say what is needed, on as many rows as the window has.
		msg := fmt.Sprintf("too small: %d×%d; ferry needs %d×%d", a.w, a.h, minWidth, minHeight)
		lines := wrap(msg, max(a.w, 1))
		content = strings.Join(lines[:min(max(a.h, 1), len(lines))], "\n")
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
	lines := make([]string, 0, a.h)
	if g.single {
		lines = append(lines, a.paneLines(a.focus, g.leftW, g.listRows, true)...)
	} else {
		left := a.paneLines(0, g.leftW, g.listRows, false)
		right := a.paneLines(1, g.rightW, g.listRows, false)
		for i := range left {
			lines = append(lines, left[i]+right[i])
		}
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

// paneLines renders pane i in a rounded frame w cells wide: the top border
// (path, connection), column titles, rows and the bottom border (counts,
// sort). Every line is exactly w cells. Only the visible rows are formatted.
func (a *App) paneLines(i, w, rows int, single bool) []string {
	p := a.panes[i]
	th := &a.th
	focused := i == a.focus && !a.qFocus
	out := make([]string, 0, rows+paneTopRows+1)
	side := th.frameStyle(focused).render(frameV)
	iw := max(w-2, 0)

	out = append(out, a.topBorder(i, w, focused, single))

	wide := a.w >= wideWidth
	cols := columnsFor(iw, wide, wide && p.ownersShown(rows))
	out = append(out, framed(side, th.colHeader.render(cols.header(iw))))

	if p.err != "" && len(p.items) == 0 {
		for r := 0; r < rows; r++ {
			line := ""
			if r == 1 {
				line = th.errStyle.render(fit("  "+sanitize(p.err), iw))
			}
			out = append(out, framed(side, fit(line, iw)))
		}
	} else {
		now := a.now()
		blank := strings.Repeat(" ", iw)
		for r := 0; r < rows; r++ {
			idx := p.offset + r
			if idx >= len(p.rows) {
				out = append(out, framed(side, blank))
				continue
			}
			out = append(out, framed(side, a.rowLine(p, idx, iw, cols, focused, now)))
		}
	}

	out = append(out, a.bottomBorder(i, w, focused))
	return out
}

// ownersShown says whether the rows on screen name an owner or group, which
// FTP's LIST and SFTP's longname give and MLSD and local listings may not.
func (p *pane) ownersShown(rows int) bool {
	for r := 0; r < rows && p.offset+r < len(p.rows); r++ {
		if ri := p.rows[p.offset+r]; ri != parentRow {
			if e := &p.items[ri].e; e.Owner != "" || e.Group != "" {
				return true
			}
		}
	}
	return false
}

// fitLeftPath keeps the end of a long path, which is the part that matters.
func fitLeftPath(s string, w int) string {
	if visibleWidth(s) <= w {
		return fit(s, w)
	}
	return fitLeft(s, w)
}

// columns decides which columns fit a pane width. Wide windows show the
// full date and, where the server names them, owner and group.
type columns struct {
	name, size, time, perm, owner int
	fullDate                      bool
}

// Column widths: a short date ("Jan _2 15:04"), a full one
// ("2006-01-02 15:04"), permissions, and owner:group.
const (
	shortTimeCells = 12
	fullTimeCells  = 16
	permCells      = 10
	ownerCells     = 15
)

func columnsFor(w int, wide, owners bool) columns {
	c := columns{size: 6}
	rest := w - 2 // the mark column, and a cell before the frame
	if rest >= 50 {
		c.perm = permCells
	}
	if rest >= 34 {
		c.time = shortTimeCells
	}
	if wide && rest >= 60 {
		c.time, c.fullDate = fullTimeCells, true
	}
	c.name = rest - c.size - columnGapCells
	if c.time > 0 {
		c.name -= c.time + columnGapCells
	}
	if c.perm > 0 {
		c.name -= c.perm + columnGapCells
	}
	if owners && c.name >= 20+ownerCells+columnGapCells {
		c.owner = ownerCells
		c.name -= c.owner + columnGapCells
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
	if c.owner > 0 {
		s += " " + fit("Owner", c.owner)
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
			t := ""
			switch {
			case c.fullDate && !it.e.ModTime.IsZero():
				t = it.e.ModTime.Local().Format("2006-01-02 15:04")
			default:
				t = shortTime(it.e.ModTime, now)
			}
			b.WriteString(" " + fit(t, c.time))
		}
		if c.perm > 0 {
			b.WriteString(" " + protocol.ModeString(it.e.Mode))
		}
		if c.owner > 0 {
			og := sanitize(it.e.Owner)
			if it.e.Group != "" {
				og += ":" + sanitize(it.e.Group)
			}
			b.WriteString(" " + fit(og, c.owner))
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
		s = "⟳ " + a.watchStatus() + " │ " + s
	}
	if a.statusErr {
		return th.errStyle.render(fit(s, w))
	}
	return fit(s, w)
}

// barItem is one entry of the key bar: what it shows and the cells
// [x0, x1) it covers, so a click on it does what its key does.
type barItem struct {
	b      key.Binding
	k, d   string
	x0, x1 int
}

// keyBarItems lays out the Midnight Commander style function-key bar. A
// narrow window gets the short words, then the keys without their F (as
// mc shows "1Help"), then words cut to the same length, so the bar reaches
// F10 down to 40 columns; below that it is cut at the edge.
func (a *App) keyBarItems(w int) []barItem {
	km := &a.keys
	all := []struct {
		b           key.Binding
		word, short string
	}{
		{km.Help, "Help", "Help"}, {km.Queue, "Queue", "Queue"}, {km.View, "View", "View"},
		{km.Edit, "Edit", "Edit"}, {km.Copy, "Copy", "Copy"}, {km.Move, "Move", "Move"},
		{km.Mkdir, "Mkdir", "Mkdir"}, {km.Delete, "Delete", "Del"}, {km.Log, "Log", "Log"},
		{km.Quit, "Quit", "Quit"},
	}
	type seg struct {
		b              key.Binding
		k, word, short string
	}
	segs := make([]seg, 0, len(all))
	for _, it := range all {
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
		segs = append(segs, seg{it.b, k, it.word, it.short})
	}
	label := func(s seg, short, noF bool, cut int) (string, string) {
		k, d := s.k, s.word
		if short {
			d = s.short
		}
		if noF && len(k) > 1 && k[0] == 'F' && k[1] >= '0' && k[1] <= '9' {
			k = k[1:]
		}
		return k, d[:min(len(d), cut)]
	}
	fits := func(short, noF bool, cut int) bool {
		n := -1
		for _, s := range segs {
			k, d := label(s, short, noF, cut)
			n += len(k) + len(d) + 1
		}
		return n <= w
	}
	short, noF, cut := false, false, 8
	switch {
	case fits(false, false, cut):
	case fits(true, false, cut):
		short = true
	default:
		short, noF = true, true
		for cut > 2 && !fits(true, true, cut) {
			cut--
		}
	}
	items := make([]barItem, 0, len(segs))
	x := 0
	for _, s := range segs {
		k, d := label(s, short, noF, cut)
		if x+len(k)+len(d) > w {
			break
		}
		items = append(items, barItem{b: s.b, k: k, d: d, x0: x, x1: x + len(k) + len(d)})
		x += len(k) + len(d) + 1
	}
	return items
}

// keyBar draws the key bar like the frames' labels: the key in the
// accent, its action dimmed.
func (a *App) keyBar(w int) string {
	var b strings.Builder
	for i, it := range a.keyBarItems(w) {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(a.th.key.render(it.k))
		b.WriteString(a.th.dim.render(it.d))
	}
	return fit(b.String(), w)
}

// keyBarClick does what the key bar entry at cell x says, as clicking
// Midnight Commander's bar does.
func (a *App) keyBarClick(x int) tea.Cmd {
	for _, it := range a.keyBarItems(a.w) {
		if x >= it.x0 && x < it.x1 {
			return a.action(keyString(it.b.Keys()[0]))
		}
	}
	return nil
}
