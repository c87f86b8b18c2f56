package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// maxLogLines bounds the message log kept in memory.
const maxLogLines = 10000

// logView is the message log: the protocol conversation (commands "> ",
// replies "< ", notes "* "), errors and transfer results.
type logView struct {
	lines  []string
	top    int
	follow bool
}

func newLogView() logView { return logView{follow: true} }

func (l *logView) add(t time.Time, line string) {
	l.lines = append(l.lines, t.Format("15:04:05 ")+sanitize(line))
	if n := len(l.lines) - maxLogLines; n > 0 {
		l.lines = append(l.lines[:0:0], l.lines[n:]...)
		l.top = max(l.top-n, 0)
	}
}

func (l *logView) addProtocol(t time.Time, m logMsg) {
	if m.dropped > 0 {
		l.add(t, fmt.Sprintf("* %d log lines dropped", m.dropped))
	}
	for _, s := range m.lines {
		l.add(t, s)
	}
}

// scroll moves the first line shown by d lines; the last screenful (of
// cols-cell rows, long lines wrapped) is as far as it goes, and reaching
// it follows new lines again.
func (l *logView) scroll(d, rows, cols int) {
	last := l.lastTop(rows, cols)
	l.top = max(min(l.top+d, last), 0)
	l.follow = l.top >= last
}

// logIndent is where a wrapped line's continuation starts: under the text,
// past the time stamp.
const logIndent = len("15:04:05 ")

// wrapped is line i cut into rows of cols cells at spaces where it can
// be (mid-word where a word is longer than a row), the continuations
// indented under the text, as many as needed to show all of it.
func (l *logView) wrapped(i, cols int) []string {
	line := l.lines[i]
	if cols <= logIndent+8 || visibleWidth(line) <= cols || len(line) < logIndent {
		return []string{line}
	}
	rows := strings.Split(ansi.Wrap(line[logIndent:], cols-logIndent, ""), "\n")
	pad := strings.Repeat(" ", logIndent)
	for r := range rows {
		if r == 0 {
			rows[r] = line[:logIndent] + rows[r]
		} else {
			rows[r] = pad + strings.TrimLeft(rows[r], " ")
		}
	}
	return rows
}

// height is how many rows line i takes.
func (l *logView) height(i, cols int) int {
	if cols <= logIndent+8 || visibleWidth(l.lines[i]) <= cols {
		return 1
	}
	return len(l.wrapped(i, cols))
}

// lastTop is the first line of the last screenful: the lines from it to
// the end fill rows rows of cols cells, or all the log does.
func (l *logView) lastTop(rows, cols int) int {
	used := 0
	for i := len(l.lines) - 1; i >= 0; i-- {
		used += l.height(i, cols)
		if used > rows {
			return i + 1
		}
	}
	return 0
}

func (a *App) logKey(msg tea.KeyPressMsg) tea.Cmd {
	km := &a.keys
	rows, cols := a.screenRows(), a.screenCols()
	k := keyString(msg.String())
	has := func(b interface{ Keys() []string }) bool {
		for _, x := range b.Keys() {
			if x == string(k) {
				return true
			}
		}
		return false
	}
	switch {
	case msg.String() == "esc" || msg.String() == "q" || has(km.Log):
		a.screen = screenPanes
	case msg.String() == "ctrl+c":
		return a.quit()
	case has(km.Up):
		a.log.scroll(-1, rows, cols)
	case has(km.Down):
		a.log.scroll(1, rows, cols)
	case has(km.PageUp) || has(km.HalfUp):
		a.log.scroll(-rows, rows, cols)
	case has(km.PageDown) || has(km.HalfDown) || msg.String() == "space":
		a.log.scroll(rows, rows, cols)
	case has(km.Top) || msg.String() == "g":
		a.log.scroll(-len(a.log.lines), rows, cols)
	case has(km.Bottom):
		a.log.scroll(len(a.log.lines), rows, cols)
	}
	return nil
}

// logScreen draws the log in the full-screen frame, each line coloured by
// its kind, with a legend of the kinds after the keys in the bottom border.
func (a *App) logScreen() string {
	th := &a.th
	rows, cols := a.screenRows(), a.screenCols()
	l := &a.log
	if l.follow {
		l.top = l.lastTop(rows, cols)
	}
	l.top = min(l.top, l.lastTop(rows, cols))
	body := make([]string, 0, rows)
	for i := l.top; i < len(l.lines) && len(body) < rows; i++ {
		line := l.lines[i]
		var st style
		switch {
		case strings.HasPrefix(line[9:], "! "):
			st = th.errStyle
		case strings.HasPrefix(line[9:], "> "):
			st = th.key
		case strings.HasPrefix(line[9:], "= "):
			st = th.ok
		case strings.HasPrefix(line[9:], "* "):
			st = th.dim
		}
		for _, part := range l.wrapped(i, cols) {
			if len(body) < rows {
				body = append(body, st.render(fit(part, cols)))
			}
		}
	}
	count := counted(len(l.lines), "line", "lines")
	pos := itoa(min(l.top+1, len(l.lines))) + "/" + itoa(len(l.lines))
	note := ""
	if l.follow {
		note = "following"
	}
	return a.drawScreen(&fullScreen{
		title:      "Message log",
		titleStyle: th.frameTitle,
		info:       []string{count},
		pos:        []string{"line " + pos, pos},
		note:       note,
		noteStyle:  th.dim,
		hints: []keyHint{
			a.hint("esc/q", "close"), a.hint("↑↓ pgup pgdn g G", "scroll"),
			{">", "command", th.key}, {"<", "reply", ""}, {"*", "note", th.dim},
			{"=", "transfer", th.ok}, {"!", "error", th.errStyle},
		},
		body: body,
	})
}
