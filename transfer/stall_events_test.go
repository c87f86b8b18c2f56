package transfer

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// trickle reads n chunks of 8 KiB a few milliseconds apart, then blocks
// until its context ends: a transfer that moves, then stalls.
type trickle struct {
	ctx context.Context
	n   int
}

func (r *trickle) Read(p []byte) (int, error) {
	if r.n == 0 {
		<-r.ctx.Done()
		return 0, r.ctx.Err()
	}
	r.n--
	time.Sleep(3 * time.Millisecond)
	return copy(p, make([]byte, min(len(p), 8<<10))), nil
}

func (r *trickle) Close() error { return nil }

// TestStalledJobReportsNoRate watches the events of a copy that stalls
// (long before the stall timeout): they must show its rate falling to
// zero, not the last rate it had for as long as the stall lasts.
func TestStalledJobReportsNoRate(t *testing.T) {
	dir := t.TempDir()
	src := namedEP("sftp://stall", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.open = func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
			return &trickle{ctx: ctx, n: 40}, nil
		}
		return h
	})
	writeFile(t, filepath.Join(dir, "src"), make([]byte, 1<<20))
	q, _ := newTestQueue(t, Options{StallTimeout: time.Minute})
	events := q.Events()
	id, _ := q.Add(Spec{Src: src, SrcPath: slash(filepath.Join(dir, "src")), Dst: localEP(nil), DstPath: slash(filepath.Join(dir, "dst"))})
	moving := false
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			for _, ji := range ev.Jobs {
				if ji.ID != id || ji.State != StateRunning {
					continue
				}
				if ji.Rate > 0 {
					moving = true
				} else if moving && ji.Bytes > 0 {
					if ev.Totals.Rate != 0 || ev.Totals.ETA != -1 {
						t.Errorf("totals rate %v ETA %v with the only job stalled", ev.Totals.Rate, ev.Totals.ETA)
					}
					q.Cancel(id)
					return
				}
			}
		case <-deadline:
			t.Fatalf("no event showed the stalled job's rate at zero (it moved: %v)", moving)
		}
	}
}
