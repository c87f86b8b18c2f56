package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// filterTree writes the tree the filter tests copy: what a web project
// holds, with files every rule below should keep or leave out.
func filterTree(t *testing.T, root string) {
	t.Helper()
	for f, c := range map[string]string{
		"index.html":            "<p>",
		"app.log":               "log",
		"keep.log":              "kept",
		".git/HEAD":             "ref",
		"node_modules/x/y.js":   "js",
		".gitignore":            "*.tmp\n",
		"scratch.tmp":           "tmp",
		"src/main.go":           "package main",
		"src/.gitignore":        "gen/\n",
		"src/gen/out.go":        "generated",
		"docs/a.md":             "doc",
		"web/node_modules/b.js": "js",
	} {
		mustWrite(t, filepath.Join(root, f), []byte(c))
	}
}

// filesUnder lists the files under root, slash paths relative to it.
func filesUnder(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func sameList(t *testing.T, what string, got, want []string) {
	t.Helper()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

// TestFiltersOnEveryServer runs put -r, get -r (cp -r on the local disk)
// and mirror --delete / --delete-excluded with filters against the
// in-process servers, the local disk and, when CI started them, the real
// OpenSSH and FTP servers.
func TestFiltersOnEveryServer(t *testing.T) {
	// longNameSites' directories are named after t.TempDir, which repeats
	// between runs on a real server: work in a directory of this run's own.
	unique := fmt.Sprintf("filters-%d-%d/", os.Getpid(), time.Now().UnixNano())
	for _, site := range longNameSites(t) {
		t.Run(site.name, func(t *testing.T) {
			site.url += unique
			site.dir = filepath.Join(site.dir, unique)
			t.Cleanup(func() { os.RemoveAll(site.dir) })
			env := stateEnv(t)
			for k, v := range site.env {
				env[k] = v
			}
			ferry := func(args ...string) string {
				t.Helper()
				code, out, errs := run(t, env, append(args, site.flags...)...)
				if code != 0 {
					t.Fatalf("ferry %s: exit %d: %s", strings.Join(args, " "), code, errs)
				}
				return out
			}
			ferry("mkdir", "-p", site.url)
			put, get := "put", "get"
			if site.name == "local" {
				put, get = "cp", "cp"
			}
			up := t.TempDir()
			filterTree(t, up)
			from := filepath.Join(t.TempDir(), "exclude-from")
			mustWrite(t, from, []byte("# documentation stays home\ndocs/\n"))
			filters := []string{"--exclude", ".git/", "--exclude", "node_modules", "--exclude", "*.log", "--include", "keep.log",
				"--exclude-from", from, "--gitignore"}

			ferry(append(append([]string{put, "-r"}, filters...), up, site.url+"tree")...)
			kept := []string{".gitignore", "index.html", "keep.log", "src/.gitignore", "src/main.go"}
			sameList(t, put+" -r with filters", filesUnder(t, filepath.Join(site.dir, "tree")), kept)
			for _, d := range []string{".git", "node_modules", "src/gen", "docs", "web/node_modules"} {
				if _, err := os.Stat(filepath.Join(site.dir, "tree", d)); err == nil {
					t.Errorf("excluded directory %s was made on the server", d)
				}
			}

			back := t.TempDir()
			ferry(get, "-r", "--exclude", "/src", "--exclude", "*.html", site.url+"tree", back)
			sameList(t, get+" -r with filters", filesUnder(t, filepath.Join(back, "tree")), []string{".gitignore", "keep.log"})

			// mirror: the dry run plans without what the filters leave out.
			out := ferry(append(append([]string{"mirror", "-n"}, filters...), up, site.url+"plan")...)
			for _, w := range []string{"copy    index.html", "copy    src/main.go", "copy    keep.log"} {
				if !strings.Contains(out, w) {
					t.Errorf("mirror -n with filters lacks %q:\n%s", w, out)
				}
			}
			for _, bad := range []string{"app.log", "node_modules", ".git/", "gen", "scratch", "docs"} {
				if strings.Contains(out, bad) {
					t.Errorf("mirror -n with filters plans %s:\n%s", bad, out)
				}
			}

			// --delete leaves excluded files on the server alone.
			mustWrite(t, filepath.Join(up, "stale.txt"), []byte("stale"))
			ferry(put, filepath.Join(up, "stale.txt"), site.url+"tree/stale.txt")
			ferry(put, filepath.Join(up, "app.log"), site.url+"tree/app.log")
			os.Remove(filepath.Join(up, "stale.txt"))
			out = ferry(append(append([]string{"mirror", "-n", "--delete"}, filters...), up, site.url+"tree")...)
			if out != "delete  stale.txt\n" {
				t.Errorf("mirror -n --delete with filters: %q, want only stale.txt deleted", out)
			}
			ferry(append(append([]string{"mirror", "--delete"}, filters...), up, site.url+"tree")...)
			sameList(t, "mirror --delete with filters", filesUnder(t, filepath.Join(site.dir, "tree")), append(kept, "app.log"))

			out = ferry(append(append([]string{"mirror", "-n", "--delete", "--delete-excluded"}, filters...), up, site.url+"tree")...)
			if out != "delete  app.log\n" {
				t.Errorf("mirror -n --delete-excluded: %q, want app.log deleted", out)
			}
			ferry(append(append([]string{"mirror", "--delete", "--delete-excluded"}, filters...), up, site.url+"tree")...)
			sameList(t, "mirror --delete-excluded", filesUnder(t, filepath.Join(site.dir, "tree")), kept)
		})
	}
}

// TestBookmarkExcludes saves a bookmark with default excludes: bookmark
// show prints them, copies to the site leave them out, and the command
// line's --include wins over them.
func TestBookmarkExcludes(t *testing.T) {
	root := t.TempDir()
	addr, kh := startSFTP(t, root)
	_, port, _ := net.SplitHostPort(addr)
	env := stateEnv(t)
	env["XDG_CONFIG_HOME"] = t.TempDir()
	ssh := []string{"--known-hosts", kh, "--ssh-config", "none", "--timeout", "10s"}
	if code, _, errs := run(t, env, "bookmark", "add", "web", "sftp://u@127.0.0.1:"+port+"/www", "--exclude", ".git", "--exclude", "node_modules"); code != 0 {
		t.Fatalf("bookmark add: exit %d: %s", code, errs)
	}
	if code, _, _ := run(t, env, "bookmark", "add", "bad", "sftp://u@127.0.0.1:"+port+"/www", "--exclude", "a["); code != exitUsage {
		t.Errorf("bookmark add --exclude 'a[': exit %d, want %d", code, exitUsage)
	}
	code, out, errs := run(t, env, "bookmark", "show", "web")
	if code != 0 || !strings.Contains(out, `exclude = [".git", "node_modules"]`) {
		t.Errorf("bookmark show: exit %d, %q, %s", code, out, errs)
	}
	up := t.TempDir()
	filterTree(t, up)
	if code, _, errs := run(t, env, append([]string{"put", "-r", up, "web:site"}, ssh...)...); code != 0 {
		t.Fatalf("put -r to the bookmark: exit %d: %s", code, errs)
	}
	got := filesUnder(t, filepath.Join(root, "www", "site"))
	if slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, ".git/") || strings.Contains(p, "node_modules") }) {
		t.Errorf("the bookmark's excludes were copied: %q", got)
	}
	if !slices.Contains(got, "index.html") || !slices.Contains(got, "app.log") {
		t.Errorf("put -r to the bookmark lost files: %q", got)
	}
	if code, _, errs := run(t, env, append([]string{"put", "-r", "--include", ".git", up, "web:again"}, ssh...)...); code != 0 {
		t.Fatalf("put -r --include .git: exit %d: %s", code, errs)
	}
	got = filesUnder(t, filepath.Join(root, "www", "again"))
	if !slices.Contains(got, ".git/HEAD") || slices.Contains(got, "node_modules/x/y.js") {
		t.Errorf("--include .git after the bookmark's excludes: %q, want .git and no node_modules", got)
	}
	// Downloading from the bookmark leaves them out too.
	down := t.TempDir()
	if code, _, errs := run(t, env, append([]string{"get", "-r", "web:again", down}, ssh...)...); code != 0 {
		t.Fatalf("get -r from the bookmark: exit %d: %s", code, errs)
	}
	if got := filesUnder(t, filepath.Join(down, "again")); slices.Contains(got, ".git/HEAD") {
		t.Errorf("get -r from the bookmark took .git: %q", got)
	}
}

func TestFilterFlagErrors(t *testing.T) {
	dir := t.TempDir()
	env := stateEnv(t)
	for _, args := range [][]string{
		{"cp", "-r", "--exclude", "a[", dir, dir + "/x"},
		{"cp", "-r", "--exclude-from", filepath.Join(dir, "missing"), dir, dir + "/x"},
		{"mirror", "--delete-excluded", dir, dir + "/y"},
	} {
		if code, _, errs := run(t, env, args...); code != exitUsage {
			t.Errorf("ferry %s: exit %d (%s), want %d", strings.Join(args, " "), code, errs, exitUsage)
		}
	}
}
