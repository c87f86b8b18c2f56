package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
)

// doubleClick is the longest gap between two clicks on one row that opens it.
const doubleClick = 400 * time.Millisecond

// mouseState remembers the last click (for double clicks) and a press on an
// entry (for drag-style copies).
type mouseState struct {
	lastPane, lastRow int
	lastAt            time.Time
	dragging          bool
	dragPane          int
	dragRow           int
}

// hitPane maps a screen cell to a pane and a row of its listing; row is -1
// outside the listing. A pane's frame belongs to it: a click on its border
// focuses it, the way a click on a row does.
func (a *App) hitPane(x, y int) (pane, row int, ok bool) {
	g := a.geom()
	if y < 0 || y >= g.listTop+g.listRows+1 || x < 0 || x >= a.w {
		return 0, -1, false
	}
	pane = g.shown(x, a.focus)
	row = -1
	if y >= g.listTop && y < g.listTop+g.listRows {
		row = a.panes[pane].offset + y - g.listTop
		if row >= len(a.panes[pane].rows) {
			row = -1
		}
	}
	return pane, row, true
}

func (a *App) mouseClick(m tea.Mouse) tea.Cmd {
	if a.dialog != nil {
		return a.dialogClick(m)
	}
	if a.screen != screenPanes {
		return nil
	}
	a.mouse.dragging = false
	if m.Button != tea.MouseLeft {
		return nil
	}
	if m.Y == a.h-1 {
		return a.keyBarClick(m.X)
	}
	if a.showQueue {
		g := a.geom()
		if m.Y > g.queueTop && m.Y < g.queueTop+g.queueRows-1 {
			a.qFocus = true
			i := a.queue.offset + m.Y - g.queueTop - 1
			if i < len(a.queue.order) {
				a.queue.sel = i
			}
			return nil
		}
	}
	pi, row, ok := a.hitPane(m.X, m.Y)
	if !ok {
		return nil
	}
	a.focus, a.qFocus = pi, false
	if row < 0 {
		return nil
	}
	p := a.panes[pi]
	p.setCursor(row)
	now := a.now()
	double := a.mouse.lastPane == pi && a.mouse.lastRow == row && now.Sub(a.mouse.lastAt) <= doubleClick
	a.mouse.lastPane, a.mouse.lastRow, a.mouse.lastAt = pi, row, now
	if double {
		a.mouse.lastAt = time.Time{}
		return a.open(pi)
	}
	if p.rows[row] != parentRow {
		a.mouse.dragging, a.mouse.dragPane, a.mouse.dragRow = true, pi, row
	}
	return nil
}

// mouseRelease over the other pane finishes a drag: the pressed entry, or
// the marked set when it was marked, is queued for the pane under the mouse.
func (a *App) mouseRelease(m tea.Mouse) tea.Cmd {
	if !a.mouse.dragging {
		return nil
	}
	a.mouse.dragging = false
	pi, _, ok := a.hitPane(m.X, m.Y)
	if !ok || pi == a.mouse.dragPane {
		return nil
	}
	src := a.panes[a.mouse.dragPane]
	if a.mouse.dragRow >= len(src.rows) || src.rows[a.mouse.dragRow] == parentRow {
		return nil
	}
	it := &src.items[src.rows[a.mouse.dragRow]]
	a.mouse.lastAt = time.Time{}
	// A drag does not ask: it takes the bookmarks' default excludes.
	sel := []protocol.Entry{it.e}
	if it.marked {
		sel = src.selection()
	}
	return a.queueEntries(a.mouse.dragPane, sel, false, filter.Spec{Rules: filter.Exclude(a.defaultExcludes(a.mouse.dragPane)...)})
}

// wheelStep is how many rows one wheel notch scrolls.
const wheelStep = 3

func (a *App) mouseWheel(m tea.Mouse) tea.Cmd {
	switch a.screen {
	case screenLog:
		a.log.scroll(wheelDelta(m), a.screenRows(), a.screenCols())
		return nil
	case screenPager:
		if a.pager != nil {
			return a.pagerScroll(wheelDelta(m))
		}
		return nil
	case screenHelp:
		a.helpOff = max(a.helpOff+wheelDelta(m), 0)
		return nil
	}
	if a.dialog != nil {
		return nil
	}
	pi, _, ok := a.hitPane(m.X, m.Y)
	if !ok {
		return nil
	}
	p := a.panes[pi]
	d := wheelDelta(m)
	// Scroll the view; drag the cursor along only when it would leave it.
	p.offset = max(min(p.offset+d, len(p.rows)-p.height), 0)
	if p.cursor < p.offset {
		p.cursor = p.offset
	}
	if p.cursor >= p.offset+p.height {
		p.cursor = p.offset + p.height - 1
	}
	p.clamp()
	return nil
}

func wheelDelta(m tea.Mouse) int {
	switch m.Button {
	case tea.MouseWheelUp:
		return -wheelStep
	case tea.MouseWheelDown:
		return wheelStep
	}
	return 0
}

// dialogClick hands a left click inside the open dialog's body to the
// dialog, when it takes clicks (a row of answers does).
func (a *App) dialogClick(m tea.Mouse) tea.Cmd {
	d := a.dialog
	c, ok := d.(clicker)
	if !ok || m.Button != tea.MouseLeft {
		return nil
	}
	_, inner, _, _ := a.dialogBox(0)
	body := d.body(a, inner)
	_, _, x0, y0 := a.dialogBox(len(body))
	line, col := m.Y-y0-1, m.X-x0-2 // below the title; past border and padding
	if line < 0 || line >= len(body) || col < 0 || col >= inner {
		return nil
	}
	done, cmd := c.click(a, inner, line, col)
	a.dialogDone(d, done)
	return cmd
}
