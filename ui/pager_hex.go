package ui

import (
	"fmt"
	"strconv"

	tea "charm.land/bubbletea/v2"
)

// The hex view addresses the file by offset: line n shows bytes
// [16n, 16n+16). It reads the chunks (pagerChunk bytes, aligned) the
// visible lines need and holds at most hexHeld of them, so a jump to the end
// of a huge file reads one or two chunks, not the file.
const (
	hexWidth = 16
	hexHeld  = 4
	// hexAhead is how many lines past the visible ones are read ahead: a
	// bigger window sends the viewer no message, so it must find them held.
	hexAhead = 1024
)

// hexWindow is the hex view's position and the chunks it holds.
type hexWindow struct {
	top     int64            // first line shown
	chunks  map[int64][]byte // held chunks by offset
	pending map[int64]bool   // chunks being read
}

func newHexWindow() hexWindow {
	return hexWindow{chunks: map[int64][]byte{}, pending: map[int64]bool{}}
}

// keep holds a chunk that was read, then lets go of the ones farthest from
// the view until at most hexHeld remain.
func (h *hexWindow) keep(off int64, data []byte) {
	h.chunks[off] = data
	at := h.top * hexWidth
	for len(h.chunks) > hexHeld {
		var far int64
		dist := int64(-1)
		for o := range h.chunks {
			if d := max(o-at, at-o); d > dist {
				far, dist = o, d
			}
		}
		delete(h.chunks, far)
	}
}

// held is the number of bytes the window holds.
func (h *hexWindow) held() int64 {
	var n int64
	for _, c := range h.chunks {
		n += int64(len(c))
	}
	return n
}

// hexLines is the number of lines the hex dump of size bytes has.
func hexLines(size int64) int64 { return (max(size, 0) + hexWidth - 1) / hexWidth }

// hexOffsetWidth is how many hex digits offsets take in a file of size
// bytes: 8, and more for the offsets past 4 GiB.
func hexOffsetWidth(size int64) int {
	last := max((size-1)&^(hexWidth-1), 0)
	return max(8, len(strconv.FormatInt(last, 16)))
}

// hexLine renders up to 16 bytes read at off the way hexdump -C and mc do:
//
//	00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 01 02 03  |Hello world.....|
//
// A short last line keeps its columns; the text column holds only its bytes.
// The result is printable ASCII, 54+len(b) bytes past the offset's digits.
func hexLine(off int64, digits int, b []byte) string {
	const hexDigits = "0123456789abcdef"
	b = b[:min(len(b), hexWidth)]
	out := make([]byte, 0, digits+54+hexWidth)
	o := strconv.FormatUint(uint64(off), 16)
	for i := len(o); i < digits; i++ {
		out = append(out, '0')
	}
	out = append(out, o...)
	out = append(out, ' ')
	for i := 0; i < hexWidth; i++ {
		if i%8 == 0 {
			out = append(out, ' ')
		}
		if i < len(b) {
			out = append(out, hexDigits[b[i]>>4], hexDigits[b[i]&0xf], ' ')
		} else {
			out = append(out, ' ', ' ', ' ')
		}
	}
	out = append(out, ' ', '|')
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		out = append(out, c)
	}
	return string(append(out, '|'))
}

// hexLoad reads the chunks that the visible lines, and hexAhead more, need
// and that are neither held nor on their way. Until a read has found the
// end of the file, the byte past the size it knows is wanted too: the file
// may have grown since it was listed.
func (a *App) hexLoad() tea.Cmd {
	pg := a.pager
	if pg == nil || pg.err != nil {
		return nil
	}
	h := &pg.hx
	first := h.top * hexWidth
	end := pg.size
	if !pg.sized {
		end++
	}
	end = min((h.top+int64(a.pagerRows())+hexAhead)*hexWidth, end)
	var cmds []tea.Cmd
	for off := first - first%pagerChunk; off < end; off += pagerChunk {
		if _, ok := h.chunks[off]; ok || h.pending[off] {
			continue
		}
		h.pending[off] = true
		cmds = append(cmds, a.pagerRead(off))
	}
	return tea.Batch(cmds...)
}

// hexScroll moves the hex view by d lines, within the file.
func (a *App) hexScroll(d int64) tea.Cmd {
	pg := a.pager
	pg.hx.top = max(min(pg.hx.top+d, hexLines(pg.size)-int64(a.pagerRows())), 0)
	return a.hexLoad()
}

// hexRows renders the visible lines of the hex dump; a line whose chunk is
// still being read shows its offset alone.
func (a *App) hexRows(rows int) []string {
	pg := a.pager
	digits := hexOffsetWidth(pg.size)
	total := hexLines(pg.size)
	out := make([]string, 0, rows)
	for r := int64(0); r < int64(rows); r++ {
		n := pg.hx.top + r
		if n >= total {
			out = append(out, "")
			continue
		}
		off := n * hexWidth
		data, ok := pg.hx.chunks[off-off%pagerChunk]
		if !ok {
			out = append(out, fmt.Sprintf("%0*x  …", digits, off))
			continue
		}
		i := int(off % pagerChunk)
		out = append(out, hexLine(off, digits, data[min(i, len(data)):min(i+hexWidth, len(data))]))
	}
	return out
}

// hexFoot is the hex view's position: the offset of its first line and how
// far through the file its last line is; then shorter forms for narrow
// windows, the offset without the size, and the percentage alone.
func (a *App) hexFoot() []string {
	pg := a.pager
	total := hexLines(pg.size)
	shown := min(pg.hx.top+int64(a.pagerRows()), total)
	pct := 100
	if total > 0 {
		pct = int(float64(shown) * 100 / float64(total))
	}
	off := fmt.Sprintf("%0*x", hexOffsetWidth(pg.size), pg.hx.top*hexWidth)
	p := itoa(pct) + "%"
	return []string{"offset " + off + " of " + humanSize(pg.size) + "  " + p, off + "  " + p, p}
}
