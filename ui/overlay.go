package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// dialogBorder is the style of an open dialog's frame: the theme's dialog
// border, or the alarm colours for a dialog that warns (a changed host key).
func (a *App) dialogBorder(alarm bool) (border, title style) {
	if alarm {
		return a.th.alarm, a.th.alarm
	}
	return a.th.dialogBorder, a.th.dialogTitle
}

// dialogBox is where the open dialog sits: its width, the width of its
// body, and its top-left cell. The drawing and the mouse share it.
func (a *App) dialogBox(bodyLines int) (boxW, inner, x0, y0 int) {
	boxW = min(max(a.w*2/3, 72), a.w-4)
	inner = boxW - 4
	h := min(bodyLines+2, a.h) // title line, body, bottom border
	return boxW, inner, max((a.w-boxW)/2, 0), max((a.h-h)/2, 0)
}

// overlayDialog draws the open dialog as a framed box centred over base:
// the rounded corners of the panes, the title in the top border, a cell of
// margin inside each side. It is drawn by hand like the panes' frames, so
// every colour comes from the theme.
func (a *App) overlayDialog(base string) string {
	d := a.dialog
	boxW, inner, _, _ := a.dialogBox(0)
	if boxW < 10 {
		return base
	}
	body := d.body(a, inner)
	al, ok := d.(alarmed)
	border, titleSt := a.dialogBorder(ok && al.alarm())

	// A long title is cut inside the corners, never over them.
	title := sanitize(d.title())
	if room := boxW - 6; visibleWidth(title) > room {
		title = fit(title, room)
	}
	tw := visibleWidth(title)
	box := make([]string, 0, len(body)+2)
	box = append(box, border.render(frameTL+frameH)+" "+titleSt.render(title)+" "+
		border.render(strings.Repeat(frameH, max(boxW-5-tw, 0))+frameTR))
	side := border.render(frameV)
	for _, l := range body {
		box = append(box, side+" "+fit(l, inner)+reset+" "+side)
	}
	box = append(box, border.render(frameBL+strings.Repeat(frameH, boxW-2)+frameBR))
	if len(box) > a.h {
		box = box[:a.h]
	}
	lines := strings.Split(base, "\n")
	for len(lines) < a.h {
		lines = append(lines, "")
	}
	_, _, x0, y0 := a.dialogBox(len(body))
	for i, b := range box {
		y := y0 + i
		if y >= len(lines) {
			break
		}
		lines[y] = splice(lines[y], b, x0, boxW)
	}
	return strings.Join(lines, "\n")
}

// splice replaces cells [x, x+w) of line with s, keeping styles around it.
func splice(line, s string, x, w int) string {
	left := ansi.Truncate(line, x, "")
	if lw := visibleWidth(left); lw < x {
		left += strings.Repeat(" ", x-lw)
	}
	right := ansi.TruncateLeft(line, x+w, "")
	return left + reset + s + reset + right
}
