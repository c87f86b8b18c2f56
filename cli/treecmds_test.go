package cli

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// duFindTree writes a tree of files of known sizes under dir: names in
// mixed case, empty directories, spaces, a few levels deep.
func duFindTree(t *testing.T, dir string) {
	t.Helper()
	for i := range 5 {
		for j := range 3 {
			d := filepath.Join(dir, fmt.Sprintf("dir %d", i), fmt.Sprintf("Sub%d", j))
			for k := range 4 {
				ext := []string{".txt", ".TXT", ".log", ".bin"}[k]
				mustWrite(t, filepath.Join(d, fmt.Sprintf("file%d%s", k, ext)), make([]byte, i*1000+j*100+k))
			}
		}
		if err := os.MkdirAll(filepath.Join(dir, fmt.Sprintf("dir %d", i), "empty"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite(t, filepath.Join(dir, "top.txt"), make([]byte, 123_456))
	old := time.Now().Add(-30 * 24 * time.Hour)
	os.Chtimes(filepath.Join(dir, "dir 0", "Sub0", "file0.txt"), old, old)
	os.Chtimes(filepath.Join(dir, "top.txt"), old, old)
	// The servers run as their own users; let them read what root wrote.
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
}

// onDisk is what filepath.WalkDir sees below dir: files, dirs, bytes, and
// the paths whose base name matches glob (as find -name).
func onDisk(t *testing.T, dir, glob string, fold bool) (files, dirs, bytes int64, matched []string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if p == dir {
			return nil
		}
		name, pat := d.Name(), glob
		if fold {
			name, pat = strings.ToLower(name), strings.ToLower(pat)
		}
		if ok, _ := filepath.Match(pat, name); ok {
			matched = append(matched, strings.TrimPrefix(p, dir))
		}
		if d.IsDir() {
			dirs++
			return nil
		}
		info, _ := d.Info()
		files++
		bytes += info.Size()
		return nil
	})
	sort.Strings(matched)
	return
}

// relLines turns find's output into paths relative to the walked directory.
func relLines(out, dir string) []string {
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" {
			got = append(got, "/"+strings.TrimPrefix(strings.TrimPrefix(l, dir), "/"))
		}
	}
	sort.Strings(got)
	return got
}

func TestDuFindStatTouchOnEveryServer(t *testing.T) {
	for _, site := range longNameSites(t) {
		if !strings.HasPrefix(site.name, "demo") && site.name != "local" {
			// longNameSites names the real servers' directories after the
			// test's temporary directory, the same on every run: take one
			// of our own beside it.
			dir, err := os.MkdirTemp(filepath.Dir(site.dir), "treecmds-")
			if err != nil {
				t.Fatal(err)
			}
			site.url = strings.Replace(site.url, site.dir, dir, 1)
			site.dir = dir
		}
		t.Run(site.name, func(t *testing.T) {
			env := stateEnv(t)
			// The recent-sites file is written on the side; a temporary
			// directory's cleanup must not race it.
			state, _ := os.MkdirTemp("", "ferry-state-")
			t.Cleanup(func() { os.RemoveAll(state) })
			env["XDG_STATE_HOME"] = state
			for k, v := range site.env {
				env[k] = v
			}
			t.Cleanup(func() { os.RemoveAll(site.dir) })
			treeDir := filepath.Join(site.dir, "tree")
			duFindTree(t, treeDir)
			os.Chmod(site.dir, 0o777)
			url := site.url + "tree"
			ferry := func(args ...string) (int, string, string) {
				return run(t, env, append(args, site.flags...)...)
			}
			// The server's own path of the tree, as find and du print it.
			serverDir := treeDir
			if strings.HasPrefix(site.name, "demo") {
				serverDir = "/tree"
			}

			t.Run("du counts what the disk holds", func(t *testing.T) {
				files, dirs, bytes, _ := onDisk(t, treeDir, "", false)
				code, out, errs := ferry("du", "-s", "--json", url)
				if code != 0 {
					t.Fatalf("du: exit %d: %s", code, errs)
				}
				var got duJSON
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatalf("du --json: %v in %q", err, out)
				}
				if got.Bytes != bytes || got.Files != files || got.Dirs != dirs {
					t.Fatalf("du: got %d bytes, %d files, %d dirs; want %d, %d, %d", got.Bytes, got.Files, got.Dirs, bytes, files, dirs)
				}
				code, out, errs = ferry("du", url)
				lines := strings.Split(strings.TrimSpace(out), "\n")
				_, _, b0, _ := onDisk(t, filepath.Join(treeDir, "dir 0"), "", false)
				if code != 0 || len(lines) != 6 || lines[0] != fmt.Sprintf("%d\t%s/dir 0", b0, serverDir) || lines[5] != fmt.Sprintf("%d\t%s", bytes, serverDir) {
					t.Fatalf("du: exit %d, got %q (%s); want dir 0 with %d bytes first and the total %d last", code, lines, errs, b0, bytes)
				}
			})

			t.Run("find matches what find -name matches", func(t *testing.T) {
				for _, tc := range []struct {
					flag, glob string
					fold       bool
				}{{"--name", "*.txt", false}, {"--iname", "*.txt", true}, {"--name", "Sub?", false}, {"--name", "file[02]*", false}} {
					_, _, _, want := onDisk(t, treeDir, tc.glob, tc.fold)
					code, out, errs := ferry("find", url, tc.flag, tc.glob)
					if code != 0 {
						t.Fatalf("find %s %s: exit %d: %s", tc.flag, tc.glob, code, errs)
					}
					if got := relLines(out, serverDir); fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("find %s %q:\ngot  %q\nwant %q", tc.flag, tc.glob, got, want)
					}
				}
				code, out, _ := ferry("find", url, "--type", "d", "--name", "empty")
				if got := relLines(out, serverDir); code != 0 || len(got) != 5 {
					t.Fatalf("find --type d: exit %d, got %q; want the 5 empty directories", code, got)
				}
				code, out, _ = ferry("find", url, "--type", "f", "--larger", "3.9k")
				if got := relLines(out, serverDir); code != 0 || len(got) != 13 {
					t.Fatalf("find --larger 4k: exit %d, got %q; want the 12 files of dir 4 and top.txt", code, got)
				}
				code, out, _ = ferry("find", url, "--newer", "7d", "--type", "f", "--name", "file0.txt")
				if got := relLines(out, serverDir); code != 0 || len(got) != 14 {
					t.Fatalf("find --newer 7d: exit %d, got %q; want 14 of the 15 file0.txt", code, got)
				}
				if code, out, _ := ferry("find", url, "--name", "nothing-is-called-this"); code != 1 || out != "" {
					t.Fatalf("find with no match: exit %d, output %q; want 1 and nothing", code, out)
				}
			})

			t.Run("stat describes a file", func(t *testing.T) {
				code, out, errs := ferry("stat", "--json", "--checksum", url+"/top.txt")
				if code != 0 {
					t.Fatalf("stat: exit %d: %s", code, errs)
				}
				var got statJSON
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatalf("stat --json: %v in %q", err, out)
				}
				if got.Name != "top.txt" || got.Size != 123_456 || got.Type != "file" || got.Path != serverDir+"/top.txt" || got.Checksum == "" {
					t.Fatalf("stat: got %+v", got)
				}
				// OpenSSH (9.1 on) names the owner through
				// users-groups-by-id, as the host does (sshd runs here);
				// the real FTP servers name the owner (or give its ID) in
				// LIST or MLSD.
				if fi, err := os.Stat(filepath.Join(treeDir, "top.txt")); err == nil && site.name == "openssh" {
					want := fmt.Sprint(fi.Sys().(*syscall.Stat_t).Uid)
					if u, err := user.LookupId(want); err == nil {
						want = u.Username
					}
					if got.Owner != want {
						t.Fatalf("stat: owner %q, want %s", got.Owner, want)
					}
				}
				if real := site.name != "local" && !strings.HasPrefix(site.name, "demo"); real {
					// vsftpd has no MLST, so its stat cannot say; every
					// real server's listing does.
					code, out, errs := ferry("ls", "--json", url)
					var en entryJSON
					for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
						if json.Unmarshal([]byte(l), &en) == nil && en.Name == "top.txt" {
							break
						}
					}
					if code != 0 || en.Owner == "" || en.Group == "" {
						t.Fatalf("ls --json: exit %d (%s), top.txt owner %q group %q; want both from %s", code, errs, en.Owner, en.Group, site.name)
					}
				}
				if want := digest(got.Algorithm, make([]byte, 123_456)); got.Checksum != want {
					t.Fatalf("stat: %s %q, want %q", got.Algorithm, got.Checksum, want)
				}
				code, out, _ = ferry("stat", url)
				if code != 0 || !strings.Contains(out, "Type:      dir") {
					t.Fatalf("stat of a directory: exit %d, %q", code, out)
				}
				if code, _, errs := ferry("stat", url+"/missing"); code != exitFailed || !strings.Contains(errs, "missing") {
					t.Fatalf("stat of a missing path: exit %d, %q", code, errs)
				}
			})

			t.Run("touch creates and then dates a file", func(t *testing.T) {
				if code, _, errs := ferry("mkdir", site.url+"made"); code != 0 {
					t.Fatalf("mkdir: exit %d: %s", code, errs)
				}
				if code, _, errs := ferry("touch", site.url+"made/new.txt"); code != 0 {
					t.Fatalf("touch: exit %d: %s", code, errs)
				}
				p := filepath.Join(site.dir, "made", "new.txt")
				st, err := os.Stat(p)
				if err != nil || st.Size() != 0 {
					t.Fatalf("touch: %v, %v; want an empty file", st, err)
				}
				old := time.Now().Add(-48 * time.Hour)
				os.Chtimes(p, old, old)
				code, _, errs := ferry("touch", site.url+"made/new.txt")
				st, _ = os.Stat(p)
				if code == 0 && time.Since(st.ModTime()) > time.Hour {
					t.Fatalf("touch of an existing file: exit 0 but the time is still %v", st.ModTime())
				}
				if code != 0 && !strings.Contains(errs, "cannot set times") {
					t.Fatalf("touch of an existing file: exit %d: %s", code, errs)
				}
			})

			t.Run("ln makes a link where the server can", func(t *testing.T) {
				if code, _, errs := ferry("mkdir", "-p", site.url+"links"); code != 0 {
					t.Fatalf("mkdir: exit %d: %s", code, errs)
				}
				code, _, errs := ferry("ln", "-s", "../tree/top.txt", site.url+"links/top")
				if strings.HasPrefix(site.url, "ftp://") {
					if code == 0 || !strings.Contains(errs, "cannot make links") {
						t.Fatalf("ln over FTP: exit %d, %q; want a refusal", code, errs)
					}
					return
				}
				if code != 0 {
					t.Fatalf("ln: exit %d: %s", code, errs)
				}
				if target, err := os.Readlink(filepath.Join(site.dir, "links", "top")); err != nil || target != "../tree/top.txt" {
					t.Fatalf("ln: link reads %q, %v", target, err)
				}
			})
		})
	}
}

// digest is data's checksum in hex, as a server would give it.
func digest(algo string, data []byte) string {
	switch algo {
	case "sha256":
		return fmt.Sprintf("%x", sha256.Sum256(data))
	case "sha1":
		return fmt.Sprintf("%x", sha1.Sum(data))
	case "md5":
		return fmt.Sprintf("%x", md5.Sum(data))
	case "crc32":
		return fmt.Sprintf("%08x", crc32.ChecksumIEEE(data))
	}
	return "unknown algorithm " + algo
}
