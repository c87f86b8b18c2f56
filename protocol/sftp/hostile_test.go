package sftp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	pkgsftp "github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/transfer/faultproxy"
)

// TestKeepAliveSparesASlowLink downloads through a link far slower than
// the server sends: the keepalive's reply waits behind the data queued
// ahead of it for much longer than the keepalive allows, and the steady
// trickle of bytes must keep the connection up all the same.
func TestKeepAliveSparesASlowLink(t *testing.T) {
	root := t.TempDir()
	data := bytes.Repeat([]byte("slow link "), 100<<10) // 1,000 KiB
	os.WriteFile(filepath.Join(root, "f"), data, 0o644)
	srv := startServer(t, sftpd.Options{Root: root, Users: []sftpd.User{{Name: "alice", Password: "pw"}}})
	px, err := faultproxy.Start(faultproxy.Options{Target: srv.Addr(), Rate: 500_000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	cfg := baseConfig(t)
	cfg.Password = "pw"
	os.WriteFile(cfg.KnownHostsFile, []byte(knownHostsLine(px.Addr(), srv.HostKey())), 0o600)
	cfg.KeepAlive = 100 * time.Millisecond
	var lines logLines
	cfg.Log = lines.add
	c := dial(t, siteOf(t, px.Addr(), "alice"), cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := c.Open(ctx, "/f", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got bytes.Buffer
	if _, err := io.Copy(&got, r); err != nil {
		t.Fatalf("download over a slow link: %v (log %q)", err, &lines)
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("got %d bytes, want %d", got.Len(), len(data))
	}
}

// swallowAfter passes writes to ch until hang is set, and then as many
// more as spare holds, then drops them: an SFTP server that stops
// answering while its SSH side carries on.
type swallowAfter struct {
	ch    ssh.Channel
	hang  *atomic.Bool
	spare *atomic.Int64
}

func (s swallowAfter) Read(b []byte) (int, error) { return s.ch.Read(b) }
func (s swallowAfter) Close() error               { return s.ch.Close() }
func (s swallowAfter) Write(b []byte) (int, error) {
	if s.hang.Load() && (s.spare == nil || s.spare.Add(-1) < 0) {
		return len(b), nil
	}
	return s.ch.Write(b)
}

// TestHungSFTPServerIsDropped lists a directory on a connection whose
// SSH side answers keepalives while its SFTP server has stopped replying:
// the listing must fail for a retry in bounded time, not wait for ever.
func TestHungSFTPServerIsDropped(t *testing.T) {
	root := t.TempDir()
	var hang atomic.Bool
	srv := startServer(t, sftpd.Options{Root: root, Users: []sftpd.User{{Name: "alice", Password: "pw"}},
		Session: func(n int, ch ssh.Channel) bool {
			s, err := pkgsftp.NewServer(swallowAfter{ch: ch, hang: &hang}, pkgsftp.WithServerWorkingDirectory(root))
			if err != nil {
				return false
			}
			s.Serve()
			return true
		}})
	cfg := baseConfig(t)
	cfg.Password = "pw"
	os.WriteFile(cfg.KnownHostsFile, []byte(knownHostsLine(srv.Addr(), srv.HostKey())), 0o600)
	cfg.KeepAlive = 100 * time.Millisecond
	var lines logLines
	cfg.Log = lines.add
	c := dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
	if _, err := c.List(context.Background(), root); err != nil {
		t.Fatalf("list before the hang: %v", err)
	}
	// A few keepalive intervals with nothing waiting drop nothing.
	time.Sleep(300 * time.Millisecond)
	if _, err := c.List(context.Background(), root); err != nil {
		t.Fatalf("list on an idle connection: %v", err)
	}
	hang.Store(true)
	start := time.Now()
	done := make(chan error, 1)
	go func() { _, err := c.List(context.Background(), root); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, protocol.ErrTransient) {
			t.Errorf("got %v, want ErrTransient", err)
		}
		if !strings.Contains(lines.String(), "no reply from the SFTP server") {
			t.Errorf("the log does not say why: %q", &lines)
		}
		if err == nil || !strings.Contains(err.Error(), "no reply from the SFTP server for") {
			t.Errorf("got %v, want it to say the server stopped replying", err)
		}
		t.Logf("dropped after %s", time.Since(start))
	case <-time.After(10 * time.Second):
		t.Fatal("a listing on a hung SFTP server still waits after 10s")
	}
}

// TestListOnAHungServerStopsAtCancel: a listing waiting on a hung SFTP
// server returns as soon as its context ends (Ctrl-C, Esc), not when the
// keepalive gives the connection up. The server answers the OPENDIR and
// hangs on the READDIR, so that the listing has a handle to close.
func TestListOnAHungServerStopsAtCancel(t *testing.T) {
	root := t.TempDir()
	var hang atomic.Bool
	var spare atomic.Int64
	spare.Store(1)
	srv := startServer(t, sftpd.Options{Root: root, Users: []sftpd.User{{Name: "alice", Password: "pw"}},
		Session: func(n int, ch ssh.Channel) bool {
			s, err := pkgsftp.NewServer(swallowAfter{ch: ch, hang: &hang, spare: &spare}, pkgsftp.WithServerWorkingDirectory(root))
			if err != nil {
				return false
			}
			s.Serve()
			return true
		}})
	cfg := baseConfig(t)
	cfg.Password = "pw"
	os.WriteFile(cfg.KnownHostsFile, []byte(knownHostsLine(srv.Addr(), srv.HostKey())), 0o600)
	cfg.KeepAlive = time.Hour
	c := dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
	hang.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.List(ctx, root); done <- err }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled listing on a hung server still waits after 5s")
	}
}

// TestStalledDownloadSaysWhy reads through a link that goes silent
// mid-file: the read fails once the keepalive gives up, saying for how
// long nothing came rather than only "connection lost".
func TestStalledDownloadSaysWhy(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "f"), bytes.Repeat([]byte("x"), 4<<20), 0o644)
	srv := startServer(t, sftpd.Options{Root: root, Users: []sftpd.User{{Name: "alice", Password: "pw"}}})
	px, err := faultproxy.Start(faultproxy.Options{Target: srv.Addr(), Stall: true, Burst: 1, MinCutAfter: 1 << 20, MaxCutAfter: 1<<20 + 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	cfg := baseConfig(t)
	cfg.Password = "pw"
	os.WriteFile(cfg.KnownHostsFile, []byte(knownHostsLine(px.Addr(), srv.HostKey())), 0o600)
	cfg.KeepAlive = 100 * time.Millisecond
	c := dial(t, siteOf(t, px.Addr(), "alice"), cfg)
	r, err := c.Open(context.Background(), "/f", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	start := time.Now()
	_, err = io.Copy(io.Discard, r)
	if !errors.Is(err, protocol.ErrTransient) || !strings.Contains(err.Error(), "no data from the server for") {
		t.Errorf("got %v, want a transient error saying nothing came", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a stalled read failed after %s", took)
	}
}
