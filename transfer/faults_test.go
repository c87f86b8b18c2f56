package transfer

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

func TestMaliciousNamesAreRefused(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "remote")
	writeFile(t, filepath.Join(tree, "good.txt"), []byte("good"))
	writeFile(t, filepath.Join(dir, "x"), []byte("outside"))
	hostile := []string{"../x", "/etc/passwd", "a\nb", "..", ".", `..\evil`, "nul\x00byte", "esc\x1b[2J", ""}
	src := namedEP("sftp://evil", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.list = func(ctx context.Context, d string) ([]protocol.Entry, error) {
			ents, err := c.List(ctx, d)
			for _, n := range hostile {
				ents = append(ents, protocol.Entry{Name: n, Size: 7, Mode: 0o644})
			}
			return ents, err
		}
		return h
	})
	out := filepath.Join(dir, "sandbox", "out")
	q, lg := newTestQueue(t, Options{StateDir: filepath.Join(dir, "state")})
	id, _ := q.Add(Spec{Src: src, SrcPath: slash(tree), Dst: localEP(nil), DstPath: slash(out), Dir: true})
	waitDone(t, q)
	ji := jobState(t, q, id)
	if ji.State != StateFailed || ji.FilesDone != 1 || ji.FilesFailed != len(hostile) {
		t.Fatalf("state %s done %d failed %d, want failed with 1 done and %d refused", ji.State, ji.FilesDone, ji.FilesFailed, len(hostile))
	}
	sameContent(t, filepath.Join(tree, "good.txt"), filepath.Join(out, "good.txt"))
	if got, _ := os.ReadFile(filepath.Join(dir, "x")); string(got) != "outside" {
		t.Errorf("file outside the destination changed: %q", got)
	}
	var written []string
	filepath.WalkDir(filepath.Join(dir, "sandbox"), func(p string, d fs.DirEntry, err error) error {
		if !d.IsDir() {
			written = append(written, p)
		}
		return nil
	})
	if len(written) != 1 {
		t.Errorf("files written: %q, want only good.txt", written)
	}
	q.Close() // delivers the last log lines
	if !lg.eventually(`refused`) || !lg.eventually(`"../x"`) {
		t.Errorf("log lacks the refusals: %q", lg.all())
	}
	tl, _ := os.ReadFile(filepath.Join(dir, "state", "transfer.log"))
	if n := strings.Count(string(tl), "\trefused\t"); n != len(hostile) {
		t.Errorf("transfer log has %d refused lines, want %d:\n%s", n, len(hostile), tl)
	}
	if strings.Count(string(tl), "\n") != len(hostile)+1 {
		t.Errorf("a hostile name forged extra log lines:\n%s", tl)
	}
}

func TestDiskFullFailsOnlyThatJobAndKeepsPart(t *testing.T) {
	dir := t.TempDir()
	full := namedEP("local-full", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.create = func(ctx context.Context, p string, off int64) (io.WriteCloser, error) {
			w, err := c.Create(ctx, p, off)
			if err != nil || !strings.Contains(p, "big") {
				return w, err
			}
			return &failWriter{WriteCloser: w, limit: 100_000, err: protocol.NewError("write", p, protocol.ErrNoSpace, "", errNoSpace)}, nil
		}
		return h
	})
	r := rand.New(rand.NewPCG(7, 7))
	writeFile(t, filepath.Join(dir, "big"), randBytes(r, 400_000))
	writeFile(t, filepath.Join(dir, "small"), randBytes(r, 1000))
	q, _ := newTestQueue(t, Options{})
	ep := localEP(nil)
	big, _ := q.Add(Spec{Src: ep, SrcPath: slash(filepath.Join(dir, "big")), Dst: full, DstPath: slash(filepath.Join(dir, "big.out"))})
	small, _ := q.Add(Spec{Src: ep, SrcPath: slash(filepath.Join(dir, "small")), Dst: full, DstPath: slash(filepath.Join(dir, "small.out"))})
	waitDone(t, q)
	bj := jobState(t, q, big)
	if bj.State != StateFailed || !errors.Is(bj.Err, protocol.ErrNoSpace) || bj.Attempt != 1 {
		t.Fatalf("big: state %s attempt %d err %v, want failed once with no space", bj.State, bj.Attempt, bj.Err)
	}
	if !strings.Contains(bj.Err.Error(), "no space") {
		t.Errorf("error %q does not say the disk is full", bj.Err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "big.out"+partSuffix)); err != nil || fi.Size() != 100_000 {
		t.Errorf("part after disk full: %v %v, want 100000 bytes kept", err, fi)
	}
	if sj := jobState(t, q, small); sj.State != StateDone {
		t.Errorf("small: %s %v, want done", sj.State, sj.Err)
	}
}

func TestTransientCutsRetryAndResume(t *testing.T) {
	dir := t.TempDir()
	var o opens
	var cuts atomic.Int64
	src := namedEP("ftp://flaky", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.open = func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
			o.add(off)
			r, err := c.Open(ctx, p, off)
			if err != nil || cuts.Add(1) > 3 {
				return r, err
			}
			return &cutReader{ReadCloser: r, limit: 50_000}, nil
		}
		return h
	})
	s := filepath.Join(dir, "src")
	writeFile(t, s, randBytes(rand.New(rand.NewPCG(1, 1)), 300_000))
	q, lg := newTestQueue(t, Options{})
	id, _ := q.Add(Spec{Src: src, SrcPath: slash(s), Dst: localEP(nil), DstPath: slash(filepath.Join(dir, "dst")), Options: JobOptions{Verify: true}})
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateDone || ji.Attempt != 4 {
		t.Fatalf("state %s attempts %d err %v, want done on the 4th", ji.State, ji.Attempt, ji.Err)
	}
	sameContent(t, s, filepath.Join(dir, "dst"))
	// The fifth open is the verification reading the source back.
	if got := o.list(); len(got) != 5 || got[1] != 50_000 || got[2] != 100_000 || got[3] != 150_000 {
		t.Errorf("opened at %v, want each retry to resume where the cut was", got)
	}
	q.Close()
	if !lg.eventually("retry") {
		t.Error("no retry in the log")
	}
}

func TestStalledServerTimesOut(t *testing.T) {
	for _, ignoreCtx := range []bool{false, true} {
		t.Run(map[bool]string{false: "a reader that honours its context", true: "a reader that ignores its context is closed"}[ignoreCtx], func(t *testing.T) {
			dir := t.TempDir()
			src := namedEP("sftp://stall", func(c protocol.Client) protocol.Client {
				h := &hookClient{Client: c}
				h.open = func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
					return &stallReader{ctx: ctx, ignoreCtx: ignoreCtx, done: make(chan struct{})}, nil
				}
				return h
			})
			writeFile(t, filepath.Join(dir, "src"), []byte("data that never comes"))
			q, _ := newTestQueue(t, Options{StallTimeout: 100 * time.Millisecond, Retries: 1})
			q.e.closeGrace = 100 * time.Millisecond
			start := time.Now()
			id, _ := q.Add(Spec{Src: src, SrcPath: slash(filepath.Join(dir, "src")), Dst: localEP(nil), DstPath: slash(filepath.Join(dir, "dst"))})
			waitDone(t, q)
			ji := jobState(t, q, id)
			if ji.State != StateFailed || ji.Attempt != 2 || !strings.Contains(ji.Err.Error(), "stalled") {
				t.Fatalf("state %s attempts %d err %v, want failed after 2 stalled attempts", ji.State, ji.Attempt, ji.Err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %s to give up", took)
			}
		})
	}
}

func TestSymlinkLoopIsRefused(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	writeFile(t, filepath.Join(tree, "sub", "f"), []byte("f"))
	if err := os.Symlink("..", filepath.Join(tree, "sub", "up")); err != nil {
		t.Skip("symlinks unsupported:", err)
	}
	os.Symlink(filepath.Join(tree, "sub"), filepath.Join(tree, "self"))
	writeFile(t, filepath.Join(dir, "elsewhere", "g"), []byte("g"))
	os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(tree, "other"))
	q, lg := newTestQueue(t, Options{})
	ep := localEP(nil)
	out := filepath.Join(dir, "out")
	id, _ := q.Add(Spec{Src: ep, SrcPath: slash(tree), Dst: ep, DstPath: slash(out), Dir: true})
	waitDone(t, q)
	ji := jobState(t, q, id)
	q.Close()
	if !lg.eventually("symlink loop") {
		t.Errorf("no loop refused; log %q", lg.all())
	}
	for _, p := range []string{"sub/f", "other/g", "self/f"} {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("%s not copied: %v (job %s, err %v)", p, err, ji.State, ji.Err)
		}
	}
}

func TestSegmentedDownload(t *testing.T) {
	dir := t.TempDir()
	var o opens
	src := namedEP("sftp://seg", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.open = func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
			o.add(off)
			return c.Open(ctx, p, off)
		}
		return h
	})
	s := filepath.Join(dir, "big")
	writeFile(t, s, randBytes(rand.New(rand.NewPCG(2, 2)), 1_000_003))
	q, _ := newTestQueue(t, Options{})
	q.e.minSegment = 64 << 10
	id, _ := q.Add(Spec{Src: src, SrcPath: slash(s), Dst: localEP(nil), DstPath: slash(filepath.Join(dir, "out")), Options: JobOptions{Segments: 4}})
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateDone || ji.Bytes != 1_000_003 {
		t.Fatalf("state %s bytes %d err %v", ji.State, ji.Bytes, ji.Err)
	}
	sameContent(t, s, filepath.Join(dir, "out"))
	if got := o.list(); len(got) != 4 {
		t.Errorf("source opened %d times (%v), want 4 segments", len(got), got)
	}
	noParts(t, dir)
}
