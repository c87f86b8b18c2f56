//go:build unix

package local

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestOpenedFilesAreBlocking: files come back blocking and outside the
// poller, with the asked mode, and usable for reads, writes and Fd, as the
// raw-copy path needs; a missing file is a not-exist error.
func TestOpenedFilesAreBlocking(t *testing.T) {
	old := unix.Umask(0)
	defer unix.Umask(old)
	name := filepath.Join(t.TempDir(), "f")
	f, err := openFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	if flags&unix.O_NONBLOCK != 0 {
		t.Fatalf("descriptor is non-blocking")
	}
	if _, err := f.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want 0640", st.Mode().Perm())
	}
	r, err := openFile(name, os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	buf := make([]byte, 8)
	if n, _ := r.Read(buf); string(buf[:n]) != "data" {
		t.Fatalf("read %q", buf[:n])
	}
	if _, err := openFile(filepath.Join(t.TempDir(), "missing"), os.O_RDONLY, 0); !os.IsNotExist(err) {
		t.Fatalf("open missing: got %v, want not exist", err)
	}
}
