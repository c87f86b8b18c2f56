package cli

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
)

// lockedBuffer is a bytes.Buffer a running command writes while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// watching is a `ferry watch` running in the background.
type watching struct {
	t        *testing.T
	out, err *lockedBuffer
	cancel   context.CancelFunc
	code     chan int
}

func startWatch(t *testing.T, vars map[string]string, args ...string) *watching {
	t.Helper()
	w := &watching{t: t, out: &lockedBuffer{}, err: &lockedBuffer{}, code: make(chan int, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	e := &env{Stdio: Stdio{In: strings.NewReader(""), Out: w.out, Err: w.err},
		getenv: func(k string) string { return vars[k] }, version: "test"}
	go func() { w.code <- runWatch(ctx, e, append([]string{"--debounce", "100ms"}, args...)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-w.code:
		case <-time.After(15 * time.Second):
			t.Error("watch did not stop after Ctrl-C")
		}
	})
	return w
}

// stop interrupts the watch and returns its exit status.
func (w *watching) stop() int {
	w.cancel()
	select {
	case c := <-w.code:
		w.code <- c
		return c
	case <-time.After(15 * time.Second):
		w.t.Fatal("watch did not stop after Ctrl-C")
		return -1
	}
}

// until polls cond for up to 15 s.
func (w *watching) until(what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		select {
		case c := <-w.code:
			w.code <- c
			w.t.Fatalf("watch ended (exit %d) waiting for %s\nstdout:\n%s\nstderr:\n%s", c, what, w.out, w.err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out waiting for %s\nstdout:\n%s\nstderr:\n%s", what, w.out, w.err)
		}
	}
}

func fileIs(p, content string) func() bool {
	return func() bool {
		b, err := os.ReadFile(p)
		return err == nil && string(b) == content
	}
}

func fileGone(p string) func() bool {
	return func() bool {
		_, err := os.Lstat(p)
		return errors.Is(err, os.ErrNotExist)
	}
}

// exerciseWatch runs the common script: a first catch-up, a new file, a
// rename, a removal, an excluded file, over the address remote whose files
// land in dir on disk.
func exerciseWatch(t *testing.T, env map[string]string, flags []string, remote, dir string) {
	local := t.TempDir()
	mustWrite(t, filepath.Join(local, "a.txt"), []byte("a"))
	mustWrite(t, filepath.Join(local, "sub", "gone.txt"), []byte("g"))
	args := append(append([]string{}, flags...), "--delete", "--exclude", "*.log", local, remote)
	w := startWatch(t, env, args...)
	w.until("the first mirror", fileIs(filepath.Join(dir, "a.txt"), "a"))
	w.until("the watch to start", func() bool { return strings.Contains(w.out.String(), "watching ") })

	mustWrite(t, filepath.Join(local, "new", "b.txt"), []byte("b"))
	mustWrite(t, filepath.Join(local, "debug.log"), []byte("x"))
	w.until("a new file in a new directory", fileIs(filepath.Join(dir, "new", "b.txt"), "b"))
	if err := os.Rename(filepath.Join(local, "a.txt"), filepath.Join(local, "c.txt")); err != nil {
		t.Fatal(err)
	}
	w.until("the rename", func() bool {
		return fileIs(filepath.Join(dir, "c.txt"), "a")() && fileGone(filepath.Join(dir, "a.txt"))() &&
			strings.Contains(w.out.String(), "rename a.txt -> c.txt")
	})
	os.Remove(filepath.Join(local, "sub", "gone.txt"))
	w.until("the removal", func() bool {
		return fileGone(filepath.Join(dir, "sub", "gone.txt"))() && strings.Contains(w.out.String(), "delete sub/gone.txt")
	})
	if code := w.stop(); code != 0 {
		t.Errorf("exit %d after Ctrl-C, want 0\nstderr:\n%s", code, w.err)
	}
	out := w.out.String()
	for _, want := range []string{"rename a.txt -> c.txt", "delete sub/gone.txt", "b.txt"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "debug.log")); err == nil {
		t.Error("the excluded debug.log was uploaded")
	}
}

func TestWatch_SFTPAndFTP(t *testing.T) {
	t.Run("sftp", func(t *testing.T) {
		root := t.TempDir()
		addr, kh := startSFTP(t, root)
		_, port, _ := net.SplitHostPort(addr)
		exerciseWatch(t, stateEnv(t), []string{"--known-hosts", kh, "--ssh-config", "none", "--timeout", "10s"},
			"sftp://u@127.0.0.1:"+port+"/www", filepath.Join(root, "www"))
	})
	t.Run("ftp", func(t *testing.T) {
		root := t.TempDir()
		addr := startFTP(t, root)
		exerciseWatch(t, stateEnv(t), []string{"--timeout", "10s"}, "ftp://u@"+addr+"/www", filepath.Join(root, "www"))
	})
}

// TestWatch_RealServers runs the same script against OpenSSH's sshd and
// vsftpd when the CI set them up.
func TestWatch_RealServers(t *testing.T) {
	unique := "watch-" + time.Now().Format("150405.000000")
	if a := os.Getenv("FERRY_TEST_SSHD"); a != "" {
		t.Run("openssh", func(t *testing.T) {
			dir := filepath.Join(os.Getenv("FERRY_TEST_SSHD_DIR"), unique)
			exerciseWatch(t, stateEnv(t), []string{"-i", os.Getenv("FERRY_TEST_SSHD_KEY"), "--known-hosts",
				os.Getenv("FERRY_TEST_SSHD_KNOWN_HOSTS"), "--trust", "strict", "--ssh-config", "none"},
				"sftp://"+os.Getenv("FERRY_TEST_SSHD_USER")+"@"+a+dir, dir)
		})
	} else if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
		t.Fatal("FERRY_TEST_SSHD is unset but FERRY_REQUIRE_REAL_SERVERS=1")
	}
	if a := os.Getenv("FERRY_TEST_VSFTPD"); a != "" {
		t.Run("vsftpd", func(t *testing.T) {
			dir := filepath.Join(os.Getenv("FERRY_TEST_FTP_DIR"), unique)
			env := stateEnv(t)
			env["FERRY_PASSWORD"] = os.Getenv("FERRY_TEST_FTP_PASSWORD")
			// An FTP path is relative to the login directory unless it
			// starts with a second slash.
			exerciseWatch(t, env, nil, "ftp://"+os.Getenv("FERRY_TEST_FTP_USER")+"@"+a+"/"+dir, dir)
		})
	} else if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
		t.Fatal("FERRY_TEST_VSFTPD is unset but FERRY_REQUIRE_REAL_SERVERS=1")
	}
}

// cutter is a loopback proxy whose connections the test cuts at will;
// while it is down, new connections are closed at once.
type cutter struct {
	ln     net.Listener
	target string
	down   atomic.Bool
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

func startCutter(t *testing.T, target string) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); c.cut() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			if c.down.Load() {
				in.Close()
				continue
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			c.mu.Lock()
			c.conns[in], c.conns[out] = true, true
			c.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return c
}

func (c *cutter) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for conn := range c.conns {
		conn.Close()
	}
	c.conns = map[net.Conn]bool{}
}

func TestWatch_ConnectionCutAndCatchUp(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	addr, kh := startSFTP(t, root)
	px := startCutter(t, addr)
	_, port, _ := net.SplitHostPort(px.ln.Addr().String())
	// The known_hosts names the server's port; the proxy's differs.
	b, err := os.ReadFile(kh)
	if err != nil {
		t.Fatal(err)
	}
	_, sport, _ := net.SplitHostPort(addr)
	kh = filepath.Join(t.TempDir(), "known_hosts")
	mustWrite(t, kh, bytes.Replace(b, []byte("]:"+sport), []byte("]:"+port), 1))
	mustWrite(t, filepath.Join(local, "before.txt"), []byte("1"))
	w := startWatch(t, stateEnv(t), "--known-hosts", kh, "--ssh-config", "none", "--timeout", "5s", "--delete",
		local, "sftp://u@127.0.0.1:"+port+"/www")
	dir := filepath.Join(root, "www")
	w.until("the first mirror", fileIs(filepath.Join(dir, "before.txt"), "1"))
	w.until("the watch to start", func() bool { return strings.Contains(w.out.String(), "watching ") })

	px.down.Store(true)
	px.cut()
	mustWrite(t, filepath.Join(local, "during.txt"), []byte("2"))
	mustWrite(t, filepath.Join(local, "before.txt"), []byte("changed"))
	w.until("the cut noticed", func() bool { return strings.Contains(w.err.String(), "connection lost") })
	px.down.Store(false)
	w.until("the catch-up", func() bool {
		return fileIs(filepath.Join(dir, "during.txt"), "2")() && fileIs(filepath.Join(dir, "before.txt"), "changed")()
	})
	mustWrite(t, filepath.Join(local, "after.txt"), []byte("3"))
	w.until("a change after the catch-up", fileIs(filepath.Join(dir, "after.txt"), "3"))
}

func TestWatch_DryRun(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	addr := startFTP(t, root)
	mustWrite(t, filepath.Join(local, "a.txt"), []byte("a"))
	w := startWatch(t, stateEnv(t), "--dry-run", local, "ftp://u@"+addr+"/www")
	w.until("the plan", func() bool { return strings.Contains(w.out.String(), "would upload a.txt") })
	w.until("the watch to start", func() bool { return strings.Contains(w.out.String(), "watching ") })
	mustWrite(t, filepath.Join(local, "b.txt"), []byte("b"))
	w.until("the would-be upload", func() bool { return strings.Contains(w.out.String(), "would upload b.txt") })
	w.stop()
	if ents, _ := os.ReadDir(root); len(ents) != 0 {
		t.Errorf("a dry run changed the server: %v", ents)
	}
}
