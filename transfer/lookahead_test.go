package transfer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// TestWalkListsAhead: with slow listings, the walk lists several
// directories at once, never more than walkAhead beyond the one it
// expands, and the tree still arrives whole.
func TestWalkListsAhead(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "tree")
	for i := range 12 {
		for j := range 3 {
			writeFile(t, filepath.Join(src, fmt.Sprintf("d%02d", i), fmt.Sprintf("s%d", j), "f.dat"), []byte(fmt.Sprint(i, j)))
		}
	}
	var now, peak atomic.Int64
	var mu sync.Mutex
	listed := map[string]int{}
	slow := func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.list = func(ctx context.Context, d string) ([]protocol.Entry, error) {
			n := now.Add(1)
			defer now.Add(-1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			mu.Lock()
			listed[d]++
			mu.Unlock()
			select {
			case <-time.After(20 * time.Millisecond):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return c.List(ctx, d)
		}
		return h
	}
	q, _ := newTestQueue(t, Options{Workers: 2})
	dst := filepath.Join(dir, "copy")
	if _, err := q.Add(Spec{Src: localEP(slow), SrcPath: slash(src), Dst: namedEP("other", nil), DstPath: slash(dst), Dir: true}); err != nil {
		t.Fatal(err)
	}
	waitDone(t, q)
	if p := peak.Load(); p < 2 || p > walkAhead+1 {
		t.Errorf("at most %d listings ran at once, want 2..%d", p, walkAhead+1)
	}
	if len(listed) != 1+12+36 {
		t.Errorf("%d directories listed, want %d", len(listed), 1+12+36)
	}
	for d, n := range listed {
		if n != 1 {
			t.Errorf("%s listed %d times", d, n)
		}
	}
	for i := range 12 {
		for j := range 3 {
			p := filepath.Join(dst, fmt.Sprintf("d%02d", i), fmt.Sprintf("s%d", j), "f.dat")
			if b, err := os.ReadFile(p); err != nil || string(b) != fmt.Sprint(i, j) {
				t.Errorf("%s: %q, %v", p, b, err)
			}
		}
	}
}

// TestWalkAheadStopsWithTheJob: cancelling a directory job while listings
// run ahead ends them; nothing waits for a listing that is never taken.
func TestWalkAheadStopsWithTheJob(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "tree")
	for i := range 8 {
		writeFile(t, filepath.Join(src, fmt.Sprintf("d%d", i), "f"), []byte("x"))
	}
	started := make(chan struct{}, 16)
	block := func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.list = func(ctx context.Context, d string) ([]protocol.Entry, error) {
			if d == slash(src) {
				return c.List(ctx, d)
			}
			started <- struct{}{}
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return h
	}
	q, _ := newTestQueue(t, Options{Workers: 2})
	id, err := q.Add(Spec{Src: localEP(block), SrcPath: slash(src), Dst: namedEP("other", nil), DstPath: slash(filepath.Join(dir, "copy")), Dir: true})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Fatal("listings did not start")
		}
	}
	if err := q.Cancel(id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the job to stop", func() bool {
		s := jobState(t, q, id).State
		return s == StateCanceled || s == StateFailed
	})
}
