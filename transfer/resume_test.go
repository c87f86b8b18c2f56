package transfer

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// offsetSource is a local source endpoint that records where it is opened.
func offsetSource(o *opens) Endpoint {
	return namedEP("sftp://src", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.open = func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
			o.add(off)
			return c.Open(ctx, p, off)
		}
		return h
	})
}

func TestPartResumesOnlyWhenSourceUnchanged(t *testing.T) {
	data := randBytes(rand.New(rand.NewPCG(12, 12)), 200_000)
	for _, tc := range []struct {
		name      string
		srcNewer  bool // the source was modified after the part was written
		wantStart int64
	}{
		{"an older source resumes from the part", false, 80_000},
		{"a source changed after the part starts over", true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
			writeFile(t, src, data)
			writeFile(t, dst+partSuffix, data[:80_000])
			srcTime := time.Now().Add(-time.Hour)
			if tc.srcNewer {
				srcTime = time.Now().Add(time.Hour)
			}
			os.Chtimes(src, srcTime, srcTime)
			var o opens
			q, _ := newTestQueue(t, Options{})
			id, _ := q.Add(Spec{Src: offsetSource(&o), SrcPath: slash(src), Dst: localEP(nil), DstPath: slash(dst)})
			waitDone(t, q)
			if ji := jobState(t, q, id); ji.State != StateDone {
				t.Fatalf("state %s: %v", ji.State, ji.Err)
			}
			sameContent(t, src, dst)
			if got := o.list(); len(got) != 1 || got[0] != tc.wantStart {
				t.Errorf("source opened at %v, want %d", got, tc.wantStart)
			}
		})
	}
}

func TestInPlaceWritesNoPart(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var created []string
	dst := namedEP("ftp://norename", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.create = func(ctx context.Context, p string, off int64) (io.WriteCloser, error) {
			mu.Lock()
			created = append(created, p)
			mu.Unlock()
			return c.Create(ctx, p, off)
		}
		return h
	})
	src := filepath.Join(dir, "src")
	writeFile(t, src, []byte("in place"))
	q, _ := newTestQueue(t, Options{})
	id, _ := q.Add(Spec{Src: localEP(nil), SrcPath: slash(src), Dst: dst, DstPath: slash(filepath.Join(dir, "dst")), Options: JobOptions{InPlace: true}})
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateDone {
		t.Fatalf("state %s: %v", ji.State, ji.Err)
	}
	sameContent(t, src, filepath.Join(dir, "dst"))
	if len(created) != 1 || strings.HasSuffix(created[0], partSuffix) {
		t.Errorf("created %q, want the target itself", created)
	}
}

// flipWriter corrupts the first byte it writes, as a bad link might.
type flipWriter struct {
	io.WriteCloser
	done bool
}

func (w *flipWriter) Write(p []byte) (int, error) {
	if !w.done && len(p) > 0 {
		w.done = true
		q := append([]byte(nil), p...)
		q[0] ^= 0xff
		return w.WriteCloser.Write(q)
	}
	return w.WriteCloser.Write(p)
}

func TestVerifyCatchesCorruption(t *testing.T) {
	dir := t.TempDir()
	corrupt := namedEP("sftp://corrupt", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.create = func(ctx context.Context, p string, off int64) (io.WriteCloser, error) {
			w, err := c.Create(ctx, p, off)
			if err != nil {
				return nil, err
			}
			return &flipWriter{WriteCloser: w}, nil
		}
		return h
	})
	src := filepath.Join(dir, "src")
	writeFile(t, src, []byte("precious bytes"))
	q, _ := newTestQueue(t, Options{Retries: 2})
	id, _ := q.Add(Spec{Src: localEP(nil), SrcPath: slash(src), Dst: corrupt, DstPath: slash(filepath.Join(dir, "dst")), Options: JobOptions{Verify: true}})
	waitDone(t, q)
	ji := jobState(t, q, id)
	if ji.State != StateFailed || !strings.Contains(ji.Err.Error(), "checksum differs") {
		t.Fatalf("state %s err %v, want failed on a checksum mismatch", ji.State, ji.Err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dst")); err == nil {
		t.Error("a corrupt copy was renamed over the target")
	}
}

// TestResumedJobRatesCountOnlyBytesMoved resumes a part holding nearly the
// whole file: the rates must come from the bytes moved, not jump by the
// part's prefix the moment the attempt takes it up.
func TestResumedJobRatesCountOnlyBytesMoved(t *testing.T) {
	const (
		prefix = 8 << 20
		rest   = 128 << 10
		limit  = 256 << 10 // bytes per second, so the rest takes half a second
		// A rate above this is the prefix counted: moving only the rest,
		// the first tick sees at most the limiter's burst of limit/10 in
		// 10 ms, about 11×limit.
		tooFast = 64 * limit
	)
	data := randBytes(rand.New(rand.NewPCG(31, 32)), prefix+rest)
	for _, tc := range []struct {
		name string
		dir  bool
	}{
		{"a file", false},
		{"a directory", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
			file, target := src, dst
			if tc.dir {
				file, target = filepath.Join(src, "big"), filepath.Join(dst, "big")
			}
			writeFile(t, file, data)
			writeFile(t, target+partSuffix, data[:prefix])
			old := time.Now().Add(-time.Hour)
			os.Chtimes(file, old, old)
			// A server's round trips before the resume: ticks see the job
			// running before its attempt takes up the part.
			slow := namedEP("sftp://slow", func(c protocol.Client) protocol.Client {
				h := &hookClient{Client: c}
				h.stat = func(ctx context.Context, p string) (protocol.Entry, error) {
					time.Sleep(50 * time.Millisecond)
					return c.Stat(ctx, p)
				}
				return h
			})
			q, _ := newTestQueue(t, Options{})
			events := q.Events()
			id, err := q.Add(Spec{Src: localEP(nil), SrcPath: slash(src), Dst: slow, DstPath: slash(dst), Dir: tc.dir, Options: JobOptions{Limit: limit}})
			if err != nil {
				t.Fatal(err)
			}
			var fastest float64
			for ji := jobState(t, q, id); !ji.State.Finished(); ji = jobState(t, q, id) {
				select {
				case ev := <-events:
					for _, j := range ev.Jobs {
						fastest = max(fastest, j.Rate)
					}
				case <-time.After(20 * time.Second):
					t.Fatalf("no event in 20s; job %+v", ji)
				}
			}
			ji := jobState(t, q, id)
			if ji.State != StateDone {
				t.Fatalf("state %s: %v", ji.State, ji.Err)
			}
			sameContent(t, file, target)
			if ji.Bytes != prefix+rest || ji.Moved != rest {
				t.Errorf("Bytes %d, Moved %d; want %d and %d (the part's prefix was there)", ji.Bytes, ji.Moved, prefix+rest, rest)
			}
			t.Logf("fastest rate %.0f B/s", fastest)
			if fastest > tooFast {
				t.Errorf("rate reached %.0f B/s moving %d bytes at %d B/s: the resumed prefix counted", fastest, rest, limit)
			}
			if avg := float64(ji.Moved) / ji.Active.Seconds(); avg > 2*limit {
				t.Errorf("average %.0f B/s (%d bytes in %v), over twice the limit of %d B/s", avg, ji.Moved, ji.Active, limit)
			}
		})
	}
}
