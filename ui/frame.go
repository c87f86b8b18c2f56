package ui

import "strings"

// The rounded border the panes are framed with. The dialogs use the same
// corners (overlay.go), so the screen reads as one family.
const (
	frameTL, frameTR = "╭", "╮"
	frameBL, frameBR = "╰", "╯"
	frameH, frameV   = "─", "│"
)

// frameStyle is the border of a pane: the accent colour when it has the
// focus, dimmed otherwise.
func (th *theme) frameStyle(focused bool) style {
	if focused {
		return th.frameFocus
	}
	return th.frameDim
}

// borderLine draws a top or bottom border w cells wide with a label at the
// left and one at the right, both already styled; lw and rw are their
// widths. Labels sit one cell in from the corners and are set off by a
// space on either side, the way lazygit and soft-serve title their boxes.
func borderLine(fs style, l, r string, left string, lw int, right string, rw int, w int) string {
	if w < 2 {
		return fs.render(strings.Repeat(frameH, max(w, 0)))
	}
	inner := w - 2
	var b strings.Builder
	b.Grow(w*3 + len(left) + len(right) + 32)
	b.WriteString(fs.render(l + frameH))
	used := 1
	if lw > 0 {
		b.WriteString(" ")
		b.WriteString(left)
		b.WriteString(" ")
		used += lw + 2
	}
	tail := 1 // the rule before the right corner
	if rw > 0 {
		tail += rw + 2
	}
	fill := inner - used - tail
	if fill < 0 { // the caller measured wrong; keep the corners in place
		return fs.render(l + strings.Repeat(frameH, inner) + r)
	}
	b.WriteString(fs.render(strings.Repeat(frameH, fill)))
	if rw > 0 {
		b.WriteString(" ")
		b.WriteString(right)
		b.WriteString(" ")
	}
	b.WriteString(fs.render(frameH + r))
	return b.String()
}

// labelRoom is how many label cells a border w cells wide holds: the two
// corners, a rule cell next to each, and a space either side of each label.
func labelRoom(w, labels int) int { return max(w-4-2*labels, 0) }

// topBorder titles pane i's frame: the path on the left, the connection and
// its security badge on the right. The address stays whole while anything
// else can give way: the badge sheds details first (badgeForms), then the
// path is cut from its start, then the badge goes; only an address that
// alone does not fit is cut.
func (a *App) topBorder(i, w int, focused, single bool) string {
	p := a.panes[i]
	th := &a.th
	fs := th.frameStyle(focused)

	sec := p.security
	if sec == "" && p.ep.Local {
		sec = "local"
	}
	secStyle := th.secure
	switch {
	case (!p.connected || p.lost) && !p.ep.Local:
		// Not connected yet (or any more): nothing is known to be safe
		// or not, so the badge is only the protocol, dimmed.
		secStyle = th.dim
	case sec != "" && !p.encrypted && !p.ep.Local:
		secStyle = th.insecure
	}
	name := sanitize(p.ep.Name)
	if sec == name { // a local pane is called "local": say it once
		sec = ""
	}
	dir := p.dir
	if dir == "" {
		dir = "—"
	}
	dir = sanitize(dir)
	tag := ""
	if single {
		// One pane at a time: say which, and that Tab shows the other.
		tag = [2]string{"1/2 ", "2/2 "}[i]
	}
	nameW, dirW, tagW := visibleWidth(name), visibleWidth(dir), visibleWidth(tag)

	room := labelRoom(w, 2) - 1 // and a rule cell between the labels
	const minPath = 8
	pathMin := min(dirW, minPath) + tagW
	badge := ""
	for _, f := range badgeForms(sec) {
		if sec == "" {
			break
		}
		if nameW+1+visibleWidth(f)+pathMin <= room {
			badge = f
			break
		}
	}
	rightW := nameW
	if badge != "" {
		rightW += 1 + visibleWidth(badge)
	}
	if rightW > room-pathMin {
		// Not even the address and a short path fit: the address wins
		// over all but the path's last few cells, and is cut only when
		// it alone is too long.
		const minPathBeside = 4
		rightW = min(nameW, max(room-min(dirW, minPathBeside)-tagW, room/2))
		name = fit(name, rightW)
		badge = ""
	}
	right := th.frameTitle.render(name)
	if badge != "" {
		right += " " + secStyle.render(badge)
	}
	leftW := max(room-rightW, 0)
	if rightW == 0 {
		leftW = labelRoom(w, 1)
	}
	pathW := max(leftW-tagW, 0)
	path := ""
	if pathW > 0 {
		path = fitLeftPath(dir, pathW)
		path = strings.TrimRight(path, " ")
	}
	left := th.key.render(tag) + th.path.render(path)
	lw := tagW + visibleWidth(path)
	if lw == 0 {
		left = ""
	}
	return borderLine(fs, frameTL, frameTR, left, lw, right, rightW, w)
}

// bottomBorder closes pane i's frame with its counts, or the marked total,
// or the error, on the left, and the busy, filter and sort state on the
// right.
func (a *App) bottomBorder(i, w int, focused bool) string {
	p := a.panes[i]
	th := &a.th
	fs := th.frameStyle(focused)

	var left string
	st := th.dim
	switch {
	case p.err != "":
		left, st = sanitize(p.err), th.errStyle
	case p.markedN > 0:
		left, st = itoa(p.markedN)+" marked, "+humanSize(p.markedSize), th.marked
	default:
		left = counted(len(p.items), "entry", "entries")
		if it := p.current(); it != nil && it.e.IsLink() && it.e.Target != "" {
			left = "→ " + sanitize(it.e.Target)
		}
	}

	info := ""
	switch {
	case p.busy != "" && focused:
		info = p.busy + " esc stops"
	case p.busy != "":
		info = p.busy
	case p.filter != "" || a.filtering && focused:
		info = "filter: " + p.filter
	}
	right := "[" + p.sort.String()
	if p.desc {
		right += "↓"
	}
	right += "]"
	if info != "" {
		right = info + " " + right
	}

	room := labelRoom(w, 2)
	rw := visibleWidth(right)
	if rw > room/2 {
		right = fitLeft(right, room/2)
		rw = visibleWidth(right)
	}
	lw := min(visibleWidth(left), room-rw)
	if lw <= 0 {
		left, lw = "", 0
	} else {
		left = strings.TrimRight(fit(left, lw), " ")
		lw = visibleWidth(left)
	}
	if rw == 0 {
		right = ""
	}
	return borderLine(fs, frameBL, frameBR, st.render(left), lw, th.dim.render(right), rw, w)
}

// framed wraps a row of exactly w-2 cells in the pane's side borders.
func framed(side, row string) string { return side + row + side }

// counted is n and the noun in the number it takes: "1 entry", "3 entries".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}
