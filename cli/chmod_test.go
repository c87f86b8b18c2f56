package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestChmod sets permissions on every server, octal, symbolic and
// recursive with separate file and directory modes, and checks them on
// the server's disk; then copies with and without --preserve-perms.
func TestChmod(t *testing.T) {
	// The real servers' directories outlive the test: each run takes its own.
	unique := fmt.Sprintf("chmod-%d", time.Now().UnixNano())
	for _, site := range longNameSites(t) {
		site.url, site.dir = site.url+unique+"/", filepath.Join(site.dir, unique)
		t.Cleanup(func() { os.RemoveAll(site.dir) })
		t.Run(site.name, func(t *testing.T) {
			env := stateEnv(t)
			for k, v := range site.env {
				env[k] = v
			}
			ferry := func(args ...string) (int, string) {
				t.Helper()
				code, _, errs := run(t, env, append(args, site.flags...)...)
				return code, errs
			}
			if code, errs := ferry("mkdir", "-p", site.url); code != 0 {
				t.Fatalf("mkdir -p: exit %d: %s", code, errs)
			}
			// The tree goes up through ferry, so the server's user owns it.
			up := t.TempDir()
			for _, p := range []string{"a.txt", "sub/b.txt", "sub/deeper/c.txt"} {
				mustWrite(t, filepath.Join(up, p), []byte(p))
			}
			put := "put"
			if site.name == "local" {
				put = "cp"
			}
			if code, errs := ferry(put, "-r", up, site.url+"tree"); code != 0 {
				t.Fatalf("put -r: exit %d: %s", code, errs)
			}
			tree := filepath.Join(site.dir, "tree")
			a := filepath.Join(tree, "a.txt")
			wantMode := func(p string, want fs.FileMode) {
				t.Helper()
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != want {
					t.Errorf("%s: got %04o, want %04o", p, got, want)
				}
			}
			wantTree := func(file, dir fs.FileMode) {
				t.Helper()
				filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
					if err != nil {
						t.Fatal(err)
					}
					if d.IsDir() {
						wantMode(p, dir)
					} else {
						wantMode(p, file)
					}
					return nil
				})
			}

			if code, errs := ferry("chmod", "600", site.url+"tree/a.txt"); code != 0 {
				t.Fatalf("chmod 600: exit %d: %s", code, errs)
			}
			wantMode(a, 0o600)
			if code, errs := ferry("chmod", "u+x,g=r,o=g", site.url+"tree/a.txt"); code != 0 {
				t.Fatalf("chmod u+x,g=r,o=g: exit %d: %s", code, errs)
			}
			wantMode(a, 0o744)

			if code, errs := ferry("chmod", "-R", "--files-only", "0640", site.url+"tree"); code != 0 {
				t.Fatalf("chmod -R --files-only: exit %d: %s", code, errs)
			}
			if code, errs := ferry("chmod", "-R", "--dirs-only", "700", site.url+"tree"); code != 0 {
				t.Fatalf("chmod -R --dirs-only: exit %d: %s", code, errs)
			}
			wantTree(0o640, 0o700)
			// The classic one-liner: files rw-r--r--, directories rwxr-xr-x.
			if code, errs := ferry("chmod", "-R", "u=rwX,go=rX", site.url+"tree"); code != 0 {
				t.Fatalf("chmod -R u=rwX,go=rX: exit %d: %s", code, errs)
			}
			wantTree(0o644, 0o755)

			// A mode that looks like a flag, as chmod(1) takes it.
			if code, errs := ferry("chmod", "-x", site.url+"tree/a.txt"); code != 0 {
				t.Fatalf("chmod -x: exit %d: %s", code, errs)
			}
			wantMode(a, 0o644)
			if code, errs := ferry("chmod", "a+x", site.url+"tree/a.txt"); code != 0 {
				t.Fatalf("chmod a+x: exit %d: %s", code, errs)
			}

			// -p carries permission bits both ways; without it the server's
			// default (no execute bits) stands.
			script := filepath.Join(up, "run.sh")
			mustWrite(t, script, []byte("#!/bin/sh\n"))
			if err := os.Chmod(script, 0o750); err != nil {
				t.Fatal(err)
			}
			get := "get"
			if site.name == "local" {
				get = "cp"
			}
			if code, errs := ferry(put, script, site.url+"plain.sh"); code != 0 {
				t.Fatalf("put: exit %d: %s", code, errs)
			}
			if fi, err := os.Stat(filepath.Join(site.dir, "plain.sh")); err != nil || fi.Mode().Perm() == 0o750 {
				t.Errorf("put without -p: got %v, %v; want the server's default mode", fi.Mode(), err)
			}
			if code, errs := ferry(put, "-p", script, site.url+"kept.sh"); code != 0 {
				t.Fatalf("put -p: exit %d: %s", code, errs)
			}
			wantMode(filepath.Join(site.dir, "kept.sh"), 0o750)
			if code, errs := ferry("chmod", "604", site.url+"tree/a.txt"); code != 0 {
				t.Fatalf("chmod 604: exit %d: %s", code, errs)
			}
			down := t.TempDir()
			if code, errs := ferry(get, "--preserve-perms", site.url+"tree/a.txt", down+"/"); code != 0 {
				t.Fatalf("get --preserve-perms: exit %d: %s", code, errs)
			}
			wantMode(filepath.Join(down, "a.txt"), 0o604)

			code, errs := ferry("chmod", "644", site.url+"tree/missing.txt")
			if code != exitFailed || !strings.Contains(errs, "missing.txt") {
				t.Errorf("chmod of a missing file: exit %d, stderr %q; want exit 1 naming it", code, errs)
			}
		})
	}
}

func TestChmod_Usage(t *testing.T) {
	for _, args := range [][]string{
		{"chmod", "644"},
		{"chmod", "u+q", "./x"},
		{"chmod", "--files-only", "--dirs-only", "644", "./x"},
	} {
		if code, _, _ := run(t, nil, args...); code != exitUsage {
			t.Errorf("ferry %s: exit %d, want %d", strings.Join(args, " "), code, exitUsage)
		}
	}
}
