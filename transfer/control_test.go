package transfer

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// slowSpec copies a 768 KiB file at 512 KiB/s: long enough to pause mid-way.
func slowSpec(t *testing.T, dir string, src, dst Endpoint) (Spec, string, string) {
	s, d := filepath.Join(dir, "big.src"), filepath.Join(dir, "big.dst")
	writeFile(t, s, randBytes(rand.New(rand.NewPCG(5, 6)), 768<<10))
	return Spec{Src: src, SrcPath: slash(s), Dst: dst, DstPath: slash(d), Options: JobOptions{Limit: 512 << 10}}, s, d
}

func TestPauseResumeContinuesFromPart(t *testing.T) {
	dir := t.TempDir()
	var o opens
	src := namedEP("sftp://src", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.open = func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
			o.add(off)
			return c.Open(ctx, p, off)
		}
		return h
	})
	q, _ := newTestQueue(t, Options{})
	spec, s, d := slowSpec(t, dir, src, localEP(nil))
	id, _ := q.Add(spec)
	waitFor(t, "some bytes", func() bool { return jobState(t, q, id).Bytes > 100<<10 })
	if err := q.Pause(id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "paused", func() bool { return jobState(t, q, id).State == StatePaused })
	fi, err := os.Stat(d + partSuffix)
	if err != nil || fi.Size() == 0 {
		t.Fatalf("part after pause: %v, size %v", err, fi)
	}
	time.Sleep(50 * time.Millisecond)
	if st := jobState(t, q, id).State; st != StatePaused {
		t.Fatalf("state %s while paused", st)
	}
	q.Resume(id)
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateDone {
		t.Fatalf("state %s err %v", ji.State, ji.Err)
	}
	sameContent(t, s, d)
	offs := o.list()
	if len(offs) != 2 || offs[0] != 0 || offs[1] == 0 {
		t.Errorf("source opened at %v, want 0 then the part's size", offs)
	}
	noParts(t, dir)
}

func TestCancelKeepsPartAndRetryResumes(t *testing.T) {
	dir := t.TempDir()
	q, _ := newTestQueue(t, Options{})
	spec, s, d := slowSpec(t, dir, localEP(nil), localEP(nil))
	id, _ := q.Add(spec)
	waitFor(t, "some bytes", func() bool { return jobState(t, q, id).Bytes > 50<<10 })
	q.Cancel(id)
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateCanceled {
		t.Fatalf("state %s, want canceled", ji.State)
	}
	if _, err := os.Stat(d + partSuffix); err != nil {
		t.Fatalf("part gone after cancel: %v", err)
	}
	if _, err := os.Stat(d); err == nil {
		t.Fatal("target exists after cancel")
	}
	q.Retry(id)
	waitFor(t, "done after retry", func() bool { return jobState(t, q, id).State == StateDone })
	sameContent(t, s, d)
}

func TestPauseAllAndCancelDirectory(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(9, 9))
	tree := filepath.Join(dir, "tree")
	for i := range 20 {
		writeFile(t, filepath.Join(tree, "f"+string(rune('a'+i))), randBytes(r, 64<<10))
	}
	q, _ := newTestQueue(t, Options{Workers: 2, Limit: 512 << 10})
	ep := localEP(nil)
	id, _ := q.Add(Spec{Src: ep, SrcPath: slash(tree), Dst: ep, DstPath: slash(filepath.Join(dir, "out")), Dir: true})
	waitFor(t, "a file done", func() bool { return jobState(t, q, id).FilesDone > 0 })
	q.PauseAll()
	waitFor(t, "paused", func() bool { return jobState(t, q, id).State == StatePaused })
	done := jobState(t, q, id).FilesDone
	time.Sleep(200 * time.Millisecond)
	if got := jobState(t, q, id).FilesDone; got > done+2 {
		t.Fatalf("%d files finished while paused (from %d)", got, done)
	}
	q.ResumeAll()
	waitFor(t, "more files", func() bool { return jobState(t, q, id).FilesDone > done+2 })
	q.CancelAll()
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateCanceled {
		t.Fatalf("state %s, want canceled", ji.State)
	}
	q.SetLimit(0)
	q.Retry(id)
	waitDone(t, q)
	ji := jobState(t, q, id)
	if ji.State != StateDone || ji.FilesDone != 20 {
		t.Fatalf("after retry: state %s files %d/%d err %v", ji.State, ji.FilesDone, ji.Files, ji.Err)
	}
	for i := range 20 {
		n := "f" + string(rune('a'+i))
		sameContent(t, filepath.Join(tree, n), filepath.Join(dir, "out", n))
	}
	noParts(t, dir)
}

func TestMoveToReorders(t *testing.T) {
	dir := t.TempDir()
	q, _ := newTestQueue(t, Options{Workers: 1})
	ep := localEP(nil)
	spec, _, _ := slowSpec(t, dir, ep, ep)
	first, _ := q.Add(spec)
	q.Pause(first)
	var ids []JobID
	for _, n := range []string{"x", "y", "z"} {
		writeFile(t, filepath.Join(dir, n), []byte(n))
		id, _ := q.Add(Spec{Src: ep, SrcPath: slash(filepath.Join(dir, n)), Dst: ep, DstPath: slash(filepath.Join(dir, n+".out"))})
		q.Pause(id)
		ids = append(ids, id)
	}
	if err := q.MoveTo(ids[2], 0); err != nil {
		t.Fatal(err)
	}
	jobs := q.Jobs()
	if jobs[0].ID != ids[2] || jobs[1].ID != first {
		t.Fatalf("order %v %v, want z first", jobs[0].ID, jobs[1].ID)
	}
	q.CancelAll()
	waitDone(t, q)
	q.ClearFinished()
	if n := len(q.Jobs()); n != 0 {
		t.Fatalf("%d jobs after ClearFinished", n)
	}
}

func TestRetryOneFailedFileOfADirectory(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	for _, n := range []string{"a", "b", "c"} {
		writeFile(t, filepath.Join(tree, n), []byte("file "+n))
	}
	var healed atomic.Bool
	dst := namedEP("sftp://picky", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.create = func(ctx context.Context, p string, off int64) (io.WriteCloser, error) {
			if strings.Contains(p, "/b") && !healed.Load() {
				return nil, protocol.NewError("create", p, protocol.ErrPermission, "553 Permission denied", nil)
			}
			return c.Create(ctx, p, off)
		}
		return h
	})
	q, _ := newTestQueue(t, Options{})
	id, _ := q.Add(Spec{Src: localEP(nil), SrcPath: slash(tree), Dst: dst, DstPath: slash(filepath.Join(dir, "out")), Dir: true})
	waitDone(t, q)
	ji := jobState(t, q, id)
	if ji.State != StateFailed || ji.FilesDone != 2 || ji.FilesFailed != 1 {
		t.Fatalf("state %s done %d failed %d, want failed with 2 done and 1 failed", ji.State, ji.FilesDone, ji.FilesFailed)
	}
	var failed JobID
	for cid := id + 1; cid < id+10; cid++ {
		if c, ok := q.Job(cid); ok && c.State == StateFailed {
			failed = cid
			if !strings.Contains(c.Err.Error(), "553 Permission denied") {
				t.Errorf("failure %q lacks the server's words", c.Err)
			}
		}
	}
	if failed == 0 {
		t.Fatal("the failed file has no job to retry")
	}
	healed.Store(true)
	if err := q.Retry(failed); err != nil {
		t.Fatal(err)
	}
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateDone || ji.FilesDone != 3 || ji.FilesFailed != 0 {
		t.Fatalf("after retry: state %s done %d failed %d (%v)", ji.State, ji.FilesDone, ji.FilesFailed, ji.Err)
	}
	sameContent(t, filepath.Join(tree, "b"), filepath.Join(dir, "out", "b"))
}
