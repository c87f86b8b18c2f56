package syncer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
	"github.com/ferryhq/ferry/transfer"
)

var (
	t0    = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	stamp = time.Date(2026, 12, 5, 14, 15, 0, 0, time.UTC)
)

// rig is two local trees and the state of their syncs.
type rig struct {
	t         *testing.T
	a, b      string
	stateFile string
	rules     *filter.Rules
	limit     int64
	// checksum hashes both listings and the copies (ferry sync --checksum).
	checksum bool
	// clientB, when set, is B's client in place of the local disk's.
	clientB func() protocol.Client
}

func (r *rig) sideB() protocol.Client {
	if r.clientB != nil {
		return r.clientB()
	}
	return local.New()
}

func newRig(t *testing.T) *rig {
	d := t.TempDir()
	r := &rig{t: t, a: filepath.Join(d, "a"), b: filepath.Join(d, "b"), stateFile: filepath.Join(d, "state", "pair.state")}
	os.MkdirAll(r.a, 0o755)
	os.MkdirAll(r.b, 0o755)
	return r
}

func put(t *testing.T, root, rel, data string, mtime time.Time) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// files reads a tree into rel → content ("/" for directories).
func files(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			out[rel] = "/"
			return nil
		}
		data, _ := os.ReadFile(p)
		out[rel] = string(data)
		return nil
	})
	return out
}

func show(m map[string]string) string {
	var ks []string
	for k, v := range m {
		ks = append(ks, k+"="+v)
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}

func endpoint(dir string) Endpoint {
	return Endpoint{Client: local.New(), Root: dir, Transfer: transfer.Endpoint{ID: "local", Dial: func(context.Context) (protocol.Client, error) {
		return local.New(), nil
	}}}
}

// plan lists both sides and plans against the saved state.
func (r *rig) plan(ctx context.Context) *Plan {
	r.t.Helper()
	old, err := LoadState(r.stateFile)
	if err != nil {
		r.t.Fatal(err)
	}
	la, err := Walk(ctx, local.New(), r.a, WalkOptions{Local: true, Rules: r.rules})
	if err != nil {
		r.t.Fatal(err)
	}
	lb, err := Walk(ctx, r.sideB(), r.b, WalkOptions{Local: true, Rules: r.rules})
	if err != nil {
		r.t.Fatal(err)
	}
	var hashes [2]Hashes
	if r.checksum {
		if hashes[SideA], err = HashListing(ctx, local.New(), r.a, la, WalkOptions{Local: true}); err != nil {
			r.t.Fatal(err)
		}
		if hashes[SideB], err = HashListing(ctx, r.sideB(), r.b, lb, WalkOptions{Local: true}); err != nil {
			r.t.Fatal(err)
		}
	}
	return NewPlan(la, lb, old, Options{Now: stamp, Hashes: hashes})
}

// run plans and carries out the plan.
func (r *rig) run(ctx context.Context) (*Plan, Result, error) {
	r.t.Helper()
	p := r.plan(ctx)
	q, err := transfer.New(transfer.Options{Workers: 2, Limit: r.limit, RetryDelay: time.Millisecond})
	if err != nil {
		r.t.Fatal(err)
	}
	defer q.Close()
	b := endpoint(r.b)
	if r.clientB != nil {
		b.Client = r.clientB()
		b.Transfer.ID = "b"
		b.Transfer.Dial = func(context.Context) (protocol.Client, error) { return r.clientB(), nil }
	}
	run := &Runner{A: endpoint(r.a), B: b, Queue: q, StateFile: r.stateFile, Poll: 5 * time.Millisecond, Checksum: r.checksum}
	res, err := run.Run(ctx, p, nil)
	return p, res, err
}

func (r *rig) mustRun() (*Plan, Result) {
	r.t.Helper()
	p, res, err := r.run(context.Background())
	if err != nil {
		r.t.Fatalf("sync: %v", err)
	}
	return p, res
}

// mustEqualSides checks both trees hold want.
func (r *rig) mustEqualSides(want map[string]string) {
	r.t.Helper()
	for _, root := range []string{r.a, r.b} {
		if got := files(r.t, root); show(got) != show(want) {
			r.t.Errorf("%s:\n got %s\nwant %s", filepath.Base(root), show(got), show(want))
		}
	}
}

// TestSync_Cells walks every cell of new, changed and deleted on side A,
// side B and both, after a first sync of a common base.
func TestSync_Cells(t *testing.T) {
	base := map[string]string{"f.txt": "base", "k1": "k", "k2": "k", "k3": "k", "k4": "k"}
	const conflictName = "f.conflict-20261205-141500.txt"
	tests := []struct {
		name       string
		a, b       func(t *testing.T, root string) // the changes on each side
		want       map[string]string               // f.txt and its kin, on both sides after
		wantAction Action
	}{
		{"new on A is copied to B", addNew("A"), nil, map[string]string{"f.txt": "base", "new.txt": "A"}, CopyAToB},
		{"new on B is copied to A", nil, addNew("B"), map[string]string{"f.txt": "base", "new.txt": "B"}, CopyBToA},
		{"changed on A is copied to B", change("A2", 1), nil, map[string]string{"f.txt": "A2"}, CopyAToB},
		{"changed on B is copied to A", nil, change("B2", 2), map[string]string{"f.txt": "B2"}, CopyBToA},
		{"a size change alone counts", change("longer", 0), nil, map[string]string{"f.txt": "longer"}, CopyAToB},
		{"deleted on A is deleted on B", remove, nil, map[string]string{}, DeleteB},
		{"deleted on B is deleted on A", nil, remove, map[string]string{}, DeleteA},
		{"deleted on both is nothing to do", remove, remove, map[string]string{}, 0},
		{"changed on both keeps both, the newer under the name", change("A2", 1), change("B22", 2),
			map[string]string{"f.txt": "B22", conflictName: "A2"}, Conflict},
		{"changed on both keeps both, A newer", change("A2", 3), change("B22", 2),
			map[string]string{"f.txt": "A2", conflictName: "B22"}, Conflict},
		{"changed on both to the same is nothing to do", change("same", 5), change("same", 5), map[string]string{"f.txt": "same"}, 0},
		{"deleted on A, changed on B: the change comes back", remove, change("B2", 2), map[string]string{"f.txt": "B2"}, CopyBToA},
		{"deleted on B, changed on A: the change comes back", change("A2", 1), remove, map[string]string{"f.txt": "A2"}, CopyAToB},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			for rel, data := range base {
				put(t, r.a, rel, data, t0)
			}
			_, res := r.mustRun()
			if res.Copied != len(base) || !res.Saved {
				t.Fatalf("first sync: %+v", res)
			}
			if tc.a != nil {
				tc.a(t, r.a)
			}
			if tc.b != nil {
				tc.b(t, r.b)
			}
			p, _ := r.mustRun()
			var acts []Action
			for _, it := range p.Items {
				acts = append(acts, it.Action)
			}
			if (tc.wantAction == 0 && len(acts) != 0) || (tc.wantAction != 0 && (len(acts) != 1 || acts[0] != tc.wantAction)) {
				t.Errorf("plan %v, want [%v]", acts, tc.wantAction)
			}
			want := map[string]string{"k1": "k", "k2": "k", "k3": "k", "k4": "k"}
			for k, v := range tc.want {
				want[k] = v
			}
			r.mustEqualSides(want)
			if p, _ := r.mustRun(); len(p.Items) != 0 {
				t.Errorf("a third sync still plans %v", p.Items)
			}
		})
	}
}

func addNew(data string) func(t *testing.T, root string) {
	return func(t *testing.T, root string) { put(t, root, "new.txt", data, t0.Add(time.Hour)) }
}

func change(data string, hours int) func(t *testing.T, root string) {
	return func(t *testing.T, root string) { put(t, root, "f.txt", data, t0.Add(time.Duration(hours)*time.Hour)) }
}

func remove(t *testing.T, root string) {
	if err := os.Remove(filepath.Join(root, "f.txt")); err != nil {
		t.Fatal(err)
	}
}

// TestSync_FirstRun takes the union of both sides, deletes nothing, and
// keeps both copies of a file that differs.
func TestSync_FirstRun(t *testing.T) {
	r := newRig(t)
	put(t, r.a, "only-a.txt", "a", t0)
	put(t, r.a, "dir/same.txt", "s", t0)
	put(t, r.a, "both.md", "from a", t0.Add(time.Hour))
	os.MkdirAll(filepath.Join(r.a, "empty-a"), 0o755)
	put(t, r.b, "only-b.txt", "b", t0)
	put(t, r.b, "dir/same.txt", "s", t0)
	put(t, r.b, "both.md", "from b, longer", t0)
	p, res := r.mustRun()
	if p.DeletesA+p.DeletesB != 0 {
		t.Errorf("a first run deletes %d+%d files", p.DeletesA, p.DeletesB)
	}
	if res.Conflicts != 1 {
		t.Errorf("conflicts %d, want 1", res.Conflicts)
	}
	r.mustEqualSides(map[string]string{
		"only-a.txt": "a", "only-b.txt": "b", "dir": "/", "dir/same.txt": "s", "empty-a": "/",
		"both.md": "from a", "both.conflict-20261205-141500.md": "from b, longer",
	})
}

// TestSync_DirectoryDeletes deletes a directory on the other side only
// when everything in it goes.
func TestSync_DirectoryDeletes(t *testing.T) {
	r := newRig(t)
	for _, rel := range []string{"gone/x", "gone/sub/y", "kept/x", "kept/y", "k1", "k2", "k3", "k4", "k5", "k6"} {
		put(t, r.a, rel, "v", t0)
	}
	r.mustRun()
	os.RemoveAll(filepath.Join(r.a, "gone"))
	os.RemoveAll(filepath.Join(r.b, "kept"))
	put(t, r.a, "kept/y", "changed", t0.Add(time.Hour)) // so kept/ stays on A
	r.mustRun()
	want := map[string]string{"kept": "/", "kept/y": "changed", "k1": "v", "k2": "v", "k3": "v", "k4": "v", "k5": "v", "k6": "v"}
	r.mustEqualSides(want)
}

// TestSync_TooManyDeletes stops a plan that deletes more than half of a
// side: an emptied side must not empty the other.
func TestSync_TooManyDeletes(t *testing.T) {
	r := newRig(t)
	for _, rel := range []string{"1", "2", "3", "4"} {
		put(t, r.a, rel, "v", t0)
	}
	r.mustRun()
	for _, rel := range []string{"1", "2"} {
		os.Remove(filepath.Join(r.b, rel))
	}
	if got := r.plan(context.Background()).TooManyDeletes(); got != "" {
		t.Errorf("half deleted trips the check: %q", got)
	}
	os.Remove(filepath.Join(r.b, "3"))
	if got := r.plan(context.Background()).TooManyDeletes(); got != "3 of 4 files on A" {
		t.Errorf("TooManyDeletes = %q, want %q", got, "3 of 4 files on A")
	}
}

// TestSync_InterruptedRunResumes cancels a sync half way through its
// copies, then runs it again: the copies already made are simply the same
// on both sides, nothing is deleted or taken for a conflict wrongly, and
// the state is only written by the run that finishes.
func TestSync_InterruptedRunResumes(t *testing.T) {
	r := newRig(t)
	for _, rel := range []string{"old1", "old2", "old3", "doomed", "clash.txt"} {
		put(t, r.a, rel, "v", t0)
	}
	r.mustRun()
	before, _ := os.ReadFile(r.stateFile)

	want := map[string]string{"old1": "v", "old2": "v", "old3": "v"}
	big := strings.Repeat("x", 64<<10)
	for i := range 12 {
		rel := "new/" + string(rune('a'+i)) + ".bin"
		put(t, r.a, rel, big, t0.Add(time.Hour))
		want[rel] = big
	}
	want["new"] = "/"
	os.Remove(filepath.Join(r.a, "doomed"))
	put(t, r.a, "clash.txt", "A's", t0.Add(time.Hour))
	put(t, r.b, "clash.txt", "B's!", t0.Add(2*time.Hour))
	want["clash.txt"] = "B's!"
	want["clash.conflict-20261205-141500.txt"] = "A's"

	r.limit = 256 << 10 // about three seconds of copies
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	if _, _, err := r.run(ctx); err == nil {
		t.Fatal("the interrupted sync reported success")
	}
	if after, _ := os.ReadFile(r.stateFile); string(after) != string(before) {
		t.Fatal("an interrupted sync replaced the state")
	}
	if _, err := os.Stat(filepath.Join(r.b, "doomed")); err != nil {
		t.Fatal("an interrupted sync deleted before its copies were done")
	}
	nb := 0
	for k := range files(t, filepath.Join(r.b, "new")) {
		if !strings.HasSuffix(k, ".ferry-part") {
			nb++
		}
	}
	if nb == 0 || nb == 12 {
		t.Logf("the interruption came with %d of 12 copies made", nb)
	}

	r.limit = 0
	p, res := r.mustRun()
	for _, it := range p.Items {
		switch it.Action {
		case CopyAToB, CopyBToA, DeleteB:
		case MkdirB:
		default:
			t.Errorf("the rerun plans %v %s (%s)", it.Action, it.Path, it.Note)
		}
	}
	if res.Conflicts != 0 {
		t.Errorf("the rerun found %d conflicts", res.Conflicts)
	}
	r.mustEqualSides(want)
}

// TestSync_Filters leaves excluded paths alone on both sides: not copied,
// not deleted.
func TestSync_Filters(t *testing.T) {
	r := newRig(t)
	r.rules = filter.MustCompile(filter.Spec{Rules: filter.Exclude("*.log", "cache/")})
	put(t, r.a, "app.go", "code", t0)
	put(t, r.a, "debug.log", "noise", t0)
	put(t, r.a, "cache/blob", "c", t0)
	put(t, r.b, "b.log", "mine", t0)
	for _, rel := range []string{"k1", "k2", "k3"} {
		put(t, r.a, rel, "k", t0)
	}
	r.mustRun()
	os.Remove(filepath.Join(r.a, "app.go"))
	r.mustRun()
	if got, want := show(files(t, r.a)), show(map[string]string{"debug.log": "noise", "cache": "/", "cache/blob": "c", "k1": "k", "k2": "k", "k3": "k"}); got != want {
		t.Errorf("A: got %s, want %s", got, want)
	}
	if got, want := show(files(t, r.b)), show(map[string]string{"b.log": "mine", "k1": "k", "k2": "k", "k3": "k"}); got != want {
		t.Errorf("B: got %s, want %s", got, want)
	}
}

// TestState_RoundTrip writes and reads odd names and both sides' entries.
func TestState_RoundTrip(t *testing.T) {
	st := &State{Pair: Pair{AID: "local", APath: "/a", BID: "sftp://u@h:22", BPath: "/b"}, Records: map[string]Record{
		"plain":            {A: Entry{Size: 1, MTime: 2}, B: Entry{Size: 3, MTime: 4}},
		"dir":              {Dir: true},
		"tab\there":        {A: Entry{Size: 5}},
		`"quoted"`:         {B: Entry{MTime: -1}},
		"ünïcode/ name.md": {A: Entry{Size: 1 << 40, MTime: 1_800_000_000}},
	}}
	file := filepath.Join(t.TempDir(), "x", "s.state")
	if err := SaveState(file, st); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(file)
	if err != nil {
		t.Fatal(err)
	}
	if got.Pair != st.Pair || len(got.Records) != len(st.Records) {
		t.Fatalf("got %+v, want %+v", got, st)
	}
	for k, v := range st.Records {
		if got.Records[k] != v {
			t.Errorf("%q: got %+v, want %+v", k, got.Records[k], v)
		}
	}
	if st, err := LoadState(filepath.Join(t.TempDir(), "none")); st != nil || err != nil {
		t.Errorf("a missing state: %v, %v", st, err)
	}
	os.WriteFile(file, []byte("ferry-sync-state 1\tlocal\t/a\tlocal\t/b\nf\t1\t2\n"), 0o600)
	if _, err := LoadState(file); err == nil {
		t.Error("a damaged state loaded")
	}
}

func TestConflictName(t *testing.T) {
	taken := map[string]bool{"d/x.conflict-20261205-141500.txt": true}
	tests := []struct{ in, want string }{
		{"notes.txt", "notes.conflict-20261205-141500.txt"},
		{"Makefile", "Makefile.conflict-20261205-141500"},
		{".bashrc", ".bashrc.conflict-20261205-141500"},
		{"a.tar.gz", "a.tar.conflict-20261205-141500.gz"},
		{"d/x.txt", "d/x.conflict-20261205-141500-2.txt"},
	}
	for _, tc := range tests {
		if got := conflictName(tc.in, stamp, func(s string) bool { return taken[s] }); got != tc.want {
			t.Errorf("conflictName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSortPathsIsTreeOrder(t *testing.T) {
	ps := []string{"a-c", "a/b", "a", "b", "a/b/c", "a.d"}
	sortPaths(ps)
	if got, want := strings.Join(ps, " "), "a a/b a/b/c a-c a.d b"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// failingCreate is a local Client that refuses to write one name.
type failingCreate struct {
	*local.Client
	name string
}

func (f failingCreate) Create(ctx context.Context, p string, offset int64) (io.WriteCloser, error) {
	if strings.Contains(path.Base(p), f.name) {
		return nil, fmt.Errorf("create %s: %w", p, protocol.ErrPermission)
	}
	return f.Client.Create(ctx, p, offset)
}

// TestSync_FailedCopyDeletesNothing fails one copy: the deletions of the
// same plan wait, the state stays as it was, and the next run, with the
// server fixed, finishes the job without a wrong deletion or conflict.
func TestSync_FailedCopyDeletesNothing(t *testing.T) {
	r := newRig(t)
	for _, rel := range []string{"k1", "k2", "k3", "k4", "old.txt"} {
		put(t, r.a, rel, "v", t0)
	}
	r.mustRun()
	before, _ := os.ReadFile(r.stateFile)
	put(t, r.a, "bad.txt", "refused once", t0.Add(time.Hour))
	put(t, r.a, "good.txt", "fine", t0.Add(time.Hour))
	os.Remove(filepath.Join(r.a, "old.txt"))

	p := r.plan(context.Background())
	q, err := transfer.New(transfer.Options{Workers: 2, RetryDelay: time.Millisecond, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	b := endpoint(r.b)
	b.Transfer.ID = "failing"
	b.Transfer.Dial = func(context.Context) (protocol.Client, error) { return failingCreate{local.New(), "bad.txt"}, nil }
	var failed []string
	run := &Runner{A: endpoint(r.a), B: b, Queue: q, StateFile: r.stateFile, Poll: 5 * time.Millisecond,
		Report: func(it Item, err error) {
			if err != nil {
				failed = append(failed, it.Path)
			}
		}}
	res, err := run.Run(context.Background(), p, nil)
	if !errors.Is(err, ErrIncomplete) || res.Saved {
		t.Fatalf("Run = %+v, %v; want ErrIncomplete and no state", res, err)
	}
	if len(failed) != 1 || failed[0] != "bad.txt" {
		t.Errorf("failed steps %v, want [bad.txt]", failed)
	}
	if _, err := os.Stat(filepath.Join(r.b, "old.txt")); err != nil {
		t.Error("old.txt was deleted on B although a copy failed")
	}
	if after, _ := os.ReadFile(r.stateFile); string(after) != string(before) {
		t.Error("a failed run replaced the state")
	}

	p, res = r.mustRun()
	for _, it := range p.Items {
		if it.Action != CopyAToB && it.Action != DeleteB {
			t.Errorf("the rerun plans %v %s", it.Action, it.Path)
		}
	}
	r.mustEqualSides(map[string]string{"k1": "v", "k2": "v", "k3": "v", "k4": "v", "bad.txt": "refused once", "good.txt": "fine"})
}

// TestSync_SameContentIsNoConflict reads both copies of a first run's
// file that differs only in its time: equal contents are no conflict.
func TestSync_SameContentIsNoConflict(t *testing.T) {
	r := newRig(t)
	put(t, r.a, "same.txt", "alike", t0)
	put(t, r.b, "same.txt", "alike", t0.Add(time.Hour))
	put(t, r.a, "differ.txt", "aaaaa", t0)
	put(t, r.b, "differ.txt", "bbbbb", t0.Add(time.Hour))
	p := r.plan(context.Background())
	n, err := p.SettleSameContent(context.Background(), local.New(), local.New(), r.a, r.b)
	if err != nil || n != 1 {
		t.Fatalf("SettleSameContent = %d, %v; want 1 settled", n, err)
	}
	if len(p.Items) != 1 || p.Items[0].Path != "differ.txt" || p.Items[0].Action != Conflict {
		t.Errorf("plan %+v, want only the conflict on differ.txt", p.Items)
	}
}

// md5Only is a local Client whose Hasher offers md5 alone, as some FTP
// servers do (XMD5): its digests cannot be compared with the other side's
// sha256.
type md5Only struct{ *local.Client }

func (md5Only) HashAlgorithms() []string { return []string{"md5"} }

// noHash is a local Client that computes no hash: a server without HASH.
type noHash struct{ protocol.Client }

// TestSync_Checksum changes a file without changing its size or time,
// after a sync that recorded hashes: with hashes asked for, the change is
// seen and copied; without, it is not.
func TestSync_Checksum(t *testing.T) {
	for _, tc := range []struct {
		name    string
		clientB func() protocol.Client
		algoB   string // the algorithm B's hashes carry in the state
	}{
		{"both sides sha256", nil, "sha256:"},
		{"B offers md5 alone", func() protocol.Client { return md5Only{local.New()} }, "md5:"},
		{"B computes no hash", func() protocol.Client { return noHash{local.New()} }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, side := range []string{"A", "B"} {
				t.Run("a change on "+side, func(t *testing.T) {
					r := newRig(t)
					r.clientB = tc.clientB
					r.checksum = true
					put(t, r.a, "f.txt", "one1", t0)
					put(t, r.a, "same.txt", "kept", t0)
					r.mustRun()
					st, err := LoadState(r.stateFile)
					if err != nil {
						t.Fatal(err)
					}
					ha, hb := st.Hashes[SideA]["f.txt"], st.Hashes[SideB]["f.txt"]
					if !strings.HasPrefix(ha, "sha256:") || !strings.HasPrefix(hb, tc.algoB) || (tc.algoB == "") != (hb == "") {
						t.Fatalf("state after the first run: hashes %q, %q; want A sha256 and B %q", ha, hb, tc.algoB)
					}
					changedRoot := r.a
					if side == "B" {
						changedRoot = r.b
					}
					put(t, changedRoot, "f.txt", "two2", t0) // same size, same time

					r.checksum = false
					if p := r.plan(context.Background()); len(p.Items) != 0 {
						t.Errorf("without checksums: plan %+v, want nothing", p.Items)
					}
					r.checksum = true
					p := r.plan(context.Background())
					want := CopyAToB
					if side == "B" {
						want = CopyBToA
					}
					if side == "B" && tc.algoB == "" {
						// B has no hash to tell by: its change stays unseen.
						if len(p.Items) != 0 {
							t.Errorf("plan %+v, want nothing", p.Items)
						}
						return
					}
					if len(p.Items) != 1 || p.Items[0].Path != "f.txt" || p.Items[0].Action != want {
						t.Fatalf("with checksums: plan %+v, want %v f.txt alone", p.Items, want)
					}
					r.mustRun()
					r.mustEqualSides(map[string]string{"f.txt": "two2", "same.txt": "kept"})
					if p := r.plan(context.Background()); len(p.Items) != 0 {
						t.Errorf("after the run: plan %+v, want nothing", p.Items)
					}
				})
			}
		})
	}
}

// TestSync_PlainRunKeepsHashes runs without checksums after a run with
// them: the hashes of files that kept their size and time stay in the
// state, those of changed files go.
func TestSync_PlainRunKeepsHashes(t *testing.T) {
	r := newRig(t)
	r.checksum = true
	put(t, r.a, "kept.txt", "k", t0)
	put(t, r.a, "edited.txt", "e", t0)
	r.mustRun()
	r.checksum = false
	put(t, r.a, "edited.txt", "edit", t0.Add(time.Hour))
	r.mustRun()
	st, err := LoadState(r.stateFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Hashes[SideA]["kept.txt"] == "" || st.Hashes[SideB]["kept.txt"] == "" {
		t.Errorf("kept.txt lost its hashes: %v", st.Hashes)
	}
	if _, ok := st.Hashes[SideA]["edited.txt"]; ok {
		t.Errorf("edited.txt kept A's hash of its old content: %v", st.Hashes)
	}
	if _, ok := st.Hashes[SideB]["edited.txt"]; ok {
		t.Errorf("edited.txt kept B's hash of its old content: %v", st.Hashes)
	}
}

// TestState_Hashes writes hashes in version 2 of the format, keeps
// writing version 1 without any, and reads both.
func TestState_Hashes(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s.state")
	pair := Pair{AID: "local", APath: "/a", BID: "ftp://u@h:21", BPath: "/b"}
	st := &State{Pair: pair, Records: map[string]Record{
		"both":     {A: Entry{Size: 1, MTime: 2}, B: Entry{Size: 1, MTime: 3}},
		"one side": {A: Entry{Size: 4, MTime: 5}, B: Entry{Size: 4, MTime: 5}},
		"none":     {A: Entry{Size: 6, MTime: 7}, B: Entry{Size: 6, MTime: 7}},
		"dir":      {Dir: true},
		"\"odd\"":  {A: Entry{Size: 1}},
	}, Hashes: [2]Hashes{
		{"both": "sha256:ab", "\"odd\"": "sha1:01", "gone": "md5:ef"},
		{"both": "md5:cd", "one side": "crc32:0f"},
	}}
	if err := SaveState(file, st); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	if !strings.HasPrefix(string(data), "ferry-sync-state 2\t") {
		t.Errorf("a state with hashes begins %.30q, want version 2", data)
	}
	got, err := LoadState(file)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range st.Records {
		if got.Records[k] != v {
			t.Errorf("%q: got %+v, want %+v", k, got.Records[k], v)
		}
	}
	delete(st.Hashes[SideA], "gone") // no record: not written
	if fmt.Sprint(got.Hashes) != fmt.Sprint(st.Hashes) {
		t.Errorf("hashes: got %v, want %v", got.Hashes, st.Hashes)
	}

	st.Hashes = [2]Hashes{{"not a record": "sha256:ab"}, nil}
	if err := SaveState(file, st); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(file); !strings.HasPrefix(string(data), "ferry-sync-state 1\t") {
		t.Errorf("a state without hashes begins %.30q, want version 1", data)
	}

	// A state file as ferry wrote it before hashes.
	old := "ferry-sync-state 1\tlocal\t/a\tsftp://u@h:22\t/b\n" +
		"d\t0\t0\t0\t0\tdocs\n" +
		"f\t12\t1764940000\t12\t1764940001\tdocs/a.txt\n" +
		"f\t3\t0\t3\t0\t\"tab\\there\"\n"
	os.WriteFile(file, []byte(old), 0o600)
	got, err = LoadState(file)
	if err != nil {
		t.Fatalf("an old state: %v", err)
	}
	want := map[string]Record{
		"docs":       {Dir: true},
		"docs/a.txt": {A: Entry{Size: 12, MTime: 1764940000}, B: Entry{Size: 12, MTime: 1764940001}},
		"tab\there":  {A: Entry{Size: 3}, B: Entry{Size: 3}},
	}
	if len(got.Records) != len(want) || got.Hashes[SideA] != nil || got.Hashes[SideB] != nil {
		t.Fatalf("an old state: got %+v, want %+v", got.Records, want)
	}
	for k, v := range want {
		if got.Records[k] != v {
			t.Errorf("an old state, %q: got %+v, want %+v", k, got.Records[k], v)
		}
	}

	for _, bad := range []string{
		"ferry-sync-state 2\tlocal\t/a\tlocal\t/b\nf\t1\t2\t1\t2\tp\n",            // no hash columns
		"ferry-sync-state 2\tlocal\t/a\tlocal\t/b\nf\t1\t2\t1\t2\tnohash\t-\tp\n", // no algorithm
	} {
		os.WriteFile(file, []byte(bad), 0o600)
		if _, err := LoadState(file); err == nil {
			t.Errorf("a damaged state loaded: %q", bad)
		}
	}
}
