package transfer

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
)

// treeFiles lists the files under root as slash paths relative to it.
func treeFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// callLog counts the List and Open calls a walk makes, by path.
type callLog struct {
	mu     sync.Mutex
	listed map[string]int
	opened map[string]int
}

func (l *callLog) wrap(c protocol.Client) protocol.Client {
	h := &hookClient{Client: c}
	h.list = func(ctx context.Context, d string) ([]protocol.Entry, error) {
		l.mu.Lock()
		l.listed[d]++
		l.mu.Unlock()
		return c.List(ctx, d)
	}
	h.open = func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
		l.mu.Lock()
		l.opened[p]++
		l.mu.Unlock()
		return c.Open(ctx, p, off)
	}
	return h
}

func newCallLog() *callLog {
	return &callLog{listed: map[string]int{}, opened: map[string]int{}}
}

func TestWalk_Filter(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	for _, f := range []string{
		"index.html", "debug.log", "keep.log", "css/site.css", "css/old.log",
		"node_modules/a/index.js", ".git/HEAD", "web/node_modules/b.js", "web/app.js",
	} {
		writeFile(t, filepath.Join(src, f), []byte(f))
	}
	calls := newCallLog()
	q, _ := newTestQueue(t, Options{Workers: 2})
	dst := filepath.Join(dir, "dst")
	spec := filter.Spec{Rules: append(filter.Exclude(".git/", "node_modules", "*.log"), filter.Include("keep.log")...)}
	id, err := q.Add(Spec{Src: localEP(calls.wrap), SrcPath: slash(src), Dst: namedEP("other", nil), DstPath: slash(dst), Dir: true,
		Options: JobOptions{Filter: spec}})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, q)
	got := treeFiles(t, dst)
	want := []string{"css/site.css", "index.html", "keep.log", "web/app.js"}
	if !slices.Equal(got, want) {
		t.Errorf("copied %q, want %q", got, want)
	}
	for _, d := range []string{".git", "node_modules", "node_modules/a", "web/node_modules"} {
		if n := calls.listed[slash(filepath.Join(src, d))]; n != 0 {
			t.Errorf("excluded %s was listed %d times", d, n)
		}
		if _, err := os.Stat(filepath.Join(dst, d)); err == nil {
			t.Errorf("excluded directory %s was made on the destination", d)
		}
	}
	if ji := jobState(t, q, id); ji.State != StateDone || ji.Files != len(want) {
		t.Errorf("job: state %v, %d files, want done with %d", ji.State, ji.Files, len(want))
	}
}

func TestWalk_Gitignore(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	files := map[string]string{
		".gitignore":          "build/\n*.tmp\n",
		"main.go":             "",
		"x.tmp":               "",
		"build/out":           "",
		"pkg/.gitignore":      "!keep.tmp\n/gen\n",
		"pkg/keep.tmp":        "",
		"pkg/drop.tmp":        "",
		"pkg/gen/a.go":        "",
		"pkg/sub/gen/b.go":    "",
		"pkg/sub/c.tmp":       "",
		"other/nothing.go":    "",
		"other/deep/thing.go": "",
	}
	for f, c := range files {
		writeFile(t, filepath.Join(src, f), []byte(c))
	}
	calls := newCallLog()
	q, _ := newTestQueue(t, Options{Workers: 2})
	dst := filepath.Join(dir, "dst")
	if _, err := q.Add(Spec{Src: localEP(calls.wrap), SrcPath: slash(src), Dst: namedEP("other", nil), DstPath: slash(dst), Dir: true,
		Options: JobOptions{Filter: filter.Spec{Gitignore: true}}}); err != nil {
		t.Fatal(err)
	}
	waitDone(t, q)
	got := treeFiles(t, dst)
	want := []string{".gitignore", "main.go", "other/deep/thing.go", "other/nothing.go", "pkg/.gitignore", "pkg/keep.tmp", "pkg/sub/gen/b.go"}
	if !slices.Equal(got, want) {
		t.Errorf("copied %q, want %q", got, want)
	}
	if n := calls.listed[slash(filepath.Join(src, "build"))]; n != 0 {
		t.Errorf("ignored build/ was listed %d times", n)
	}
	// Each .gitignore is opened once to read it, once to copy it; no
	// directory without one is asked for it.
	for p, n := range calls.opened {
		if strings.HasSuffix(p, "/.gitignore") && n != 2 {
			t.Errorf("%s opened %d times, want 2", p, n)
		}
		if strings.HasSuffix(p, ".gitignore") && !strings.HasSuffix(p, "/.gitignore") {
			t.Errorf("opened %s", p)
		}
	}
}

func TestWalk_FilterBadPattern(t *testing.T) {
	q, _ := newTestQueue(t, Options{})
	dir := t.TempDir()
	_, err := q.Add(Spec{Src: localEP(nil), SrcPath: slash(dir), Dst: namedEP("other", nil), DstPath: slash(dir) + "/x", Dir: true,
		Options: JobOptions{Filter: filter.Spec{Rules: filter.Exclude("a[")}}})
	if err == nil || !strings.Contains(err.Error(), "a[") {
		t.Errorf("Add with --exclude 'a[': %v, want an error naming the pattern", err)
	}
}

func TestJobOptions_FilterJSON(t *testing.T) {
	in := JobOptions{Filter: filter.Spec{Rules: filter.Exclude(".git"), Gitignore: true}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out JobOptions
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Filter.Rules) != 1 || out.Filter.Rules[0].Pattern != ".git" || !out.Filter.Gitignore {
		t.Errorf("%s read back as %+v", b, out.Filter)
	}
	if b, _ := json.Marshal(JobOptions{}); strings.Contains(string(b), "Filter") {
		t.Errorf("options without a filter save one: %s", b)
	}
}

// TestWalk_FilterSurvivesReload writes a saved queue holding a filtered
// directory job and starts a queue on it: the walk applies the filter.
func TestWalk_FilterSurvivesReload(t *testing.T) {
	dir := t.TempDir()
	src, dst, state := filepath.Join(dir, "src"), filepath.Join(dir, "dst"), filepath.Join(dir, "state")
	for _, f := range []string{"a.txt", "b.log", "cache/x"} {
		writeFile(t, filepath.Join(src, f), []byte(f))
	}
	sq := savedQueue{Version: 1, NextID: 2, Jobs: []savedJob{{
		ID: 1, SrcSite: "local", SrcPath: slash(src), DstSite: "other", DstPath: slash(dst), Dir: true, State: "queued",
		Options: JobOptions{Filter: filter.Spec{Rules: filter.Exclude("*.log", "cache/")}},
	}}}
	data, err := json.Marshal(sq)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(state, queueFile), data)
	q, _ := newTestQueue(t, Options{StateDir: state, Resolve: func(_ context.Context, site string) (Endpoint, error) {
		if site == "local" {
			return localEP(nil), nil
		}
		return namedEP(site, nil), nil
	}})
	waitDone(t, q)
	if got := treeFiles(t, dst); !slices.Equal(got, []string{"a.txt"}) {
		t.Errorf("the reloaded job copied %q, want only a.txt", got)
	}
}
