package ui

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/perm"
	"github.com/ferryhq/ferry/protocol"
)

// permRow is nine check boxes (owner, group, others × read, write,
// execute) and an octal field kept in step. A bit the entries disagree on
// is mixed ("[-]", "x" in the octal) and stays as each entry has it unless
// the user changes it.
type permRow struct {
	label        string
	known, value fs.FileMode // what the entries agree on
	set, clear   fs.FileMode // what the user changed
	octal        textinput.Model
}

func newPermRow(label string, modes []fs.FileMode) *permRow {
	r := &permRow{label: label, octal: newTextInput()}
	r.octal.Prompt = ""
	r.octal.CharLimit = 3
	r.reset(modes)
	return r
}

// reset takes the entries' modes afresh, keeping the user's changes.
func (r *permRow) reset(modes []fs.FileMode) {
	r.known, r.value = perm.Common(modes)
	r.known &= fs.ModePerm
	r.value &= r.known
	r.sync()
}

// state is 1 for on, 0 for off and -1 for mixed.
func (r *permRow) state(bit fs.FileMode) int {
	switch {
	case r.set&bit != 0:
		return 1
	case r.clear&bit != 0:
		return 0
	case r.known&bit == 0:
		return -1
	case r.value&bit != 0:
		return 1
	}
	return 0
}

// toggle flips a bit; a mixed one goes on, off and back to mixed.
func (r *permRow) toggle(bit fs.FileMode) {
	st := r.state(bit)
	r.set, r.clear = r.set&^bit, r.clear&^bit
	switch {
	case r.known&bit == 0 && st == -1:
		r.set |= bit
	case r.known&bit == 0 && st == 1:
		r.clear |= bit
	case r.known&bit == 0:
		// back to mixed
	case r.value&bit == 0:
		r.set |= bit
	default:
		r.clear |= bit
	}
	r.sync()
}

// sync writes the octal field from the boxes.
func (r *permRow) sync() {
	known := r.known | r.set | r.clear
	value := r.value&^r.clear | r.set
	r.octal.SetValue(perm.MaskString(known, value))
	r.octal.CursorEnd()
}

// fromOctal sets the boxes from the octal field, once it holds three
// digits or x.
func (r *permRow) fromOctal() {
	known, value, err := perm.ParseMask(r.octal.Value())
	if err != nil {
		return
	}
	r.set, r.clear = 0, 0
	for bit := fs.FileMode(1); bit <= 0o400; bit <<= 1 {
		if known&bit == 0 || r.known&bit != 0 && r.value&bit == value&bit {
			continue
		}
		if value&bit != 0 {
			r.set |= bit
		} else {
			r.clear |= bit
		}
	}
}

func (r *permRow) change() perm.Change { return perm.Change{Set: r.set, Clear: r.clear} }

// Which entries a recursive change applies to, as FileZilla offers.
const (
	applyBoth = iota
	applyFiles
	applyDirs
)

var applyNames = []string{"files and directories", "files only", "directories only"}

// permSlot is one place the focus can be.
type permSlot struct {
	kind int // slotBit, slotOctal, slotRecursive, slotApply
	row  int
	bit  fs.FileMode
}

const (
	slotBit = iota
	slotOctal
	slotRecursive
	slotApply
)

// permDialog sets the permissions of the entry under the cursor or the
// marked set (mc's ctrl+x c, FileZilla's "File permissions…"). Recursive,
// it has a row for files and one for directories, so 644 for files and
// 755 for directories is one action.
type permDialog struct {
	pane      int
	dir, site string
	sel       []protocol.Entry
	hasDir    bool
	rows      [2]*permRow // files (or everything, when not recursive), directories
	recursive bool
	applyTo   int
	focus     int
	// hits are the clickable cells of the body as last drawn.
	hits []permHit
}

// permHit is a clickable span of the permissions dialog: cells [x0, x1)
// of body line line work slot.
type permHit struct {
	line, x0, x1 int
	slot         permSlot
}

// permsDialog opens the permissions dialog for pane i's selection.
func (a *App) permsDialog(i int) tea.Cmd {
	p := a.panes[i]
	if !a.usable(i) {
		return nil
	}
	if _, ok := p.client.(protocol.Chmoder); !ok {
		a.setErr(fmt.Errorf("%s cannot set permissions", p.ep.Name))
		return nil
	}
	sel := p.selection()
	if len(sel) == 0 {
		return nil
	}
	d := &permDialog{pane: i, dir: p.dir, site: p.ep.Name, sel: sel}
	var dirs []fs.FileMode
	for _, e := range sel {
		if e.IsDir() {
			d.hasDir = true
			dirs = append(dirs, e.Mode)
		}
	}
	d.rows[0] = newPermRow("Mode", d.modes(false))
	d.rows[1] = newPermRow("Directories", dirs)
	a.openDialog(d)
	return nil
}

// modes are the selection's modes that the first row starts from: all of
// them, or when recursive the files'.
func (d *permDialog) modes(filesOnly bool) []fs.FileMode {
	var out []fs.FileMode
	for _, e := range d.sel {
		if !filesOnly || !e.IsDir() {
			out = append(out, e.Mode)
		}
	}
	return out
}

func (d *permDialog) title() string { return "Permissions" }

func (d *permDialog) slots() []permSlot {
	rows := 1
	if d.recursive {
		rows = 2
	}
	var out []permSlot
	for r := 0; r < rows; r++ {
		for shift := 8; shift >= 0; shift-- {
			out = append(out, permSlot{kind: slotBit, row: r, bit: 1 << shift})
		}
		out = append(out, permSlot{kind: slotOctal, row: r})
	}
	if d.hasDir {
		out = append(out, permSlot{kind: slotRecursive})
		if d.recursive {
			out = append(out, permSlot{kind: slotApply})
		}
	}
	return out
}

func (d *permDialog) setFocus(i int) tea.Cmd {
	slots := d.slots()
	i = (i + len(slots)) % len(slots)
	for _, r := range d.rows {
		r.octal.Blur()
	}
	d.focus = i
	if s := slots[i]; s.kind == slotOctal {
		return d.rows[s.row].octal.Focus()
	}
	return nil
}

// click works the box, field or choice clicked, as focusing it and
// pressing space would.
func (d *permDialog) click(a *App, _, line, col int) (bool, tea.Cmd) {
	for _, h := range d.hits {
		if h.line != line || col < h.x0 || col >= h.x1 {
			continue
		}
		for i, s := range d.slots() {
			if s != h.slot {
				continue
			}
			cmd := d.setFocus(i)
			if s.kind == slotOctal {
				return false, cmd
			}
			done, cmd2 := d.update(a, tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
			return done, tea.Batch(cmd, cmd2)
		}
	}
	return false, nil
}

func (d *permDialog) update(a *App, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	slots := d.slots()
	cur := slots[min(d.focus, len(slots)-1)]
	k := msg.String()
	switch k {
	case "esc", "ctrl+c":
		return true, nil
	case "enter":
		return true, d.apply(a)
	case "tab", "down":
		return false, d.setFocus(d.focus + 1)
	case "shift+tab", "up":
		return false, d.setFocus(d.focus - 1)
	}
	if cur.kind == slotOctal {
		r := d.rows[cur.row]
		var cmd tea.Cmd
		r.octal, cmd = r.octal.Update(msg)
		r.fromOctal()
		return false, cmd
	}
	switch k {
	case "right", "l":
		return false, d.setFocus(d.focus + 1)
	case "left", "h":
		return false, d.setFocus(d.focus - 1)
	case "space", "x":
		switch cur.kind {
		case slotBit:
			d.rows[cur.row].toggle(cur.bit)
		case slotRecursive:
			d.recursive = !d.recursive
			d.rows[0].label = map[bool]string{true: "Files", false: "Mode"}[d.recursive]
			d.rows[0].reset(d.modes(d.recursive))
			for j, s := range d.slots() { // the rows above it changed
				if s.kind == slotRecursive {
					d.focus = j
				}
			}
		case slotApply:
			d.applyTo = (d.applyTo + 1) % len(applyNames)
		}
	}
	return false, nil
}

func (d *permDialog) body(a *App, width int) []string {
	slots := d.slots()
	focused := func(s permSlot) bool {
		return d.focus < len(slots) && slots[d.focus] == s
	}
	what := sanitize(d.sel[0].Name)
	if d.sel[0].IsDir() {
		what += "/"
	}
	if len(d.sel) > 1 {
		what = fmt.Sprintf("%d entries", len(d.sel))
	}
	out := wrap("Permissions of "+what+" on "+sanitize(d.site), width)
	d.hits = d.hits[:0]
	hit := func(x0, x1 int, s permSlot) { d.hits = append(d.hits, permHit{len(out), x0, x1, s}) }
	rows := 1
	if d.recursive {
		rows = 2
	}
	for ri := 0; ri < rows; ri++ {
		r := d.rows[ri]
		out = append(out, "", fit(r.label, 12)+"read  write exec")
		for ci, class := range []string{"owner", "group", "others"} {
			line := "  " + fit(class, 10)
			for bi := 0; bi < 3; bi++ {
				bit := fs.FileMode(1) << (8 - 3*ci - bi)
				hit(12+6*bi, 15+6*bi, permSlot{kind: slotBit, row: ri, bit: bit})
				box := map[int]string{1: "[x]", 0: "[ ]", -1: "[-]"}[r.state(bit)]
				if focused(permSlot{kind: slotBit, row: ri, bit: bit}) {
					box = a.th.cursor.render(box)
				}
				line += box + "   "
			}
			out = append(out, strings.TrimRight(line, " "))
		}
		lbl := "  " + fit("octal", 10)
		if focused(permSlot{kind: slotOctal, row: ri}) {
			lbl = "  " + a.th.key.render(fit("octal", 10))
		}
		r.octal.SetWidth(4)
		hit(0, width, permSlot{kind: slotOctal, row: ri})
		out = append(out, lbl+r.octal.View())
	}
	if d.hasDir {
		box := "[ ]"
		if d.recursive {
			box = "[x]"
		}
		if focused(permSlot{kind: slotRecursive}) {
			box = a.th.cursor.render(box)
		}
		out = append(out, "")
		hit(0, width, permSlot{kind: slotRecursive})
		out = append(out, box+" recursive into directories")
		if d.recursive {
			parts := make([]string, len(applyNames))
			for j, n := range applyNames {
				parts[j] = n
				if j == d.applyTo {
					parts[j] = a.th.cursor.render(n)
					if !focused(permSlot{kind: slotApply}) {
						parts[j] = a.th.key.render(n)
					}
				}
			}
			for _, l := range wrapJoined(append([]string{"apply to ‹"}, append(parts, "›")...), width) {
				hit(0, width, permSlot{kind: slotApply})
				out = append(out, l)
			}
		}
	}
	out = append(out, "", a.th.dim.render(fit("[-] mixed, kept · space: toggle · tab: next · enter: apply · esc: cancel", width)))
	return out
}

// apply changes the permissions in a Cmd and reports with an opDoneMsg
// that refreshes the pane.
func (d *permDialog) apply(a *App) tea.Cmd {
	i := d.pane
	p := a.panes[i]
	fileCh, dirCh := d.rows[0].change(), d.rows[0].change()
	files, dirs := true, true
	if d.recursive {
		dirCh = d.rows[1].change()
		files, dirs = d.applyTo != applyDirs, d.applyTo != applyFiles
	}
	empty := func(c perm.Change) bool { return c.Set == 0 && c.Clear == 0 }
	target := func(e protocol.Entry) (fs.FileMode, bool) {
		if e.IsDir() {
			return dirCh.Apply(e.Mode), dirs && !empty(dirCh)
		}
		return fileCh.Apply(e.Mode), files && !empty(fileCh)
	}
	if (!files || empty(fileCh)) && (!dirs || empty(dirCh)) {
		a.setStatus("permissions unchanged")
		return nil
	}
	p.clearMarks()
	c, dir, sel, recursive := p.client, d.dir, d.sel, d.recursive
	lk, actx, refresh := a.io[i], a.ctx, refreshList(i, a, dir)
	return func() tea.Msg {
		n, failed := 0, 0
		var first error
		report := func(err error) error {
			if first == nil {
				first = err
			}
			failed++
			return nil
		}
		lk.do(func() {
			ctx, cancel := context.WithCancel(actx)
			defer cancel()
			for _, e := range sel {
				p := path.Join(dir, e.Name)
				if e.IsLink() { // chmod follows a link: the target's mode is the one to change
					st, err := c.Stat(ctx, p)
					if err != nil {
						report(err)
						continue
					}
					st.Mode &^= fs.ModeSymlink
					e = st
				} else if e.IsDir() && recursive {
					k, err := perm.Tree(ctx, c, p, e, target, report)
					n += k
					if err != nil {
						report(err)
						return
					}
					continue
				}
				m, ok := target(e)
				if !ok {
					continue
				}
				if err := perm.Chmod(ctx, c, p, m); err != nil {
					report(err)
					if perm.Fatal(err) {
						return
					}
					continue
				}
				n++
			}
		})
		var err error
		if first != nil {
			err = fmt.Errorf("permissions of %s changed, %d failed: %w", counted(n, "entry", "entries"), failed, first)
		}
		return opDoneMsg{pane: i, refresh: refresh, text: "permissions of " + counted(n, "entry", "entries") + " changed", err: err}
	}
}
