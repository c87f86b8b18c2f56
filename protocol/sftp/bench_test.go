package sftp

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferryhq/ferry/demo/sftpd"
)

const benchSize = 64 << 20

func benchClient(b *testing.B) (*Client, string) {
	b.Helper()
	root := b.TempDir()
	srv, err := sftpd.Start(context.Background(), sftpd.Options{Root: root, Users: []sftpd.User{{Name: "u", Password: "pw"}}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	home := b.TempDir()
	kh := filepath.Join(home, "known_hosts")
	os.WriteFile(kh, []byte(knownHostsLine(srv.Addr(), srv.HostKey())), 0o600)
	b.Setenv("SSH_AUTH_SOCK", "")
	site := siteOf(b, srv.Addr(), "u")
	c, err := Dial(context.Background(), site, Config{HomeDir: home, SSHConfigFile: "none", KnownHostsFile: kh, Password: "pw"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c, root
}

func writeBenchFile(b *testing.B, p string) {
	b.Helper()
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, zeroReader{}, benchSize); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// BenchmarkDownload measures Open + io.Copy of 64 MiB from the in-process
// server into a local file.
func BenchmarkDownload(b *testing.B) {
	c, root := benchClient(b)
	writeBenchFile(b, filepath.Join(root, "big"))
	dst := filepath.Join(b.TempDir(), "big")
	b.SetBytes(benchSize)
	for b.Loop() {
		r, err := c.Open(context.Background(), "/big", 0)
		if err != nil {
			b.Fatal(err)
		}
		f, _ := os.Create(dst)
		if n, err := io.Copy(f, r); err != nil || n != benchSize {
			b.Fatalf("copied %d: %v", n, err)
		}
		f.Close()
		r.Close()
	}
}

// BenchmarkUpload measures io.Copy of a 64 MiB local file into Create.
func BenchmarkUpload(b *testing.B) {
	c, _ := benchClient(b)
	src := filepath.Join(b.TempDir(), "big")
	writeBenchFile(b, src)
	b.SetBytes(benchSize)
	for b.Loop() {
		f, _ := os.Open(src)
		w, err := c.Create(context.Background(), "/big", 0)
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(w, f); err != nil || n != benchSize {
			b.Fatalf("copied %d: %v", n, err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkOpenSSHDownload and BenchmarkOpenSSHUpload move 64 MiB through
// the sshd of .ci/sshd.sh; they are skipped without FERRY_TEST_SSHD.
func BenchmarkOpenSSHDownload(b *testing.B) {
	c, dir := realBenchClient(b)
	src := filepath.Join(b.TempDir(), "big")
	writeBenchFile(b, src)
	uploadFile(b, c, src, dir+"/bench-dl.bin")
	dst := filepath.Join(b.TempDir(), "down")
	b.SetBytes(benchSize)
	for b.Loop() {
		r, err := c.Open(context.Background(), dir+"/bench-dl.bin", 0)
		if err != nil {
			b.Fatal(err)
		}
		f, _ := os.Create(dst)
		if n, err := io.Copy(f, r); err != nil || n != benchSize {
			b.Fatalf("copied %d: %v", n, err)
		}
		f.Close()
		r.Close()
	}
	c.Remove(context.Background(), dir+"/bench-dl.bin")
}

func BenchmarkOpenSSHUpload(b *testing.B) {
	c, dir := realBenchClient(b)
	src := filepath.Join(b.TempDir(), "big")
	writeBenchFile(b, src)
	b.SetBytes(benchSize)
	for b.Loop() {
		uploadFile(b, c, src, dir+"/bench-ul.bin")
	}
	c.Remove(context.Background(), dir+"/bench-ul.bin")
}

func uploadFile(b *testing.B, c *Client, src, dst string) {
	f, _ := os.Open(src)
	defer f.Close()
	w, err := c.Create(context.Background(), dst, 0)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(w, f); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

func realBenchClient(b *testing.B) (*Client, string) {
	addr, dir := os.Getenv("FERRY_TEST_SSHD"), os.Getenv("FERRY_TEST_SSHD_DIR")
	if addr == "" {
		b.Skip("FERRY_TEST_SSHD not set")
	}
	b.Setenv("SSH_AUTH_SOCK", "")
	c, err := Dial(context.Background(), siteOf(b, addr, os.Getenv("FERRY_TEST_SSHD_USER")), Config{
		HomeDir: b.TempDir(), SSHConfigFile: "none",
		KnownHostsFile: os.Getenv("FERRY_TEST_SSHD_KNOWN_HOSTS"),
		IdentityFiles:  []string{os.Getenv("FERRY_TEST_SSHD_KEY")},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c, dir
}
