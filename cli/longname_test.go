package cli

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nameOfBytes is a file name of exactly n bytes built from unit, padded
// with ASCII where unit does not divide n.
func nameOfBytes(unit string, n int) string {
	s := strings.Repeat(unit, n/len(unit))
	return s + strings.Repeat("z", n-len(s))
}

// longNameSite is one server a long-name round trip goes to: the base
// address of a writable directory and the flags that reach it.
type longNameSite struct {
	name  string
	url   string // the directory, as an address
	dir   string // the same directory on this machine's disk, where the test can look
	flags []string
	env   map[string]string
}

// longNameSites lists the in-process servers, the local disk and, when CI
// started them, the real OpenSSH, vsftpd, proftpd and pure-ftpd.
func longNameSites(t *testing.T) []longNameSite {
	t.Helper()
	var sites []longNameSite
	sftpRoot, ftpRoot, localDir := t.TempDir(), t.TempDir(), t.TempDir()
	addr, kh := startSFTP(t, sftpRoot)
	_, port, _ := net.SplitHostPort(addr)
	sites = append(sites,
		longNameSite{name: "demo-sftpd", url: "sftp://u@127.0.0.1:" + port + "/", dir: sftpRoot,
			flags: []string{"--known-hosts", kh, "--ssh-config", "none", "--timeout", "10s"}},
		longNameSite{name: "demo-ftpd", url: "ftp://u@" + startFTP(t, ftpRoot) + "/", dir: ftpRoot},
		longNameSite{name: "local", url: localDir + "/", dir: localDir},
	)
	// The real servers outlive a test run: a name of this run's own, and
	// what it wrote removed after.
	unique := fmt.Sprintf("longname-%d-%d", os.Getpid(), time.Now().UnixNano())
	if a := os.Getenv("FERRY_TEST_SSHD"); a != "" {
		dir := filepath.Join(os.Getenv("FERRY_TEST_SSHD_DIR"), unique)
		t.Cleanup(func() { os.RemoveAll(dir) })
		sites = append(sites, longNameSite{name: "openssh", dir: dir,
			url:   "sftp://" + os.Getenv("FERRY_TEST_SSHD_USER") + "@" + a + dir + "/",
			flags: []string{"-i", os.Getenv("FERRY_TEST_SSHD_KEY"), "--known-hosts", os.Getenv("FERRY_TEST_SSHD_KNOWN_HOSTS"), "--trust", "strict", "--ssh-config", "none"}})
	} else if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
		t.Fatal("FERRY_TEST_SSHD is unset but FERRY_REQUIRE_REAL_SERVERS=1")
	}
	for _, srv := range []string{"VSFTPD", "PROFTPD", "PUREFTPD"} {
		a := os.Getenv("FERRY_TEST_" + srv)
		if a == "" {
			if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
				t.Fatalf("FERRY_TEST_%s is unset but FERRY_REQUIRE_REAL_SERVERS=1", srv)
			}
			continue
		}
		dir := filepath.Join(os.Getenv("FERRY_TEST_FTP_DIR"), unique+"-"+strings.ToLower(srv))
		t.Cleanup(func() { os.RemoveAll(dir) })
		sites = append(sites, longNameSite{name: strings.ToLower(srv), dir: dir,
			// An FTP address's path is relative to the login directory
			// unless it starts with a second slash, as with curl.
			url: "ftp://" + os.Getenv("FERRY_TEST_FTP_USER") + "@" + a + "/" + dir + "/",
			env: map[string]string{"FERRY_PASSWORD": os.Getenv("FERRY_TEST_FTP_PASSWORD")}})
	}
	return sites
}

// TestLongNamesBothWays uploads and downloads files whose names take all
// 255 bytes a name may have, in ASCII and in multi-byte UTF-8, to and from
// every server: the part ferry writes first must fit as well.
func TestLongNamesBothWays(t *testing.T) {
	names := []string{
		nameOfBytes("a", 251) + ".txt",
		nameOfBytes("é", 255),
		nameOfBytes("名前", 255),
	}
	for _, site := range longNameSites(t) {
		t.Run(site.name, func(t *testing.T) {
			env := stateEnv(t)
			for k, v := range site.env {
				env[k] = v
			}
			if code, _, errs := run(t, env, append([]string{"mkdir", "-p", site.url}, site.flags...)...); code != 0 {
				t.Fatalf("mkdir -p: exit %d: %s", code, errs)
			}
			put, get := "put", "get"
			if site.name == "local" {
				put, get = "cp", "cp"
			}
			up, down := t.TempDir(), t.TempDir()
			for i, name := range names {
				data := bytes.Repeat([]byte(fmt.Sprintf("%d:%s\n", i, site.name)), 20_000)
				mustWrite(t, filepath.Join(up, name), data)
				if code, _, errs := run(t, env, append([]string{put, filepath.Join(up, name), site.url}, site.flags...)...); code != 0 {
					t.Fatalf("put the %d-byte name %.12q…: exit %d: %s", len(name), name, code, errs)
				}
				mustSame(t, filepath.Join(up, name), filepath.Join(site.dir, name))
				if code, _, errs := run(t, env, append([]string{get, site.url + name, down + "/"}, site.flags...)...); code != 0 {
					t.Fatalf("get the %d-byte name %.12q…: exit %d: %s", len(name), name, code, errs)
				}
				mustSame(t, filepath.Join(up, name), filepath.Join(down, name))
			}
			// A tree of them, through the directory walk, both ways.
			if code, _, errs := run(t, env, append([]string{put, "-r", up, site.url + "tree"}, site.flags...)...); code != 0 {
				t.Fatalf("put -r: exit %d: %s", code, errs)
			}
			back := t.TempDir()
			if code, _, errs := run(t, env, append([]string{get, "-r", site.url + "tree", back}, site.flags...)...); code != 0 {
				t.Fatalf("get -r: exit %d: %s", code, errs)
			}
			for _, name := range names {
				mustSame(t, filepath.Join(up, name), filepath.Join(back, "tree", name))
			}
			for _, d := range []string{site.dir, down, back} {
				filepath.WalkDir(d, func(p string, _ os.DirEntry, err error) error {
					if err == nil && strings.Contains(filepath.Base(p), ".ferry-part") {
						t.Errorf("part left behind: %s", p)
					}
					return nil
				})
			}
		})
	}
}
