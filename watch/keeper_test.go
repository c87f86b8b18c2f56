package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
	"github.com/ferryhq/ferry/transfer"
)

// flaky wraps a Client: while down, every call fails as a cut connection
// does, and so does every call on a session opened before the cut.
type flaky struct {
	protocol.Client
	net *network
	gen int64
}

type network struct {
	down atomic.Bool
	gen  atomic.Int64
}

func (n *network) cut()  { n.down.Store(true); n.gen.Add(1) }
func (n *network) mend() { n.down.Store(false) }

var errCut = fmt.Errorf("connection reset: %w", protocol.ErrTransient)

func (f *flaky) ok() error {
	if f.net.down.Load() || f.gen != f.net.gen.Load() {
		return errCut
	}
	return nil
}
func (f *flaky) List(ctx context.Context, dir string) ([]protocol.Entry, error) {
	if err := f.ok(); err != nil {
		return nil, err
	}
	return f.Client.List(ctx, dir)
}
func (f *flaky) Stat(ctx context.Context, p string) (protocol.Entry, error) {
	if err := f.ok(); err != nil {
		return protocol.Entry{}, err
	}
	return f.Client.Stat(ctx, p)
}
func (f *flaky) Create(ctx context.Context, p string, off int64) (io.WriteCloser, error) {
	if err := f.ok(); err != nil {
		return nil, err
	}
	return f.Client.Create(ctx, p, off)
}
func (f *flaky) Mkdir(ctx context.Context, p string) error {
	if err := f.ok(); err != nil {
		return err
	}
	return f.Client.Mkdir(ctx, p)
}
func (f *flaky) Remove(ctx context.Context, p string) error {
	if err := f.ok(); err != nil {
		return err
	}
	return f.Client.Remove(ctx, p)
}
func (f *flaky) Rename(ctx context.Context, a, b string) error {
	if err := f.ok(); err != nil {
		return err
	}
	return f.Client.Rename(ctx, a, b)
}

// noRename is a server that refuses to rename anything but the engine's
// own parts.
type noRename struct{ protocol.Client }

func (n noRename) Rename(ctx context.Context, from, to string) error {
	if transfer.IsPartName(filepath.Base(from)) {
		return n.Client.Rename(ctx, from, to)
	}
	return fmt.Errorf("rename: %w", protocol.ErrUnsupported)
}

type rig struct {
	t          *testing.T
	local, dst string
	net        *network
	q          *transfer.Queue
	k          *Keeper
	mu         sync.Mutex
	reports    []Report
	done       chan error
	cancel     context.CancelFunc
}

type rigOpts struct {
	delete, noRename bool
	exclude          Excluder
	remote           func(t *testing.T) (transfer.Endpoint, string, string) // endpoint, root, directory on disk
}

func newRig(t *testing.T, o rigOpts, prepare func(local, dst string)) *rig {
	t.Helper()
	r := &rig{t: t, local: t.TempDir(), dst: t.TempDir(), net: &network{}, done: make(chan error, 1)}
	if prepare != nil {
		prepare(r.local, r.dst)
	}
	remote := transfer.Endpoint{ID: "sftp://test", Dial: func(ctx context.Context) (protocol.Client, error) {
		if r.net.down.Load() {
			return nil, errCut
		}
		var c protocol.Client = &flaky{Client: local.New(), net: r.net, gen: r.net.gen.Load()}
		if o.noRename {
			c = noRename{c}
		}
		return c, nil
	}}
	root := filepath.ToSlash(r.dst)
	if o.remote != nil {
		remote, root, r.dst = o.remote(t)
	}
	q, err := transfer.New(transfer.Options{Workers: 2, Conflict: transfer.PolicyOverwrite, Ephemeral: true,
		RetryDelay: 20 * time.Millisecond, Retries: 2, EventInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r.q = q
	r.k = &Keeper{
		Queue: q, Local: transfer.Endpoint{ID: "local", Dial: func(context.Context) (protocol.Client, error) { return local.New(), nil }},
		Remote: remote, LocalRoot: r.local, RemoteRoot: root, Delete: o.delete, Exclude: o.exclude,
		Debounce: 150 * time.Millisecond,
		Report: func(rep Report) {
			r.mu.Lock()
			r.reports = append(r.reports, rep)
			r.mu.Unlock()
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	events := q.Events()
	go func() {
		for ev := range events {
			r.k.Observe(ev)
		}
	}()
	go func() { r.done <- r.k.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after cancel")
		}
		q.Close()
	})
	r.waitFor("watching", func() bool { return r.has(KindWatching, "") })
	r.settled()
	return r
}

func (r *rig) has(k Kind, rel string) bool { return r.count(k, rel) > 0 }

func (r *rig) count(k Kind, rel string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, rep := range r.reports {
		if rep.Kind == k && (rel == "" || rep.Path == rel) {
			n++
		}
	}
	return n
}

// waitFor polls cond for up to 10 s (the debounce is 150 ms).
func (r *rig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.t.Fatalf("timed out waiting for %s; reports: %v", what, r.reports)
		}
		select {
		case err := <-r.done:
			r.t.Fatalf("Run ended waiting for %s: %v", what, err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// settled waits until the queue has nothing unfinished.
func (r *rig) settled() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.q.Wait(ctx); err != nil {
		r.t.Fatalf("queue did not settle: %v", err)
	}
}

func (r *rig) write(rel, content string) {
	r.t.Helper()
	p := filepath.Join(r.local, filepath.FromSlash(rel))
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) remoteHas(rel, content string) bool {
	b, err := os.ReadFile(filepath.Join(r.dst, filepath.FromSlash(rel)))
	return err == nil && string(b) == content
}

func (r *rig) remoteGone(rel string) bool {
	_, err := os.Lstat(filepath.Join(r.dst, filepath.FromSlash(rel)))
	return errors.Is(err, os.ErrNotExist)
}

func (r *rig) uploadsOf(rel string) int { return r.count(KindQueued, rel) }

func TestKeeper_CatchUpFirst(t *testing.T) {
	r := newRig(t, rigOpts{delete: true}, func(l, d string) {
		os.MkdirAll(filepath.Join(l, "sub"), 0o755)
		os.WriteFile(filepath.Join(l, "a.txt"), []byte("a"), 0o644)
		os.WriteFile(filepath.Join(l, "sub", "b.txt"), []byte("b"), 0o644)
		os.WriteFile(filepath.Join(d, "stale.txt"), []byte("old"), 0o644)
	})
	r.waitFor("the first upload", func() bool { return r.remoteHas("a.txt", "a") && r.remoteHas("sub/b.txt", "b") })
	if !r.remoteGone("stale.txt") {
		t.Error("stale.txt is still on the remote after a catch-up with --delete")
	}
}

func TestKeeper_CreateAndBurst(t *testing.T) {
	r := newRig(t, rigOpts{}, nil)
	r.write("new.txt", "hello")
	r.waitFor("new.txt", func() bool { return r.remoteHas("new.txt", "hello") })

	// A burst of writes, appending to one file: one upload of the end.
	p := filepath.Join(r.local, "burst.log")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for i := range 50 {
		line := fmt.Sprintf("line %d\n", i)
		want.WriteString(line)
		f.WriteString(line)
		f.Sync()
	}
	f.Close()
	r.waitFor("burst.log", func() bool { return r.remoteHas("burst.log", want.String()) })
	r.settled()
	time.Sleep(400 * time.Millisecond) // longer than two debounces: nothing more may come
	if n := r.uploadsOf("burst.log"); n != 1 {
		t.Errorf("burst.log uploaded %d times, want 1", n)
	}
}

func TestKeeper_SlowWriterIsNotUploadedHalfWritten(t *testing.T) {
	r := newRig(t, rigOpts{}, nil)
	p := filepath.Join(r.local, "slow.bin")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	// Writes 100 ms apart, each inside the debounce of the one before.
	for i := range 6 {
		f.WriteString(strings.Repeat(string(rune('a'+i)), 1000))
		time.Sleep(100 * time.Millisecond)
	}
	f.Close()
	want, _ := os.ReadFile(p)
	r.waitFor("slow.bin", func() bool { return r.remoteHas("slow.bin", string(want)) })
	r.settled()
	time.Sleep(400 * time.Millisecond)
	if n := r.uploadsOf("slow.bin"); n != 1 {
		t.Errorf("slow.bin uploaded %d times, want 1 (of the final content)", n)
	}
}

func TestKeeper_Rename(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		t.Run(fmt.Sprintf("server refuses rename %v", refuse), func(t *testing.T) {
			r := newRig(t, rigOpts{noRename: refuse}, func(l, d string) {
				os.WriteFile(filepath.Join(l, "old.txt"), []byte("x"), 0o644)
				os.MkdirAll(filepath.Join(l, "dir", "in"), 0o755)
				os.WriteFile(filepath.Join(l, "dir", "in", "f"), []byte("f"), 0o644)
			})
			r.waitFor("the first upload", func() bool { return r.remoteHas("old.txt", "x") && r.remoteHas("dir/in/f", "f") })
			r.settled()
			before := r.uploadsOf("")
			os.Rename(filepath.Join(r.local, "old.txt"), filepath.Join(r.local, "new.txt"))
			os.Rename(filepath.Join(r.local, "dir"), filepath.Join(r.local, "moved"))
			r.waitFor("the renames", func() bool {
				return r.remoteHas("new.txt", "x") && r.remoteGone("old.txt") &&
					r.remoteHas("moved/in/f", "f") && r.remoteGone("dir")
			})
			r.settled()
			if !refuse {
				if !r.has(KindRenamed, "new.txt") || !r.has(KindRenamed, "moved") {
					t.Errorf("want remote renames; reports %v", r.reports)
				}
				if got := r.uploadsOf(""); got != before {
					t.Errorf("a rename uploaded %d files, want none", got-before)
				}
			}
			// The moved directory is still watched under its new name.
			r.write("moved/in/g", "g")
			r.waitFor("a file in the moved directory", func() bool { return r.remoteHas("moved/in/g", "g") })
		})
	}
}

func TestKeeper_Delete(t *testing.T) {
	for _, del := range []bool{false, true} {
		t.Run(fmt.Sprintf("delete %v", del), func(t *testing.T) {
			r := newRig(t, rigOpts{delete: del}, func(l, d string) {
				os.WriteFile(filepath.Join(l, "gone.txt"), []byte("x"), 0o644)
				os.MkdirAll(filepath.Join(l, "tree", "sub"), 0o755)
				os.WriteFile(filepath.Join(l, "tree", "sub", "f"), []byte("f"), 0o644)
			})
			r.waitFor("the first upload", func() bool { return r.remoteHas("gone.txt", "x") && r.remoteHas("tree/sub/f", "f") })
			r.settled()
			os.Remove(filepath.Join(r.local, "gone.txt"))
			os.RemoveAll(filepath.Join(r.local, "tree"))
			if del {
				r.waitFor("the removals", func() bool { return r.remoteGone("gone.txt") && r.remoteGone("tree") })
				return
			}
			r.waitFor("the kept notes", func() bool { return r.has(KindKept, "gone.txt") && r.has(KindKept, "tree") })
			if r.remoteGone("gone.txt") || r.remoteGone("tree/sub/f") {
				t.Error("removed on the remote without --delete")
			}
		})
	}
}

// TestKeeper_EditorSaves covers the ways editors save: a temporary file
// renamed over the target (most), vim's backup-rename-write with its 4913
// probe, and emacs's lock file.
func TestKeeper_EditorSaves(t *testing.T) {
	r := newRig(t, rigOpts{}, func(l, d string) {
		os.WriteFile(filepath.Join(l, "page.html"), []byte("v1"), 0o644)
		os.WriteFile(filepath.Join(l, "vim.txt"), []byte("v1"), 0o644)
	})
	r.waitFor("the first upload", func() bool { return r.remoteHas("page.html", "v1") && r.remoteHas("vim.txt", "v1") })
	r.settled()

	// Atomic save: write page.html.tmp, rename it over page.html.
	r.write("page.html.tmp", "v2")
	os.Rename(filepath.Join(r.local, "page.html.tmp"), filepath.Join(r.local, "page.html"))
	// vim: probe 4913, keep a swap file, move the old aside as vim.txt~,
	// write the new, drop the backup.
	r.write("4913", "")
	os.Remove(filepath.Join(r.local, "4913"))
	r.write(".vim.txt.swp", "swap")
	os.Rename(filepath.Join(r.local, "vim.txt"), filepath.Join(r.local, "vim.txt~"))
	r.write("vim.txt", "v2")
	os.Remove(filepath.Join(r.local, "vim.txt~"))
	// emacs's lock is a dangling symlink; its autosave a #file#~.
	os.Symlink("user@host.1234", filepath.Join(r.local, ".#page.html"))

	r.waitFor("the saves", func() bool { return r.remoteHas("page.html", "v2") && r.remoteHas("vim.txt", "v2") })
	r.settled()
	time.Sleep(400 * time.Millisecond)
	for _, rel := range []string{"page.html", "vim.txt"} {
		if n := r.uploadsOf(rel); n != 2 {
			t.Errorf("%s uploaded %d times, want 2 (the first run and the save)", rel, n)
		}
	}
	for _, rel := range []string{"page.html.tmp", "4913", ".vim.txt.swp", "vim.txt~", ".#page.html"} {
		if !r.remoteGone(rel) {
			t.Errorf("%s reached the remote", rel)
		}
	}
}

func TestKeeper_NewDirectoryWithFiles(t *testing.T) {
	r := newRig(t, rigOpts{}, nil)
	// mkdir -p and files at once: some land before the watch is added.
	for i := range 20 {
		r.write(fmt.Sprintf("a/b/c/f%02d", i), fmt.Sprint(i))
	}
	r.waitFor("the new tree", func() bool {
		for i := range 20 {
			if !r.remoteHas(fmt.Sprintf("a/b/c/f%02d", i), fmt.Sprint(i)) {
				return false
			}
		}
		return true
	})
	r.write("a/b/later.txt", "later")
	r.waitFor("a later file", func() bool { return r.remoteHas("a/b/later.txt", "later") })
}

func TestKeeper_ExcludedAndPartsStayHome(t *testing.T) {
	ex := ExcludeFunc(func(rel string, dir bool) bool {
		return rel == "node_modules" || strings.HasSuffix(rel, ".log")
	})
	r := newRig(t, rigOpts{exclude: ex}, func(l, d string) {
		os.MkdirAll(filepath.Join(l, "node_modules"), 0o755)
		os.WriteFile(filepath.Join(l, "node_modules", "dep.js"), []byte("x"), 0o644)
	})
	r.write("node_modules/late.js", "x")
	r.write("debug.log", "x")
	r.write("x.bin.ferry-part", "x")
	r.write("keep.txt", "k") // the sentinel: once it is there, the rest had time
	r.waitFor("keep.txt", func() bool { return r.remoteHas("keep.txt", "k") })
	r.settled()
	time.Sleep(300 * time.Millisecond)
	for _, rel := range []string{"node_modules", "debug.log", "x.bin.ferry-part"} {
		if !r.remoteGone(rel) {
			t.Errorf("%s reached the remote", rel)
		}
	}
}

func TestKeeper_ConnectionCutAndCatchUp(t *testing.T) {
	r := newRig(t, rigOpts{delete: true}, func(l, d string) {
		os.WriteFile(filepath.Join(l, "before.txt"), []byte("1"), 0o644)
		os.WriteFile(filepath.Join(l, "doomed.txt"), []byte("1"), 0o644)
	})
	r.waitFor("the first upload", func() bool { return r.remoteHas("before.txt", "1") })
	r.settled()
	r.net.cut()
	// Changes while the server is away: some reach the keeper and fail,
	// the rest wait in the rescan.
	r.write("during.txt", "2")
	r.write("before.txt", "changed")
	os.Remove(filepath.Join(r.local, "doomed.txt"))
	r.waitFor("the cut noticed", func() bool { return r.has(KindLost, "") })
	time.Sleep(300 * time.Millisecond)
	r.net.mend()
	r.waitFor("the catch-up", func() bool {
		return r.remoteHas("during.txt", "2") && r.remoteHas("before.txt", "changed") && r.remoteGone("doomed.txt")
	})
	r.write("after.txt", "3")
	r.waitFor("a change after the catch-up", func() bool { return r.remoteHas("after.txt", "3") })
}

func TestKeeper_DryRunChangesNothing(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(src, "a.txt"), []byte("a"), 0o644)
	var mu sync.Mutex
	var lines []string
	q, _ := transfer.New(transfer.Options{Ephemeral: true})
	defer q.Close()
	k := &Keeper{Queue: q, Remote: transfer.Endpoint{ID: "x", Dial: func(context.Context) (protocol.Client, error) { return local.New(), nil }},
		LocalRoot: src, RemoteRoot: filepath.ToSlash(dst), DryRun: true, Debounce: 50 * time.Millisecond,
		Report: func(r Report) { mu.Lock(); lines = append(lines, r.String()); mu.Unlock() }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- k.Run(ctx) }()
	time.Sleep(300 * time.Millisecond)
	os.WriteFile(filepath.Join(src, "b.txt"), []byte("b"), 0o644)
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		got := strings.Join(lines, "\n")
		mu.Unlock()
		if strings.Contains(got, "would upload b.txt") {
			if !strings.Contains(got, "would upload a.txt") {
				t.Errorf("dry run: want the catch-up's upload of a.txt; got\n%s", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dry run: no line for b.txt; got\n%s", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if ents, _ := os.ReadDir(dst); len(ents) != 0 {
		t.Errorf("dry run changed the remote: %v", ents)
	}
}

func TestWatchLimitMessage(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"ENOSPC names max_user_watches", syscall.ENOSPC, "sysctl fs.inotify.max_user_watches="},
		{"EMFILE names max_user_instances", syscall.EMFILE, "sysctl fs.inotify.max_user_instances="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mapAddError("/srv/site", fmt.Errorf("add: %w", tt.err))
			if !errors.Is(err, ErrWatchLimit) {
				t.Errorf("got %v, want it to wrap ErrWatchLimit", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "/srv/site") {
				t.Errorf("got %q, want the directory and %q", err, tt.want)
			}
		})
	}
	if err := mapAddError("/x", os.ErrPermission); errors.Is(err, ErrWatchLimit) {
		t.Errorf("permission denied mapped to the watch limit: %v", err)
	}
}

func TestIgnored(t *testing.T) {
	for name, want := range map[string]bool{
		"a/page.html": false, "a/.page.html.swp": true, "x~": true, ".#x": true, "4913": true,
		"d/x.tmp": true, "f.ferry-part": true, "notes.txt": false, "4913.txt": false,
	} {
		if got := Ignored(name); got != want {
			t.Errorf("Ignored(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestRules_Gitignore(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "app", "build"), 0o755)
	os.WriteFile(filepath.Join(root, ".gitignore"), []byte("*.log\n"), 0o644)
	os.WriteFile(filepath.Join(root, "app", ".gitignore"), []byte("build/\n!keep.log\n"), 0o644)
	ex := Rules(root, filter.MustCompile(filter.Spec{Gitignore: true, Rules: filter.Exclude("*.bak")}))
	for _, tt := range []struct {
		rel  string
		dir  bool
		want bool
	}{
		{"a.log", false, true}, {"a.txt", false, false}, {"x.bak", false, true},
		{"app/build", true, true}, {"app/build/out.js", false, true},
		{"app/keep.log", false, false}, {"app/other.log", false, true}, {"app/main.go", false, false},
	} {
		if got := ex.Excluded(tt.rel, tt.dir); got != tt.want {
			t.Errorf("Excluded(%q, %v) = %v, want %v", tt.rel, tt.dir, got, tt.want)
		}
	}
	if Rules(root, nil) != nil {
		t.Error("Rules of nil rules is not nil")
	}
}

// TestWatcher_ManyFilesAtOnce lands 5,000 files in one go, as an unpacked
// archive or a checkout does: each is reported once, in bounded time.
func TestWatcher_ManyFilesAtOnce(t *testing.T) {
	root := t.TempDir()
	w, err := New(root, Options{Debounce: 500 * time.Millisecond}) // longer than a busy machine pauses a writer
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	const n = 5000
	for i := range n {
		d := filepath.Join(root, fmt.Sprintf("d%02d", i%50))
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, fmt.Sprintf("f%04d", i)), []byte("x"), 0o644)
	}
	seen := map[string]int{}
	deadline := time.After(30 * time.Second)
	for len(seen) < n {
		select {
		case batch := <-w.Changes():
			for _, c := range batch {
				if c.Op == OpUpload {
					seen[c.Path]++
				}
			}
		case <-deadline:
			t.Fatalf("%d of %d files reported in 30 s", len(seen), n)
		}
	}
	for p, k := range seen {
		if k != 1 {
			t.Errorf("%s reported %d times", p, k)
		}
	}
}
