package transfer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
)

// localEP is the local filesystem as an endpoint, optionally wrapped.
func localEP(wrap func(protocol.Client) protocol.Client) Endpoint {
	return Endpoint{ID: "local", Dial: func(ctx context.Context) (protocol.Client, error) {
		var c protocol.Client = local.New()
		if wrap != nil {
			c = wrap(c)
		}
		return c, nil
	}}
}

// namedEP is a local filesystem posing as another site, so a test can
// copy "between sites" with two pools.
func namedEP(id string, wrap func(protocol.Client) protocol.Client) Endpoint {
	ep := localEP(wrap)
	ep.ID = id
	return ep
}

type testLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *testLog) add(s string) { l.mu.Lock(); l.lines = append(l.lines, s); l.mu.Unlock() }
func (l *testLog) has(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.lines {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// all is a copy of the lines so far.
func (l *testLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// eventually reports whether a line holding one of subs arrives within
// a few seconds: Options.Log gets lines from its own goroutine, so they
// may come after the queue reports the job finished.
func (l *testLog) eventually(subs ...string) bool {
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, sub := range subs {
			if l.has(sub) {
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newTestQueue(t *testing.T, opts Options) (*Queue, *testLog) {
	t.Helper()
	lg := &testLog{}
	if opts.Log == nil {
		opts.Log = lg.add
	}
	if opts.RetryDelay == 0 {
		opts.RetryDelay = 10 * time.Millisecond
	}
	if opts.EventInterval == 0 {
		opts.EventInterval = 10 * time.Millisecond
	}
	q, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q, lg
}

func waitDone(t *testing.T, q *Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := q.Wait(ctx); err != nil {
		t.Fatalf("wait: %v; jobs: %+v", err, q.Jobs())
	}
}

// waitFor polls cond until it holds or the test times out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func jobState(t *testing.T, q *Queue, id JobID) JobInfo {
	t.Helper()
	ji, ok := q.Job(id)
	if !ok {
		t.Fatalf("job %d not found", id)
	}
	return ji
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sumFile(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

func sameContent(t *testing.T, a, b string) {
	t.Helper()
	da, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(da, db) {
		t.Fatalf("%s (%d bytes) differs from %s (%d bytes)", b, len(db), a, len(da))
	}
}

// noParts fails when any .ferry-part is left under dir.
func noParts(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && (strings.HasSuffix(p, partSuffix) || strings.HasSuffix(p, partSuffix+segsSuffix)) {
			t.Errorf("part left behind: %s", p)
		}
		return nil
	})
}

// slash turns a local path into the slash path a Client takes.
func slash(p string) string { return filepath.ToSlash(p) }
