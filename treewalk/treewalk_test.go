package treewalk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
)

// makeTree writes dirs×files files, two levels deep, and a link loop.
func makeTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for i := range 6 {
		for j := range 4 {
			d := filepath.Join(root, fmt.Sprintf("d%d", i), fmt.Sprintf("e%d", j))
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			for k := range 5 {
				os.WriteFile(filepath.Join(d, fmt.Sprintf("f%d.txt", k)), make([]byte, i*100+j*10+k), 0o644)
			}
		}
	}
	if err := os.Symlink(root, filepath.Join(root, "d0", "loop")); err != nil {
		t.Fatal(err)
	}
	return root
}

// diskUsage is what filepath.WalkDir finds below root, links not followed.
func diskUsage(t *testing.T, root string) (Usage, []string) {
	t.Helper()
	var u Usage
	var paths []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if p == root {
			return nil
		}
		paths = append(paths, filepath.ToSlash(p))
		info, _ := d.Info()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			u.Links++
		case d.IsDir():
			u.Dirs++
		default:
			u.Files++
			u.Bytes += info.Size()
		}
		return nil
	})
	sort.Strings(paths)
	return u, paths
}

// slowClient is a Client that runs one command at a time, as an FTP
// connection does, and counts how many listings run at once across all
// of its kind.
type slowClient struct {
	*local.Client
	mu       sync.Mutex
	inFlight *atomic.Int32
	maxSeen  *atomic.Int32
	closed   *atomic.Int32
}

func (c *slowClient) List(ctx context.Context, dir string) ([]protocol.Entry, error) {
	if !c.mu.TryLock() {
		panic("two listings at once on one session")
	}
	defer c.mu.Unlock()
	n := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for {
		m := c.maxSeen.Load()
		if n <= m || c.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond)
	return c.Client.List(ctx, dir)
}

func (c *slowClient) Close() error { c.closed.Add(1); return nil }

func TestWalkFindsWhatWalkDirFinds(t *testing.T) {
	root := makeTree(t)
	want, wantPaths := diskUsage(t, root)
	var inFlight, maxSeen, closed, dialed atomic.Int32
	newClient := func() *slowClient {
		return &slowClient{Client: local.New(), inFlight: &inFlight, maxSeen: &maxSeen, closed: &closed}
	}
	opts := Options{Workers: 4, Dial: func(ctx context.Context) (protocol.Client, error) {
		dialed.Add(1)
		return newClient(), nil
	}}
	var paths []string
	err := Walk(context.Background(), newClient(), filepath.ToSlash(root), opts, func(it Item) error {
		if it.Err != nil {
			t.Errorf("%s: %v", it.Path, it.Err)
		}
		paths = append(paths, it.Path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	if fmt.Sprint(paths) != fmt.Sprint(wantPaths) {
		t.Fatalf("got %d paths, want %d:\n%v\n%v", len(paths), len(wantPaths), paths, wantPaths)
	}
	if maxSeen.Load() < 2 {
		t.Errorf("at most %d listings in flight, want several", maxSeen.Load())
	}
	if maxSeen.Load() > 4 {
		t.Errorf("%d listings in flight, want at most 4", maxSeen.Load())
	}
	if closed.Load() != dialed.Load() {
		t.Errorf("dialed %d sessions, closed %d", dialed.Load(), closed.Load())
	}

	u, err := Measure(context.Background(), local.New(), filepath.ToSlash(root), Options{}, nil)
	if err != nil || u != want {
		t.Fatalf("Measure: got %+v, %v; want %+v", u, err, want)
	}
}

func TestWalkReportsAnUnlistableRoot(t *testing.T) {
	var got []Item
	err := Walk(context.Background(), local.New(), filepath.ToSlash(filepath.Join(t.TempDir(), "missing")), Options{}, func(it Item) error {
		got = append(got, it)
		return nil
	})
	if err != nil || len(got) != 1 || !errors.Is(got[0].Err, protocol.ErrNotExist) {
		t.Fatalf("got %+v, %v; want one ErrNotExist item", got, err)
	}
}

func TestWalkStops(t *testing.T) {
	root := filepath.ToSlash(makeTree(t))
	t.Run("ErrStop ends the walk without an error", func(t *testing.T) {
		n := 0
		err := Walk(context.Background(), local.New(), root, Options{}, func(Item) error {
			n++
			return ErrStop
		})
		if err != nil || n != 1 {
			t.Fatalf("got %d calls, %v; want 1, nil", n, err)
		}
	})
	t.Run("another error is returned", func(t *testing.T) {
		boom := errors.New("boom")
		if err := Walk(context.Background(), local.New(), root, Options{}, func(Item) error { return boom }); err != boom {
			t.Fatalf("got %v, want boom", err)
		}
	})
	t.Run("a canceled context ends the walk", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		err := Walk(ctx, local.New(), root, Options{}, func(Item) error {
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
}

// TestWalkDoesNotWaitForAHangingDial walks a tree while every extra
// session's login hangs, as a server that accepts a connection and never
// answers does: the walk ends when its one session has listed everything,
// not when the dial times out.
func TestWalkDoesNotWaitForAHangingDial(t *testing.T) {
	root := makeTree(t)
	var inFlight, maxSeen, closed atomic.Int32
	dialing := make(chan struct{}, 16)
	opts := Options{Workers: 4, Dial: func(ctx context.Context) (protocol.Client, error) {
		dialing <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	done := make(chan error, 1)
	n := 0
	go func() {
		done <- Walk(context.Background(), &slowClient{Client: local.New(), inFlight: &inFlight, maxSeen: &maxSeen, closed: &closed},
			filepath.ToSlash(root), opts, func(it Item) error {
				if it.Err != nil {
					t.Errorf("%s: %v", it.Path, it.Err)
				}
				n++
				return nil
			})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the walk waits for a dial that never ends")
	}
	if len(dialing) == 0 {
		t.Fatal("no session was dialed: the test proves nothing")
	}
	if _, want := diskUsage(t, root); n != len(want) {
		t.Fatalf("got %d items, want %d", n, len(want))
	}
}

// stalledClient is a dialed session whose server stopped answering: every
// listing fails with ErrTransient after a while.
type stalledClient struct {
	*local.Client
	closed *atomic.Int32
}

func (c *stalledClient) List(ctx context.Context, dir string) ([]protocol.Entry, error) {
	time.Sleep(5 * time.Millisecond)
	return nil, protocol.NewError("list", dir, protocol.ErrTransient, "", errors.New("server did not answer in time"))
}

func (c *stalledClient) Close() error { c.closed.Add(1); return nil }

// TestWalkGivesUpAStalledSession walks with extra sessions that fail
// every listing with ErrTransient, as a session pyftpdlib stopped serving
// does: their directories go back to the first session, the walk reports
// no error and finds everything, and no more sessions are dialed after
// the first one failed.
func TestWalkGivesUpAStalledSession(t *testing.T) {
	root := makeTree(t)
	_, wantPaths := diskUsage(t, root)
	var inFlight, maxSeen, closed, dialed atomic.Int32
	opts := Options{Workers: 4, Dial: func(ctx context.Context) (protocol.Client, error) {
		dialed.Add(1)
		return &stalledClient{Client: local.New(), closed: &closed}, nil
	}}
	var paths []string
	err := Walk(context.Background(), &slowClient{Client: local.New(), inFlight: &inFlight, maxSeen: &maxSeen, closed: &closed},
		filepath.ToSlash(root), opts, func(it Item) error {
			if it.Err != nil {
				t.Errorf("%s: %v", it.Path, it.Err)
			}
			paths = append(paths, it.Path)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	if fmt.Sprint(paths) != fmt.Sprint(wantPaths) {
		t.Fatalf("got %d paths, want %d", len(paths), len(wantPaths))
	}
	if d := dialed.Load(); d == 0 || d > 3 {
		t.Errorf("dialed %d sessions, want 1 to 3 (those asked for before the first failed)", d)
	}
	if closed.Load() != dialed.Load() {
		t.Errorf("dialed %d sessions, closed %d", dialed.Load(), closed.Load())
	}
}
