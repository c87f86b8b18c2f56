package perm_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/perm"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
	"github.com/ferryhq/ferry/protocol/sftp"
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

// TestTreeOverSFTP changes a tree of a few hundred files over an SFTP
// session, whose chmods go several at a time: every file and directory
// ends with its mode, and the count is exact.
func TestTreeOverSFTP(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	root := t.TempDir()
	const dirs, per = 6, 60
	for d := 0; d < dirs; d++ {
		sub := filepath.Join(root, "t", "d"+strconv.Itoa(d))
		os.MkdirAll(sub, 0o755)
		for f := 0; f < per; f++ {
			if err := os.WriteFile(filepath.Join(sub, "f"+strconv.Itoa(f)), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv, err := sftpd.Start(ctx, sftpd.Options{Root: root, Users: []sftpd.User{{Name: "u", Password: "pw"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	site, err := protocol.Parse("sftp://u@" + srv.Addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	c, err := sftp.Dial(ctx, site, sftp.Config{Prompter: fixedPassword("pw"), Trust: protocol.TrustAcceptNew, SSHConfigFile: "none",
		HomeDir: home, KnownHostsFile: filepath.Join(home, "known_hosts"), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ent, err := c.Stat(ctx, "/t")
	if err != nil {
		t.Fatal(err)
	}
	to := func(e protocol.Entry) (fs.FileMode, bool) {
		if e.IsDir() {
			return 0o750, true
		}
		return 0o600, true
	}
	n, err := perm.Tree(ctx, c, "/t", ent, to, func(err error) error { t.Errorf("report: %v", err); return nil })
	if want := 1 + dirs + dirs*per; err != nil || n != want {
		t.Fatalf("Tree: %d changed, %v; want %d, nil", n, err, want)
	}
	filepath.WalkDir(filepath.Join(root, "t"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Lstat(p)
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o750
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: %04o, want %04o", p, got, want)
		}
		return nil
	})
}

// fixedPassword answers every password question with one password.
type fixedPassword string

func (p fixedPassword) Secret(context.Context, protocol.SecretRequest) (string, error) {
	return string(p), nil
}

func (fixedPassword) Trust(context.Context, protocol.TrustRequest) (protocol.TrustDecision, error) {
	return protocol.TrustOnce, nil
}
