package ui

import "strings"

// The full screens (help, the message log, the viewer) are drawn as one
// rounded frame over the whole window, in the focused pane's style, so they
// read as one family with the panes and the dialogs: the title in the top
// border, the content one cell in from the sides, and the bottom border
// saying where the view is on the left and which keys work on the right.
// One helper draws all three, so they cannot drift apart.

// screenInset is how many cells of a row the frame takes: a side and a
// blank margin cell at either end.
const screenInset = 4

// screenRows is how many content rows a full screen has: all but the top
// and bottom borders. Paging and scrolling count in these.
func (a *App) screenRows() int { return max(a.h-2, 1) }

// screenCols is how many content cells a full screen's row has.
func (a *App) screenCols() int { return max(a.w-screenInset, 0) }

// keyHint is one entry of a full screen's bottom border: a key drawn in st
// and what it does, dimmed, the way the main screen's key bar reads.
type keyHint struct {
	key, desc string
	st        style
}

// hint is a key hint in the key bar's accent.
func (a *App) hint(key, desc string) keyHint { return keyHint{key, desc, a.th.key} }

func (h keyHint) width() int { return visibleWidth(h.key) + 1 + visibleWidth(h.desc) }

// fullScreen is what a full screen shows in its frame.
type fullScreen struct {
	// title is the top border's left label; a path (keepEnd) loses its
	// start when cut, since its end names the file.
	title      string
	titleStyle style
	keepEnd    bool
	// info is the top border's right label in its forms from the fullest
	// to the shortest; the first that leaves the title room is drawn.
	info []string
	// pos and note are the bottom border's left label: where the view is,
	// dimmed, in its forms from the fullest to the shortest, then a state
	// (end, loading, an error) in noteStyle.
	pos       []string
	note      string
	noteStyle style
	// hints are the bottom border's right label, most needed first: those
	// that do not fit beside pos and note are left out from the end.
	hints []keyHint
	// body is the content, a line a row; rows past it are blank, lines are
	// cut to the frame's inside.
	body []string
	// columns says the body is laid out in fixed columns (a hex dump):
	// when its widest line would lose its end to the margin cells, the
	// margins go first, so an 80-column window shows whole hex lines.
	columns bool
}

// Separators between a full screen's labels' parts.
const (
	noteSep = "  "
	hintSep = "  "
)

// drawScreen draws s over the whole window: exactly a.h lines of exactly
// a.w cells each (for any window ferry draws in, minWidth and up).
func (a *App) drawScreen(s *fullScreen) string {
	fs := a.th.frameFocus
	rows, iw := a.screenRows(), a.screenCols()
	out := make([]string, 0, rows+2)
	out = append(out, a.screenTop(s))
	side := fs.render(frameV)
	margin := " "
	if s.columns {
		widest := 0
		for _, l := range s.body {
			widest = max(widest, visibleWidth(l))
		}
		if widest > iw && iw+2 >= widest {
			margin, iw = "", iw+2
		}
	}
	blank := strings.Repeat(" ", iw)
	for r := 0; r < rows; r++ {
		line := blank
		if r < len(s.body) {
			line = fit(s.body[r], iw)
		}
		out = append(out, side+margin+line+margin+side)
	}
	out = append(out, a.screenBottom(s))
	return strings.Join(out, "\n")
}

// screenTop is the top border: the title at the left and, when the title
// keeps at least half the room (or all of itself), the fullest info form
// that fits at the right.
func (a *App) screenTop(s *fullScreen) string {
	th := &a.th
	w := a.w
	title := sanitize(s.title)
	tw := visibleWidth(title)
	room := labelRoom(w, 2) - 1 // and a rule cell between the labels
	keep := min(tw, max(room/2, 0))
	info, iw := "", 0
	for _, f := range s.info {
		f = sanitize(f)
		if fw := visibleWidth(f); fw > 0 && fw <= room-keep {
			info, iw = f, fw
			break
		}
	}
	titleRoom := labelRoom(w, 1)
	if iw > 0 {
		titleRoom = room - iw
	}
	if tw > titleRoom {
		if s.keepEnd {
			title = fitLeftPath(title, titleRoom)
		} else {
			title = fit(title, titleRoom)
		}
		title = strings.TrimRight(title, " ")
		tw = visibleWidth(title)
	}
	left := s.titleStyle.render(title)
	if tw == 0 {
		left = ""
	}
	return borderLine(th.frameFocus, frameTL, frameTR, left, tw, th.dim.render(info), iw, w)
}

// screenBottom is the bottom border: the position and state at the left and
// the hints that fit after them at the right. The position takes the
// fullest form that leaves the first hint (the way out) room; when even the
// shortest does not, the state is cut to half the room or what the first
// hint leaves, whichever is more.
func (a *App) screenBottom(s *fullScreen) string {
	th := &a.th
	w := a.w
	note := oneLine(s.note)
	room := labelRoom(w, 2) - 1 // and a rule cell between the labels
	first := 0
	if len(s.hints) > 0 {
		first = s.hints[0].width()
	}
	forms := s.pos
	if len(forms) == 0 {
		forms = []string{""}
	}
	pos, stateW := "", 0
	for _, f := range forms {
		pos, stateW = oneLine(f), visibleWidth(oneLine(f))
		if note != "" {
			if stateW > 0 {
				stateW += len(noteSep)
			}
			stateW += visibleWidth(note)
		}
		if stateW+first <= room {
			break
		}
	}
	full := stateW
	switch {
	case stateW == 0:
		room = labelRoom(w, 1)
	case first > 0:
		stateW = min(stateW, max(room-first, room/2))
	default:
		stateW = min(stateW, labelRoom(w, 1))
	}

	// The hints that fit in what the state leaves.
	var hb strings.Builder
	hw := 0
	for _, h := range s.hints {
		need := h.width()
		if hw > 0 {
			need += len(hintSep)
		}
		if stateW+hw+need > room {
			break
		}
		if hw > 0 {
			hb.WriteString(hintSep)
		}
		hb.WriteString(h.st.render(h.key))
		hb.WriteString(" ")
		hb.WriteString(th.dim.render(h.desc))
		hw += need
	}
	if hw == 0 && stateW > 0 { // no hint fits: the state may take it all
		stateW = min(full, labelRoom(w, 1))
	}

	// The state, cut to stateW: the position first, then the note.
	var left string
	lw := 0
	if p := min(visibleWidth(pos), stateW); p > 0 {
		pos = strings.TrimRight(fit(pos, p), " ")
		left, lw = th.dim.render(pos), visibleWidth(pos)
	}
	if note != "" {
		sep := ""
		if lw > 0 {
			sep = noteSep
		}
		if n := stateW - lw - len(sep); n > 0 {
			note = strings.TrimRight(fit(note, n), " ")
			left += sep + s.noteStyle.render(note)
			lw += len(sep) + visibleWidth(note)
		}
	}
	return borderLine(th.frameFocus, frameBL, frameBR, left, lw, hb.String(), hw, w)
}
