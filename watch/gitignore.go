package watch

import (
	"os"
	"path"
	"path/filepath"
	"sync"

	"github.com/ferryhq/ferry/filter"
)

// Rules makes an Excluder of filter rules for the local tree at root. When
// the rules honour .gitignore files, each directory's is read the first
// time a path in it is asked about, and kept: a .gitignore edited during
// the watch counts from the next run.
func Rules(root string, r *filter.Rules) Excluder {
	if r == nil {
		return nil
	}
	if !r.Gitignore() {
		return r
	}
	return &gitignored{root: root, base: r, dirs: map[string]*filter.Rules{}}
}

type gitignored struct {
	root string
	base *filter.Rules
	mu   sync.Mutex
	dirs map[string]*filter.Rules // directory → the rules for its entries
}

func (g *gitignored) Excluded(rel string, dir bool) bool {
	parent := path.Dir(rel)
	if parent == "." {
		parent = ""
	}
	g.mu.Lock()
	r := g.rulesFor(parent)
	g.mu.Unlock()
	return r.Excluded(rel, dir)
}

// rulesFor returns the rules below dir; callers hold g.mu.
func (g *gitignored) rulesFor(dir string) *filter.Rules {
	if r, ok := g.dirs[dir]; ok {
		return r
	}
	r := g.base
	if dir != "" {
		up := path.Dir(dir)
		if up == "." {
			up = ""
		}
		r = g.rulesFor(up)
	}
	if b, err := os.ReadFile(filepath.Join(g.root, filepath.FromSlash(dir), ".gitignore")); err == nil {
		r = r.WithGitignore(dir, b)
	}
	g.dirs[dir] = r
	return r
}
