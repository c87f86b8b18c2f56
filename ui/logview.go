package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
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

func (l *logView) scroll(d, rows int) {
	l.top = max(min(l.top+d, len(l.lines)-rows), 0)
	l.follow = l.top >= len(l.lines)-rows
}

func (a *App) logKey(msg tea.KeyPressMsg) tea.Cmd {
	km := &a.keys
	rows := a.screenRows()
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
		a.log.scroll(-1, rows)
	case has(km.Down):
		a.log.scroll(1, rows)
	case has(km.PageUp) || has(km.HalfUp):
		a.log.scroll(-rows, rows)
	case has(km.PageDown) || has(km.HalfDown) || msg.String() == "space":
		a.log.scroll(rows, rows)
	case has(km.Top) || msg.String() == "g":
		a.log.scroll(-len(a.log.lines), rows)
	case has(km.Bottom):
		a.log.scroll(len(a.log.lines), rows)
	}
	return nil
}

// logScreen draws the log in the full-screen frame, each line coloured by
// its kind, with a legend of the kinds after the keys in the bottom border.
func (a *App) logScreen() string {
	th := &a.th
	rows := a.screenRows()
	l := &a.log
	if l.follow {
		l.top = max(len(l.lines)-rows, 0)
	}
	body := make([]string, 0, rows)
	for i := l.top; i < min(l.top+rows, len(l.lines)); i++ {
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
		body = append(body, st.render(fit(line, a.screenCols())))
	}
	count := counted(len(l.lines), "line", "lines")
	if len(l.lines) == 1 {
		count = "1 line"
	}
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
