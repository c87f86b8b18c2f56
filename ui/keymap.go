package ui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap lists every action with its keys and help text. It is data, so the
// help screen is generated from it and the config file can remap it. A key
// written as two keys separated by a space ("g g") is a sequence.
type KeyMap struct {
	Up, Down, PageUp, PageDown, HalfUp, HalfDown key.Binding
	Top, Bottom                                  key.Binding
	Synchronize                                  key.Binding
	Open, Parent, Switch                         key.Binding
	Mark, MarkPattern, UnmarkPattern, Invert     key.Binding
	Filter, Jump                                 key.Binding
	Sort, Reverse, Dotfiles                      key.Binding
	Copy, Move, Mkdir, Delete, View, Edit        key.Binding
	Refresh, Compare, SyncBrowse, Watch          key.Binding
	Queue, Log, Connect, Sites, Help, Quit       key.Binding
	// Queue panel actions (when the panel has focus).
	QPause, QCancel, QRetry, QUp, QDown, QClear key.Binding
	// Hex switches the viewer between text and a hex dump.
	Hex key.Binding
	// Managing files beyond copying them.
	Props, Find, NewFile, Symlink, CopyPath, CopyURL key.Binding
	Chmod                                            key.Binding
}

// DefaultKeyMap follows Midnight Commander habits with vim keys beside them.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:            b("↑/k", "up", "up", "k"),
		Down:          b("↓/j", "down", "down", "j"),
		PageUp:        b("pgup", "page up", "pgup"),
		PageDown:      b("pgdn", "page down", "pgdown"),
		HalfUp:        b("ctrl+u", "half page up", "ctrl+u"),
		HalfDown:      b("ctrl+d", "half page down", "ctrl+d"),
		Top:           b("home/gg", "first entry", "home", "g g"),
		Bottom:        b("end/G", "last entry", "end", "G"),
		Open:          b("enter/l", "open directory", "enter", "l", "right"),
		Parent:        b("bksp/h", "parent directory", "backspace", "h", "left"),
		Switch:        b("tab", "other pane", "tab", "shift+tab"),
		Mark:          b("ins/space", "mark entry", "insert", "space"),
		MarkPattern:   b("+", "mark by pattern", "+"),
		UnmarkPattern: b("-", "unmark by pattern", "-"),
		Invert:        b("*", "invert marks", "*"),
		Filter:        b("/", "filter", "/"),
		Jump:          b("ctrl+s", "jump by typing (or just type)", "ctrl+s"),
		Sort:          b("s", "sort: name/ext/size/time", "s"),
		Reverse:       b("S", "reverse sort", "S"),
		Dotfiles:      b(".", "show/hide dotfiles", "."),
		Copy:          b("F5/c", "copy to other pane", "f5", "c"),
		Move:          b("F6/m", "move / rename", "f6", "m"),
		Mkdir:         b("F7/n", "new directory", "f7", "n"),
		Delete:        b("F8/del", "delete", "f8", "delete"),
		View:          b("F3/v", "view file", "f3", "v"),
		Edit:          b("F4/e", "edit in $EDITOR", "f4", "e"),
		Refresh:       b("ctrl+r", "refresh / reconnect", "ctrl+r"),
		Compare:       b("=", "compare directories", "="),
		Synchronize:   b("Z", "synchronize both ways (plan, untick, queue)", "Z"),
		SyncBrowse:    b("ctrl+y", "synchronized browsing", "ctrl+y"),
		Watch:         b("ctrl+w", "keep remote up to date (on/off)", "ctrl+w"),
		Queue:         b("F2/t", "transfer queue", "f2", "t"),
		Log:           b("F9/L", "message log", "f9", "L"),
		Connect:       b("ctrl+o/o", "connect", "ctrl+o", "o"),
		Sites:         b("ctrl+b/b", "site manager", "ctrl+b", "b"),
		Help:          b("?/F1", "help", "?", "f1"),
		Quit:          b("F10/q", "quit", "f10", "q", "ctrl+c"),
		QPause:        b("p", "pause / resume job", "p", "space"),
		QCancel:       b("x/del", "cancel job", "x", "delete"),
		QRetry:        b("r", "retry job", "r"),
		QUp:           b("K/shift+↑", "move job up", "K", "shift+up"),
		QDown:         b("J/shift+↓", "move job down", "J", "shift+down"),
		QClear:        b("C", "clear finished jobs", "C"),
		Hex:           b("F4/x", "hex dump / text", "f4", "x"),
		Props:         b("i", "properties, directory size, checksum", "i"),
		Find:          b("ctrl+f", "find files below this directory", "ctrl+f"),
		NewFile:       b("N", "new empty file", "N"),
		Symlink:       b("ctrl+x s", "symbolic link to the entry", "ctrl+x s"),
		CopyPath:      b("y", "copy the full path (OSC 52)", "y"),
		CopyURL:       b("Y", "copy the URL (OSC 52)", "Y"),
		Chmod:         b("ctrl+x c/P", "permissions (chmod)", "ctrl+x c", "P"),
	}
}

// actions names every binding for the config file ([keymap] copy = ["f5"]).
func (k *KeyMap) actions() map[string]*key.Binding {
	return map[string]*key.Binding{
		"up": &k.Up, "down": &k.Down, "page_up": &k.PageUp, "page_down": &k.PageDown,
		"half_up": &k.HalfUp, "half_down": &k.HalfDown, "top": &k.Top, "bottom": &k.Bottom, "synchronize": &k.Synchronize,
		"open": &k.Open, "parent": &k.Parent, "switch": &k.Switch,
		"mark": &k.Mark, "mark_pattern": &k.MarkPattern, "unmark_pattern": &k.UnmarkPattern,
		"invert": &k.Invert, "filter": &k.Filter, "jump": &k.Jump,
		"sort": &k.Sort, "reverse": &k.Reverse, "dotfiles": &k.Dotfiles,
		"copy": &k.Copy, "move": &k.Move, "mkdir": &k.Mkdir, "delete": &k.Delete,
		"view": &k.View, "edit": &k.Edit, "refresh": &k.Refresh, "compare": &k.Compare,
		"sync_browse": &k.SyncBrowse, "watch": &k.Watch, "queue": &k.Queue, "log": &k.Log,
		"connect": &k.Connect, "sites": &k.Sites, "help": &k.Help, "quit": &k.Quit,
		"queue_pause": &k.QPause, "queue_cancel": &k.QCancel, "queue_retry": &k.QRetry,
		"queue_up": &k.QUp, "queue_down": &k.QDown, "queue_clear": &k.QClear,
		"view_hex": &k.Hex, "properties": &k.Props, "find": &k.Find,
		"new_file": &k.NewFile, "symlink": &k.Symlink, "copy_path": &k.CopyPath, "copy_url": &k.CopyURL,
		"permissions": &k.Chmod,
	}
}

// ActionNames lists the names the config file may remap, sorted.
func ActionNames() []string {
	k := DefaultKeyMap()
	var names []string
	for n := range k.actions() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Remap replaces the keys of the named actions. An unknown action or an
// empty key list is an error, so a typo in the config file is reported
// rather than silently ignored.
func (k *KeyMap) Remap(overrides map[string][]string) error {
	acts := k.actions()
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		keys := overrides[name]
		b, ok := acts[strings.ToLower(name)]
		if !ok {
			return fmt.Errorf("[keymap] %s: unknown action (known: %s)", name, strings.Join(ActionNames(), ", "))
		}
		if len(keys) == 0 {
			return fmt.Errorf("[keymap] %s: no keys given", name)
		}
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
	}
	return nil
}

// helpSections groups bindings for the help screen.
func (k *KeyMap) helpSections() []helpSection {
	return []helpSection{
		{"Navigate", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.HalfUp, k.HalfDown, k.Top, k.Bottom, k.Open, k.Parent, k.Switch, k.Filter, k.Jump}},
		{"Mark and list", []key.Binding{k.Mark, k.MarkPattern, k.UnmarkPattern, k.Invert, k.Sort, k.Reverse, k.Dotfiles, k.Compare, k.SyncBrowse, k.Watch}},
		{"Files", []key.Binding{k.Copy, k.Move, k.Mkdir, k.Delete, k.View, k.Edit, k.Refresh, k.Synchronize}},
		{"Windows", []key.Binding{k.Queue, k.Log, k.Connect, k.Sites, k.Help, k.Quit}},
		{"Queue panel", []key.Binding{k.QPause, k.QCancel, k.QRetry, k.QUp, k.QDown, k.QClear}},
		{"Viewer (F3)", []key.Binding{k.Hex}},
		{"Manage", []key.Binding{k.Props, k.Find, k.NewFile, k.Symlink, k.CopyPath, k.CopyURL, k.Chmod}},
	}
}

type helpSection struct {
	title    string
	bindings []key.Binding
}

// seqPrefixes returns the first keys of every sequence binding ("g" of "g g").
func (k *KeyMap) seqPrefixes() map[string]bool {
	out := map[string]bool{}
	for _, b := range k.actions() {
		for _, s := range b.Keys() {
			if i := strings.IndexByte(s, ' '); i > 0 {
				out[s[:i]] = true
			}
		}
	}
	return out
}

// allKeys is every single key bound to any action, so jump-by-typing knows
// which printable keys are free.
func (k *KeyMap) allKeys() map[string]bool {
	out := map[string]bool{}
	for _, b := range k.actions() {
		for _, s := range b.Keys() {
			out[s] = true
		}
	}
	return out
}
