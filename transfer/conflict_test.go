package transfer

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

func TestConflictPolicies(t *testing.T) {
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	newer := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const srcData = "new contents here"
	tests := []struct {
		name      string
		policy    Policy
		target    string    // existing target content
		targetMT  time.Time // existing target mtime
		srcMT     time.Time
		wantState State
		want      string // target content after the job
		wantExtra string // content of "dst (1).txt" for rename
	}{
		{"overwrite replaces the target", PolicyOverwrite, "old", old, newer, StateDone, srcData, ""},
		{"skip keeps the target", PolicySkip, "old", old, newer, StateSkipped, "old", ""},
		{"rename writes beside the target", PolicyRename, "old", old, newer, StateDone, "old", srcData},
		{"newer overwrites an older target", PolicyNewer, "old", old, newer, StateDone, srcData, ""},
		{"newer keeps a newer target", PolicyNewer, "old", newer, old, StateSkipped, "old", ""},
		{"size-differs overwrites on a size change", PolicySizeDiffers, "old", newer, old, StateDone, srcData, ""},
		{"size-differs keeps an equal size", PolicySizeDiffers, "xxxxxxxxxxxxxxxxx", newer, old, StateSkipped, "xxxxxxxxxxxxxxxxx", ""},
		{"resume appends to a shorter prefix", PolicyResume, "new cont", newer, old, StateDone, srcData, ""},
		{"resume skips an equal size", PolicyResume, "xxxxxxxxxxxxxxxxx", newer, old, StateSkipped, "xxxxxxxxxxxxxxxxx", ""},
		{"mirror overwrites when mtime differs", PolicyMirror, "xxxxxxxxxxxxxxxxx", newer, old, StateDone, srcData, ""},
		{"mirror keeps same size and mtime", PolicyMirror, "xxxxxxxxxxxxxxxxx", old, old, StateSkipped, "xxxxxxxxxxxxxxxxx", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src, dst := filepath.Join(dir, "src.txt"), filepath.Join(dir, "dst.txt")
			writeFile(t, src, []byte(srcData))
			os.Chtimes(src, tc.srcMT, tc.srcMT)
			writeFile(t, dst, []byte(tc.target))
			os.Chtimes(dst, tc.targetMT, tc.targetMT)
			q, _ := newTestQueue(t, Options{Conflict: PolicyOverwrite})
			ep := localEP(nil)
			id, err := q.Add(Spec{Src: ep, SrcPath: slash(src), Dst: ep, DstPath: slash(dst), Options: JobOptions{Conflict: tc.policy}})
			if err != nil {
				t.Fatal(err)
			}
			waitDone(t, q)
			if ji := jobState(t, q, id); ji.State != tc.wantState {
				t.Fatalf("state %s (err %v), want %s", ji.State, ji.Err, tc.wantState)
			}
			got, _ := os.ReadFile(dst)
			if string(got) != tc.want {
				t.Errorf("target holds %q, want %q", got, tc.want)
			}
			if tc.wantExtra != "" {
				got, err := os.ReadFile(filepath.Join(dir, "dst (1).txt"))
				if err != nil || string(got) != tc.wantExtra {
					t.Errorf("renamed copy holds %q (%v), want %q", got, err, tc.wantExtra)
				}
			}
			noParts(t, dir)
		})
	}
}

func TestAskWaitsOnlyThatJob(t *testing.T) {
	dir := t.TempDir()
	ep := localEP(nil)
	q, _ := newTestQueue(t, Options{}) // default policy: ask
	var ids []JobID
	for _, name := range []string{"a", "b", "c"} {
		src, dst := filepath.Join(dir, name+".src"), filepath.Join(dir, name+".dst")
		writeFile(t, src, []byte("fresh "+name))
		if name != "c" {
			writeFile(t, dst, []byte("stale"))
		}
		id, _ := q.Add(Spec{Src: ep, SrcPath: slash(src), Dst: ep, DstPath: slash(dst)})
		ids = append(ids, id)
	}
	waitFor(t, "a and b to ask and c to finish", func() bool {
		a, _ := q.Job(ids[0])
		b, _ := q.Job(ids[1])
		c, _ := q.Job(ids[2])
		return a.State == StateAsking && b.State == StateAsking && c.State == StateDone
	})
	a, _ := q.Job(ids[0])
	if a.Conflict == nil || a.Conflict.Dst.Size != 5 {
		t.Fatalf("conflict %+v, want one naming the 5-byte target", a.Conflict)
	}
	if err := q.Resolve(ids[0], PolicySkip, false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a to be skipped", func() bool { return jobState(t, q, ids[0]).State == StateSkipped })
	if st := jobState(t, q, ids[1]).State; st != StateAsking {
		t.Fatalf("b is %s after answering a alone, want asking", st)
	}
	// A directory job whose files conflict asks too; "for all" settles it
	// and b at once.
	tree := filepath.Join(dir, "tree")
	out := filepath.Join(dir, "out")
	for _, n := range []string{"1", "2", "3"} {
		writeFile(t, filepath.Join(tree, n), []byte("fresh"))
		writeFile(t, filepath.Join(out, n), []byte("stale!"))
	}
	did, _ := q.Add(Spec{Src: ep, SrcPath: slash(tree), Dst: ep, DstPath: slash(out), Dir: true})
	waitFor(t, "the directory job to ask", func() bool { return jobState(t, q, did).State == StateAsking })
	if err := q.Resolve(did, PolicyOverwrite, true); err != nil {
		t.Fatal(err)
	}
	waitDone(t, q)
	if got, _ := os.ReadFile(filepath.Join(dir, "b.dst")); string(got) != "fresh b" {
		t.Errorf("b holds %q after overwrite for all", got)
	}
	for _, n := range []string{"1", "2", "3"} {
		if got, _ := os.ReadFile(filepath.Join(out, n)); string(got) != "fresh" {
			t.Errorf("out/%s holds %q after overwrite for all", n, got)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.dst")); string(got) != "stale" {
		t.Errorf("a holds %q, want the skipped target kept", got)
	}
}

// TestAnswerHoldsForRetries answers a conflict once; the copy then loses
// its connection twice, and the retries must go on with the answer
// rather than ask again.
func TestAnswerHoldsForRetries(t *testing.T) {
	dir := t.TempDir()
	var cuts atomic.Int64
	src := namedEP("sftp://flaky", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.open = func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
			r, err := c.Open(ctx, p, off)
			if err != nil || cuts.Add(1) > 2 {
				return r, err
			}
			return &cutReader{ReadCloser: r, limit: 50_000}, nil
		}
		return h
	})
	s, d := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	data := randBytes(rand.New(rand.NewPCG(5, 6)), 200_000)
	writeFile(t, s, data)
	writeFile(t, d, []byte("stale"))
	q, _ := newTestQueue(t, Options{}) // default policy: ask
	id, _ := q.Add(Spec{Src: src, SrcPath: slash(s), Dst: localEP(nil), DstPath: slash(d)})
	waitFor(t, "the job to ask", func() bool { return jobState(t, q, id).State == StateAsking })
	if err := q.Resolve(id, PolicyOverwrite, false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the job to finish or ask again", func() bool {
		st := jobState(t, q, id).State
		return st == StateDone || st == StateFailed || st == StateAsking
	})
	if ji := jobState(t, q, id); ji.State != StateDone || ji.Attempt != 4 {
		t.Fatalf("state %s attempt %d err %v, want done on the 4th attempt (the one that asked, two cut, the last) without asking again", ji.State, ji.Attempt, ji.Err)
	}
	sameContent(t, s, d)
}
