package sftp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
)

func passwordClient(t *testing.T, opts sftpd.Options) (*Client, string) {
	t.Helper()
	if opts.Root == "" {
		opts.Root = t.TempDir()
	}
	opts.Users = []sftpd.User{{Name: "alice", Password: "pw"}}
	srv := startServer(t, opts)
	cfg := baseConfig(t, srv)
	cfg.Password = "pw"
	return dial(t, siteOf(t, srv.Addr(), "alice"), cfg), opts.Root
}

func TestClientExtras(t *testing.T) {
	ctx := context.Background()
	c, root := passwordClient(t, sftpd.Options{})
	os.WriteFile(filepath.Join(root, "f.txt"), []byte("0123456789"), 0o644)

	t.Run("security names host key and cipher", func(t *testing.T) {
		if got := c.Security(); !strings.HasPrefix(got, "SFTP · ssh-ed25519 · ") || !c.Encrypted() {
			t.Errorf("Security() = %q", got)
		}
	})

	t.Run("chtimes and chmod show in stat", func(t *testing.T) {
		mt := time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)
		if err := c.Chtimes(ctx, "f.txt", mt); err != nil {
			t.Fatal(err)
		}
		if err := c.Chmod(ctx, "f.txt", 0o600); err != nil {
			t.Fatal(err)
		}
		e, err := c.Stat(ctx, "f.txt")
		if err != nil {
			t.Fatal(err)
		}
		if !e.ModTime.Equal(mt) || e.Mode.Perm() != 0o600 || e.Size != 10 || e.Name != "f.txt" {
			t.Errorf("stat = %+v, want mtime %v, mode 0600, size 10", e, mt)
		}
	})

	t.Run("symlink lists with its target", func(t *testing.T) {
		if err := c.Symlink(ctx, "f.txt", "/link"); err != nil {
			t.Fatal(err)
		}
		ents, err := c.List(ctx, "/")
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, e := range ents {
			if e.Name == "link" {
				found = true
				if !e.IsLink() || e.Target != "f.txt" {
					t.Errorf("link entry %+v, want a link to f.txt", e)
				}
			}
		}
		if !found {
			t.Errorf("link missing from %+v", ents)
		}
	})

	t.Run("open range reads exactly the range", func(t *testing.T) {
		for _, tc := range []struct {
			off, n int64
			want   string
		}{{2, 3, "234"}, {7, 100, "789"}, {0, 0, ""}, {0, 10, "0123456789"}} {
			r, err := c.OpenRange(ctx, "f.txt", tc.off, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			_, err = io.Copy(&buf, r)
			if cerr := r.Close(); err == nil {
				err = cerr
			}
			if err != nil || buf.String() != tc.want {
				t.Errorf("range %d+%d = %q, %v; want %q", tc.off, tc.n, buf.String(), err, tc.want)
			}
		}
	})

	t.Run("non-empty directory is ErrNotEmpty", func(t *testing.T) {
		os.MkdirAll(filepath.Join(root, "full", "x"), 0o755)
		if err := c.RemoveDir(ctx, "full"); !errors.Is(err, protocol.ErrNotEmpty) {
			t.Errorf("got %v, want ErrNotEmpty", err)
		}
	})

	t.Run("resume beyond the end is refused", func(t *testing.T) {
		if _, err := c.Create(ctx, "f.txt", 100); err == nil {
			t.Error("create at 100 of a 10-byte file succeeded")
		}
	})

	t.Run("resume cuts a longer file", func(t *testing.T) {
		w, err := c.Create(ctx, "f.txt", 4)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("ab"))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(root, "f.txt"))
		if string(b) != "0123ab" {
			t.Errorf("file %q, want 0123ab", b)
		}
	})

	t.Run("open of a directory fails", func(t *testing.T) {
		if r, err := c.Open(ctx, "full", 0); err == nil {
			r.Close()
			t.Error("open of a directory succeeded")
		}
	})

	t.Run("nothing outside the root is reachable", func(t *testing.T) {
		os.Symlink("/etc", filepath.Join(root, "escape"))
		for _, p := range []string{"/../../etc/passwd", "/escape/passwd"} {
			if r, err := c.Open(ctx, p, 0); err == nil {
				r.Close()
				t.Errorf("open %s succeeded", p)
			}
		}
	})
}

func TestReadOnlyServer(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "f"), []byte("x"), 0o644)
	c, _ := passwordClient(t, sftpd.Options{Root: root, ReadOnly: true})
	for name, err := range map[string]error{
		"remove": c.Remove(ctx, "f"),
		"rename": c.Rename(ctx, "f", "g"),
		"mkdir":  c.Mkdir(ctx, "d"),
		"chmod":  c.Chmod(ctx, "f", 0o600),
	} {
		if !errors.Is(err, protocol.ErrPermission) {
			t.Errorf("%s: got %v, want ErrPermission", name, err)
		}
	}
	if _, err := c.Stat(ctx, "f"); err != nil {
		t.Errorf("stat on a read-only server: %v", err)
	}
}

func TestServerGoneIsTransient(t *testing.T) {
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "alice", Password: "pw"}}})
	cfg := baseConfig(t, srv)
	cfg.Password = "pw"
	c := dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
	srv.Close()
	_, err := c.Stat(context.Background(), "/")
	if !errors.Is(err, protocol.ErrTransient) {
		t.Errorf("got %v, want ErrTransient", err)
	}
}

// freezer forwards TCP to a server until frozen, then holds the
// connections open and silent, like a link that died without a reset.
type freezer struct {
	ln     net.Listener
	frozen atomic.Bool
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

func newFreezer(t *testing.T, target string) *freezer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			a, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", target)
			if err != nil {
				a.Close()
				continue
			}
			f.mu.Lock()
			f.conns = append(f.conns, a, b)
			f.mu.Unlock()
			f.wg.Add(2)
			go f.pipe(a, b)
			go f.pipe(b, a)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		f.mu.Lock()
		for _, c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
		f.wg.Wait()
	})
	return f
}

func (f *freezer) pipe(dst, src net.Conn) {
	defer f.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		if f.frozen.Load() {
			continue // swallow
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

func TestKeepAliveDropsDeadLink(t *testing.T) {
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "alice", Password: "pw"}}})
	fz := newFreezer(t, srv.Addr())
	cfg := baseConfig(t)
	cfg.Password = "pw"
	os.WriteFile(cfg.KnownHostsFile, []byte(knownHostsLine(fz.ln.Addr().String(), srv.HostKey())), 0o600)
	cfg.KeepAlive = 200 * time.Millisecond
	c := dial(t, siteOf(t, fz.ln.Addr().String(), "alice"), cfg)
	time.Sleep(500 * time.Millisecond) // a few keepalives pass on a live link
	if _, err := c.Stat(context.Background(), "/"); err != nil {
		t.Fatalf("stat on a live link: %v", err)
	}
	fz.frozen.Store(true)
	start := time.Now()
	_, err := c.Stat(context.Background(), "/")
	if !errors.Is(err, protocol.ErrTransient) {
		t.Errorf("got %v, want ErrTransient", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("dead link noticed after %v", d)
	}
}

func TestCancelOnStalledServer(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "big"), bytes.Repeat([]byte("x"), 32<<20), 0o644)
	srv := startServer(t, sftpd.Options{Root: root, Users: []sftpd.User{{Name: "alice", Password: "pw"}}})
	fz := newFreezer(t, srv.Addr())
	cfg := baseConfig(t)
	cfg.Password = "pw"
	os.WriteFile(cfg.KnownHostsFile, []byte(knownHostsLine(fz.ln.Addr().String(), srv.HostKey())), 0o600)
	cfg.KeepAlive = time.Hour // only cancellation may end this
	c := dial(t, siteOf(t, fz.ln.Addr().String(), "alice"), cfg)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := c.Open(ctx, "/big", 0)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatal(err)
	}
	fz.frozen.Store(true)
	cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		for {
			if _, err := r.Read(buf); err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case err := <-done:
		if errors.Is(err, io.EOF) {
			t.Errorf("read the whole file through a frozen link")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read did not return within 5s of cancel on a stalled server")
	}
	closed, sessionClosed := make(chan struct{}), make(chan struct{})
	go func() { r.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("close hung on a stalled server")
	}
	// Closing the session must not wait on the frozen link either.
	go func() { c.Close(); close(sessionClosed) }()
	select {
	case <-sessionClosed:
	case <-time.After(5 * time.Second):
		t.Fatal("closing the session hung on a stalled server")
	}
	t.Logf("stopped after %v", time.Since(start))
}
