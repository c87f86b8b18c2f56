package perm_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferryhq/ferry/perm"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
)

// TestTree gives files and directories separate modes, and gets into and
// out of directories whose new mode shuts their owner out.
func TestTree(t *testing.T) {
	if os.Getuid() == 0 {
		t.Log("as root every directory can be entered; the order is still exercised")
	}
	root := t.TempDir()
	for _, p := range []string{"t/a", "t/s/b", "t/s/d/c"} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755)
		if err := os.WriteFile(filepath.Join(root, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("a", filepath.Join(root, "t", "link"))
	c := local.New()
	ctx := context.Background()
	dir := filepath.Join(root, "t")
	ent, err := c.Stat(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, dir fs.FileMode }{{0o600, 0o600}, {0o640, 0o750}} {
		to := func(e protocol.Entry) (fs.FileMode, bool) {
			if e.IsDir() {
				return tc.dir, true
			}
			return tc.file, true
		}
		n, err := perm.Tree(ctx, c, dir, ent, to, func(err error) error { t.Errorf("report: %v", err); return nil })
		if err != nil || n != 6 {
			t.Fatalf("Tree to %04o/%04o: %d changed, %v; want 6, nil", tc.file, tc.dir, n, err)
		}
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Lstat(p)
			want := tc.file
			switch {
			case d.Type()&fs.ModeSymlink != 0:
				return nil
			case d.IsDir():
				want = tc.dir
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s: got %04o, want %04o", p, got, want)
			}
			return nil
		})
		ent.Mode = ent.Mode&^fs.ModePerm | tc.dir
	}
}
