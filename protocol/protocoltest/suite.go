// Package protocoltest is the conformance suite every ferry backend must pass.
// A backend's test calls Run with a Harness that connects to a real or
// in-process server; the suite checks the behaviour the transfer engine and
// the UI rely on, error mapping included.
package protocoltest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// Harness tells the suite how to reach one backend.
type Harness struct {
	// New connects a fresh client and returns it with an empty, writable
	// scratch directory on it (absolute, or relative to Home). The suite
	// closes the client; the harness cleans up the directory if it must.
	New func(t *testing.T) (protocol.Client, string)
	// Denied connects a client and returns a directory in which creating a
	// file is refused (a read-only server, or a directory the login user may
	// not write). Tests running as root need a read-only server for this.
	Denied func(t *testing.T) (protocol.Client, string)
	// StreamSize is the size of the large round-trip file; 64 MiB if zero.
	StreamSize int64
	// ShortNames limits names to 200 bytes for servers with a lower limit.
	ShortNames bool
}

// Run runs the whole suite as subtests of t.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil {
		t.Fatal("protocoltest: Harness.New is nil")
	}
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s *session)
	}{
		{"home is an absolute directory", testHome},
		{"empty directory lists nothing", testListEmpty},
		{"awkward names list and stat back", testAwkwardNames},
		{"stat tells files from directories", testStat},
		{"stat of a missing path is ErrNotExist", testStatMissing},
		{"open at an offset reads the tail", testOpenOffset},
		{"open with a known size reads the file", testOpenSized},
		{"create at an offset resumes", testCreateOffset},
		{"zero-byte file round trips", testZeroByte},
		{"large stream round trips with equal sha256", testStream},
		{"mkdir of an existing directory is ErrExist", testMkdirExisting},
		{"remove of a missing file is ErrNotExist", testRemoveMissing},
		{"rename moves a file", testRename},
		{"removing a non-empty directory fails and keeps it", testRemoveNonEmpty},
		{"removing files and empty directories works", testRemove},
		{"cancelled context stops a running read", testCancelRead},
		{"chmod sets permission bits that the listing reports", testChmod},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, root := h.New(t)
			t.Cleanup(func() { c.Close() })
			s := &session{c: c, h: h, ctx: context.Background()}
			s.root = path.Join(root, strings.ReplaceAll(tc.name, " ", "-"))
			if err := c.Mkdir(s.ctx, s.root); err != nil {
				t.Fatalf("mkdir %s: %v", s.root, err)
			}
			tc.fn(t, s)
		})
	}
	t.Run("permission denied is ErrPermission", func(t *testing.T) {
		if h.Denied == nil {
			t.Fatal("protocoltest: Harness.Denied is nil; every backend must show its permission mapping")
		}
		c, dir := h.Denied(t)
		t.Cleanup(func() { c.Close() })
		ctx := context.Background()
		p := path.Join(dir, "denied.txt")
		w, err := c.Create(ctx, p, 0)
		if err == nil {
			_, err = w.Write([]byte("x"))
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		if !errors.Is(err, protocol.ErrPermission) {
			t.Fatalf("create %s: got %v, want ErrPermission", p, err)
		}
		if err := c.Mkdir(ctx, path.Join(dir, "denied-dir")); !errors.Is(err, protocol.ErrPermission) {
			t.Fatalf("mkdir in %s: got %v, want ErrPermission", dir, err)
		}
	})
}

type session struct {
	c    protocol.Client
	h    Harness
	ctx  context.Context
	root string
}

func (s *session) p(name string) string { return path.Join(s.root, name) }

func (s *session) put(t *testing.T, name string, data []byte) {
	t.Helper()
	w, err := s.c.Create(s.ctx, s.p(name), 0)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		t.Fatalf("write %s: %v", name, err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close %s: %v", name, err)
	}
}

func (s *session) get(t *testing.T, name string, offset int64) []byte {
	t.Helper()
	data, err := ReadAndClose(s.c.Open(s.ctx, s.p(name), offset))
	if err != nil {
		t.Fatalf("read %s at %d: %v", name, offset, err)
	}
	return data
}

// ReadAndClose reads what an Open returned to the end and closes it; a
// read is good only when the close is too (FTP's final reply comes then).
func ReadAndClose(r io.ReadCloser, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	return data, err
}

func testHome(t *testing.T, s *session) {
	home, err := s.c.Home(s.ctx)
	if err != nil {
		t.Fatalf("home: %v", err)
	}
	if !strings.HasPrefix(home, "/") {
		t.Fatalf("home %q is not absolute", home)
	}
	e, err := s.c.Stat(s.ctx, home)
	if err != nil {
		t.Fatalf("stat home %s: %v", home, err)
	}
	if !e.IsDir() {
		t.Fatalf("home %s is not a directory: mode %v", home, e.Mode)
	}
}

func testListEmpty(t *testing.T, s *session) {
	entries, err := s.c.List(s.ctx, s.root)
	if err != nil {
		t.Fatalf("list %s: %v", s.root, err)
	}
	if len(entries) != 0 {
		t.Fatalf("list of an empty directory: got %v, want nothing", entries)
	}
}

func awkwardNames(short bool) []string {
	long := strings.Repeat("n", 246) + ".txt" // 250 bytes
	if short {
		long = long[50:]
	}
	return []string{"with space.txt", "ünïcødé-файл-名前.txt", "-leading-dash", "hash#name", "percent%20name", long}
}

func testAwkwardNames(t *testing.T, s *session) {
	names := awkwardNames(s.h.ShortNames)
	for i, n := range names {
		s.put(t, n, []byte(strings.Repeat("x", i+1)))
	}
	if err := s.c.Mkdir(s.ctx, s.p("dir with space")); err != nil {
		t.Fatalf("mkdir with space: %v", err)
	}
	entries, err := s.c.List(s.ctx, s.root)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	got := map[string]protocol.Entry{}
	for _, e := range entries {
		got[e.Name] = e
	}
	for i, n := range names {
		e, ok := got[n]
		if !ok {
			t.Fatalf("list lacks %q; got %v", n, keys(got))
		}
		if e.Size != int64(i+1) || e.IsDir() {
			t.Errorf("%q: got size %d dir %v, want size %d file", n, e.Size, e.IsDir(), i+1)
		}
		st, err := s.c.Stat(s.ctx, s.p(n))
		if err != nil || st.Size != int64(i+1) {
			t.Errorf("stat %q: got %+v, %v", n, st, err)
		}
	}
	if e, ok := got["dir with space"]; !ok || !e.IsDir() {
		t.Fatalf("list: directory with space missing or not a directory: %+v", e)
	}
	if len(entries) != len(names)+1 {
		t.Fatalf("list: got %d entries %v, want %d", len(entries), keys(got), len(names)+1)
	}
}

func keys(m map[string]protocol.Entry) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func testStat(t *testing.T, s *session) {
	s.put(t, "file.bin", []byte("0123456789"))
	if err := s.c.Mkdir(s.ctx, s.p("sub")); err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	f, err := s.c.Stat(s.ctx, s.p("file.bin"))
	if err != nil {
		t.Fatalf("stat file: %v", err)
	}
	if f.IsDir() || f.Size != 10 || f.Name != "file.bin" {
		t.Fatalf("stat file: got %+v, want a 10-byte file named file.bin", f)
	}
	if !f.ModTime.IsZero() && time.Since(f.ModTime) > 24*time.Hour {
		t.Fatalf("stat file: mtime %v is far in the past", f.ModTime)
	}
	d, err := s.c.Stat(s.ctx, s.p("sub"))
	if err != nil {
		t.Fatalf("stat dir: %v", err)
	}
	if !d.IsDir() {
		t.Fatalf("stat dir: got mode %v, want a directory", d.Mode)
	}
}

func testStatMissing(t *testing.T, s *session) {
	_, err := s.c.Stat(s.ctx, s.p("missing"))
	if !errors.Is(err, protocol.ErrNotExist) {
		t.Fatalf("stat missing: got %v, want ErrNotExist", err)
	}
	_, err = s.c.Open(s.ctx, s.p("missing"), 0)
	if err == nil {
		// Some servers only report a missing file when the read starts.
		t.Fatalf("open missing: got no error")
	}
	if !errors.Is(err, protocol.ErrNotExist) {
		t.Fatalf("open missing: got %v, want ErrNotExist", err)
	}
}

func testOpenOffset(t *testing.T, s *session) {
	s.put(t, "digits", []byte("0123456789"))
	if got := s.get(t, "digits", 4); string(got) != "456789" {
		t.Fatalf("open at 4: got %q, want %q", got, "456789")
	}
}

// testOpenSized covers protocol.SizedOpener where a backend has it: whole
// files, tails, empty and missing files read as with Open.
func testOpenSized(t *testing.T, s *session) {
	so, ok := s.c.(protocol.SizedOpener)
	if !ok {
		return // nothing to test: the engine falls back to Open
	}
	read := func(name string, offset, size int64) ([]byte, error) {
		return ReadAndClose(so.OpenSized(s.ctx, s.p(name), offset, size))
	}
	s.put(t, "digits", []byte("0123456789"))
	s.put(t, "empty", nil)
	for _, tc := range []struct {
		name         string
		offset, size int64
		want         string
	}{
		{"digits", 0, 10, "0123456789"},
		{"digits", 4, 10, "456789"},
		{"digits", 10, 10, ""},
		{"empty", 0, 0, ""},
	} {
		got, err := read(tc.name, tc.offset, tc.size)
		if err != nil || string(got) != tc.want {
			t.Errorf("OpenSized(%s, %d, %d) = %q, %v; want %q", tc.name, tc.offset, tc.size, got, err, tc.want)
		}
	}
	big := make([]byte, 3<<20) // past any backend's small-file path
	for i := range big {
		big[i] = byte(i * 7)
	}
	s.put(t, "big", big)
	if got, err := read("big", 1<<20, int64(len(big))); err != nil || !bytes.Equal(got, big[1<<20:]) {
		t.Errorf("OpenSized(big, 1 MiB) = %d bytes, %v; want the %d-byte tail", len(got), err, len(big)-1<<20)
	}
	if _, err := read("missing", 0, 10); !errors.Is(err, protocol.ErrNotExist) {
		t.Errorf("OpenSized of a missing file: %v, want ErrNotExist", err)
	}
}

func testCreateOffset(t *testing.T, s *session) {
	s.put(t, "greeting", []byte("hello"))
	w, err := s.c.Create(s.ctx, s.p("greeting"), 5)
	if err != nil {
		t.Fatalf("create at 5: %v", err)
	}
	if _, err := w.Write([]byte(" world")); err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if got := s.get(t, "greeting", 0); string(got) != "hello world" {
		t.Fatalf("after resume: got %q, want %q", got, "hello world")
	}
}

func testZeroByte(t *testing.T, s *session) {
	s.put(t, "empty", nil)
	e, err := s.c.Stat(s.ctx, s.p("empty"))
	if err != nil || e.Size != 0 || e.IsDir() {
		t.Fatalf("stat empty: got %+v, %v", e, err)
	}
	if got := s.get(t, "empty", 0); len(got) != 0 {
		t.Fatalf("read empty: got %d bytes", len(got))
	}
}

// patternReader yields size deterministic pseudo-random bytes.
func patternReader(size int64) io.Reader {
	rng := rand.NewChaCha8([32]byte{'f', 'e', 'r', 'r', 'y'})
	return io.LimitReader(rng, size)
}

func testStream(t *testing.T, s *session) {
	size := s.h.StreamSize
	if size == 0 {
		size = 64 << 20
	}
	want := sha256.New()
	w, err := s.c.Create(s.ctx, s.p("stream.bin"), 0)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	n, err := io.Copy(w, io.TeeReader(patternReader(size), want))
	if err != nil {
		w.Close()
		t.Fatalf("upload after %d bytes: %v", n, err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close upload: %v", err)
	}
	e, err := s.c.Stat(s.ctx, s.p("stream.bin"))
	if err != nil || e.Size != size {
		t.Fatalf("stat: got size %d, %v; want %d", e.Size, err, size)
	}
	r, err := s.c.Open(s.ctx, s.p("stream.bin"), 0)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	got := sha256.New()
	n, err = io.Copy(got, r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err != nil || n != size {
		t.Fatalf("download: got %d bytes, %v; want %d", n, err, size)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatalf("sha256 differs after round trip of %d bytes", size)
	}
}

func testMkdirExisting(t *testing.T, s *session) {
	if err := s.c.Mkdir(s.ctx, s.p("d")); err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	if err := s.c.Mkdir(s.ctx, s.p("d")); !errors.Is(err, protocol.ErrExist) {
		t.Fatalf("mkdir again: got %v, want ErrExist", err)
	}
}

func testRemoveMissing(t *testing.T, s *session) {
	if err := s.c.Remove(s.ctx, s.p("missing")); !errors.Is(err, protocol.ErrNotExist) {
		t.Fatalf("remove missing: got %v, want ErrNotExist", err)
	}
}

func testRename(t *testing.T, s *session) {
	s.put(t, "a", []byte("content"))
	if err := s.c.Rename(s.ctx, s.p("a"), s.p("b")); err != nil {
		t.Fatalf("rename: %v", err)
	}
	if _, err := s.c.Stat(s.ctx, s.p("a")); !errors.Is(err, protocol.ErrNotExist) {
		t.Fatalf("stat old name: got %v, want ErrNotExist", err)
	}
	if got := s.get(t, "b", 0); string(got) != "content" {
		t.Fatalf("new name: got %q, want %q", got, "content")
	}
}

func testRemoveNonEmpty(t *testing.T, s *session) {
	if err := s.c.Mkdir(s.ctx, s.p("full")); err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	s.put(t, "full/file", []byte("x"))
	if err := s.c.RemoveDir(s.ctx, s.p("full")); err == nil {
		t.Fatalf("rmdir of a non-empty directory succeeded")
	}
	if got := s.get(t, "full/file", 0); string(got) != "x" {
		t.Fatalf("file inside lost after failed rmdir: got %q", got)
	}
}

func testRemove(t *testing.T, s *session) {
	if err := s.c.Mkdir(s.ctx, s.p("d")); err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	s.put(t, "d/f", []byte("x"))
	if err := s.c.Remove(s.ctx, s.p("d/f")); err != nil {
		t.Fatalf("remove file: %v", err)
	}
	if err := s.c.RemoveDir(s.ctx, s.p("d")); err != nil {
		t.Fatalf("rmdir empty: %v", err)
	}
	if _, err := s.c.Stat(s.ctx, s.p("d")); !errors.Is(err, protocol.ErrNotExist) {
		t.Fatalf("stat removed dir: got %v, want ErrNotExist", err)
	}
}

func testCancelRead(t *testing.T, s *session) {
	const size = 32 << 20
	w, err := s.c.Create(s.ctx, s.p("big"), 0)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := io.Copy(w, patternReader(size)); err != nil {
		t.Fatalf("upload: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	r, err := s.c.Open(ctx, s.p("big"), 0)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	buf := make([]byte, 32<<10)
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatalf("first read: %v", err)
	}
	cancel()
	done := make(chan error, 1)
	go func() {
		var total int64
		for {
			n, err := r.Read(buf)
			total += int64(n)
			if err != nil {
				if total+int64(len(buf)) >= size && errors.Is(err, io.EOF) {
					done <- errors.New("read the whole file after cancel")
					return
				}
				done <- nil
				return
			}
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read did not stop within 5s of cancel")
	}
	closed := make(chan struct{})
	go func() { r.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("close did not return within 10s after cancel")
	}
}

// testChmod sets a file's and a directory's permission bits and reads them
// back. A backend without Chmoder is skipped; one that has it must set
// them, and its listing must say so.
func testChmod(t *testing.T, s *session) {
	ch, ok := s.c.(protocol.Chmoder)
	if !ok {
		t.Skip("backend has no Chmoder")
	}
	s.put(t, "f.txt", []byte("mode"))
	if err := s.c.Mkdir(s.ctx, s.p("d")); err != nil {
		t.Fatalf("mkdir d: %v", err)
	}
	for _, tc := range []struct {
		name string
		mode fs.FileMode
	}{{"f.txt", 0o640}, {"f.txt", 0o604}, {"d", 0o750}, {"d", 0o705}} {
		if err := ch.Chmod(s.ctx, s.p(tc.name), tc.mode); err != nil {
			t.Fatalf("chmod %04o %s: %v", tc.mode, tc.name, err)
		}
		// The listing, not Stat: FTP without MLST stats with SIZE and
		// MDTM, which say nothing of permissions.
		entries, err := s.c.List(s.ctx, s.root)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		found := false
		for _, e := range entries {
			if e.Name == tc.name {
				found = true
				if got := e.Mode.Perm(); got != tc.mode {
					t.Errorf("after chmod %04o %s: the listing says %04o", tc.mode, tc.name, got)
				}
			}
		}
		if !found {
			t.Errorf("after chmod %04o %s: not in the listing %v", tc.mode, tc.name, entries)
		}
	}
	if err := ch.Chmod(s.ctx, s.p("d"), 0o755); err != nil {
		t.Fatalf("chmod 0755 d: %v", err)
	}
}
