package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/ferryhq/ferry/protocol"
)

// The viewer reads a file in chunks as the user scrolls. As text it reads
// from the start and stops holding more than pagerLimit bytes, so viewing a
// huge log never fills memory; as a hex dump it reads the chunks around the
// offset shown (pager_hex.go). A binary file opens as a hex dump
// (pager_sniff.go decides), and a key switches between the two.
const (
	pagerChunk = 256 << 10
	pagerLimit = 8 << 20
)

type pager struct {
	pane int
	seq  int
	path string
	// size is the listing's size, corrected by what reads find; sized says
	// a read found the end there.
	size    int64
	sized   bool
	kind    contentKind
	sniffed bool
	hex     bool // showing the hex dump rather than the text
	err     error

	// The text, read from the start: lines, the offset each starts at (to
	// keep the place when switching to hex), and the unfinished last line.
	lines   []string
	starts  []int64
	partial string
	read    int64
	eof     bool
	loading bool
	top     int
	// left is the first cell of the text shown: long lines are scrolled
	// sideways rather than cut off for good.
	left int
	// find is the search in the text (/, n, N).
	find pagerFind

	hx hexWindow
}

type pagerChunkMsg struct {
	seq  int
	off  int64
	data []byte
	eof  bool
	err  error
	// size is the file's size from a Stat, when a read found nothing at an
	// off short of the size the viewer knew; -1 otherwise.
	size int64
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
	a.pager = &pager{pane: i, seq: seq, path: p, size: size, hx: newHexWindow()}
	a.screen = screenPager
	// The first chunk serves the sniff, the text and the hex view alike.
	a.pager.hx.pending[0] = true
	return a.pagerLoad()
}

// pagerLoad reads the next chunk of the text.
func (a *App) pagerLoad() tea.Cmd {
	pg := a.pager
	if pg == nil || pg.loading || pg.eof || pg.err != nil {
		return nil
	}
	if pg.read >= pagerLimit {
		return nil
	}
	pg.loading = true
	return a.pagerRead(pg.read)
}

// pagerRead reads pagerChunk bytes at off in a Cmd.
func (a *App) pagerRead(off int64) tea.Cmd {
	pg := a.pager
	c, lk, ctx := a.panes[pg.pane].client, a.io[pg.pane], a.ctx
	seq, p, size := pg.seq, pg.path, pg.size
	return func() tea.Msg {
		m := pagerChunkMsg{seq: seq, off: off, size: -1}
		lk.do(func() {
			cctx, cancel := context.WithTimeout(ctx, listTimeout)
			defer cancel()
			m.data, m.eof, m.err = readChunk(cctx, c, p, off, pagerChunk)
			if m.err == nil && m.eof && len(m.data) == 0 && off > 0 && off < size {
				// The file is shorter than the listing said; ask how long
				// rather than step back a chunk at a time.
				e, err := c.Stat(cctx, p)
				if err != nil {
					m.err = fmt.Errorf("stat %s: %w", p, err)
					return
				}
				m.size = e.Size
			}
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
	text := pg.loading && msg.off == pg.read
	if text {
		pg.loading = false
	}
	hex := pg.hx.pending[msg.off]
	delete(pg.hx.pending, msg.off)
	if msg.err != nil {
		if pg.err == nil {
			pg.err = msg.err
			a.setErr(msg.err)
		}
		pg.find.waiting = false
		return nil
	}
	pg.learnSize(msg)
	if !pg.sniffed && msg.off == 0 {
		pg.sniffed = true
		pg.kind = sniff(msg.data, msg.eof)
		pg.hex = pg.kind == kindBinary
	}
	if text {
		pg.addText(msg.data, msg.eof)
	}
	if hex {
		pg.hx.keep(msg.off, msg.data)
	}
	pg.hx.top = max(min(pg.hx.top, hexLines(pg.size)-int64(a.pagerRows())), 0)
	if text && pg.find.waiting {
		return a.pagerFindRun()
	}
	return a.pagerMaybeLoad()
}

// learnSize corrects the file's size by what a read found: the listing may
// be stale, or a link's own.
func (pg *pager) learnSize(msg pagerChunkMsg) {
	end := msg.off + int64(len(msg.data))
	switch {
	case msg.size >= 0:
		pg.size, pg.sized = msg.size, true
	case msg.eof && (len(msg.data) > 0 || msg.off == 0):
		pg.size, pg.sized = end, true
	case msg.eof:
		// Nothing at off: the end is there, unless the size learnt since
		// is smaller.
		pg.sized = pg.sized || msg.off == pg.size
	case end > pg.size:
		pg.size, pg.sized = end, false
	}
}

// addText splits a chunk of the text into lines.
func (pg *pager) addText(data []byte, eof bool) {
	at := pg.read - int64(len(pg.partial))
	pg.read += int64(len(data))
	pg.eof = eof
	parts := strings.Split(pg.partial+string(data), "\n")
	pg.partial = parts[len(parts)-1]
	for _, l := range parts[:len(parts)-1] {
		pg.lines = append(pg.lines, pg.textLine(l))
		pg.starts = append(pg.starts, at)
		at += int64(len(l)) + 1
	}
	if pg.eof && pg.partial != "" {
		pg.lines = append(pg.lines, pg.textLine(pg.partial))
		pg.starts = append(pg.starts, at)
		pg.partial = ""
	}
}

// textLine makes a line of the file ready to draw.
func (pg *pager) textLine(l string) string {
	if pg.kind == kind8bit {
		l = decode8bit(l)
	}
	return cleanLine(l)
}

// cleanLine makes a line safe to draw: tabs expanded, control characters
// (C1 and invalid UTF-8 too) shown as dots.
func cleanLine(l string) string {
	l = strings.TrimSuffix(l, "\r")
	plain := true
	for i := 0; i < len(l) && plain; i++ {
		plain = l[i] >= 0x20 && l[i] < 0x7f
	}
	if plain {
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

// pagerMaybeLoad reads what the view is about to show: in text, the next
// chunk when the view nears the end of what was read.
func (a *App) pagerMaybeLoad() tea.Cmd {
	pg := a.pager
	if pg == nil {
		return nil
	}
	if pg.hex {
		return a.hexLoad()
	}
	if len(pg.lines)-pg.top < 3*a.pagerRows() {
		return a.pagerLoad()
	}
	return nil
}

// pagerRows is how many lines the viewer shows: the rows inside its frame.
func (a *App) pagerRows() int { return a.screenRows() }

// pagerScroll moves the view by d lines.
func (a *App) pagerScroll(d int) tea.Cmd {
	pg := a.pager
	if pg.hex {
		return a.hexScroll(int64(d))
	}
	pg.top = max(min(pg.top+d, len(pg.lines)-a.pagerRows()), 0)
	return a.pagerMaybeLoad()
}

// pagerEnds moves the view to the start or, as far as it can, to the end.
// Text goes to the end of what was read and reads on; a hex dump goes to
// the end of the file.
func (a *App) pagerEnds(end bool) tea.Cmd {
	pg := a.pager
	switch {
	case !end && pg.hex:
		return a.hexScroll(-pg.hx.top)
	case end && pg.hex:
		return a.hexScroll(hexLines(pg.size))
	case !end:
		return a.pagerScroll(-len(pg.lines))
	}
	return a.pagerScroll(len(pg.lines))
}

// pagerToggle switches between text and hex dump, keeping the place where
// the text read so far allows: the text line holding the first byte shown,
// the offset where the top line starts.
func (a *App) pagerToggle() tea.Cmd {
	pg := a.pager
	rows := a.pagerRows()
	if pg.hex {
		off := pg.hx.top * hexWidth
		i := sort.Search(len(pg.starts), func(i int) bool { return pg.starts[i] > off }) - 1
		pg.top = max(min(i, len(pg.lines)-rows), 0)
	} else if pg.top < len(pg.starts) {
		pg.hx.top = max(min(pg.starts[pg.top]/hexWidth, hexLines(pg.size)-int64(rows)), 0)
	}
	pg.hex = !pg.hex
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
	case m(km.Hex):
		return a.pagerToggle()
	case !a.pager.hex && (msg.String() == "left" || msg.String() == "h"):
		a.pager.left = max(a.pager.left-pagerSideStep, 0)
	case !a.pager.hex && (msg.String() == "right" || msg.String() == "l"):
		a.pagerSideways()
	case !a.pager.hex && msg.String() == "0":
		a.pager.left = 0
	case msg.String() == "/":
		return a.pagerAskFind()
	case msg.String() == "n":
		return a.pagerFindNext(true)
	case msg.String() == "N":
		return a.pagerFindNext(false)
	case m(km.Up):
		return a.pagerScroll(-1)
	case m(km.Down) || msg.String() == "enter":
		return a.pagerScroll(1)
	case m(km.PageUp) || m(km.HalfUp) || msg.String() == "b":
		return a.pagerScroll(-rows)
	case m(km.PageDown) || m(km.HalfDown) || msg.String() == "space":
		return a.pagerScroll(rows)
	case m(km.Top) || msg.String() == "g":
		return a.pagerEnds(false)
	case m(km.Bottom):
		return a.pagerEnds(true)
	case msg.String() == "ctrl+c":
		return a.quit()
	}
	return nil
}

// pagerView draws the viewer in the full-screen frame: the path (its end
// kept) with the size and how the file is shown in the top border, the
// position, the state and the keys in the bottom one.
func (a *App) pagerView() string {
	pg := a.pager
	if pg == nil {
		return ""
	}
	th := &a.th
	rows := a.pagerRows()
	size := humanSize(pg.size)
	mode, short := "", ""
	switch {
	case pg.hex:
		mode, short = "hex", "hex"
	case pg.kind == kind8bit:
		mode, short = "8-bit text, read as Windows-1252", "8-bit text"
	case pg.kind == kindBinary:
		mode, short = "binary, shown as text", "binary"
	}
	info := []string{size}
	if mode != "" {
		info = []string{size + " · " + mode, size + " · " + short, short}
	}
	var body []string
	if pg.hex {
		body = a.hexRows(rows)
	} else {
		body = pg.lines[min(pg.top, len(pg.lines)):min(pg.top+rows, len(pg.lines))]
		if pg.left > 0 || pg.find.term != "" {
			shown := make([]string, len(body))
			for i, l := range body {
				if pg.left > 0 {
					l = ansi.Cut(l, pg.left, visibleWidth(l))
				}
				shown[i] = a.highlightMatches(l)
			}
			body = shown
		}
	}
	var state string
	stateStyle := th.dim
	switch {
	case pg.err != nil:
		state, stateStyle = pg.err.Error(), th.errStyle
	case pg.hex && len(pg.hx.pending) > 0, !pg.hex && pg.loading:
		state = "loading…"
	case pg.hex && pg.hx.top+int64(rows) >= hexLines(pg.size):
		state = "end"
	case pg.hex:
	case !pg.eof && pg.read >= pagerLimit:
		state = fmt.Sprintf("the first %s only; %s (hex) reaches the end", humanSize(pagerLimit), a.keys.Hex.Help().Key)
	case pg.eof:
		state = "end"
	}
	if n := pg.find.note(); n != "" && pg.err == nil && !pg.hex {
		state, stateStyle = n, th.dim
		if pg.find.missed {
			stateStyle = th.warn
		}
	}
	at := itoa(min(pg.top+1, len(pg.lines))) + "/" + itoa(len(pg.lines))
	pos, other := []string{"line " + at, at}, "hex"
	if pg.left > 0 {
		pos = []string{"line " + at + " col " + itoa(pg.left+1), at + ":" + itoa(pg.left+1), at}
	}
	if pg.hex {
		pos, other = a.hexFoot(), "text"
	}
	hints := []keyHint{a.hint("q/esc", "close"), a.hint(a.keys.Hex.Help().Key, other), a.hint("↑↓ pgup pgdn", "scroll")}
	if pg.hex {
		hints = append(hints, a.hint("g G", "start/end"))
	} else {
		hints = append(hints, a.hint("/ n N", "find"), a.hint("g G", "start/end"), a.hint("←→", "sideways"))
	}
	return a.drawScreen(&fullScreen{
		title:      pg.path,
		titleStyle: th.path,
		keepEnd:    true,
		info:       info,
		pos:        pos,
		note:       state,
		noteStyle:  stateStyle,
		hints:      hints,
		body:       body,
		columns:    pg.hex,
	})
}

// pagerSideStep is how far left and right move the text, in cells.
const pagerSideStep = 8

// pagerSideways moves the text left by a step, as far as the widest line
// on screen still has text to show.
func (a *App) pagerSideways() {
	pg := a.pager
	widest := 0
	for _, l := range pg.lines[min(pg.top, len(pg.lines)):min(pg.top+a.pagerRows(), len(pg.lines))] {
		widest = max(widest, visibleWidth(l))
	}
	if over := widest - a.screenCols(); over > 0 {
		pg.left = min(pg.left+pagerSideStep, over)
	}
}
