package ui

import (
	"context"
	"path"
	"strings"

	"github.com/ferryhq/ferry/protocol"
)

// sortMode orders a listing; directories always come first.
type sortMode int

const (
	sortName sortMode = iota
	sortExt
	sortSize
	sortTime
	sortModes
)

func (s sortMode) String() string {
	return [...]string{"name", "ext", "size", "time"}[s]
}

// item is one listed entry with what rendering and sorting need precomputed.
type item struct {
	e      protocol.Entry
	name   string // sanitized for display
	lower  string // for case-insensitive sorting, filtering and jumping
	marked bool
	cmp    cmpMark // result of the last directory comparison
}

type cmpMark uint8

const (
	cmpNone cmpMark = iota
	cmpSame
	cmpNewer
	cmpOlder
	cmpMissing // the other side lacks it
	cmpDiffer
)

// parentRow marks the ".." row in pane.rows.
const parentRow = -1

// pane is one side of the window: a directory listing over one Client. It is
// pure state; every I/O runs in commands built by the App.
type pane struct {
	ep        Endpoint
	client    protocol.Client
	connected bool
	busy      string // "connecting…", "listing…" while a command runs
	// stop cancels the connect or listing under way (Esc), so a hung
	// server never holds the pane.
	stop      context.CancelFunc
	err       string // last error, shown in the header area
	lost      bool   // the connection is gone; ctrl+r reconnects
	security  string
	encrypted bool

	dir     string
	items   []item
	rows    []int // indexes into items in display order; parentRow for ".."
	cursor  int   // index into rows
	offset  int   // first visible row
	height  int   // visible rows, set at layout
	seq     int   // listing generation; stale results are dropped
	sort    sortMode
	desc    bool
	hidden  bool // show dotfiles
	filter  string
	history map[string]string // dir → entry name the cursor was on

	markedN    int
	markedSize int64
	// selectAfter puts the cursor on this name after the next listing
	// (a new directory, a renamed file).
	selectAfter string
	// stale asks for another listing once the one under way returns.
	stale bool
}

func newPane(ep Endpoint) *pane {
	p := &pane{ep: ep, client: ep.Client, dir: ep.Path, history: map[string]string{}}
	p.security = ep.Security
	if p.client != nil {
		p.connected = true
		p.describe()
	}
	return p
}

// describe reads the security label from the client when it can tell.
func (p *pane) describe() {
	if d, ok := p.client.(protocol.Describer); ok {
		p.security = d.Security()
		p.encrypted = d.Encrypted()
		return
	}
	if p.ep.Security != "" {
		p.security = p.ep.Security
	}
	p.encrypted = p.ep.Encrypted || p.ep.Local
}

// setListing installs a fresh listing, keeping marks by name when the
// directory did not change (a refresh) and the cursor on the same name.
func (p *pane) setListing(dir string, entries []protocol.Entry) {
	p.install(dir, prepare(entries, p.sort, p.desc))
}

func (p *pane) install(dir string, l listing) {
	keepName := ""
	sameDir := dir == p.dir
	var kept map[string]bool
	if sameDir {
		keepName = p.currentName()
		if p.markedN > 0 {
			kept = make(map[string]bool, p.markedN)
			for i := range p.items {
				if p.items[i].marked {
					kept[p.items[i].e.Name] = true
				}
			}
		}
	} else {
		if p.dir != "" && p.currentName() != "" {
			p.history[p.dir] = p.currentName()
		}
		if name, ok := p.history[dir]; ok {
			keepName = name
		} else if p.dir != "" && path.Dir(p.dir) == dir {
			keepName = path.Base(p.dir) // went up: land on the dir we left
		}
		p.filter = ""
	}
	p.dir = dir
	p.items = l.items
	p.markedN, p.markedSize = 0, 0
	if kept != nil {
		for i := range p.items {
			if kept[p.items[i].e.Name] {
				p.items[i].marked = true
				p.markedN++
				p.markedSize += p.items[i].e.Size
			}
		}
	}
	if l.sort != p.sort || l.desc != p.desc {
		p.sortItems() // the user changed the order while the listing ran
	}
	p.rebuild()
	p.cursor = 0
	if keepName != "" {
		p.selectName(keepName)
	}
	p.clamp()
}

// rebuild recomputes the visible rows from items, dotfile and filter
// settings.
func (p *pane) rebuild() {
	rows := p.rows[:0]
	if cap(rows) < len(p.items)+1 {
		rows = make([]int, 0, len(p.items)+1)
	}
	if p.dir != "/" && p.dir != "" && p.filter == "" {
		rows = append(rows, parentRow)
	}
	f := strings.ToLower(p.filter)
	for i := range p.items {
		it := &p.items[i]
		if !p.hidden && strings.HasPrefix(it.e.Name, ".") {
			continue
		}
		if f != "" && !fuzzy(it.lower, f) {
			continue
		}
		rows = append(rows, i)
	}
	p.rows = rows
	p.clamp()
}

func (p *pane) clamp() {
	if p.cursor >= len(p.rows) {
		p.cursor = len(p.rows) - 1
	}
	if p.cursor < 0 {
		p.cursor = 0
	}
	h := max(p.height, 1)
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+h {
		p.offset = p.cursor - h + 1
	}
	if p.offset > len(p.rows)-h {
		p.offset = len(p.rows) - h
	}
	if p.offset < 0 {
		p.offset = 0
	}
}

func (p *pane) move(delta int) {
	p.cursor += delta
	p.clamp()
}

func (p *pane) setCursor(i int) {
	p.cursor = i
	p.clamp()
}

// current returns the item under the cursor, or nil for ".." or an empty
// listing.
func (p *pane) current() *item {
	if p.cursor < 0 || p.cursor >= len(p.rows) || p.rows[p.cursor] == parentRow {
		return nil
	}
	return &p.items[p.rows[p.cursor]]
}

func (p *pane) onParent() bool {
	return p.cursor >= 0 && p.cursor < len(p.rows) && p.rows[p.cursor] == parentRow
}

func (p *pane) currentName() string {
	if it := p.current(); it != nil {
		return it.e.Name
	}
	return ""
}

func (p *pane) selectName(name string) bool {
	for r, i := range p.rows {
		if i != parentRow && p.items[i].e.Name == name {
			p.setCursor(r)
			return true
		}
	}
	return false
}

// jump moves to the first entry whose name starts with prefix, else the first
// containing it.
func (p *pane) jump(prefix string) bool {
	pre := strings.ToLower(prefix)
	for r, i := range p.rows {
		if i != parentRow && strings.HasPrefix(p.items[i].lower, pre) {
			p.setCursor(r)
			return true
		}
	}
	for r, i := range p.rows {
		if i != parentRow && strings.Contains(p.items[i].lower, pre) {
			p.setCursor(r)
			return true
		}
	}
	return false
}

func (p *pane) setMark(it *item, on bool) {
	if it.marked == on {
		return
	}
	it.marked = on
	if on {
		p.markedN++
		p.markedSize += it.e.Size
	} else {
		p.markedN--
		p.markedSize -= it.e.Size
	}
}

// toggleMark marks or unmarks the entry under the cursor and steps down, as
// Insert does in Midnight Commander.
func (p *pane) toggleMark() {
	if it := p.current(); it != nil {
		p.setMark(it, !it.marked)
	}
	p.move(1)
}

// markPattern marks (or unmarks) the visible entries whose name matches the
// shell pattern; it returns how many changed.
func (p *pane) markPattern(pattern string, on bool) int {
	n := 0
	for _, i := range p.rows {
		if i == parentRow {
			continue
		}
		it := &p.items[i]
		if ok, _ := path.Match(pattern, it.e.Name); ok && it.marked != on {
			p.setMark(it, on)
			n++
		}
	}
	return n
}

// invertMarks flips the marks of the visible files.
func (p *pane) invertMarks() {
	for _, i := range p.rows {
		if i != parentRow {
			it := &p.items[i]
			p.setMark(it, !it.marked)
		}
	}
}

func (p *pane) clearMarks() {
	for i := range p.items {
		p.items[i].marked = false
	}
	p.markedN, p.markedSize = 0, 0
}

// selection is what an operation acts on: the marked entries, else the one
// under the cursor.
func (p *pane) selection() []protocol.Entry {
	if p.markedN > 0 {
		out := make([]protocol.Entry, 0, p.markedN)
		for i := range p.items {
			if p.items[i].marked && p.items[i].e.Name != "" {
				out = append(out, p.items[i].e)
			}
		}
		return out
	}
	if it := p.current(); it != nil && it.e.Name != "" {
		return []protocol.Entry{it.e}
	}
	return nil
}

// join makes a path inside the pane's directory.
func (p *pane) join(name string) string {
	return path.Join(p.dir, name)
}

// parentDir is the directory above the current one.
func (p *pane) parentDir() string {
	if p.dir == "/" || p.dir == "" {
		return p.dir
	}
	return path.Dir(p.dir)
}

// lookup finds an item by name.
func (p *pane) lookup(name string) *item {
	for i := range p.items {
		if p.items[i].e.Name == name {
			return &p.items[i]
		}
	}
	return nil
}

// doneBusy lets go of the finished command's context.
func (p *pane) doneBusy() {
	if p.stop != nil {
		p.stop()
		p.stop = nil
	}
}
