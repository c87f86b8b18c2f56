package transfer

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
)

// statCounter wraps an endpoint so a test sees how often p was stat'ed,
// and can fail the first opens of the source.
func statCounter(id, p string, n *atomic.Int32, failOpens int32) Endpoint {
	var opens atomic.Int32
	return namedEP(id, func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.stat = func(ctx context.Context, q string) (protocol.Entry, error) {
			if q == p {
				n.Add(1)
			}
			return c.Stat(ctx, q)
		}
		h.open = func(ctx context.Context, q string, off int64) (io.ReadCloser, error) {
			if q == p && opens.Add(1) <= failOpens {
				return nil, protocol.NewError("open", q, protocol.ErrTransient, "", errors.New("connection reset"))
			}
			return c.Open(ctx, q, off)
		}
		return h
	})
}

// copyDone runs one job to its end and fails the test unless it is done.
func copyDone(t *testing.T, q *Queue, s Spec) {
	t.Helper()
	id, err := q.Add(s)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateDone {
		t.Fatalf("state %s: %v", ji.State, ji.Err)
	}
}

// What the caller has just looked at (the source, and that no target is
// there) the first attempt takes as it is; a retry asks again.
func TestFirstAttemptTakesTheCallersLook(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		failOpens            int32
		wantSrcStat, wantDst bool
	}{
		{"first attempt", 0, false, false},
		{"retry", 1, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src, dst := filepath.Join(dir, "src.bin"), filepath.Join(dir, "dst.bin")
			writeFile(t, src, randBytes(rand.New(rand.NewPCG(5, 6)), 50_000))
			se, err := local.New().Stat(context.Background(), slash(src))
			if err != nil {
				t.Fatal(err)
			}
			var srcStats, dstStats atomic.Int32
			q, _ := newTestQueue(t, Options{Retries: 3, RetryDelay: time.Millisecond})
			copyDone(t, q, Spec{
				Src: statCounter("src", slash(src), &srcStats, tc.failOpens), SrcPath: slash(src),
				Dst: statCounter("dst", slash(dst), &dstStats, 0), DstPath: slash(dst),
				Source: &se, TargetAbsent: true,
			})
			sameContent(t, src, dst)
			noParts(t, dir)
			if got := srcStats.Load() > 0; got != tc.wantSrcStat {
				t.Errorf("source stat'ed %d times, want any: %v", srcStats.Load(), tc.wantSrcStat)
			}
			if got := dstStats.Load() > 0; got != tc.wantDst {
				t.Errorf("target stat'ed %d times, want any: %v", dstStats.Load(), tc.wantDst)
			}
		})
	}
}

// TargetAbsent spares only the look at the target: a part left by an
// earlier run is still found and resumed.
func TestTargetAbsentStillResumesAPart(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.bin"), filepath.Join(dir, "dst.bin")
	data := randBytes(rand.New(rand.NewPCG(7, 8)), 80_000)
	writeFile(t, src, data)
	mt := time.Now().Add(-time.Hour).Truncate(time.Second)
	os.Chtimes(src, mt, mt)
	writeFile(t, dst+partSuffix, data[:30_000])
	se, err := local.New().Stat(context.Background(), slash(src))
	if err != nil {
		t.Fatal(err)
	}
	var offsets opens
	srcEP := localEP(func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.open = func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
			offsets.add(off)
			return c.Open(ctx, p, off)
		}
		return h
	})
	q, _ := newTestQueue(t, Options{})
	copyDone(t, q, Spec{Src: srcEP, SrcPath: slash(src), Dst: namedEP("dst", nil), DstPath: slash(dst), Source: &se, TargetAbsent: true})
	sameContent(t, src, dst)
	if got := offsets.list(); len(got) != 1 || got[0] != 30_000 {
		t.Errorf("opened the source at %v, want once at 30000", got)
	}
}

// A job retried by hand after it failed asks again: what the caller saw
// may be stale by then.
func TestRetriedJobLooksAgain(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.bin"), filepath.Join(dir, "dst.bin")
	writeFile(t, src, randBytes(rand.New(rand.NewPCG(9, 10)), 40_000))
	se, err := local.New().Stat(context.Background(), slash(src))
	if err != nil {
		t.Fatal(err)
	}
	var srcStats, opens atomic.Int32
	srcEP := namedEP("src", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.stat = func(ctx context.Context, q string) (protocol.Entry, error) {
			srcStats.Add(1)
			return c.Stat(ctx, q)
		}
		h.open = func(ctx context.Context, q string, off int64) (io.ReadCloser, error) {
			if opens.Add(1) == 1 {
				return nil, protocol.NewError("open", q, protocol.ErrPermission, "", errors.New("denied"))
			}
			return c.Open(ctx, q, off)
		}
		return h
	})
	q, _ := newTestQueue(t, Options{})
	id, err := q.Add(Spec{Src: srcEP, SrcPath: slash(src), Dst: namedEP("dst", nil), DstPath: slash(dst), Source: &se, TargetAbsent: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateFailed {
		t.Fatalf("first run: state %s, want failed", ji.State)
	}
	if n := srcStats.Load(); n != 0 {
		t.Fatalf("first attempt stat'ed the source %d times", n)
	}
	if err := q.Retry(id); err != nil {
		t.Fatal(err)
	}
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateDone {
		t.Fatalf("retry: state %s: %v", ji.State, ji.Err)
	}
	sameContent(t, src, dst)
	if srcStats.Load() == 0 {
		t.Error("the retried job did not look at its source again")
	}
}
