package cli

import (
	"flag"
	"fmt"
	"os"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/filter"
)

// filterFlags are the include/exclude flags of the commands that walk a
// tree (get, put, cp -r, mirror, watch, sync). --include, --exclude and
// --exclude-from keep their command-line order: a later rule wins.
type filterFlags struct {
	items     []filterItem
	gitignore bool
}

// filterItem is one --include, --exclude or --exclude-from, as given.
type filterItem struct {
	kind  string // "include", "exclude" or "exclude-from"
	value string
}

// filterValue appends one kind of item to the shared ordered list.
type filterValue struct {
	f    *filterFlags
	kind string
}

func (v filterValue) String() string { return "" }

func (v filterValue) Set(s string) error {
	v.f.items = append(v.f.items, filterItem{kind: v.kind, value: s})
	return nil
}

func (f *filterFlags) register(fs *flag.FlagSet) {
	fs.Var(filterValue{f, "exclude"}, "exclude", "leave out paths matching `PATTERN` (gitignore syntax; repeatable, a later --include/--exclude wins)")
	fs.Var(filterValue{f, "include"}, "include", "take paths matching `PATTERN` even if an earlier --exclude, a bookmark or a .gitignore leaves them out")
	fs.Var(filterValue{f, "exclude-from"}, "exclude-from", "read exclude patterns from `FILE`, one a line, gitignore syntax (!PATTERN includes)")
	fs.BoolVar(&f.gitignore, "gitignore", false, "honour the .gitignore files found in the source tree")
}

// spec turns the flags into a filter.Spec, reading --exclude-from files in
// place, after the excludes of the bookmarks among the command's sites
// (nil ones are skipped), so the command line wins over a bookmark.
func (f *filterFlags) spec(bms ...*bookmarks.Site) (filter.Spec, error) {
	var s filter.Spec
	for _, bm := range bms {
		if bm != nil {
			s.Rules = append(s.Rules, filter.Exclude(bm.Exclude...)...)
		}
	}
	for _, it := range f.items {
		switch it.kind {
		case "exclude":
			s.Rules = append(s.Rules, filter.Rule{Pattern: it.value})
		case "include":
			s.Rules = append(s.Rules, filter.Rule{Include: true, Pattern: it.value})
		case "exclude-from":
			b, err := os.ReadFile(it.value)
			if err != nil {
				return s, fmt.Errorf("--exclude-from: %w", err)
			}
			s.Rules = append(s.Rules, filter.ParseLines(b)...)
		}
	}
	s.Gitignore = f.gitignore
	if _, err := filter.Compile(s); err != nil {
		return s, err
	}
	return s, nil
}
