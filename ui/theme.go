package ui

import "github.com/charmbracelet/x/ansi"

// style is a precomputed SGR prefix. Rows are styled by string concatenation
// rather than lipgloss rendering, so a frame of a huge directory stays cheap.
type style string

const reset = "\x1b[m"

// render wraps s in the style; an empty style leaves s as it is.
func (s style) render(str string) string {
	if s == "" || str == "" {
		return str
	}
	return string(s) + str + reset
}

// theme holds every style the UI draws with. With NoColor it keeps only
// attributes (bold, reverse, underline), which NO_COLOR allows.
type theme struct {
	header, headerFocus  style
	path                 style
	colHeader            style
	dir, link            style
	marked               style
	cursor, cursorDim    style
	newer, missing, diff style
	warn, errStyle, ok   style
	dim                  style
	dialog, dialogTitle  style
	alarm                style
	key                  style
	secure, insecure     style
	noColor              bool
}

func sgr(s ansi.Style) style {
	if len(s) == 0 {
		return ""
	}
	return style(s.String())
}

func newTheme(noColor bool) theme {
	if noColor {
		return theme{
			header:      sgr(ansi.NewStyle().Reverse(true)),
			headerFocus: sgr(ansi.NewStyle().Reverse(true).Bold()),
			path:        sgr(ansi.NewStyle().Bold()),
			colHeader:   sgr(ansi.NewStyle().Underline(true)),
			dir:         sgr(ansi.NewStyle().Bold()),
			marked:      sgr(ansi.NewStyle().Bold().Underline(true)),
			cursor:      sgr(ansi.NewStyle().Reverse(true)),
			cursorDim:   sgr(ansi.NewStyle().Underline(true)),
			newer:       sgr(ansi.NewStyle().Bold()),
			missing:     sgr(ansi.NewStyle().Italic(true)),
			diff:        sgr(ansi.NewStyle().Underline(true)),
			warn:        sgr(ansi.NewStyle().Bold()),
			errStyle:    sgr(ansi.NewStyle().Bold()),
			dim:         sgr(ansi.NewStyle().Faint()),
			dialogTitle: sgr(ansi.NewStyle().Bold()),
			alarm:       sgr(ansi.NewStyle().Bold().Reverse(true)),
			key:         sgr(ansi.NewStyle().Bold()),
			insecure:    sgr(ansi.NewStyle().Bold()),
			noColor:     true,
		}
	}
	fg := func(c uint8) ansi.Style { return ansi.NewStyle().ForegroundColor(ansi.IndexedColor(c)) }
	return theme{
		header:      sgr(ansi.NewStyle().ForegroundColor(ansi.IndexedColor(252)).BackgroundColor(ansi.IndexedColor(238))),
		headerFocus: sgr(ansi.NewStyle().ForegroundColor(ansi.IndexedColor(231)).BackgroundColor(ansi.IndexedColor(25)).Bold()),
		path:        sgr(fg(75).Bold()),
		colHeader:   sgr(fg(245).Underline(true)),
		dir:         sgr(fg(75).Bold()),
		link:        sgr(fg(80)),
		marked:      sgr(fg(220).Bold()),
		cursor:      sgr(ansi.NewStyle().ForegroundColor(ansi.IndexedColor(16)).BackgroundColor(ansi.IndexedColor(116))),
		cursorDim:   sgr(ansi.NewStyle().BackgroundColor(ansi.IndexedColor(237))),
		newer:       sgr(fg(114).Bold()),
		missing:     sgr(fg(213)),
		diff:        sgr(fg(209)),
		warn:        sgr(fg(214).Bold()),
		errStyle:    sgr(fg(203).Bold()),
		ok:          sgr(fg(114)),
		dim:         sgr(fg(244)),
		dialog:      "",
		dialogTitle: sgr(fg(117).Bold()),
		alarm:       sgr(ansi.NewStyle().ForegroundColor(ansi.IndexedColor(231)).BackgroundColor(ansi.IndexedColor(160)).Bold()),
		key:         sgr(fg(117).Bold()),
		secure:      sgr(fg(114)),
		insecure:    sgr(fg(214).Bold()),
	}
}
