package watch

import (
	"path"
	"strings"

	"github.com/ferryhq/ferry/transfer"
)

// Excluder says whether a path relative to the watched root is left out.
// *filter.Rules is one; nil excludes nothing.
type Excluder interface {
	Excluded(rel string, dir bool) bool
}

// ExcludeFunc adapts a function to an Excluder.
type ExcludeFunc func(rel string, dir bool) bool

// Excluded calls f.
func (f ExcludeFunc) Excluded(rel string, dir bool) bool { return f(rel, dir) }

// Ignored reports whether the base name of rel is one a watch never
// uploads: ferry's own .ferry-part files and the temporary files editors
// write beside the file they save (vim's .swp and its 4913 probe, emacs's
// .#lock files, backup~ copies, and .tmp files written then renamed).
func Ignored(rel string) bool {
	name := path.Base(rel)
	switch {
	case transfer.IsPartName(name),
		name == "4913",
		strings.HasSuffix(name, "~"),
		strings.HasPrefix(name, ".#"),
		strings.HasSuffix(name, ".swp"), strings.HasSuffix(name, ".swx"), strings.HasSuffix(name, ".swpx"),
		strings.HasSuffix(name, ".tmp"):
		return true
	}
	return false
}

// skip combines Ignored and the excluder for one path.
func skip(ex Excluder, rel string, dir bool) bool {
	if !dir && Ignored(rel) {
		return true
	}
	return ex != nil && ex.Excluded(rel, dir)
}
