package ui

import (
	"path"
	"sort"
	"strings"

	"github.com/ferryhq/ferry/protocol"
)

// listing is a directory read by a Cmd, already turned into items and
// sorted there, so opening a huge directory does not stall Update.
type listing struct {
	items []item
	sort  sortMode
	desc  bool
}

// prepare builds and sorts items off the Update goroutine.
func prepare(entries []protocol.Entry, mode sortMode, desc bool) listing {
	items := make([]item, len(entries))
	for i, e := range entries {
		n := sanitize(e.Name)
		if e.Name == "" && e.Raw != "" {
			n = sanitize(e.Raw) // a listing line the backend could not parse
		}
		items[i] = item{e: e, name: n, lower: strings.ToLower(n)}
	}
	sortItems(items, mode, desc)
	return listing{items: items, sort: mode, desc: desc}
}

func (p *pane) sortItems() { sortItems(p.items, p.sort, p.desc) }

func sortItems(items []item, mode sortMode, desc bool) {
	less := func(a, b *item) bool { return a.lower < b.lower || a.lower == b.lower && a.e.Name < b.e.Name }
	var by func(a, b *item) bool
	switch mode {
	case sortExt:
		by = func(a, b *item) bool {
			ea, eb := path.Ext(a.lower), path.Ext(b.lower)
			if ea != eb {
				return ea < eb
			}
			return less(a, b)
		}
	case sortSize:
		by = func(a, b *item) bool {
			if a.e.Size != b.e.Size {
				return a.e.Size < b.e.Size
			}
			return less(a, b)
		}
	case sortTime:
		by = func(a, b *item) bool {
			if !a.e.ModTime.Equal(b.e.ModTime) {
				return a.e.ModTime.Before(b.e.ModTime)
			}
			return less(a, b)
		}
	default:
		by = less
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := &items[i], &items[j]
		if ad, bd := a.e.IsDir(), b.e.IsDir(); ad != bd {
			return ad
		}
		if desc {
			return by(b, a)
		}
		return by(a, b)
	})
}

// fuzzy reports whether every rune of pat appears in s in order.
func fuzzy(s, pat string) bool {
	if strings.Contains(s, pat) {
		return true
	}
	j := 0
	for i := 0; i < len(s) && j < len(pat); i++ {
		if s[i] == pat[j] {
			j++
		}
	}
	return j == len(pat)
}
