package transfer

import (
	"context"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// skewClock is the system clock moved on by whatever jump added, so a test
// can let an hour pass at once while nothing runs.
type skewClock struct{ skew atomic.Int64 }

func (c *skewClock) Now() time.Time                         { return time.Now().Add(time.Duration(c.skew.Load())) }
func (c *skewClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
func (c *skewClock) jump(d time.Duration)                   { c.skew.Add(int64(d)) }

// failOnceEP is the local filesystem where the first write of each file
// whose name holds sub fails, for good, after half the file: the job fails
// with its part kept, and a retry by hand resumes it.
func failOnceEP(sub string, size int64) Endpoint {
	var mu sync.Mutex
	failed := map[string]bool{}
	return namedEP("sftp://flaky", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.create = func(ctx context.Context, p string, off int64) (io.WriteCloser, error) {
			w, err := c.Create(ctx, p, off)
			if err != nil || !strings.Contains(p, sub) {
				return w, err
			}
			mu.Lock()
			defer mu.Unlock()
			if failed[p] {
				return w, nil
			}
			failed[p] = true
			return &failWriter{WriteCloser: w, limit: size / 2,
				err: protocol.NewError("write", p, protocol.ErrPermission, "552 quota exceeded", nil)}, nil
		}
		return h
	})
}

func TestRetriedJobCountsOnlyTimeSpentTransferring(t *testing.T) {
	const size = 256 << 10
	for _, tc := range []struct {
		name string
		dir  bool
	}{
		{"a file", false},
		{"a directory", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			r := rand.New(rand.NewPCG(21, 22))
			src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
			if tc.dir {
				for _, n := range []string{"a", "bad", "c"} {
					writeFile(t, filepath.Join(src, n), randBytes(r, size))
				}
			} else {
				src, dst = filepath.Join(dir, "bad.src"), filepath.Join(dir, "bad.dst")
				writeFile(t, src, randBytes(r, size))
			}
			clock := &skewClock{}
			state := filepath.Join(dir, "state")
			q, _ := newTestQueue(t, Options{Clock: clock, StateDir: state})
			id, err := q.Add(Spec{Src: localEP(nil), SrcPath: slash(src), Dst: failOnceEP("bad", size), DstPath: slash(dst), Dir: tc.dir})
			if err != nil {
				t.Fatal(err)
			}
			waitDone(t, q)
			if ji := jobState(t, q, id); ji.State != StateFailed {
				t.Fatalf("first run: state %s (%v), want failed", ji.State, ji.Err)
			}
			clock.jump(time.Hour) // the job sits failed until the user retries
			if err := q.Retry(id); err != nil {
				t.Fatal(err)
			}
			waitDone(t, q)
			ji := jobState(t, q, id)
			if ji.State != StateDone {
				t.Fatalf("after retry: state %s (%v), want done", ji.State, ji.Err)
			}
			if wall := ji.Finished.Sub(ji.Started); wall < time.Hour {
				t.Fatalf("Finished-Started is %v: the hour failed did not pass", wall)
			}
			if ji.Active <= 0 || ji.Active > time.Minute {
				t.Errorf("Active is %v, want the few milliseconds spent copying, not the hour failed", ji.Active)
			}

			// The saved queue keeps it for the next start.
			q.Close()
			q2, _ := newTestQueue(t, Options{StateDir: state})
			if got := jobState(t, q2, id).Active; got != ji.Active {
				t.Errorf("after a reload Active is %v, want %v", got, ji.Active)
			}
		})
	}
}
