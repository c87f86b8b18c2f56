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
)

func TestCopyFileKeepsContentAndTime(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.bin"), filepath.Join(dir, "out", "dst.bin")
	os.MkdirAll(filepath.Dir(dst), 0o755)
	writeFile(t, src, randBytes(rand.New(rand.NewPCG(1, 2)), 300_000))
	mt := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	os.Chtimes(src, mt, mt)

	q, _ := newTestQueue(t, Options{StateDir: filepath.Join(dir, "state")})
	ep := localEP(nil)
	id, err := q.Add(Spec{Src: ep, SrcPath: slash(src), Dst: ep, DstPath: slash(dst)})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, q)
	ji := jobState(t, q, id)
	if ji.State != StateDone || ji.Bytes != 300_000 {
		t.Fatalf("got state %s bytes %d err %v, want done 300000", ji.State, ji.Bytes, ji.Err)
	}
	sameContent(t, src, dst)
	fi, _ := os.Stat(dst)
	if !fi.ModTime().Equal(mt) {
		t.Errorf("mtime %v, want %v", fi.ModTime(), mt)
	}
	noParts(t, dir)
	// The log reaches the file on the next event tick.
	waitFor(t, "the transfer log line", func() bool {
		logData, _ := os.ReadFile(filepath.Join(dir, "state", "transfer.log"))
		return len(logData) > 0
	})
}

func TestCopyTreeWithEvents(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(3, 4))
	src := filepath.Join(dir, "tree")
	n := 0
	for _, d := range []string{"", "a", "a/b", "c", "a/b/deep"} {
		for i := range 7 {
			writeFile(t, filepath.Join(src, d, "f"+string(rune('0'+i))+".dat"), randBytes(r, r.IntN(20000)))
			n++
		}
	}
	os.MkdirAll(filepath.Join(src, "empty"), 0o755)
	dst := filepath.Join(dir, "copy")

	q, _ := newTestQueue(t, Options{Workers: 3})
	evs := q.Events()
	ep := localEP(nil)
	id, err := q.Add(Spec{Src: ep, SrcPath: slash(src), Dst: namedEP("other", nil), DstPath: slash(dst), Dir: true})
	if err != nil {
		t.Fatal(err)
	}
	seenFinal := false
	timeout := time.After(20 * time.Second)
	for !seenFinal {
		select {
		case ev := <-evs:
			for _, ji := range ev.Jobs {
				if ji.ID == id && ji.State == StateDone {
					seenFinal = true
					if ji.Files != n || ji.FilesDone != n {
						t.Errorf("files %d done %d, want %d", ji.Files, ji.FilesDone, n)
					}
				}
			}
		case <-timeout:
			t.Fatalf("no final event; jobs %+v", q.Jobs())
		}
	}
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if fi, err := os.Stat(filepath.Join(dst, rel)); err != nil || !fi.IsDir() {
				t.Errorf("directory %s not copied", rel)
			}
			return nil
		}
		sameContent(t, p, filepath.Join(dst, rel))
		return nil
	})
	noParts(t, dir)
}

// TestTimeKeptWhenTheConnectionDropsAtTheEnd: the connection is lost while
// the finished file's time is set. The attempt fails, the retry finds the
// part complete, sets the time and renames it: content and time both
// arrive, and the data is not sent twice.
func TestTimeKeptWhenTheConnectionDropsAtTheEnd(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.bin"), filepath.Join(dir, "dst.bin")
	writeFile(t, src, randBytes(rand.New(rand.NewPCG(3, 4)), 200_000))
	mt := time.Date(2021, 5, 6, 7, 8, 9, 0, time.UTC)
	os.Chtimes(src, mt, mt)

	var calls, creates atomic.Int32
	dstEP := namedEP("sftp://flaky", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.create = func(ctx context.Context, p string, off int64) (io.WriteCloser, error) {
			creates.Add(1)
			return c.Create(ctx, p, off)
		}
		h.chtimes = func(ctx context.Context, p string, tm time.Time) error {
			if calls.Add(1) == 1 {
				return protocol.NewError("chtimes", p, protocol.ErrTransient, "", errors.New("connection lost"))
			}
			return c.(protocol.Chtimeser).Chtimes(ctx, p, tm)
		}
		return h
	})
	q, _ := newTestQueue(t, Options{Retries: 3, RetryDelay: time.Millisecond})
	id, err := q.Add(Spec{Src: localEP(nil), SrcPath: slash(src), Dst: dstEP, DstPath: slash(dst)})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateDone {
		t.Fatalf("state %s: %v", ji.State, ji.Err)
	}
	sameContent(t, src, dst)
	noParts(t, dir)
	if fi, _ := os.Stat(dst); !fi.ModTime().Equal(mt) {
		t.Errorf("mtime %v, want %v", fi.ModTime(), mt)
	}
	if calls.Load() != 2 {
		t.Errorf("time set %d times, want 2 (once failed, once on the retry)", calls.Load())
	}
	if creates.Load() != 1 {
		t.Errorf("the part was written %d times; the retry should find it complete", creates.Load())
	}
}
