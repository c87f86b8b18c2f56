package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBookmarkNameAgainstRealSSHD saves a bookmark for the real OpenSSH
// server CI starts (.ci/sshd.sh) and uses its name where a URL would go:
// ferry put FILE NAME:path, then ferry ls NAME: finds it.
func TestBookmarkNameAgainstRealSSHD(t *testing.T) {
	addr := os.Getenv("FERRY_TEST_SSHD")
	if addr == "" {
		if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
			t.Fatal("FERRY_TEST_SSHD is unset but FERRY_REQUIRE_REAL_SERVERS=1")
		}
		t.Skip("FERRY_TEST_SSHD is unset: no real sshd to test against")
	}
	home := t.TempDir()
	env := map[string]string{
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, "config"),
		"XDG_STATE_HOME":  filepath.Join(home, "state"),
	}
	dir := filepath.Join(os.Getenv("FERRY_TEST_SSHD_DIR"), "bookmark-"+filepath.Base(home))
	url := "sftp://" + os.Getenv("FERRY_TEST_SSHD_USER") + "@" + addr + dir
	if code, out, errs := run(t, env, "bookmark", "add", "realssh", url, "--key", os.Getenv("FERRY_TEST_SSHD_KEY")); code != 0 {
		t.Fatalf("bookmark add: exit %d: %s %s", code, out, errs)
	}
	conn := []string{"--known-hosts", os.Getenv("FERRY_TEST_SSHD_KNOWN_HOSTS"), "--trust", "strict", "--ssh-config", "none"}
	if code, _, errs := run(t, env, append([]string{"mkdir", "-p", "realssh:"}, conn...)...); code != 0 {
		t.Fatalf("mkdir -p realssh: exit %d: %s", code, errs)
	}
	local := filepath.Join(home, "hello.txt")
	if err := os.WriteFile(local, []byte("hello over a bookmark\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, env, append([]string{"put", local, "realssh:greeting.txt"}, conn...)...); code != 0 {
		t.Fatalf("put to realssh:greeting.txt: exit %d: %s", code, errs)
	}
	code, out, errs := run(t, env, append([]string{"ls", "-l", "realssh:"}, conn...)...)
	if code != 0 || !strings.Contains(out, "greeting.txt") || !strings.Contains(out, "22 ") {
		t.Fatalf("ls realssh:: exit %d, out %q, err %q", code, out, errs)
	}
	got, err := os.ReadFile(filepath.Join(dir, "greeting.txt"))
	if err != nil || string(got) != "hello over a bookmark\n" {
		t.Fatalf("file on the server: %q, %v", got, err)
	}
}
