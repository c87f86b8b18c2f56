package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// overlayDialog draws the open dialog as a framed box centred over base.
func (a *App) overlayDialog(base string) string {
	d := a.dialog
	boxW := min(max(a.w*2/3, 72), a.w-4)
	if boxW < 10 {
		return base
	}
	inner := boxW - 4
	body := d.body(a, inner)
	frame := a.th.dialogTitle
	if al, ok := d.(alarmed); ok && al.alarm() {
		frame = a.th.alarm
	}
	title := " " + sanitize(d.title()) + " "
	top := "╭" + title + strings.Repeat("─", max(boxW-2-visibleWidth(title), 0)) + "╮"
	box := []string{frame.render(fit(top, boxW))}
	for _, l := range body {
		box = append(box, frame.render("│")+" "+fit(l, inner)+" "+frame.render("│"))
	}
	box = append(box, frame.render("╰"+strings.Repeat("─", boxW-2)+"╯"))
	if len(box) > a.h {
		box = box[:a.h]
	}
	lines := strings.Split(base, "\n")
	for len(lines) < a.h {
		lines = append(lines, "")
	}
	y0 := max((a.h-len(box))/2, 0)
	x0 := max((a.w-boxW)/2, 0)
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
