// Package filter decides which paths of a tree a copy, mirror, watch or
// sync leaves out.
//
// Patterns use gitignore syntax everywhere (command line, --exclude-from
// files, bookmarks and .gitignore files): a pattern without a slash (other
// than a trailing one) matches a name at any depth; a pattern with a
// leading or inner slash is anchored to the tree's root (for a .gitignore,
// to its directory); a trailing slash matches directories only; "*", "?"
// and "[...]" do not match "/"; "**" as a whole segment matches any number
// of directories; "x/**" matches everything inside x but not x itself.
// Braces are literal, as in git.
//
// Rules are evaluated in order and the last rule that matches a path
// decides (as gitignore, and as the issue asks of --include/--exclude).
// A path no rule matches is included. A path inside an excluded directory
// is excluded whatever later rules say, as in git: walkers never list an
// excluded directory.
//
// Precedence, lowest first: .gitignore files from the root down (a deeper
// file wins over a shallower one), then the Spec's rules in order (a
// bookmark's excludes first, then the command line's), so the command line
// can re-include what a .gitignore leaves out.
//
// The package imports nothing of ferry's.
package filter

import (
	"fmt"
	"strings"
)

// Rule is one include or exclude pattern of a Spec.
type Rule struct {
	// Include re-includes what Pattern matches; false excludes it.
	Include bool `json:",omitempty"`
	// Pattern is a gitignore-syntax pattern, without a leading "!".
	Pattern string
}

// String gives the rule as a line of an exclude file (ParseLines reads it
// back): "!" marks an include; a pattern starting with "!" or "#" is
// escaped.
func (r Rule) String() string {
	p := r.Pattern
	if strings.HasPrefix(p, "!") || strings.HasPrefix(p, "#") {
		p = `\` + p
	}
	if r.Include {
		return "!" + p
	}
	return p
}

// Exclude makes one exclude Rule per pattern.
func Exclude(patterns ...string) []Rule {
	out := make([]Rule, 0, len(patterns))
	for _, p := range patterns {
		out = append(out, Rule{Pattern: p})
	}
	return out
}

// Include makes one include Rule per pattern.
func Include(patterns ...string) []Rule {
	out := make([]Rule, 0, len(patterns))
	for _, p := range patterns {
		out = append(out, Rule{Include: true, Pattern: p})
	}
	return out
}

// Spec is what the flags and a bookmark give; it is saved with queued jobs
// (JSON). --exclude-from files are read into Rules when the flags are
// parsed, at their place among --include and --exclude, so a saved job does
// not depend on the file still being there.
type Spec struct {
	// Rules are the include and exclude rules in command-line order; a
	// later rule wins over an earlier one.
	Rules []Rule `json:",omitempty"`
	// Gitignore honours the .gitignore files found in the source tree, each
	// for its directory and below.
	Gitignore bool `json:",omitempty"`
}

// IsZero reports whether the Spec excludes nothing.
func (s Spec) IsZero() bool { return len(s.Rules) == 0 && !s.Gitignore }

// Rules are the compiled include/exclude rules of one copy, mirror, watch
// or sync. A nil *Rules excludes nothing. Rules are immutable and safe for
// concurrent use; WithGitignore returns a child for a subdirectory.
type Rules struct {
	cmd       layer  // the Spec's rules: win over every .gitignore
	git       *layer // the deepest .gitignore read so far on this branch
	gitignore bool
}

// Compile checks and compiles a Spec. An empty Spec gives nil Rules.
func Compile(s Spec) (*Rules, error) {
	if s.IsZero() {
		return nil, nil
	}
	r := &Rules{gitignore: s.Gitignore}
	for _, rule := range s.Rules {
		p, err := compilePattern(rule.Pattern, rule.Include)
		if err != nil {
			return nil, err
		}
		r.cmd.pats = append(r.cmd.pats, p)
	}
	return r, nil
}

// MustCompile is Compile for rules known to be valid (tests, constants).
func MustCompile(s Spec) *Rules {
	r, err := Compile(s)
	if err != nil {
		panic(err)
	}
	return r
}

// Gitignore reports whether walkers should read each directory's
// .gitignore and pass it to WithGitignore.
func (r *Rules) Gitignore() bool { return r != nil && r.gitignore }

// WithGitignore returns the rules for dir and below once dir's .gitignore
// (content) is known. dir is a slash path relative to the tree's root (""
// or "." for the root). Patterns git would not accept are left out, as git
// does. Without Gitignore in the Spec it returns r itself.
func (r *Rules) WithGitignore(dir string, content []byte) *Rules {
	if !r.Gitignore() {
		return r
	}
	var pats []pattern
	for _, rule := range ParseLines(content) {
		p, err := compilePattern(rule.Pattern, rule.Include)
		if err != nil {
			continue
		}
		pats = append(pats, p)
	}
	if len(pats) == 0 {
		return r
	}
	child := *r
	child.git = &layer{base: cleanRel(dir), pats: pats, parent: r.git}
	return &child
}

// Excluded reports whether the path rel (a slash path relative to the
// tree's root; dir: it is a directory) is left out, by a rule matching it
// or one of its parent directories. The root itself is never excluded.
func (r *Rules) Excluded(rel string, dir bool) bool {
	if r == nil {
		return false
	}
	rel = cleanRel(rel)
	if rel == "" {
		return false
	}
	for i := 0; i < len(rel); i++ {
		if rel[i] == '/' && r.excludedEntry(rel[:i], true) {
			return true
		}
	}
	return r.excludedEntry(rel, dir)
}

// ExcludedEntry is Excluded for a walker that never descends into an
// excluded directory: it looks at rel alone, not at its parents, which
// saves a match per parent on every entry of a big tree.
func (r *Rules) ExcludedEntry(rel string, dir bool) bool {
	if r == nil {
		return false
	}
	rel = cleanRel(rel)
	if rel == "" {
		return false
	}
	return r.excludedEntry(rel, dir)
}

func (r *Rules) excludedEntry(rel string, dir bool) bool {
	if ex, ok := r.cmd.decide(rel, dir); ok {
		return ex
	}
	for l := r.git; l != nil; l = l.parent {
		if ex, ok := l.decide(rel, dir); ok {
			return ex
		}
	}
	return false
}

// String lists the rules, for logs and errors.
func (r *Rules) String() string {
	if r == nil {
		return "no filter"
	}
	var b strings.Builder
	for i, p := range r.cmd.pats {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.String())
	}
	if r.gitignore {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("+.gitignore")
	}
	return b.String()
}

// layer is one ordered list of patterns that applies below base: the
// Spec's rules (base "") or one .gitignore file.
type layer struct {
	base   string // "" for the root; "a/b" for a/b/.gitignore
	pats   []pattern
	parent *layer // the .gitignore of the nearest ancestor that has one
}

// decide finds the last pattern of l matching rel: ok reports a match,
// excluded what it says.
func (l *layer) decide(rel string, dir bool) (excluded, ok bool) {
	if l.base != "" {
		if len(rel) <= len(l.base) || rel[len(l.base)] != '/' || rel[:len(l.base)] != l.base {
			return false, false
		}
		rel = rel[len(l.base)+1:]
	}
	for i := len(l.pats) - 1; i >= 0; i-- {
		if l.pats[i].match(rel, dir) {
			return !l.pats[i].include, true
		}
	}
	return false, false
}

// cleanRel trims the slashes and "./" a caller may leave around a relative
// path.
func cleanRel(rel string) string {
	for strings.HasPrefix(rel, "./") {
		rel = rel[2:]
	}
	rel = strings.Trim(rel, "/")
	if rel == "." {
		return ""
	}
	return rel
}

// errPattern wraps a pattern's compile error with the pattern.
func errPattern(p string, why string) error {
	return fmt.Errorf("filter pattern %q: %s", p, why)
}
