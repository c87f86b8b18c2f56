package cli

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/demo/sftpd"
)

// stateEnv keeps the transfer log in the test's own directory.
func stateEnv(t *testing.T) map[string]string {
	return map[string]string{"XDG_STATE_HOME": t.TempDir(), "FERRY_PASSWORD": "pw"}
}

func mustWrite(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustSame(t *testing.T, a, b string) {
	t.Helper()
	da, err1 := os.ReadFile(a)
	db, err2 := os.ReadFile(b)
	if err1 != nil || err2 != nil || !bytes.Equal(da, db) {
		t.Fatalf("%s and %s differ (%v, %v; %d and %d bytes)", a, b, err1, err2, len(da), len(db))
	}
}

// tree writes a small nested tree of random files under root.
func tree(t *testing.T, root string, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, seed))
	var rels []string
	for _, d := range []string{"", "sub", "sub/deeper"} {
		for i := range 4 {
			rel := filepath.Join(d, "file"+strconv.Itoa(i)+".bin")
			data := make([]byte, r.IntN(200_000))
			for k := range data {
				data[k] = byte(r.Uint32())
			}
			mustWrite(t, filepath.Join(root, rel), data)
			rels = append(rels, rel)
		}
	}
	return rels
}

func TestCpDestinationRules(t *testing.T) {
	dir := t.TempDir()
	env := stateEnv(t)
	src := filepath.Join(dir, "src")
	rels := tree(t, src, 1)

	// A destination that does not exist becomes the copy.
	if code, _, errs := run(t, env, "cp", "-r", src, filepath.Join(dir, "new")); code != 0 {
		t.Fatalf("cp -r into a new name: exit %d: %s", code, errs)
	}
	// An existing directory receives the source inside it.
	os.Mkdir(filepath.Join(dir, "into"), 0o755)
	if code, _, errs := run(t, env, "cp", "-r", "-P", "2", src, filepath.Join(dir, "into")); code != 0 {
		t.Fatalf("cp -r into a directory: exit %d: %s", code, errs)
	}
	for _, rel := range rels {
		mustSame(t, filepath.Join(src, rel), filepath.Join(dir, "new", rel))
		mustSame(t, filepath.Join(src, rel), filepath.Join(dir, "into", "src", rel))
	}
	// Several sources need a directory.
	a, b := filepath.Join(src, "file0.bin"), filepath.Join(src, "file1.bin")
	if code, _, _ := run(t, env, "cp", a, b, filepath.Join(dir, "nodir")); code != exitUsage {
		t.Errorf("two sources into a missing directory: exit %d, want %d", code, exitUsage)
	}
	if code, _, errs := run(t, env, "cp", a, b, filepath.Join(dir, "into")); code != 0 {
		t.Fatalf("two sources into a directory: exit %d: %s", code, errs)
	}
	mustSame(t, b, filepath.Join(dir, "into", "file1.bin"))
	// A directory without -r is omitted, the rest still copied, exit 1.
	os.Mkdir(filepath.Join(dir, "mixed"), 0o755)
	code, _, errs := run(t, env, "cp", src, a, filepath.Join(dir, "mixed"))
	if code != exitFailed || !strings.Contains(errs, "use -r") {
		t.Errorf("directory without -r: exit %d, %q", code, errs)
	}
	mustSame(t, a, filepath.Join(dir, "mixed", "file0.bin"))
	if _, err := os.Stat(filepath.Join(env["XDG_STATE_HOME"], "ferry", "transfer.log")); err != nil {
		t.Errorf("no transfer log: %v", err)
	}
}

func TestCopyFlagErrorsAreUsageErrors(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	mustWrite(t, f, []byte("x"))
	for _, args := range [][]string{
		{"cp", "--limit-rate", "fast", f, f + ".2"},
		{"cp", "--on-conflict", "maybe", f, f + ".2"},
		{"cp", "--on-conflict", "ask", f, f + ".2"},
		{"cp", "-P", "0", f, f + ".2"},
		{"get", f, f + ".2"},
		{"put", f, f + ".2"},
		{"mirror", f},
	} {
		if code, _, errs := run(t, stateEnv(t), args...); code != exitUsage || !strings.HasPrefix(errs, "ferry") {
			t.Errorf("%v: exit %d, %q; want %d with a message", args, code, errs, exitUsage)
		}
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "1000": 1000, "500K": 500 << 10, "10M": 10 << 20, "1G": 1 << 30, "1.5k": 1536, "2MB": 2 << 20} {
		if got, err := parseRate(in); err != nil || got != want {
			t.Errorf("parseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"fast", "-1K", "K", "10X", "B", "b", "NaN", "Inf", "1e300"} {
		if _, err := parseRate(bad); err == nil {
			t.Errorf("parseRate(%q) accepted", bad)
		}
	}
}

func TestContinueResumesAShorterTarget(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "big"), filepath.Join(dir, "big.out")
	data := bytes.Repeat([]byte("0123456789"), 50_000)
	mustWrite(t, src, data)
	mustWrite(t, dst, data[:123_456])
	code, out, errs := run(t, stateEnv(t), "cp", "--continue", src, dst)
	if code != 0 {
		t.Fatalf("cp --continue: exit %d: %s", code, errs)
	}
	mustSame(t, src, dst)
	if !strings.Contains(out, "1 of 1 files copied") {
		t.Errorf("summary %q", out)
	}
}

func startSFTP(t *testing.T, root string) (addr, knownHostsFile string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := sftpd.Start(ctx, sftpd.Options{Root: root, Users: []sftpd.User{{Name: "u", Password: "pw"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	kh := filepath.Join(t.TempDir(), "known_hosts")
	os.WriteFile(kh, []byte(knownhosts.Line([]string{knownhosts.Normalize(srv.Addr())}, srv.HostKey())+"\n"), 0o600)
	return srv.Addr(), kh
}

func startFTP(t *testing.T, root string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := ftpd.Start(ctx, ftpd.Options{Root: root, Users: map[string]string{"u": "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Addr()
}

func TestGetPutOverSFTPAndSiteToSiteOverFTP(t *testing.T) {
	sftpRoot, ftpRoot, local := t.TempDir(), t.TempDir(), t.TempDir()
	rels := tree(t, filepath.Join(sftpRoot, "data"), 2)
	addr, kh := startSFTP(t, sftpRoot)
	ftpAddr := startFTP(t, ftpRoot)
	_, port, _ := net.SplitHostPort(addr)
	env := stateEnv(t)
	ssh := []string{"--known-hosts", kh, "--ssh-config", "none", "--timeout", "10s"}

	args := append([]string{"get", "-r", "--verify", "--segments", "3", "-P", "3"}, ssh...)
	args = append(args, "sftp://u@127.0.0.1:"+port+"/data", local)
	if code, _, errs := run(t, env, args...); code != 0 {
		t.Fatalf("get -r: exit %d: %s", code, errs)
	}
	for _, rel := range rels {
		mustSame(t, filepath.Join(sftpRoot, "data", rel), filepath.Join(local, "data", rel))
	}
	args = append([]string{"put", "-r", "--limit-rate", "50M"}, ssh...)
	args = append(args, filepath.Join(local, "data"), "sftp://u@127.0.0.1:"+port+"/back")
	if code, _, errs := run(t, env, args...); code != 0 {
		t.Fatalf("put -r: exit %d: %s", code, errs)
	}
	// Site to site: SFTP to FTP, through the engine's two pools.
	args = append([]string{"cp", "-r"}, ssh...)
	args = append(args, "sftp://u@127.0.0.1:"+port+"/back", "ftp://u@"+ftpAddr+"/copy")
	if code, _, errs := run(t, env, args...); code != 0 {
		t.Fatalf("cp sftp→ftp: exit %d: %s", code, errs)
	}
	for _, rel := range rels {
		mustSame(t, filepath.Join(sftpRoot, "data", rel), filepath.Join(sftpRoot, "back", rel))
		mustSame(t, filepath.Join(sftpRoot, "data", rel), filepath.Join(ftpRoot, "copy", rel))
	}
	log, _ := os.ReadFile(filepath.Join(env["XDG_STATE_HOME"], "ferry", "transfer.log"))
	for _, dir := range []string{"\tget\t", "\tput\t", "\tcopy\t"} {
		if !strings.Contains(string(log), dir) {
			t.Errorf("transfer log has no %q line", strings.TrimSpace(dir))
		}
	}
	if strings.Contains(string(log), "pw") {
		t.Error("the password reached the transfer log")
	}
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"500K", "10M", "1G", "B", "1.5k", "0x10", "NaN", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseRate(s)
		if err == nil && (n < 0 || n > 1<<50) {
			t.Fatalf("parseRate(%q) = %d", s, n)
		}
	})
}

// A single-file get or put asks the server about its source and target
// once each: the queue takes what cp's rules just found.
func TestSingleFileCopyLooksOnce(t *testing.T) {
	ftpRoot, local := t.TempDir(), t.TempDir()
	ftpAddr := startFTP(t, ftpRoot)
	env := stateEnv(t)
	src := filepath.Join(local, "one.bin")
	mustWrite(t, src, bytes.Repeat([]byte("ferry"), 20_000))
	looks := func(debug, p string) int {
		n := 0
		for _, l := range strings.Split(debug, "\n") {
			if strings.HasPrefix(l, "> MLST ") && strings.TrimSpace(strings.TrimPrefix(l, "> MLST ")) == p {
				n++
			}
		}
		return n
	}

	code, _, errs := run(t, env, "put", "--debug", "--quiet", src, "ftp://u@"+ftpAddr+"/one.bin")
	if code != 0 {
		t.Fatalf("put: exit %d: %s", code, errs)
	}
	mustSame(t, src, filepath.Join(ftpRoot, "one.bin"))
	if n := looks(errs, "/one.bin"); n != 1 {
		t.Errorf("put asked about its target %d times, want 1:\n%s", n, errs)
	}

	back := filepath.Join(local, "back.bin")
	code, _, errs = run(t, env, "get", "--debug", "--quiet", "ftp://u@"+ftpAddr+"/one.bin", back)
	if code != 0 {
		t.Fatalf("get: exit %d: %s", code, errs)
	}
	mustSame(t, src, back)
	if n := looks(errs, "/one.bin"); n != 1 {
		t.Errorf("get asked about its source %d times, want 1:\n%s", n, errs)
	}
}
