package filter

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ignoreCase is a tree with .gitignore files and which of its paths git
// ignores. Paths ending in "/" are directories.
type ignoreCase struct {
	name    string
	ignores map[string]string // directory ("" for the root) → .gitignore
	paths   []string
	ignored []string
}

var ignoreCases = []ignoreCase{
	{
		name:    "a name matches at any depth and a later negation re-includes",
		ignores: map[string]string{"": "*.log\n!keep.log\n"},
		paths:   []string{"a.log", "d/b.log", "keep.log", "d/keep.log", "a.txt", "d/a.log.txt"},
		ignored: []string{"a.log", "d/b.log"},
	},
	{
		name:    "a leading slash anchors to the .gitignore's directory",
		ignores: map[string]string{"": "/top\n"},
		paths:   []string{"top", "d/top"},
		ignored: []string{"top"},
	},
	{
		name:    "a trailing slash matches directories only, and what they hold",
		ignores: map[string]string{"": "build/\n"},
		paths:   []string{"build/", "build/a.o", "src/build/", "src/build/b.o", "x/build"},
		ignored: []string{"build/", "build/a.o", "src/build/", "src/build/b.o"},
	},
	{
		name:    "an inner slash anchors the pattern",
		ignores: map[string]string{"": "doc/*.txt\na/b\n"},
		paths:   []string{"doc/a.txt", "doc/sub/a.txt", "x/doc/a.txt", "a/b", "x/a/b"},
		ignored: []string{"doc/a.txt", "a/b"},
	},
	{
		name:    "a leading **/ matches in every directory",
		ignores: map[string]string{"": "**/cache\n"},
		paths:   []string{"cache/", "cache/x", "a/b/cache", "a/cachet"},
		ignored: []string{"cache/", "cache/x", "a/b/cache"},
	},
	{
		name:    "an inner /**/ matches zero or more directories",
		ignores: map[string]string{"": "a/**/z\n"},
		paths:   []string{"a/z", "a/b/z", "a/b/c/z", "b/a/z", "a/zz"},
		ignored: []string{"a/z", "a/b/z", "a/b/c/z"},
	},
	{
		name:    "a trailing /** matches what a directory holds, not the directory",
		ignores: map[string]string{"": "logs/**\n"},
		paths:   []string{"logs/", "logs/a", "logs/b/", "logs/b/c", "x/logs/a"},
		ignored: []string{"logs/a", "logs/b/", "logs/b/c"},
	},
	{
		name:    "everything but go files, directories re-included",
		ignores: map[string]string{"": "*\n!*/\n!*.go\n"},
		paths:   []string{"a.go", "d/a.go", "d/a.txt", "a.txt", "d/e/f.go"},
		ignored: []string{"a.txt", "d/a.txt"},
	},
	{
		name:    "only one subdirectory's file, with git's documented recipe",
		ignores: map[string]string{"": "/*\n!/keep/\n/keep/*\n!/keep/this\n"},
		paths:   []string{"keep/this", "keep/that", "other", "o/this"},
		ignored: []string{"keep/that", "other", "o/this"},
	},
	{
		name:    "a file in an excluded directory cannot be re-included",
		ignores: map[string]string{"": "out/\n!out/keep\n"},
		paths:   []string{"out/keep", "out/drop"},
		ignored: []string{"out/keep", "out/drop"},
	},
	{
		name:    "character classes and ?",
		ignores: map[string]string{"": "[ab].c\n[!ab].d\n?.h\n[a-c]x\n"},
		paths:   []string{"a.c", "c.c", "a.d", "c.d", "x.h", "xy.h", "bx", "dx"},
		ignored: []string{"a.c", "c.d", "x.h", "bx"},
	},
	{
		name:    "* and ? do not cross a slash",
		ignores: map[string]string{"": "a*z\n/p?q\n"},
		paths:   []string{"abz", "a/z", "pxq", "p/q"},
		ignored: []string{"abz", "pxq"},
	},
	{
		name:    "comments, blank lines, escapes and trailing spaces",
		ignores: map[string]string{"": "# a comment\n\n\\#hash\n\\!bang\ntrail   \nsp\\ \n"},
		paths:   []string{"#hash", "!bang", "# a comment", "trail", "sp ", "sp"},
		ignored: []string{"#hash", "!bang", "trail", "sp "},
	},
	{
		name:    "braces are literal",
		ignores: map[string]string{"": "{a,b}\n"},
		paths:   []string{"{a,b}", "a", "b"},
		ignored: []string{"{a,b}"},
	},
	{
		name:    "matching is case sensitive",
		ignores: map[string]string{"": "*.log\n"},
		paths:   []string{"a.LOG", "b.log"},
		ignored: []string{"b.log"},
	},
	{
		name:    "a .gitignore applies to its directory and below",
		ignores: map[string]string{"": "*.tmp\n", "sub": "!keep.tmp\n/local\n"},
		paths:   []string{"x.tmp", "keep.tmp", "sub/keep.tmp", "sub/d/keep.tmp", "sub/x.tmp", "sub/local", "sub/d/local", "local"},
		ignored: []string{"x.tmp", "keep.tmp", "sub/x.tmp", "sub/local"},
	},
	{
		name:    "a deeper .gitignore wins over a shallower one",
		ignores: map[string]string{"": "!important\n*.bak\n", "a": "important\n!*.bak\n"},
		paths:   []string{"important", "a/important", "a/b/important", "x.bak", "a/x.bak"},
		ignored: []string{"a/important", "a/b/important", "x.bak"},
	},
	{
		name:    "a nested anchored pattern with an inner slash",
		ignores: map[string]string{"a": "b/c\n"},
		paths:   []string{"a/b/c", "b/c", "a/x/b/c"},
		ignored: []string{"a/b/c"},
	},
	{
		name:    "double stars inside a name act as one",
		ignores: map[string]string{"": "x**y\n"},
		paths:   []string{"xy", "xaay", "x/y"},
		ignored: []string{"xy", "xaay"},
	},
	{
		name:    "a bare ** and a directory-only **/",
		ignores: map[string]string{"": "d/**/\n"},
		paths:   []string{"d/", "d/f", "d/e/", "d/e/f"},
		ignored: []string{"d/e/", "d/e/f"},
	},
	{
		name:    "an unclosed bracket matches nothing",
		ignores: map[string]string{"": "foo[\n"},
		paths:   []string{"foo[", "foo"},
	},
	{
		name:    "dotfiles are matched by *",
		ignores: map[string]string{"": "*rc\n.cache/\n"},
		paths:   []string{".bashrc", ".cache/x", "cache/x"},
		ignored: []string{".bashrc", ".cache/x"},
	},
}

// rulesFor gives the rules for p as a walker would have them: each
// ancestor's .gitignore added on the way down.
func rulesFor(r *Rules, ignores map[string]string, p string) *Rules {
	dir := ""
	for {
		if c, ok := ignores[dir]; ok {
			r = r.WithGitignore(dir, []byte(c))
		}
		rest := strings.TrimPrefix(p, dir)
		rest = strings.TrimPrefix(rest, "/")
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return r
		}
		dir = path.Join(dir, rest[:i])
	}
}

func TestGitignore(t *testing.T) {
	for _, c := range ignoreCases {
		t.Run(c.name, func(t *testing.T) {
			base := MustCompile(Spec{Gitignore: true})
			for _, p := range c.paths {
				rel, dir := strings.TrimSuffix(p, "/"), strings.HasSuffix(p, "/")
				got := rulesFor(base, c.ignores, rel).Excluded(rel, dir)
				if want := slices.Contains(c.ignored, p); got != want {
					t.Errorf("%q with %q: excluded %v, want %v", p, c.ignores, got, want)
				}
			}
			got := walkIncluded(t, c)
			var want []string
			for _, p := range c.paths {
				if !slices.Contains(c.ignored, p) {
					want = append(want, strings.TrimSuffix(p, "/"))
				}
			}
			for _, p := range want {
				if !slices.Contains(got, p) {
					t.Errorf("a walk with %q left out %q", c.ignores, p)
				}
			}
		})
	}
}

// walkIncluded walks the case's tree in memory as the transfer engine
// does (ExcludedEntry, no descent into excluded directories, .gitignore
// read per directory) and returns the paths it keeps.
func walkIncluded(t *testing.T, c ignoreCase) []string {
	t.Helper()
	children := map[string]map[string]bool{} // dir → name → is dir
	add := func(dir, name string, isDir bool) {
		if children[dir] == nil {
			children[dir] = map[string]bool{}
		}
		children[dir][name] = children[dir][name] || isDir
	}
	for _, p := range c.paths {
		rel, isDir := strings.TrimSuffix(p, "/"), strings.HasSuffix(p, "/")
		parts := strings.Split(rel, "/")
		for i := range parts {
			add(strings.Join(parts[:i], "/"), parts[i], isDir || i < len(parts)-1)
		}
	}
	var out []string
	var walk func(dir string, r *Rules)
	walk = func(dir string, r *Rules) {
		if c, ok := c.ignores[dir]; ok && r.Gitignore() {
			r = r.WithGitignore(dir, []byte(c))
		}
		for name, isDir := range children[dir] {
			rel := path.Join(dir, name)
			if r.ExcludedEntry(rel, isDir) {
				continue
			}
			out = append(out, rel)
			if isDir {
				walk(rel, r)
			}
		}
	}
	walk("", MustCompile(Spec{Gitignore: true}))
	return out
}

// TestGitignore_AgainstGit checks the table against git check-ignore.
func TestGitignore_AgainstGit(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
			t.Fatal("git is not installed and FERRY_REQUIRE_REAL_SERVERS=1")
		}
		t.Skip("git is not installed")
	}
	for _, c := range ignoreCases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			run := func(stdin []byte, args ...string) ([]byte, error) {
				cmd := exec.Command(git, args...)
				cmd.Dir = dir
				cmd.Stdin = bytes.NewReader(stdin)
				cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir,
					"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil && stderr.Len() > 0 {
					err = errors.New(stderr.String())
				}
				return out, err
			}
			if _, err := run(nil, "init", "-q", "."); err != nil {
				t.Fatal(err)
			}
			for d, content := range c.ignores {
				if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, d, ".gitignore"), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var stdin []byte
			for _, p := range c.paths {
				full := filepath.Join(dir, filepath.FromSlash(p))
				if strings.HasSuffix(p, "/") {
					err = os.MkdirAll(full, 0o755)
				} else if err = os.MkdirAll(filepath.Dir(full), 0o755); err == nil {
					err = os.WriteFile(full, nil, 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
				stdin = append(append(stdin, strings.TrimSuffix(p, "/")...), 0)
			}
			out, err := run(stdin, "check-ignore", "--no-index", "-z", "--stdin")
			var exit *exec.ExitError
			if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
				t.Fatalf("git check-ignore: %v", err)
			}
			var got []string
			for p := range strings.SplitSeq(strings.TrimSuffix(string(out), "\x00"), "\x00") {
				if p != "" {
					got = append(got, p)
				}
			}
			var want []string
			for _, p := range c.ignored {
				want = append(want, strings.TrimSuffix(p, "/"))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("git check-ignore with %q ignores %q, the table says %q", c.ignores, got, want)
			}
		})
	}
}
