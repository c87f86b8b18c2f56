package transfer

import (
	"context"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

func TestGlobalRateLimitHolds(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(8, 8))
	const size, limit = 300 << 10, 1 << 20
	q, _ := newTestQueue(t, Options{Limit: limit})
	ep := localEP(nil)
	start := time.Now()
	for i := range 2 {
		s := filepath.Join(dir, "f"+strconv.Itoa(i))
		writeFile(t, s, randBytes(r, size))
		q.Add(Spec{Src: ep, SrcPath: slash(s), Dst: ep, DstPath: slash(s + ".out")})
	}
	waitDone(t, q)
	// 600 KiB at 1 MiB/s, less the initial burst, cannot beat 0.45 s.
	if took := time.Since(start); took < 450*time.Millisecond || took > 5*time.Second {
		t.Errorf("two 300 KiB files at 1 MiB/s took %s", took)
	}
}

func TestEventsAreThrottled(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(10, 10))
	tree := filepath.Join(dir, "tree")
	for i := range 300 {
		writeFile(t, filepath.Join(tree, strconv.Itoa(i%7), strconv.Itoa(i)), randBytes(r, 100))
	}
	q, _ := newTestQueue(t, Options{EventInterval: 50 * time.Millisecond})
	evs := q.Events()
	ep := localEP(nil)
	start := time.Now()
	id, _ := q.Add(Spec{Src: ep, SrcPath: slash(tree), Dst: ep, DstPath: slash(filepath.Join(dir, "out")), Dir: true})
	n, files := 0, 0
	for done := false; !done; {
		select {
		case ev := <-evs:
			n++
			for _, ji := range ev.Jobs {
				if ji.Parent == id && ji.State == StateDone {
					files++
				}
				if ji.ID == id && ji.State.Finished() {
					done = true
				}
			}
		case <-time.After(20 * time.Second):
			t.Fatal("no final event")
		}
	}
	took := time.Since(start)
	if max := int(took/(50*time.Millisecond)) + 2; n > max {
		t.Errorf("%d events in %s, want at most %d", n, took, max)
	}
	if files != 300 {
		t.Errorf("events reported %d finished files, want 300", files)
	}
}

// countingEP dials local clients and counts dials and closes.
type countingClient struct {
	protocol.Client
	closed *atomic.Int64
}

func (c countingClient) Close() error { c.closed.Add(1); return c.Client.Close() }

func TestPoolCapsAndClosesIdleConnections(t *testing.T) {
	dir := t.TempDir()
	var dials, closes, live, peak atomic.Int64
	ep := namedEP("ftp://capped", nil)
	inner := ep.Dial
	ep.MaxConns = 2
	ep.Dial = func(ctx context.Context) (protocol.Client, error) {
		dials.Add(1)
		c, err := inner(ctx)
		return countingClient{Client: &hookClient{Client: c}, closed: &closes}, err
	}
	// Count concurrent opens on the capped site.
	ep2 := ep
	ep2.Dial = func(ctx context.Context) (protocol.Client, error) {
		c, err := ep.Dial(ctx)
		h := c.(countingClient)
		hc := h.Client.(*hookClient)
		hc.open = func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
			n := live.Add(1)
			for {
				old := peak.Load()
				if n <= old || peak.CompareAndSwap(old, n) {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
			defer live.Add(-1)
			return hc.Client.Open(ctx, p, off)
		}
		return h, err
	}
	q, _ := newTestQueue(t, Options{Workers: 6, IdleTimeout: 100 * time.Millisecond})
	for i := range 12 {
		s := filepath.Join(dir, strconv.Itoa(i))
		writeFile(t, s, []byte("data"))
		q.Add(Spec{Src: ep2, SrcPath: slash(s), Dst: localEP(nil), DstPath: slash(s + ".out")})
	}
	waitDone(t, q)
	if p := peak.Load(); p > 2 {
		t.Errorf("%d connections of a site capped at 2 were busy at once", p)
	}
	if d := dials.Load(); d > 2 {
		t.Errorf("%d dials for a pool of 2: idle connections were not reused", d)
	}
	waitFor(t, "idle connections to close", func() bool { return closes.Load() == dials.Load() })
}
