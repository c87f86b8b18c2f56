package cli

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// syncSite is one side a sync test runs against: an address, where the
// same directory is on this machine's disk, and what reaches it.
type syncSite struct {
	name  string
	url   string
	dir   string
	flags []string
	env   map[string]string
	owner string // the server's user, who must own files the test writes
}

// syncSites lists the in-process servers and, when CI started them, the
// real OpenSSH and vsftpd.
func syncSites(t *testing.T) []syncSite {
	t.Helper()
	sftpRoot, ftpRoot := t.TempDir(), t.TempDir()
	addr, kh := startSFTP(t, sftpRoot)
	_, port, _ := net.SplitHostPort(addr)
	sites := []syncSite{
		{name: "demo-sftpd", url: "sftp://u@127.0.0.1:" + port + "/s", dir: filepath.Join(sftpRoot, "s"),
			flags: []string{"--known-hosts", kh, "--ssh-config", "none", "--timeout", "10s"}},
		{name: "demo-ftpd", url: "ftp://u@" + startFTP(t, ftpRoot) + "/s", dir: filepath.Join(ftpRoot, "s")},
	}
	unique := "sync-" + filepath.Base(t.TempDir())
	if a := os.Getenv("FERRY_TEST_SSHD"); a != "" {
		dir := filepath.Join(os.Getenv("FERRY_TEST_SSHD_DIR"), unique)
		sites = append(sites, syncSite{name: "openssh", dir: dir, owner: os.Getenv("FERRY_TEST_SSHD_USER"),
			url:   "sftp://" + os.Getenv("FERRY_TEST_SSHD_USER") + "@" + a + dir,
			flags: []string{"-i", os.Getenv("FERRY_TEST_SSHD_KEY"), "--known-hosts", os.Getenv("FERRY_TEST_SSHD_KNOWN_HOSTS"), "--trust", "strict", "--ssh-config", "none"}})
	} else if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
		t.Fatal("FERRY_TEST_SSHD is unset but FERRY_REQUIRE_REAL_SERVERS=1")
	}
	if a := os.Getenv("FERRY_TEST_VSFTPD"); a != "" {
		dir := filepath.Join(os.Getenv("FERRY_TEST_FTP_DIR"), unique)
		sites = append(sites, syncSite{name: "vsftpd", dir: dir, owner: os.Getenv("FERRY_TEST_FTP_USER"),
			// An FTP address's path is relative to the login directory
			// unless it starts with a second slash.
			url: "ftp://" + os.Getenv("FERRY_TEST_FTP_USER") + "@" + a + "/" + dir,
			env: map[string]string{"FERRY_PASSWORD": os.Getenv("FERRY_TEST_FTP_PASSWORD")}})
	} else if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
		t.Fatal("FERRY_TEST_VSFTPD is unset but FERRY_REQUIRE_REAL_SERVERS=1")
	}
	return sites
}

// runSyncWaiting runs ferry sync and waits for its bookkeeping on the
// side (the recent-sites file), which would race the test's cleanup.
func runSyncWaiting(vars map[string]string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	e := &env{Stdio: Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, getenv: func(k string) string { return vars[k] }, version: "test"}
	code := runSync(context.Background(), e, args)
	e.background.Wait()
	return code, out.String(), errb.String()
}

// writeAs writes a file on disk with an mtime, owned by owner when set (a
// real server's user must be able to rename and delete it).
func writeAs(t *testing.T, root, rel, data string, mtime time.Time, owner string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	mustWrite(t, p, []byte(data))
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if owner == "" {
		return
	}
	u, err := user.Lookup(owner)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for d := p; strings.HasPrefix(d, root); d = filepath.Dir(d) {
		os.Chown(d, uid, gid)
	}
}

// snapshot reads a tree into "rel=content" lines, parts left out.
func snapshot(t *testing.T, root string) string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			out = append(out, rel+"/")
			return nil
		}
		data, _ := os.ReadFile(p)
		out = append(out, rel+"="+string(data))
		return nil
	})
	return joinSorted(out...)
}

// joinSorted lists a tree's lines as snapshot does.
func joinSorted(lines ...string) string {
	sort.Strings(lines)
	return strings.Join(lines, "; ")
}

// TestSyncBothWays runs the same story between the local disk and every
// server, and once between two servers: a first sync (the union), one
// change of each kind on each side, a conflict, the deletion safety stop
// and --force, a dry run that changes nothing, and a filter.
func TestSyncBothWays(t *testing.T) {
	sites := syncSites(t)
	type pair struct {
		name string
		a, b syncSite
	}
	var pairs []pair
	for _, s := range sites {
		l := t.TempDir()
		pairs = append(pairs, pair{"local-" + s.name, syncSite{name: "local", url: l, dir: l}, s})
	}
	pairs = append(pairs, pair{"demo-sftpd-demo-ftpd", sites[0], sites[1]})
	for _, pr := range pairs {
		t.Run(pr.name, func(t *testing.T) {
			a, b := pr.a, pr.b
			os.RemoveAll(a.dir)
			os.RemoveAll(b.dir)
			env := stateEnv(t)
			for _, s := range []syncSite{a, b} {
				for k, v := range s.env {
					env[k] = v
				}
			}
			sync := func(extra ...string) (int, string, string) {
				args := append([]string{"sync"}, a.flags...)
				args = append(args, b.flags...)
				args = append(args, extra...)
				return runSyncWaiting(env, append(args[1:], a.url, b.url)...)
			}
			// Minutes apart: vsftpd lists times to the minute.
			now := time.Now().Truncate(time.Minute).Add(-time.Hour)
			later := now.Add(10 * time.Minute)
			for _, rel := range []string{"one.txt", "two.txt", "sub/three.txt", "sub/four.txt", "gone-on-a.txt", "clash.txt"} {
				writeAs(t, a.dir, rel, "v1 "+rel, now, a.owner)
			}
			writeAs(t, a.dir, "debug.log", "noise", now, a.owner)
			writeAs(t, b.dir, "only-b.txt", "b", now, b.owner)

			code, out, errs := sync("--dry-run", "--exclude", "*.log")
			if code != 0 || !strings.Contains(out, "copy →   sub/three.txt") || !strings.Contains(out, "copy ←   only-b.txt") {
				t.Fatalf("dry run: exit %d\n%s%s", code, out, errs)
			}
			if got := snapshot(t, b.dir); got != "only-b.txt=b" || len(mustGlob(t, filepath.Join(env["XDG_STATE_HOME"], "ferry", "sync", "*"))) != 0 {
				t.Fatalf("the dry run changed B: %s", got)
			}
			if code, out, errs := sync("--exclude", "*.log"); code != 0 {
				t.Fatalf("first sync: exit %d\n%s%s", code, out, errs)
			}
			first := []string{"clash.txt=v1 clash.txt", "gone-on-a.txt=v1 gone-on-a.txt", "one.txt=v1 one.txt", "only-b.txt=b", "sub/", "sub/four.txt=v1 sub/four.txt", "sub/three.txt=v1 sub/three.txt", "two.txt=v1 two.txt"}
			if got, want := snapshot(t, b.dir), joinSorted(first...); got != want {
				t.Fatalf("B after the first sync:\n got %s\nwant %s", got, want)
			}
			if got, want := snapshot(t, a.dir), joinSorted(append(first, "debug.log=noise")...); got != want {
				t.Fatalf("A after the first sync:\n got %s\nwant %s", got, want)
			}

			// One change of each kind on each side, and a conflict.
			writeAs(t, a.dir, "one.txt", "v2 changed on A", later, a.owner)
			writeAs(t, b.dir, "sub/three.txt", "v2 changed on B", later, b.owner)
			os.Remove(filepath.Join(a.dir, "gone-on-a.txt"))
			os.Remove(filepath.Join(b.dir, "two.txt"))
			writeAs(t, a.dir, "new-a.txt", "new", later, a.owner)
			writeAs(t, a.dir, "clash.txt", "A's edit", later, a.owner)
			writeAs(t, b.dir, "clash.txt", "B's longer edit", later.Add(5*time.Minute), b.owner)
			code, out, errs = sync("--exclude", "*.log")
			if code != 0 {
				t.Fatalf("second sync: exit %d\n%s%s", code, out, errs)
			}
			if !strings.Contains(out, "conflict clash.txt: kept both") {
				t.Errorf("the conflict was not reported:\n%s", out)
			}
			var cname string
			for _, f := range strings.Split(snapshot(t, a.dir), "; ") {
				if strings.HasPrefix(f, "clash.conflict-") {
					cname = strings.SplitN(f, "=", 2)[0]
				}
			}
			if !strings.HasSuffix(cname, ".txt") {
				t.Errorf("conflict copy named %q, want clash.conflict-YYYYMMDD-HHMMSS.txt", cname)
			}
			second := []string{"clash.txt=B's longer edit", cname + "=A's edit", "new-a.txt=new", "one.txt=v2 changed on A", "only-b.txt=b", "sub/", "sub/four.txt=v1 sub/four.txt", "sub/three.txt=v2 changed on B"}
			if got, want := snapshot(t, b.dir), joinSorted(second...); got != want {
				t.Errorf("B after the second sync:\n got %s\nwant %s", got, want)
			}
			if got, want := snapshot(t, a.dir), joinSorted(append(second, "debug.log=noise")...); got != want {
				t.Errorf("A after the second sync:\n got %s\nwant %s", got, want)
			}
			if code, out, errs := sync("--exclude", "*.log"); code != 0 || !strings.Contains(out, "already in sync") {
				t.Errorf("third sync: exit %d\n%s%s", code, out, errs)
			}

			// B loses most of its files: the sync stops, then --force.
			for _, rel := range []string{"one.txt", "new-a.txt", "only-b.txt", "clash.txt", cname} {
				os.Remove(filepath.Join(b.dir, rel))
			}
			before := snapshot(t, a.dir)
			code, out, errs = sync("--exclude", "*.log")
			if code != exitFailed || !strings.Contains(errs, "--force") {
				t.Errorf("mass deletion: exit %d, want %d and a word about --force\n%s%s", code, exitFailed, out, errs)
			}
			if got := snapshot(t, a.dir); got != before {
				t.Errorf("the stopped sync changed A:\n got %s\nwant %s", got, before)
			}
			if code, out, errs := sync("--exclude", "*.log", "--force"); code != 0 {
				t.Errorf("--force: exit %d\n%s%s", code, out, errs)
			}
			if got, want := snapshot(t, a.dir), joinSorted("debug.log=noise", "sub/", "sub/four.txt=v1 sub/four.txt", "sub/three.txt=v2 changed on B"); got != want {
				t.Errorf("A after --force:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestSyncUsage(t *testing.T) {
	if code, _, _ := run(t, stateEnv(t), "sync", t.TempDir()); code != exitUsage {
		t.Errorf("one directory: exit %d, want %d", code, exitUsage)
	}
	f := filepath.Join(t.TempDir(), "file")
	mustWrite(t, f, []byte("x"))
	if code, _, _ := run(t, stateEnv(t), "sync", f, t.TempDir()); code != exitUsage {
		t.Errorf("a file: exit %d, want %d", code, exitUsage)
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSyncInterruptedThenRerun stops a sync half way (Ctrl-C): exit 130,
// nothing deleted, and the rerun finishes without a conflict.
func TestSyncInterruptedThenRerun(t *testing.T) {
	sftpRoot, a := t.TempDir(), t.TempDir()
	addr, kh := startSFTP(t, sftpRoot)
	_, port, _ := net.SplitHostPort(addr)
	b := filepath.Join(sftpRoot, "s")
	vars := stateEnv(t)
	args := []string{"--known-hosts", kh, "--ssh-config", "none", "--timeout", "10s", "-P", "1"}
	url := "sftp://u@127.0.0.1:" + port + "/s"
	mt := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, rel := range []string{"k1", "k2", "k3", "k4", "gone"} {
		writeAs(t, a, rel, "v", mt, "")
	}
	if code, out, errs := runSyncWaiting(vars, append(args, a, url)...); code != 0 {
		t.Fatalf("first sync: exit %d\n%s%s", code, out, errs)
	}
	big := strings.Repeat("x", 300<<10)
	for _, rel := range []string{"big1", "big2", "big3"} {
		writeAs(t, a, rel, big, mt, "")
	}
	os.Remove(filepath.Join(a, "gone"))

	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	var out, errb bytes.Buffer
	e := &env{Stdio: Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, getenv: func(k string) string { return vars[k] }, version: "test"}
	code := runSync(ctx, e, append(args, "--limit-rate", "200K", a, url))
	e.background.Wait()
	if code != exitCanceled || !strings.Contains(errb.String(), "rerun") {
		t.Fatalf("interrupted sync: exit %d, want %d\n%s%s", code, exitCanceled, out.String(), errb.String())
	}
	if _, err := os.Stat(filepath.Join(b, "gone")); err != nil {
		t.Error("the interrupted sync deleted before its copies were done")
	}
	code, o, errs := runSyncWaiting(vars, append(args, a, url)...)
	if code != 0 || strings.Contains(o, "conflict ") {
		t.Fatalf("rerun: exit %d\n%s%s", code, o, errs)
	}
	want := joinSorted("big1="+big, "big2="+big, "big3="+big, "k1=v", "k2=v", "k3=v", "k4=v")
	for _, dir := range []string{a, b} {
		if got := snapshot(t, dir); got != want {
			t.Errorf("%s after the rerun: %.200s", dir, got)
		}
	}
}

// TestSyncChecksum changes a file on the FTP side without changing its
// size or time: a plain sync cannot tell, --checksum (the server's HASH)
// does, and a plain sync in between keeps the hashes in the state.
func TestSyncChecksum(t *testing.T) {
	ftpRoot, a := t.TempDir(), t.TempDir()
	url := "ftp://u@" + startFTP(t, ftpRoot) + "/s"
	b := filepath.Join(ftpRoot, "s")
	vars := stateEnv(t)
	mt := time.Now().Add(-time.Hour).Truncate(time.Second)
	writeAs(t, a, "f.txt", "one1", mt, "")
	writeAs(t, a, "g.txt", "same", mt, "")
	if code, out, errs := runSyncWaiting(vars, "--checksum", a, url); code != 0 {
		t.Fatalf("first sync: exit %d\n%s%s", code, out, errs)
	}
	states := mustGlob(t, filepath.Join(vars["XDG_STATE_HOME"], "ferry", "sync", "*.state"))
	if len(states) != 1 {
		t.Fatalf("state files: %v", states)
	}
	hashed := func() bool {
		data, _ := os.ReadFile(states[0])
		return strings.HasPrefix(string(data), "ferry-sync-state 2\t") && strings.Contains(string(data), "sha256:")
	}
	if !hashed() {
		t.Fatal("the first sync with --checksum recorded no hashes")
	}
	writeAs(t, b, "f.txt", "two2", mt, "") // same size, same time

	if code, out, errs := runSyncWaiting(vars, a, url); code != 0 || !strings.Contains(out, "already in sync") {
		t.Fatalf("sync without --checksum: exit %d, want already in sync\n%s%s", code, out, errs)
	}
	if got := snapshot(t, a); got != joinSorted("f.txt=one1", "g.txt=same") {
		t.Fatalf("A after a sync without --checksum: %s", got)
	}
	if !hashed() {
		t.Fatal("a sync without --checksum dropped the hashes")
	}
	code, out, errs := runSyncWaiting(vars, "--checksum", "--dry-run", a, url)
	if code != 0 || !strings.Contains(out, "copy ←   f.txt") || strings.Contains(out, "g.txt") {
		t.Fatalf("dry run with --checksum: exit %d, want f.txt copied to A alone\n%s%s", code, out, errs)
	}
	if code, out, errs := runSyncWaiting(vars, "--checksum", a, url); code != 0 {
		t.Fatalf("sync with --checksum: exit %d\n%s%s", code, out, errs)
	}
	want := joinSorted("f.txt=two2", "g.txt=same")
	for _, dir := range []string{a, b} {
		if got := snapshot(t, dir); got != want {
			t.Errorf("%s after sync --checksum: got %s, want %s", dir, got, want)
		}
	}
	if code, out, errs := runSyncWaiting(vars, "--checksum", a, url); code != 0 || !strings.Contains(out, "already in sync") {
		t.Errorf("second sync with --checksum: exit %d, want already in sync\n%s%s", code, out, errs)
	}
}
