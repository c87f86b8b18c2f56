package sftp

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/ferryhq/ferry/demo/sftpd"
)

// plainServerClient serves the local file system with pkg/sftp's plain
// sftp.Server on every session (the bulk channels too), as many small
// SFTP servers do, and returns a session on it. That server answers a
// read with at most 32 KiB, so every download bigger than that meets
// short reads. Paths are the local ones.
func plainServerClient(t *testing.T) *Client {
	t.Helper()
	return bulkClient(t, t.TempDir(), sftpd.Options{Session: func(_ int, ch ssh.Channel) bool {
		srv, err := sftp.NewServer(ch)
		if err != nil {
			t.Error(err)
			return true
		}
		srv.Serve()
		srv.Close()
		return true
	}})
}

// shortReadSizes straddle the plain server's 32 KiB reply, ferry's
// 255 KiB request, the small-file path and the bulk stream.
var shortReadSizes = []int{0, 1, 32<<10 - 1, 32 << 10, 32<<10 + 1, maxPacket + 1, 1 << 20, bulkMin + 1<<20, 40 << 20}

// TestDownloadsFromPlainServer: downloads from a server that answers
// reads short arrive whole through every way of opening a file.
func TestDownloadsFromPlainServer(t *testing.T) {
	c := plainServerClient(t)
	dir := t.TempDir()
	ctx := t.Context()
	for _, size := range shortReadSizes {
		p := filepath.Join(dir, fmt.Sprintf("f%d", size))
		data := bigFile(t, dir, filepath.Base(p), size)
		sum := sha256.Sum256(data)
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			rc, err := c.Open(ctx, p, 0)
			if got := digest(t, rc, err); got != sum {
				t.Errorf("Open: content differs")
			}
			rc, err = c.OpenSized(ctx, p, 0, int64(size))
			if got := digest(t, rc, err); got != sum {
				t.Errorf("OpenSized: content differs")
			}
			off := int64(size / 3)
			rc, err = c.Open(ctx, p, off)
			if got := digest(t, rc, err); got != sha256.Sum256(data[off:]) {
				t.Errorf("Open at %d: content differs", off)
			}
			// Segments as the engine cuts them, read with Read.
			seg := int64(size/4 + 1)
			var got []byte
			for at := int64(0); at < int64(size); at += seg {
				rc, err := c.OpenRange(ctx, p, at, min(seg, int64(size)-at))
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					t.Fatalf("range at %d: %v", at, err)
				}
				got = append(got, b...)
			}
			if !bytes.Equal(got, data) {
				t.Errorf("OpenRange: %d bytes, want %d, or content differs", len(got), size)
			}
		})
	}
}

// TestUploadsToPlainServer: uploads to the same server, through ReadFrom
// and Write, arrive whole.
func TestUploadsToPlainServer(t *testing.T) {
	c := plainServerClient(t)
	src, dst := t.TempDir(), t.TempDir()
	ctx := t.Context()
	for _, size := range shortReadSizes {
		data := bigFile(t, src, "up", size)
		for _, how := range []string{"readfrom", "write"} {
			p := filepath.Join(dst, fmt.Sprintf("%s%d", how, size))
			w, err := c.Create(ctx, p, 0)
			if err != nil {
				t.Fatal(err)
			}
			if how == "readfrom" {
				_, err = io.Copy(w, bytes.NewReader(data))
			} else {
				_, err = io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{bytes.NewReader(data)}, make([]byte, 48<<10))
			}
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatalf("%s %d: %v", how, size, err)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Errorf("%s %d: %d bytes stored, or content differs", how, size, len(got))
			}
		}
	}
}

// BenchmarkDownloadBelowBulk measures Open + io.Copy of a file too small
// for a bulk stream, read with many requests in flight on the session's
// own channel.
func BenchmarkDownloadBelowBulk(b *testing.B) {
	const size = bulkMin / 2
	c, root := benchClient(b)
	if err := os.WriteFile(filepath.Join(root, "mid"), make([]byte, size), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	for b.Loop() {
		r, err := c.Open(b.Context(), "/mid", 0)
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, r); err != nil || n != size {
			b.Fatalf("copied %d: %v", n, err)
		}
		r.Close()
	}
}
