package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// pagerFind is a search in the viewer's text, as less and mc's viewer do
// it: / asks for the text, n finds the next line holding it, N the one
// before. Case is ignored unless the text has a capital (less -i, vim's
// smartcase). The text read so far is searched first; a forward search
// that runs out reads on, chunk by chunk, up to the viewer's limit.
type pagerFind struct {
	term    string
	fold    bool // ignore case
	forward bool
	// next is the line the search looks at next; waiting says it ran out
	// of text read so far and waits for the next chunk. start is where it
	// began: at the end of the text it goes round to the other end, and
	// stops when it comes back to start (wrapped).
	next    int
	waiting bool
	start   int
	wrapped bool
	// hit is the line of the last match, -1 for none; missed says the
	// last search found nothing.
	hit    int
	missed bool
}

// pagerAskFind opens the search prompt, with the last text in it.
func (a *App) pagerAskFind() tea.Cmd {
	pg := a.pager
	if pg.hex {
		a.setStatus("search works in the text view: " + a.keys.Hex.Help().Key + " shows it")
		return nil
	}
	a.openDialog(newInputDialog("Find in "+sanitize(pg.path), "text: ", pg.find.term, false, func(a *App, v string) tea.Cmd {
		if a.pager != pg || v == "" {
			return nil
		}
		pg.find = pagerFind{term: v, fold: v == strings.ToLower(v), hit: -1}
		return a.pagerFindNext(true)
	}))
	return nil
}

// pagerFindNext looks for the search text from the line after (or before)
// the last match, or from the top of the view when there is none.
func (a *App) pagerFindNext(forward bool) tea.Cmd {
	pg := a.pager
	f := &pg.find
	if f.term == "" || pg.hex {
		return nil
	}
	from := pg.top
	if f.hit >= 0 {
		from = f.hit + 1
		if !forward {
			from = f.hit - 1
		}
	}
	f.forward, f.next, f.start, f.missed, f.waiting, f.wrapped = forward, from, from, false, false, false
	return a.pagerFindRun()
}

// pagerFindRun searches the text read so far from f.next; at its end a
// forward search asks for more and resumes when the chunk comes
// (onPagerChunk calls it again).
func (a *App) pagerFindRun() tea.Cmd {
	pg := a.pager
	f := &pg.find
	f.waiting = false
	step := 1
	if !f.forward {
		step = -1
	}
	for {
		for i := f.next; i >= 0 && i < len(pg.lines); i += step {
			if f.wrapped && (f.forward && i >= f.start || !f.forward && i <= f.start) {
				break
			}
			if matchAt(pg.lines[i], f.term, f.fold) >= 0 {
				f.hit = i
				a.pagerShowLine(i)
				return a.pagerMaybeLoad()
			}
		}
		if f.forward && !f.wrapped && !pg.eof && pg.err == nil && pg.read < pagerLimit {
			f.next, f.waiting = len(pg.lines), true
			return a.pagerLoad()
		}
		if f.wrapped {
			f.missed = true
			return nil
		}
		// Round to the other end, as far back as where the search began.
		f.wrapped = true
		f.next = 0
		if !f.forward {
			f.next = len(pg.lines) - 1
		}
	}
}

// pagerShowLine scrolls so line i is on screen, a few lines below the top
// when it was not, and sideways so its match is too.
func (a *App) pagerShowLine(i int) {
	pg := a.pager
	rows := a.pagerRows()
	if i < pg.top || i >= pg.top+rows {
		pg.top = max(min(i-min(3, rows/4), len(pg.lines)-rows), 0)
	}
	l := pg.lines[i]
	at := matchAt(l, pg.find.term, pg.find.fold)
	if at < 0 {
		return
	}
	start := ansi.StringWidth(l[:at])
	end := start + ansi.StringWidth(pg.find.term)
	if cols := a.screenCols(); start < pg.left || end > pg.left+cols {
		pg.left = max(end-cols+pagerSideStep, 0)
		if start < pg.left {
			pg.left = start
		}
	}
}

// matchAt is the byte offset of term in line, ignoring case when fold is
// set; -1 when it is not there. Folding keeps offsets only where the line
// lowers to the same length, which holds for ASCII and most scripts; a
// line where it does not is searched as it is.
func matchAt(line, term string, fold bool) int {
	if !fold {
		return strings.Index(line, term)
	}
	lower := strings.ToLower(line)
	if len(lower) != len(line) {
		return strings.Index(line, term)
	}
	return strings.Index(lower, term)
}

// highlightMatches marks every match of the search in a line cut for the
// screen; the line is plain text (cleanLine made it so).
func (a *App) highlightMatches(line string) string {
	f := &a.pager.find
	if f.term == "" || matchAt(line, f.term, f.fold) < 0 {
		return line
	}
	var b strings.Builder
	for {
		i := matchAt(line, f.term, f.fold)
		if i < 0 {
			b.WriteString(line)
			return b.String()
		}
		b.WriteString(line[:i])
		b.WriteString(a.th.marked.render(line[i : i+len(f.term)]))
		line = line[i+len(f.term):]
	}
}

// findNote is the search's state for the bottom border.
func (f *pagerFind) note() string {
	switch {
	case f.term == "":
		return ""
	case f.waiting:
		return "searching " + quoteTerm(f.term) + "…"
	case f.missed:
		return quoteTerm(f.term) + " not found"
	case f.wrapped && f.hit >= 0:
		if f.forward {
			return "search went on from the top"
		}
		return "search went on from the end"
	}
	return ""
}

func quoteTerm(s string) string { return "“" + sanitize(s) + "”" }
