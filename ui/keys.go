package ui

import (
	"fmt"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// keyString lets a key sequence ("g g") be matched like a key press.
type keyString string

func (k keyString) String() string { return string(k) }

// jumpIdle ends jump-by-typing: after this pause a letter is a command again.
const jumpIdle = 1500 * time.Millisecond

func (a *App) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if a.dialog != nil {
		d := a.dialog
		done, cmd := d.update(a, msg)
		a.dialogDone(d, done)
		return cmd
	}
	switch a.screen {
	case screenHelp:
		return a.helpKey(msg)
	case screenLog:
		return a.logKey(msg)
	case screenPager:
		return a.pagerKey(msg)
	}
	if a.filtering {
		return a.filterKey(msg)
	}
	if a.jumping {
		if done, cmd := a.jumpKey(msg); done {
			return cmd
		}
	}
	k := msg.String()
	if a.seqKey != "" {
		seq := keyString(a.seqKey + " " + k)
		a.seqKey = ""
		if a.anyMatches(seq) {
			return a.action(seq)
		}
	}
	if a.seqFirst[k] && !a.paneKeys[k] {
		a.seqKey = k
		return nil
	}
	if a.qFocus && a.showQueue {
		if cmd, ok := a.queueKey(msg); ok {
			return cmd
		}
	}
	if k == "esc" && !a.qFocus && a.panes[a.focus].busy != "" {
		return a.stopBusy(a.focus)
	}
	if a.isJumpStart(msg) {
		a.jumping = true
		a.jumpText = ""
		a.jumpKey(msg)
		return nil
	}
	return a.action(msg)
}

// anyMatches reports whether k is bound to some action.
func (a *App) anyMatches(k fmt.Stringer) bool {
	for _, b := range a.keys.actions() {
		if key.Matches(k, *b) {
			return true
		}
	}
	return false
}

// isJumpStart: a printable key bound to nothing starts jump-by-typing.
func (a *App) isJumpStart(msg tea.KeyPressMsg) bool {
	if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 || utf8.RuneCountInString(msg.Text) != 1 {
		return false
	}
	return !a.paneKeys[msg.String()]
}

// jumpKey feeds jump-by-typing; it reports whether the key was used.
func (a *App) jumpKey(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	now := a.now()
	if a.jumpText != "" && now.Sub(a.jumpAt) > jumpIdle {
		a.jumping, a.jumpText = false, ""
		return false, nil
	}
	a.jumpAt = now
	switch msg.String() {
	case "esc":
		a.jumping, a.jumpText = false, ""
		return true, nil
	case "enter":
		a.jumping, a.jumpText = false, ""
		return false, nil // and open what we jumped to
	case "backspace":
		if r := []rune(a.jumpText); len(r) > 0 {
			a.jumpText = string(r[:len(r)-1])
		}
		return true, nil
	}
	if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 {
		a.jumping, a.jumpText = false, ""
		return false, nil
	}
	a.jumpText += msg.Text
	if !a.panes[a.focus].jump(a.jumpText) {
		a.setErr(fmt.Errorf("no entry matches %q", a.jumpText))
	} else {
		a.setStatus("")
	}
	return true, nil
}

// filterKey edits the free-text filter of the focused pane live.
func (a *App) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	p := a.panes[a.focus]
	switch msg.String() {
	case "enter":
		a.filtering = false
		return nil
	case "esc":
		a.filtering = false
		name := p.currentName()
		p.filter = ""
		p.rebuild()
		p.selectName(name)
		return nil
	case "backspace":
		if r := []rune(p.filter); len(r) > 0 {
			p.filter = string(r[:len(r)-1])
		}
	case "up", "down", "pgup", "pgdown":
		a.filtering = false
		return a.action(msg)
	default:
		if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 {
			return nil
		}
		p.filter += msg.Text
	}
	p.rebuild()
	p.cursor = 0
	p.clamp()
	return nil
}

// action runs the pane-level action bound to k.
func (a *App) action(k fmt.Stringer) tea.Cmd {
	km := &a.keys
	p := a.panes[a.focus]
	m := func(b key.Binding) bool { return key.Matches(k, b) }
	switch {
	case m(km.Quit):
		return a.quit()
	case m(km.Up):
		p.move(-1)
	case m(km.Down):
		p.move(1)
	case m(km.PageUp):
		p.move(-max(p.height-1, 1))
	case m(km.PageDown):
		p.move(max(p.height-1, 1))
	case m(km.HalfUp):
		p.move(-max(p.height/2, 1))
	case m(km.HalfDown):
		p.move(max(p.height/2, 1))
	case m(km.Top):
		p.setCursor(0)
	case m(km.Bottom):
		p.setCursor(len(p.rows) - 1)
	case m(km.Open):
		return a.open(a.focus)
	case m(km.Parent):
		return a.goParent(a.focus)
	case m(km.Switch):
		a.focus = 1 - a.focus
		a.qFocus = false
	case m(km.Mark):
		p.toggleMark()
	case m(km.MarkPattern):
		a.openDialog(newInputDialog("Mark", "pattern: ", "*", false, func(a *App, v string) tea.Cmd {
			n := a.panes[a.focus].markPattern(v, true)
			a.setStatus(fmt.Sprintf("marked %s matching %s", counted(n, "entry", "entries"), v))
			return nil
		}))
	case m(km.UnmarkPattern):
		a.openDialog(newInputDialog("Unmark", "pattern: ", "*", false, func(a *App, v string) tea.Cmd {
			n := a.panes[a.focus].markPattern(v, false)
			a.setStatus(fmt.Sprintf("unmarked %s matching %s", counted(n, "entry", "entries"), v))
			return nil
		}))
	case m(km.Invert):
		p.invertMarks()
	case m(km.Filter):
		a.filtering = true
	case m(km.Jump):
		a.jumping, a.jumpText, a.jumpAt = true, "", a.now()
	case m(km.Sort):
		a.resort(p, (p.sort+1)%sortModes, p.desc)
	case m(km.Reverse):
		a.resort(p, p.sort, !p.desc)
	case m(km.Dotfiles):
		name := p.currentName()
		p.hidden = !p.hidden
		p.rebuild()
		p.selectName(name)
		a.setStatus(map[bool]string{true: "showing dotfiles", false: "hiding dotfiles"}[p.hidden])
	case m(km.Copy):
		return a.copySelection(a.focus, false)
	case m(km.Move):
		return a.moveDialog(a.focus)
	case m(km.Mkdir):
		return a.mkdirDialog(a.focus)
	case m(km.Delete):
		return a.deleteDialog(a.focus)
	case m(km.View):
		return a.viewFile(a.focus)
	case m(km.Edit):
		return a.editFile(a.focus)
	case m(km.Props):
		return a.propsOpen(a.focus)
	case m(km.Find):
		return a.findOpen(a.focus)
	case m(km.NewFile):
		return a.touchDialog(a.focus)
	case m(km.Symlink):
		return a.symlinkDialog(a.focus)
	case m(km.Chmod):
		return a.permsDialog(a.focus)
	case m(km.CopyPath):
		return a.copyPath(a.focus, false)
	case m(km.CopyURL):
		return a.copyPath(a.focus, true)
	case m(km.Refresh):
		return a.refresh(a.focus)
	case m(km.Compare):
		a.toggleCompare()
	case m(km.Synchronize):
		return a.openSync()
	case m(km.SyncBrowse):
		a.syncBrowse = !a.syncBrowse
		a.setStatus(map[bool]string{true: "synchronized browsing on", false: "synchronized browsing off"}[a.syncBrowse])
	case m(km.Watch):
		return a.toggleWatch()
	case m(km.Queue):
		a.toggleQueue()
	case m(km.Log):
		a.screen = screenLog
		a.log.follow = true
	case m(km.Connect):
		return a.connectDialog()
	case m(km.Sites):
		return a.sitesDialog()
	case m(km.Help):
		a.screen, a.helpOff = screenHelp, 0
	}
	return nil
}

func (a *App) resort(p *pane, s sortMode, desc bool) {
	name := p.currentName()
	p.sort, p.desc = s, desc
	p.sortItems()
	p.rebuild()
	p.selectName(name)
	dir := "ascending"
	if desc {
		dir = "descending"
	}
	a.setStatus("sorted by " + s.String() + ", " + dir)
}

func (a *App) toggleQueue() {
	switch {
	case !a.showQueue:
		a.showQueue, a.qFocus = true, true
	case a.qFocus:
		a.showQueue, a.qFocus = false, false
	default:
		a.qFocus = true
	}
	a.layout()
}
