package ui

import (
	"io/fs"
	"strings"

	"github.com/ferryhq/ferry/protocol"
)

// fileKind is the type of a directory entry as LS_COLORS tells them apart.
type fileKind uint8

const (
	kindFile fileKind = iota
	kindDir
	kindLink
	kindOrphan // a link whose target is gone
	kindExec
	kindPipe
	kindSocket
	kindBlock
	kindChar
	kindSetuid
	kindSetgid
	kindStickyOtherWritable
	kindOtherWritable
	kindSticky
	kindCount
)

// lsKeys are the dircolors two-letter keys ferry uses, by kind.
var lsKeys = [kindCount]string{
	kindFile: "fi", kindDir: "di", kindLink: "ln", kindOrphan: "or",
	kindExec: "ex", kindPipe: "pi", kindSocket: "so", kindBlock: "bd",
	kindChar: "cd", kindSetuid: "su", kindSetgid: "sg",
	kindStickyOtherWritable: "tw", kindOtherWritable: "ow", kindSticky: "st",
}

// kindOf classifies an entry the way GNU ls picks its colour: special bits
// before executability, and a directory's sticky and other-writable bits.
func kindOf(e *protocol.Entry) fileKind {
	m := e.Mode
	switch {
	case m&fs.ModeSymlink != 0:
		return kindLink
	case m.IsDir():
		switch {
		case m&fs.ModeSticky != 0 && m&0o002 != 0:
			return kindStickyOtherWritable
		case m&0o002 != 0:
			return kindOtherWritable
		case m&fs.ModeSticky != 0:
			return kindSticky
		}
		return kindDir
	case m&fs.ModeNamedPipe != 0:
		return kindPipe
	case m&fs.ModeSocket != 0:
		return kindSocket
	case m&fs.ModeDevice != 0 && m&fs.ModeCharDevice != 0:
		return kindChar
	case m&fs.ModeDevice != 0:
		return kindBlock
	case m&fs.ModeSetuid != 0:
		return kindSetuid
	case m&fs.ModeSetgid != 0:
		return kindSetgid
	case m&0o111 != 0:
		return kindExec
	}
	return kindFile
}

// lsColors is a parsed LS_COLORS value: an SGR style per kind and per
// name suffix. Suffixes are kept lower case and looked up with the
// entry's lower-case name, so "*.JPG" and "*.jpg" both match.
type lsColors struct {
	kinds [kindCount]style
	// set says which kinds LS_COLORS named, so a kind it leaves out keeps
	// the theme's colour ("ln=target" also counts as unset).
	set  [kindCount]bool
	exts map[string]style // ".tar" → style; keys start with '.'
	// suffixes are the "*name" patterns that are not "*.ext" (rare:
	// "*README", "*~"), matched in order.
	suffixes []suffixStyle
}

type suffixStyle struct {
	suffix string
	st     style
}

// parseLSColors reads dircolors' format: "key=SGR" pairs separated by
// colons, where a key is a two-letter type or a "*suffix" glob. Entries it
// cannot use (other globs, empty styles, unknown keys) are skipped, as ls
// skips them.
func parseLSColors(s string) *lsColors {
	lc := &lsColors{exts: make(map[string]style)}
	for _, f := range strings.Split(s, ":") {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" || !validSGR(v) {
			continue
		}
		st := style("\x1b[" + v + "m")
		if v == "0" || v == "00" {
			st = ""
		}
		if k[0] == '*' {
			pat := strings.ToLower(k[1:])
			switch {
			case pat == "" || strings.ContainsAny(pat, "*?["):
			case pat[0] == '.' && strings.IndexByte(pat[1:], '.') < 0:
				lc.exts[pat] = st
			default:
				lc.suffixes = append(lc.suffixes, suffixStyle{pat, st})
			}
			continue
		}
		for kind, key := range lsKeys {
			if key == k {
				lc.kinds[kind] = st
				lc.set[kind] = true
			}
		}
	}
	return lc
}

// validSGR accepts SGR parameters only ("01;34", "38;5;208"), so a value
// cannot smuggle other escape sequences onto the screen.
func validSGR(v string) bool {
	if v == "" || v == "target" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if (v[i] < '0' || v[i] > '9') && v[i] != ';' {
			return false
		}
	}
	return true
}

// extStyle looks up lower, a lower-case file name, by its suffix. The map
// lookup takes a substring, so it allocates nothing.
func (lc *lsColors) extStyle(lower string) (style, bool) {
	if i := strings.LastIndexByte(lower, '.'); i > 0 {
		if st, ok := lc.exts[lower[i:]]; ok {
			return st, true
		}
	}
	for _, s := range lc.suffixes {
		if strings.HasSuffix(lower, s.suffix) {
			return s.st, true
		}
	}
	return "", false
}

// lsFallback is the kind whose style a kind takes when LS_COLORS does not
// name it, as GNU ls falls through: a sticky other-writable directory to
// ow, then di; setuid and setgid files to ex; a broken link to ln.
var lsFallback = [kindCount]fileKind{
	kindStickyOtherWritable: kindOtherWritable, kindOtherWritable: kindDir,
	kindSticky: kindDir, kindSetuid: kindExec, kindSetgid: kindExec,
	kindOrphan: kindLink,
}

// kindStyle is the style LS_COLORS gives kind k, following lsFallback;
// false when neither it nor its fallbacks are named.
func (lc *lsColors) kindStyle(k fileKind) (style, bool) {
	for {
		if lc.set[k] {
			return lc.kinds[k], true
		}
		next := lsFallback[k]
		if next == kindFile {
			return "", false
		}
		k = next
	}
}
