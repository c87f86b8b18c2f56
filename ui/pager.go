package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// The viewer reads a file in chunks as the user scrolls, and stops holding
// more than pagerLimit bytes, so viewing a huge log never fills memory.
const (
	pagerChunk = 256 << 10
	pagerLimit = 8 << 20
)

type pager struct {
	pane    int
	seq     int
	path    string
	size    int64
	lines   []string
	partial string
	read    int64
	eof     bool
	loading bool
	err     error
	top     int
	binary  bool
}

type pagerChunkMsg struct {
	seq  int
	data []byte
	eof  bool
	err  error
}

// viewFile opens the viewer on the file under the cursor.
func (a *App) viewFile(i int) tea.Cmd {
	p := a.panes[i]
	it := p.current()
	if it == nil || it.e.IsDir() || !a.usable(i) {
		return nil
	}
	if len(strings.Fields(a.opts.Pager)) > 0 {
		return a.fetchForCommand(i, true)
	}
	return a.viewPath(i, p.join(it.e.Name), it.e.Size)
}

// viewPath opens the viewer on the file at full path p of pane i.
func (a *App) viewPath(i int, p string, size int64) tea.Cmd {
	seq := 1
	if a.pager != nil {
		seq = a.pager.seq + 1
	}
	a.pager = &pager{pane: i, seq: seq, path: p, size: size}
	a.screen = screenPager
	return a.pagerLoad()
}

func (a *App) pagerLoad() tea.Cmd {
	pg := a.pager
	if pg == nil || pg.loading || pg.eof || pg.err != nil {
		return nil
	}
	if pg.read >= pagerLimit {
		return nil
	}
	pg.loading = true
	c, lk, ctx := a.panes[pg.pane].client, a.io[pg.pane], a.ctx
	seq, p, off := pg.seq, pg.path, pg.read
	return func() tea.Msg {
		m := pagerChunkMsg{seq: seq}
		lk.do(func() {
			cctx, cancel := context.WithTimeout(ctx, listTimeout)
			defer cancel()
			m.data, m.eof, m.err = readChunk(cctx, c, p, off, pagerChunk)
		})
		return m
	}
}

func readChunk(ctx context.Context, c protocol.Client, p string, off int64, n int) ([]byte, bool, error) {
	r, err := c.Open(ctx, p, off)
	if err != nil {
		return nil, false, fmt.Errorf("open %s: %w", p, err)
	}
	buf := make([]byte, n)
	got, err := io.ReadFull(r, buf)
	eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
	if err != nil && !eof {
		_ = r.Close()
		return nil, false, fmt.Errorf("read %s: %w", p, err)
	}
	// Closing early aborts the rest of the download; its error is expected.
	if cerr := r.Close(); cerr != nil && eof {
		return buf[:got], eof, fmt.Errorf("read %s: %w", p, cerr)
	}
	return buf[:got], eof, nil
}

func (a *App) onPagerChunk(msg pagerChunkMsg) tea.Cmd {
	pg := a.pager
	if pg == nil || msg.seq != pg.seq {
		return nil
	}
	pg.loading = false
	if msg.err != nil {
		pg.err = msg.err
		a.setErr(msg.err)
	}
	if pg.read == 0 && len(msg.data) > 0 {
		sniff := msg.data[:min(len(msg.data), 8000)]
		pg.binary = strings.IndexByte(string(sniff), 0) >= 0 || !utf8.Valid(sniff[:max(len(sniff)-4, 0)])
	}
	pg.read += int64(len(msg.data))
	pg.eof = msg.eof
	text := pg.partial + string(msg.data)
	parts := strings.Split(text, "\n")
	pg.partial = parts[len(parts)-1]
	for _, l := range parts[:len(parts)-1] {
		pg.lines = append(pg.lines, cleanLine(l, pg.binary))
	}
	if pg.eof && pg.partial != "" {
		pg.lines = append(pg.lines, cleanLine(pg.partial, pg.binary))
		pg.partial = ""
	}
	return a.pagerMaybeLoad()
}

// cleanLine makes a line safe to draw: tabs expanded, control bytes shown
// as dots.
func cleanLine(l string, binary bool) string {
	l = strings.TrimSuffix(l, "\r")
	if !binary && !strings.ContainsAny(l, "\t\x1b\x00\x7f\r\b") {
		return l
	}
	var b strings.Builder
	for _, r := range l {
		switch {
		case r == '\t':
			b.WriteString("    ")
		case r < 0x20 || r == 0x7f || r == utf8.RuneError || r >= 0x80 && r < 0xa0:
			b.WriteByte('.')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pagerMaybeLoad fetches the next chunk when the view nears the end.
func (a *App) pagerMaybeLoad() tea.Cmd {
	pg := a.pager
	if pg == nil {
		return nil
	}
	if len(pg.lines)-pg.top < 3*a.pagerRows() {
		return a.pagerLoad()
	}
	return nil
}

func (a *App) pagerRows() int { return max(a.h-2, 1) }

func (a *App) pagerScroll(d int) tea.Cmd {
	pg := a.pager
	pg.top = max(min(pg.top+d, len(pg.lines)-a.pagerRows()), 0)
	return a.pagerMaybeLoad()
}

func (a *App) pagerKey(msg tea.KeyPressMsg) tea.Cmd {
	km := &a.keys
	rows := a.pagerRows()
	k := keyString(msg.String())
	m := func(b interface{ Keys() []string }) bool {
		for _, x := range b.Keys() {
			if x == string(k) {
				return true
			}
		}
		return false
	}
	switch {
	case msg.String() == "esc" || msg.String() == "q" || m(km.View) || m(km.Quit) && msg.String() != "ctrl+c":
		a.screen = screenPanes
		a.pager = nil
		return nil
	case m(km.Up):
		return a.pagerScroll(-1)
	case m(km.Down) || msg.String() == "enter":
		return a.pagerScroll(1)
	case m(km.PageUp) || m(km.HalfUp) || msg.String() == "b":
		return a.pagerScroll(-rows)
	case m(km.PageDown) || m(km.HalfDown) || msg.String() == "space":
		return a.pagerScroll(rows)
	case m(km.Top) || msg.String() == "g":
		return a.pagerScroll(-len(a.pager.lines))
	case m(km.Bottom):
		return a.pagerScroll(len(a.pager.lines))
	case msg.String() == "ctrl+c":
		return a.quit()
	}
	return nil
}

func (a *App) pagerView() string {
	pg := a.pager
	if pg == nil {
		return ""
	}
	w := a.w
	rows := a.pagerRows()
	out := make([]string, 0, a.h)
	title := fmt.Sprintf(" %s — %s", sanitize(pg.path), humanSize(pg.size))
	out = append(out, a.th.headerFocus.render(fit(title, w)))
	for r := 0; r < rows; r++ {
		i := pg.top + r
		if i < len(pg.lines) {
			out = append(out, fit(pg.lines[i], w))
		} else {
			out = append(out, strings.Repeat(" ", w))
		}
	}
	var state string
	switch {
	case pg.err != nil:
		state = a.th.errStyle.render(pg.err.Error())
	case pg.loading:
		state = "loading…"
	case !pg.eof && pg.read >= pagerLimit:
		state = fmt.Sprintf("showing the first %s only", humanSize(pagerLimit))
	case pg.eof:
		state = "end"
	}
	foot := fmt.Sprintf(" line %d/%d  %s  (q/esc close · ↑↓ pgup pgdn · g G)", min(pg.top+1, len(pg.lines)), len(pg.lines), state)
	out = append(out, fit(foot, w))
	return strings.Join(out, "\n")
}
