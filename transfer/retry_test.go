package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

func TestTriesForgiveFailuresWhileTheSiteProgresses(t *testing.T) {
	var tr tries
	tr.begin(0)
	// A server that is gone: nothing completes, so Retries failures are
	// allowed and the next is not.
	for i := 1; i <= 5; i++ {
		if !tr.again(0, 5) {
			t.Fatalf("failure %d of 5 refused a retry", i)
		}
	}
	if tr.again(0, 5) {
		t.Fatal("a sixth failure with no progress anywhere was retried")
	}
	if err := tr.gaveUp(errors.New("connection reset")); !strings.Contains(err.Error(), "gave up after 6 attempts, the last 6 with no progress") {
		t.Errorf("gave up with %q", err)
	}
	// A flaky link: other work completes between the failures, which are
	// forgiven, up to forgivenPerRetry × Retries of them.
	tr.reset()
	tr.begin(100)
	progress := uint64(100)
	for i := 1; i <= forgivenPerRetry*5; i++ {
		progress++
		if !tr.again(progress, 5) {
			t.Fatalf("failure %d with progress in between refused a retry", i)
		}
	}
	if tr.fails != 0 {
		t.Errorf("forgiven failures counted against the retries: %d", tr.fails)
	}
	for i := 1; i <= 5; i++ {
		progress++
		if !tr.again(progress, 5) {
			t.Fatalf("failure %d past the forgiven ones refused a retry", i)
		}
	}
	progress++
	if tr.again(progress, 5) {
		t.Fatal("a job failing forever while others progress was retried without end")
	}
}

// TestListingRetriedWhileOtherFilesProgress fails one directory's listing
// more times in a row than Options.Retries, with a file of the tree
// finishing before each failure: the listing must be retried until it
// succeeds and every file arrive, as after a burst of dropped connections.
func TestListingRetriedWhileOtherFilesProgress(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	for i := range 10 {
		writeFile(t, filepath.Join(src, fmt.Sprintf("top%d", i)), []byte("top"))
		writeFile(t, filepath.Join(src, "sub", fmt.Sprintf("deep%d", i)), []byte("deep"))
	}
	var q *Queue
	var id JobID
	ready := make(chan struct{}) // q and id are set
	var lists, opens atomic.Int32
	// waitUntil polls cond; the hooks run outside the engine's lock.
	waitUntil := func(ctx context.Context, cond func() bool) {
		for !cond() && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
	}
	// The m-th file opened waits for the m-th listing of sub, and the
	// n-th listing fails once n files are done: failures and finished
	// files take turns.
	ep := namedEP("sftp://flaky", func(c protocol.Client) protocol.Client {
		return &hookClient{Client: c,
			open: func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
				m := opens.Add(1)
				waitUntil(ctx, func() bool { return lists.Load() >= min(m, 9) })
				return c.Open(ctx, p, off)
			},
			list: func(ctx context.Context, d string) ([]protocol.Entry, error) {
				if filepath.FromSlash(d) != filepath.Join(src, "sub") {
					return c.List(ctx, d)
				}
				n := lists.Add(1)
				if n > 8 {
					return c.List(ctx, d)
				}
				<-ready
				waitUntil(ctx, func() bool { ji, _ := q.Job(id); return ji.FilesDone >= int(n) })
				return nil, protocol.NewError("list", d, protocol.ErrTransient, "", errors.New("connection lost"))
			}}
	})
	ep.MaxConns = 64 // the waiting opens hold connections; the listing needs one more
	q, lg := newTestQueue(t, Options{Retries: 5})
	id, _ = q.Add(Spec{Src: ep, SrcPath: slash(src), Dst: localEP(nil), DstPath: slash(dst), Dir: true})
	close(ready)
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateDone || ji.FilesDone != 20 {
		t.Fatalf("state %s, %d of %d files: %v; log %q", ji.State, ji.FilesDone, ji.Files, ji.Err, lg.all())
	}
	if n := lists.Load(); n != 9 {
		t.Errorf("the listing ran %d times, want 9", n)
	}
}

// TestListingOfAGoneServerFails: a listing that fails for a network
// reason with nothing progressing gives up after Options.Retries, is
// reported as failed (not refused) and says why.
func TestListingOfAGoneServerFails(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	writeFile(t, filepath.Join(src, "sub", "f"), []byte("f"))
	var lists atomic.Int32
	ep := namedEP("sftp://gone", func(c protocol.Client) protocol.Client {
		return &hookClient{Client: c, list: func(ctx context.Context, d string) ([]protocol.Entry, error) {
			if filepath.FromSlash(d) != filepath.Join(src, "sub") {
				return c.List(ctx, d)
			}
			lists.Add(1)
			return nil, protocol.NewError("list", d, protocol.ErrTransient, "", errors.New("connection reset"))
		}}
	})
	q, lg := newTestQueue(t, Options{Retries: 3})
	id, _ := q.Add(Spec{Src: ep, SrcPath: slash(src), Dst: localEP(nil), DstPath: slash(dst), Dir: true})
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateFailed || ji.FilesFailed != 1 {
		t.Fatalf("state %s, %d failed: %v", ji.State, ji.FilesFailed, ji.Err)
	}
	if n := lists.Load(); n != 4 {
		t.Errorf("the listing ran %d times, want 4 (3 retries)", n)
	}
	sub := slash(filepath.Join(src, "sub"))
	if !lg.eventually("failed " + sub + ": list " + sub + ": gave up after 4 attempts") {
		t.Errorf("no log line saying the listing failed: %q", lg.all())
	}
	if lg.has("refused") {
		t.Errorf("a network failure was reported as refused: %q", lg.all())
	}
}

// TestFileOfAGoneServerGivesUp: when every connection to a site is
// refused, a file job stops after Options.Retries and says why.
func TestFileOfAGoneServerGivesUp(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	writeFile(t, src, []byte("payload"))
	var dials atomic.Int32
	gone := Endpoint{ID: "sftp://gone", Dial: func(ctx context.Context) (protocol.Client, error) {
		dials.Add(1)
		return nil, protocol.NewError("connect", "gone:22", protocol.ErrTransient, "", errors.New("connection refused"))
	}}
	q, _ := newTestQueue(t, Options{Retries: 2})
	id, _ := q.Add(Spec{Src: localEP(nil), SrcPath: slash(src), Dst: gone, DstPath: "/x"})
	waitDone(t, q)
	ji := jobState(t, q, id)
	if ji.State != StateFailed || ji.Err == nil || !strings.Contains(ji.Err.Error(), "gave up after 3 attempts, the last 3 with no progress on the site") ||
		!strings.Contains(ji.Err.Error(), "connection refused") {
		t.Fatalf("state %s: %v", ji.State, ji.Err)
	}
	if n := dials.Load(); n < 3 {
		t.Errorf("%d dials, want one per attempt", n)
	}
}
