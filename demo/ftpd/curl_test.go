package ftpd

import (
	"context"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestCurl checks the server against a client we did not write. It needs
// curl; without it the test skips, unless FERRY_REQUIRE_REAL_SERVERS=1.
func TestCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
			t.Fatal("curl not found and FERRY_REQUIRE_REAL_SERVERS=1")
		}
		t.Skip("curl not installed")
	}
	scfg, _ := mustTLS(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: scfg.Certificates[0].Certificate[0]})
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	srv, root := startServer(t, Options{TLS: scfg, RequireTLSReuse: true})
	implicit, iroot := startServer(t, Options{TLS: scfg, Implicit: true, RequireTLSReuse: true})
	writeFile(t, root, "dir/hello.txt", "hello from ftpd\n")
	writeFile(t, iroot, "f", "implicit hello")
	upload := filepath.Join(t.TempDir(), "up.bin")
	if err := os.WriteFile(upload, []byte("uploaded by curl"), 0o644); err != nil {
		t.Fatal(err)
	}
	user := testUser + ":" + testPass
	base := "ftp://" + srv.Addr() + "/"

	run := func(t *testing.T, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		args = append([]string{"-sS", "--max-time", "15", "-u", user}, args...)
		out, err := exec.CommandContext(ctx, curl, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"passive download", []string{base + "dir/hello.txt"}, "hello from ftpd\n"},
		{"active download", []string{"-P", "127.0.0.1", base + "dir/hello.txt"}, "hello from ftpd\n"},
		{"name list", []string{"-l", base + "dir/"}, "hello.txt\n"},
		{"explicit FTPS download", []string{"--ssl-reqd", "--cacert", caFile, base + "dir/hello.txt"}, "hello from ftpd\n"},
		{"implicit FTPS download", []string{"--cacert", caFile, "ftps://" + implicit.Addr() + "/f"}, "implicit hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, tc.args...); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("explicit FTPS upload", func(t *testing.T) {
		run(t, "--ssl-reqd", "--cacert", caFile, "-T", upload, base+"dir/up.bin")
		if got := readFile(t, root, "dir/up.bin"); got != "uploaded by curl" {
			t.Errorf("got %q", got)
		}
	})
}
