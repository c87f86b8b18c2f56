package ftp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/transfer/faultproxy"
)

// TestUploadOverASlowLink uploads through a link that needs seconds for
// what the reply timeout allows one: the timeout must count time without
// progress, in the writes and in the wait for the server's final reply,
// which cannot come before the server has the bytes still in the buffers.
func TestUploadOverASlowLink(t *testing.T) {
	data := bytes.Repeat([]byte("slow upload "), 32<<10) // 384 KiB
	for _, how := range []string{"write", "file"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			srv := demoServer(t, ftpd.Options{Root: root})
			px, err := faultproxy.Start(faultproxy.Options{Target: srv.Addr(), FTP: true, Rate: 200_000})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { px.Close() })
			c := dialT(t, siteOf(t, protocol.SchemeFTP, px.Addr(), "alice"), Config{Password: "secret", Timeout: time.Second})
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			w, err := c.Create(ctx, "/up", 0)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if how == "write" {
				_, err = w.Write(data)
			} else {
				src := filepath.Join(t.TempDir(), "src")
				os.WriteFile(src, data, 0o644)
				f, ferr := os.Open(src)
				if ferr != nil {
					t.Fatal(ferr)
				}
				defer f.Close()
				_, err = w.(protocol.FileSink).CopyFromFile(f, int64(len(data)))
			}
			if err != nil {
				w.Close()
				t.Fatalf("%s after %s: %v", how, time.Since(start), err)
			}
			if err := w.Close(); err != nil {
				t.Fatalf("close after %s: %v", time.Since(start), err)
			}
			got, err := os.ReadFile(filepath.Join(root, "up"))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("server has %d bytes (%v), want %d", len(got), err, len(data))
			}
		})
	}
}

// TestUploadStalledAfterTheLastWrite fails in bounded time, and for a
// retry, when the link stops carrying an upload's bytes after the last
// write returned.
func TestUploadStalledAfterTheLastWrite(t *testing.T) {
	root := t.TempDir()
	srv := demoServer(t, ftpd.Options{Root: root})
	// The control connection is the first, the data connection the
	// second: it stalls after 100 kB.
	px, err := faultproxy.Start(faultproxy.Options{Target: srv.Addr(), FTP: true, Stall: true, Burst: 2, MinCutAfter: 100_000, MaxCutAfter: 100_001})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	c := dialT(t, siteOf(t, protocol.SchemeFTP, px.Addr(), "alice"), Config{Password: "secret", Timeout: 300 * time.Millisecond})
	defer c.Close()
	w, err := c.Create(context.Background(), "/up", 0)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = io.Copy(w, bytes.NewReader(make([]byte, 200_000)))
	if err == nil {
		err = w.Close()
	} else {
		w.Close()
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a stalled upload failed after %s", took)
	}
	if err == nil {
		t.Fatal("an upload whose link stalled succeeded")
	}
	if !errors.Is(err, protocol.ErrTransient) {
		t.Errorf("got %v, want a transient error", err)
	}
}

// TestUploadRefusedWhileItsTailWaits: when the server gives up on an
// upload whose tail still waits in the socket (its data connection
// silent, it answers 426), the upload fails with the server's answer at
// once, not after the timeout that waits for a slow link's queue to drain.
func TestUploadRefusedWhileItsTailWaits(t *testing.T) {
	root := t.TempDir()
	srv := demoServer(t, ftpd.Options{Root: root, DataTimeout: 200 * time.Millisecond})
	// The control connection is the first, the data connection the
	// second: it stalls after 100 kB.
	px, err := faultproxy.Start(faultproxy.Options{Target: srv.Addr(), FTP: true, Stall: true, Burst: 2, MinCutAfter: 100_000, MaxCutAfter: 100_001})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	c := dialT(t, siteOf(t, protocol.SchemeFTP, px.Addr(), "alice"), Config{Password: "secret", Timeout: 5 * time.Second})
	defer c.Close()
	w, err := c.Create(context.Background(), "/up", 0)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = w.Write(make([]byte, 300_000))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		t.Fatal("an upload the server gave up on succeeded")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("failed after %s: %v", took, err)
	}
	t.Logf("after %s: %v", time.Since(start), err)
}
