package local

import (
	"context"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/protocoltest"
)

func TestConformance(t *testing.T) {
	protocoltest.Run(t, protocoltest.Harness{
		New: func(t *testing.T) (protocol.Client, string) {
			dir := t.TempDir()
			return NewAt(dir), filepath.ToSlash(dir)
		},
		Denied: func(t *testing.T) (protocol.Client, string) {
			if os.Geteuid() == 0 {
				// root writes anywhere but sysfs, where the kernel refuses
				// new files (EACCES) and directories (EPERM).
				return New(), "/sys/kernel"
			}
			dir := t.TempDir()
			if err := os.Chmod(dir, 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o700) })
			return New(), filepath.ToSlash(dir)
		},
	})
}

// TestRenameCases covers the paths of rename: nothing at the target (one
// call), a file at the target (replaced, as the contract says) and a
// directory onto an existing directory (refused, nothing lost).
func TestRenameCases(t *testing.T) {
	dir := t.TempDir()
	c := NewAt(dir)
	ctx := t.Context()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	write("part", "new")
	if err := c.Rename(ctx, "part", "target"); err != nil {
		t.Fatalf("rename to a free name: %v", err)
	}
	if got := read("target"); got != "new" {
		t.Fatalf("target holds %q, want %q", got, "new")
	}

	write("part", "newer")
	if err := c.Rename(ctx, "part", "target"); err != nil {
		t.Fatalf("rename over a file: %v", err)
	}
	if got := read("target"); got != "newer" {
		t.Fatalf("target holds %q after replacing, want %q", got, "newer")
	}
	if _, err := os.Stat(filepath.Join(dir, "part")); !os.IsNotExist(err) {
		t.Fatalf("part still there after rename: %v", err)
	}

	for _, d := range []string{"a", "b"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write("a/keep", "a's")
	if err := c.Rename(ctx, "a", "b"); err == nil {
		t.Fatalf("renaming a directory onto a directory succeeded")
	}
	if got := read("a/keep"); got != "a's" {
		t.Fatalf("a/keep holds %q after the refused rename", got)
	}
}

// TestListNamesOwnerAndGroup: a local listing says who owns each entry, by
// name as ls -l does, like SFTP's longname and FTP's LIST.
func TestListNamesOwnerAndGroup(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no user and group ids on Windows files")
	}
	me, err := user.Current()
	if err != nil {
		t.Skip("no user database entry for the current user:", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c := NewAt(dir)
	list, err := c.List(context.Background(), dir)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v, %v", list, err)
	}
	if list[0].Owner != me.Username {
		t.Errorf("owner %q, want %q", list[0].Owner, me.Username)
	}
	// The group of a new file may be the directory's (setgid, BSD): only
	// that there is one is certain.
	if list[0].Group == "" {
		t.Error("no group")
	}
	e, err := c.Stat(context.Background(), filepath.Join(dir, "f"))
	if err != nil || e.Owner != me.Username || e.Group != list[0].Group {
		t.Errorf("stat: owner %q group %q (%v), want the listing's %q %q", e.Owner, e.Group, err, me.Username, list[0].Group)
	}
}
