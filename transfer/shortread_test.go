package transfer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	pkgsftp "github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/sftp"
)

// plainSFTPEndpoint serves the local file system with pkg/sftp's plain
// sftp.Server, as many small SFTP servers do; it answers a read with at
// most 32 KiB however much was asked. Paths are the local ones.
func plainSFTPEndpoint(t *testing.T) Endpoint {
	t.Helper()
	srv, err := sftpd.Start(t.Context(), sftpd.Options{
		Root:  t.TempDir(),
		Users: []sftpd.User{{Name: "u", Password: "pw"}},
		Session: func(_ int, ch ssh.Channel) bool {
			s, err := pkgsftp.NewServer(ch)
			if err != nil {
				t.Error(err)
				return true
			}
			s.Serve()
			s.Close()
			return true
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	home := t.TempDir()
	kh := filepath.Join(home, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(srv.Addr())}, srv.HostKey())
	if err := os.WriteFile(kh, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port := hostPort(t, srv.Addr())
	site := protocol.Site{Scheme: protocol.SchemeSFTP, Host: host, Port: port, User: "u"}
	cfg := sftp.Config{Password: "pw", SSHConfigFile: "none", KnownHostsFile: kh, HomeDir: home, Timeout: 5 * time.Second}
	return Endpoint{ID: site.ID(), MaxConns: 4, Dial: func(ctx context.Context) (protocol.Client, error) {
		return sftp.Dial(ctx, site, cfg)
	}}
}

// TestTransfersWithPlainSFTPServer: downloads (whole and in segments) and
// uploads with a server whose reads come back short arrive whole at the
// first attempt; no retry or resume may hide a download that stopped
// early.
func TestTransfersWithPlainSFTPServer(t *testing.T) {
	r := rand.New(rand.NewPCG(32, 768))
	ep := plainSFTPEndpoint(t)
	srvDir, localDir := t.TempDir(), t.TempDir()
	q, _ := newTestQueue(t, Options{Conflict: PolicyOverwrite, Retries: 1})
	q.e.minSegment = 256 << 10
	type pair struct{ src, dst string }
	var checks []pair
	for _, size := range []int{0, 1, 32<<10 - 1, 32 << 10, 32<<10 + 1, 1 << 20, 9 << 20, 40 << 20} {
		for _, segs := range []int{1, 4} {
			name := fmt.Sprintf("d%d-%d", size, segs)
			src, dst := filepath.Join(srvDir, name), filepath.Join(localDir, name)
			writeFile(t, src, randBytes(r, size))
			checks = append(checks, pair{src, dst})
			if _, err := q.Add(Spec{Src: ep, SrcPath: slash(src), Dst: localEP(nil), DstPath: slash(dst), Options: JobOptions{Segments: segs}}); err != nil {
				t.Fatal(err)
			}
		}
		name := fmt.Sprintf("u%d", size)
		src, dst := filepath.Join(localDir, name), filepath.Join(srvDir, name)
		writeFile(t, src, randBytes(r, size))
		checks = append(checks, pair{src, dst})
		if _, err := q.Add(Spec{Src: localEP(nil), SrcPath: slash(src), Dst: ep, DstPath: slash(dst)}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := q.Wait(ctx); err != nil {
		t.Fatalf("wait: %v", err)
	}
	for _, ji := range q.Jobs() {
		if ji.State != StateDone || ji.Attempt != 1 {
			t.Errorf("job %d %s→%s: %s after %d attempts: %v", ji.ID, ji.SrcPath, ji.DstPath, ji.State, ji.Attempt, ji.Err)
		}
	}
	for _, c := range checks {
		if a, b := sumFile(t, c.src), sumFile(t, c.dst); a != b {
			t.Errorf("%s: sha256 %s, source %s", c.dst, b, a)
		}
	}
	noParts(t, srvDir)
	noParts(t, localDir)
}
