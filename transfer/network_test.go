package transfer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/ftp"
	"github.com/ferryhq/ferry/protocol/sftp"
	"github.com/ferryhq/ferry/transfer/faultproxy"
)

func hostPort(t testing.TB, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(p)
	return h, port
}

// sftpEndpoint serves root over the in-process SFTP server, reached through
// a fault proxy with the given cut probability.
func sftpEndpoint(t testing.TB, root string, cut float64, cutAfter int64, seed uint64) (Endpoint, *faultproxy.Proxy) {
	t.Helper()
	return sftpEndpointVia(t, root, faultproxy.Options{CutProbability: cut, MaxCutAfter: cutAfter, Seed: seed})
}

// sftpEndpointVia serves root over the in-process SFTP server, reached
// through a fault proxy with the given options (Target is filled in).
func sftpEndpointVia(t testing.TB, root string, po faultproxy.Options) (Endpoint, *faultproxy.Proxy) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := sftpd.Start(ctx, sftpd.Options{Root: root, Users: []sftpd.User{{Name: "u", Password: "pw"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	po.Target = srv.Addr()
	px, err := faultproxy.Start(po)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	home := t.TempDir()
	kh := filepath.Join(home, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(px.Addr())}, srv.HostKey())
	if err := os.WriteFile(kh, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port := hostPort(t, px.Addr())
	site := protocol.Site{Scheme: protocol.SchemeSFTP, Host: host, Port: port, User: "u"}
	cfg := sftp.Config{Password: "pw", SSHConfigFile: "none", KnownHostsFile: kh, HomeDir: home, Timeout: 5 * time.Second}
	return Endpoint{ID: site.ID(), MaxConns: 8, Dial: func(ctx context.Context) (protocol.Client, error) {
		return sftp.Dial(ctx, site, cfg)
	}}, px
}

// ftpEndpoint is ftpEndpoint's FTP twin; data connections pass the proxy too.
func ftpEndpoint(t testing.TB, root string, cut float64, cutAfter int64, seed uint64) (Endpoint, *faultproxy.Proxy) {
	t.Helper()
	return ftpEndpointVia(t, root, faultproxy.Options{CutProbability: cut, MaxCutAfter: cutAfter, Seed: seed})
}

// ftpEndpointVia is sftpEndpointVia's FTP twin.
func ftpEndpointVia(t testing.TB, root string, po faultproxy.Options) (Endpoint, *faultproxy.Proxy) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := ftpd.Start(ctx, ftpd.Options{Root: root, Users: map[string]string{"u": "pw"}, DataTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	po.Target, po.FTP = srv.Addr(), true
	px, err := faultproxy.Start(po)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	host, port := hostPort(t, px.Addr())
	site := protocol.Site{Scheme: protocol.SchemeFTP, Host: host, Port: port, User: "u"}
	cfg := ftp.Config{Password: "pw", Timeout: 5 * time.Second, PinDir: t.TempDir()}
	return Endpoint{ID: site.ID(), MaxConns: 8, Dial: func(ctx context.Context) (protocol.Client, error) {
		return ftp.Dial(ctx, site, cfg)
	}}, px
}

// TestHundredTransfersThroughCuttingProxy runs 100 transfers of random sizes
// (downloads and uploads, SFTP and FTP) through a proxy that resets
// connections at random offsets; every file must arrive whole.
func TestHundredTransfersThroughCuttingProxy(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	srvRoot := t.TempDir()
	localDir := t.TempDir()
	sftpEP, sftpPX := sftpEndpoint(t, srvRoot, 0.9, 512<<10, 1)
	ftpEP, ftpPX := ftpEndpoint(t, srvRoot, 0.9, 128<<10, 2)
	start := time.Now()
	q, _ := newTestQueue(t, Options{Log: func(s string) { t.Logf("%s %s", time.Since(start).Round(time.Millisecond), s) }, Workers: 4, Conflict: PolicyOverwrite, Retries: 40, RetryDelay: time.Millisecond, StallTimeout: 10 * time.Second})
	type pair struct{ src, dst string }
	var checks []pair
	for i := range 100 {
		size := r.IntN(48 << 10)
		if i%25 == 0 || i%25 == 13 { // a few big ones, half for each protocol
			size = 1<<20 + r.IntN(1<<20)
		}
		data := randBytes(r, size)
		ep := sftpEP
		if i%2 == 1 {
			ep = ftpEP
		}
		name := fmt.Sprintf("f%03d.bin", i)
		var spec Spec
		if i%4 < 2 { // download
			writeFile(t, filepath.Join(srvRoot, "dl", name), data)
			spec = Spec{Src: ep, SrcPath: "/dl/" + name, Dst: localEP(nil), DstPath: slash(filepath.Join(localDir, "dl", name))}
			checks = append(checks, pair{filepath.Join(srvRoot, "dl", name), filepath.Join(localDir, "dl", name)})
		} else { // upload
			writeFile(t, filepath.Join(localDir, "ul", name), data)
			os.MkdirAll(filepath.Join(srvRoot, "ul"), 0o755)
			spec = Spec{Src: localEP(nil), SrcPath: slash(filepath.Join(localDir, "ul", name)), Dst: ep, DstPath: "/ul/" + name}
			checks = append(checks, pair{filepath.Join(localDir, "ul", name), filepath.Join(srvRoot, "ul", name)})
		}
		os.MkdirAll(filepath.Join(localDir, "dl"), 0o755)
		if _, err := q.Add(spec); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	if err := q.Wait(ctx); err != nil {
		t.Fatalf("wait: %v", err)
	}
	for _, ji := range q.Jobs() {
		if ji.State != StateDone {
			t.Errorf("job %d %s→%s: %s after %d attempts: %v", ji.ID, ji.SrcPath, ji.DstPath, ji.State, ji.Attempt, ji.Err)
		}
	}
	for _, c := range checks {
		if a, b := sumFile(t, c.src), sumFile(t, c.dst); a != b {
			t.Errorf("%s: sha256 %s, source %s", c.dst, b, a)
		}
	}
	noParts(t, srvRoot)
	noParts(t, localDir)
	if sftpPX.Cuts() == 0 || ftpPX.Cuts() == 0 {
		t.Errorf("cuts: sftp %d, ftp %d; the proxy did not test anything", sftpPX.Cuts(), ftpPX.Cuts())
	}
	t.Logf("cuts: sftp %d of %d connections, ftp %d of %d", sftpPX.Cuts(), sftpPX.Conns(), ftpPX.Cuts(), ftpPX.Conns())
}

// TestSegmentedDownloadSurvivesCuts downloads files over four SFTP range
// readers through a cutting proxy: each retry continues every segment where
// it stopped.
func TestSegmentedDownloadSurvivesCuts(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	srvRoot, localDir := t.TempDir(), t.TempDir()
	ep, px := sftpEndpoint(t, srvRoot, 0.5, 1<<20, 3)
	start := time.Now()
	q, _ := newTestQueue(t, Options{Log: func(s string) { t.Logf("%s %s", time.Since(start).Round(time.Millisecond), s) }, Conflict: PolicyOverwrite, Retries: 10, RetryDelay: time.Millisecond})
	q.e.minSegment = 128 << 10
	for i := range 2 {
		name := fmt.Sprintf("big%d", i)
		writeFile(t, filepath.Join(srvRoot, name), randBytes(r, 1<<20+r.IntN(1<<20)))
		q.Add(Spec{Src: ep, SrcPath: "/" + name, Dst: localEP(nil), DstPath: slash(filepath.Join(localDir, name)),
			Options: JobOptions{Segments: 4}})
	}
	waitDone(t, q)
	downloadsSurvived(t, q, px, srvRoot, localDir, "big0", "big1")
}

// downloadsSurvived checks a run of downloads through a cutting proxy:
// every job done, every file equal to the server's, no part left, and the
// proxy did cut.
func downloadsSurvived(t *testing.T, q *Queue, px *faultproxy.Proxy, srvRoot, localDir string, names ...string) {
	t.Helper()
	for _, ji := range q.Jobs() {
		if ji.State != StateDone {
			t.Errorf("job %d %s: %s after %d attempts: %v", ji.ID, ji.SrcPath, ji.State, ji.Attempt, ji.Err)
		}
	}
	for _, name := range names {
		if a, b := sumFile(t, filepath.Join(srvRoot, name)), sumFile(t, filepath.Join(localDir, name)); a != b {
			t.Errorf("%s: sha256 %s, source %s", name, b, a)
		}
	}
	noParts(t, localDir)
	if px.Cuts() == 0 {
		t.Error("the proxy cut nothing; the test tested nothing")
	}
	t.Logf("%d cuts over %d connections", px.Cuts(), px.Conns())
}

// TestTreesThroughCuttingProxy copies directory trees of mostly small files
// both ways over SFTP (where they share sessions, many files at once) and
// FTP, through proxies that reset connections at random offsets: a cut
// shared session fails every file on it, and each must retry and arrive
// whole, with the default retry count (failures while the site makes
// progress are forgiven; see tries).
func TestTreesThroughCuttingProxy(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	srvRoot, localDir := t.TempDir(), t.TempDir()
	sftpEP, sftpPX := sftpEndpoint(t, srvRoot, 0.9, 96<<10, 4)
	ftpEP, ftpPX := ftpEndpoint(t, srvRoot, 0.3, 128<<10, 5)
	// Two trees of 60 files in nested directories, a few past smallJob.
	makeTree := func(root string) {
		for i := range 60 {
			size := 1 + r.IntN(16<<10)
			if i%20 == 7 {
				size = smallJob + r.IntN(smallJob)
			}
			writeFile(t, filepath.Join(root, fmt.Sprintf("d%d", i%4), fmt.Sprintf("e%d", i%3), fmt.Sprintf("f%02d", i)), randBytes(r, size))
		}
	}
	makeTree(filepath.Join(srvRoot, "down"))
	makeTree(filepath.Join(localDir, "up"))
	start := time.Now()
	q, _ := newTestQueue(t, Options{Log: func(s string) { t.Logf("%s %s", time.Since(start).Round(time.Millisecond), s) },
		Workers: 2, Conflict: PolicyOverwrite, RetryDelay: time.Millisecond, StallTimeout: 10 * time.Second})
	type tree struct{ src, dst string }
	var trees []tree
	for _, tc := range []struct {
		name string
		ep   Endpoint
	}{{"sftp", sftpEP}, {"ftp", ftpEP}} {
		down := filepath.Join(localDir, "got-"+tc.name)
		up := "/put-" + tc.name
		q.Add(Spec{Src: tc.ep, SrcPath: "/down", Dst: localEP(nil), DstPath: slash(down), Dir: true})
		q.Add(Spec{Src: localEP(nil), SrcPath: slash(filepath.Join(localDir, "up")), Dst: tc.ep, DstPath: up, Dir: true})
		trees = append(trees, tree{filepath.Join(srvRoot, "down"), down}, tree{filepath.Join(localDir, "up"), filepath.Join(srvRoot, up)})
	}
	allDone(t, q, 60*time.Second)
	for _, tr := range trees {
		sameTree(t, tr.src, tr.dst, 60)
	}
	noParts(t, srvRoot)
	noParts(t, localDir)
	if sftpPX.Cuts() == 0 || ftpPX.Cuts() == 0 {
		t.Errorf("cuts: sftp %d, ftp %d; the proxy did not test anything", sftpPX.Cuts(), ftpPX.Cuts())
	}
	t.Logf("cuts: sftp %d of %d connections, ftp %d of %d", sftpPX.Cuts(), sftpPX.Conns(), ftpPX.Cuts(), ftpPX.Conns())
}

// TestBigSFTPDownloadsThroughCuttingProxy: files big enough to stream on
// a channel of their own (protocol/sftp's bulk path, from 8 MiB) arrive
// whole through a proxy that cuts connections mid-stream; each retry
// resumes from the part.
func TestBigSFTPDownloadsThroughCuttingProxy(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 1))
	srvRoot, localDir := t.TempDir(), t.TempDir()
	ep, px := sftpEndpoint(t, srvRoot, 1, 6<<20, 4)
	q, _ := newTestQueue(t, Options{Workers: 2, Conflict: PolicyOverwrite, Retries: 40, RetryDelay: time.Millisecond, StallTimeout: 10 * time.Second})
	for i := range 3 {
		name := fmt.Sprintf("big%d.bin", i)
		writeFile(t, filepath.Join(srvRoot, name), randBytes(r, 10<<20+r.IntN(2<<20)))
		if _, err := q.Add(Spec{Src: ep, SrcPath: "/" + name, Dst: localEP(nil), DstPath: slash(filepath.Join(localDir, name))}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := q.Wait(ctx); err != nil {
		t.Fatalf("wait: %v", err)
	}
	downloadsSurvived(t, q, px, srvRoot, localDir, "big0.bin", "big1.bin", "big2.bin")
}
