package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/demo/ftpd"
)

// TestStatOverFTPWithoutMLST describes a file on a server that has no
// MLST, as vsftpd and inetutils' ftpd: SIZE and MDTM tell no permissions,
// so the mode and owner come from the parent's listing, and a chmod shows.
func TestStatOverFTPWithoutMLST(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "d", "f.txt"), []byte("abc"))
	if err := os.Chmod(filepath.Join(root, "d", "f.txt"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := ftpd.Start(ctx, ftpd.Options{Root: root, Users: map[string]string{"u": "pw"}, Disabled: []string{"MLST", "MLSD"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	url := "ftp://u@" + srv.Addr() + "/d/f.txt"
	code, out, errs := run(t, stateEnv(t), "stat", url)
	if code != 0 {
		t.Fatalf("stat: exit %d: %s", code, errs)
	}
	for _, want := range []string{"Size:      3 (3 B)", "Mode:      -rw------- (0600)", "Owner:     ftp:ftp"} {
		if !strings.Contains(out, want) {
			t.Errorf("stat: %q lacks %q", out, want)
		}
	}
	if code, _, errs := run(t, stateEnv(t), "chmod", "640", url); code != 0 {
		t.Fatalf("chmod: exit %d: %s", code, errs)
	}
	if _, out, _ := run(t, stateEnv(t), "stat", url); !strings.Contains(out, "(0640)") {
		t.Errorf("stat after chmod 640: %q", out)
	}
	if code, out, _ := run(t, stateEnv(t), "stat", "ftp://u@"+srv.Addr()+"/d"); code != 0 || !strings.Contains(out, "Type:      dir") {
		t.Errorf("stat of a directory: exit %d, %q", code, out)
	}
}
