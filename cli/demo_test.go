package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo"
)

// TestCLIAgainstDemoServers lists and copies through both demo servers the
// way a user would, with the demo's known_hosts and CA file and nothing
// trusted beyond them.
func TestCLIAgainstDemoServers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sb, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	home := t.TempDir()
	env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, "c"), "XDG_STATE_HOME": filepath.Join(home, "s"), "FERRY_PASSWORD": demo.Password}
	trust := []string{"--trust", "strict", "--known-hosts", sb.KnownHosts, "--ca-file", sb.CAFile, "--ssh-config", "none"}
	for _, url := range []string{sb.SFTPURL(), sb.FTPURL()} {
		code, out, errs := run(t, env, append([]string{"ls", url}, trust...)...)
		if code != 0 || !strings.Contains(out, "README.txt") || !strings.Contains(out, "docs/") {
			t.Fatalf("ls %s: exit %d, %q, %q", url, code, out, errs)
		}
		dst := filepath.Join(home, "readme-"+url[:4])
		if code, _, errs := run(t, env, append([]string{"get", url + "README.txt", dst}, trust...)...); code != 0 {
			t.Fatalf("get from %s: exit %d: %s", url, code, errs)
		}
		want, _ := os.ReadFile(filepath.Join(sb.ServerDir, "README.txt"))
		if got, err := os.ReadFile(dst); err != nil || string(got) != string(want) {
			t.Fatalf("downloaded README from %s: %q, %v", url, got, err)
		}
	}
	// --ftp-type auto sends text as ASCII and the rest as binary.
	for name, want := range map[string]string{"notes.txt": "> TYPE A", "photo.bin": "> TYPE I"} {
		src := filepath.Join(home, name)
		if err := os.WriteFile(src, []byte("line one\nline two\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errs := run(t, env, append([]string{"put", "--ftp-type", "auto", "--debug", src, sb.FTPURL()}, trust...)...)
		if code != 0 || !strings.Contains(errs, want) {
			t.Fatalf("put %s with --ftp-type auto: exit %d, log lacks %q:\n%s", name, code, want, errs)
		}
		if got, err := os.ReadFile(filepath.Join(sb.ServerDir, name)); err != nil || string(got) != "line one\nline two\n" {
			t.Fatalf("%s on the server: %q, %v", name, got, err)
		}
	}
	// Without the CA file the self-signed certificate is refused, not trusted.
	code, _, errs := run(t, env, "ls", "--trust", "strict", sb.FTPURL())
	if code != exitTrust {
		t.Fatalf("ls over FTPS with an unknown certificate: exit %d (%s), want %d", code, errs, exitTrust)
	}
}
