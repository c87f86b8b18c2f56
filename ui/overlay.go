package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// dialogFrame draws a dialog's sides and bottom with Lip Gloss; the top line,
// which carries the title, is drawn by overlayDialog. Dialogs are drawn once
// per frame at most, so Lip Gloss costs nothing noticeable here, unlike the
// list rows, which are styled by hand.
func (a *App) dialogFrame(alarm bool) lipgloss.Style {
	st := lipgloss.NewStyle().Border(lipgloss.RoundedBorder(), false, true, true, true).Padding(0, 1)
	switch {
	case a.th.noColor:
	case alarm:
		st = st.BorderForeground(lipgloss.Color("231")).BorderBackground(lipgloss.Color("160"))
	default:
		st = st.BorderForeground(lipgloss.Color("117"))
	}
	return st
}

// dialogBox is where the open dialog sits: its width, the width of its
// body, and its top-left cell. The drawing and the mouse share it.
func (a *App) dialogBox(bodyLines int) (boxW, inner, x0, y0 int) {
	boxW = min(max(a.w*2/3, 72), a.w-4)
	inner = boxW - 4
	h := min(bodyLines+2, a.h) // title line, body, bottom border
	return boxW, inner, max((a.w-boxW)/2, 0), max((a.h-h)/2, 0)
}

// overlayDialog draws the open dialog as a framed box centred over base.
func (a *App) overlayDialog(base string) string {
	d := a.dialog
	boxW, inner, _, _ := a.dialogBox(0)
	if boxW < 10 {
		return base
	}
	body := d.body(a, inner)
	frame := a.th.dialogTitle
	al, ok := d.(alarmed)
	isAlarm := ok && al.alarm()
	if isAlarm {
		frame = a.th.alarm
	}
	// A long title is cut inside the corners, never over them.
	title := " " + sanitize(d.title()) + " "
	if visibleWidth(title) > boxW-2 {
		title = fit(" "+sanitize(d.title()), boxW-3) + " "
	}
	top := "╭" + title + strings.Repeat("─", max(boxW-2-visibleWidth(title), 0)) + "╮"
	fitted := make([]string, len(body))
	for i, l := range body {
		fitted[i] = fit(l, inner)
	}
	box := []string{frame.render(fit(top, boxW))}
	box = append(box, strings.Split(a.dialogFrame(isAlarm).Render(strings.Join(fitted, "\n")), "\n")...)
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
