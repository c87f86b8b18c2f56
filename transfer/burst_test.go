package transfer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryhq/ferry/transfer/faultproxy"
)

// TestTreeSurvivesABurstOfCuts copies a tree of 400 small files in 80
// directories both ways over SFTP and FTP through a proxy that cuts the
// first 40 connections in a row, each after 512 bytes to 60 kB (FTP's
// data connections of small files and listings carry little), and a fifth
// of the rest: with the default retry count, every listing and every file must
// get through, none refused or failed.
func TestTreeSurvivesABurstOfCuts(t *testing.T) {
	for _, proto := range []string{"sftp", "ftp"} {
		t.Run(proto, func(t *testing.T) {
			r := rand.New(rand.NewPCG(17, 4))
			srvRoot, localDir := t.TempDir(), t.TempDir()
			po := faultproxy.Options{Burst: 40, MinCutAfter: 512, MaxCutAfter: 60 << 10, CutProbability: 0.2, Seed: 6}
			ep, px := sftpEndpointVia(t, srvRoot, po)
			if proto == "ftp" {
				ep, px = ftpEndpointVia(t, srvRoot, po)
			}
			makeTree := func(root string) {
				for i := range 400 {
					dir := filepath.Join(root, fmt.Sprintf("d%d", i%8), fmt.Sprintf("e%d", i/8%10))
					writeFile(t, filepath.Join(dir, fmt.Sprintf("f%03d", i)), randBytes(r, 1+r.IntN(8<<10)))
				}
			}
			makeTree(filepath.Join(srvRoot, "down"))
			makeTree(filepath.Join(localDir, "up"))
			start := time.Now()
			q, _ := newTestQueue(t, Options{Log: func(s string) { t.Logf("%s %s", time.Since(start).Round(time.Millisecond), s) },
				Conflict: PolicyOverwrite, RetryDelay: 5 * time.Millisecond})
			down := filepath.Join(localDir, "got")
			q.Add(Spec{Src: ep, SrcPath: "/down", Dst: localEP(nil), DstPath: slash(down), Dir: true})
			q.Add(Spec{Src: localEP(nil), SrcPath: slash(filepath.Join(localDir, "up")), Dst: ep, DstPath: "/put", Dir: true})
			allDone(t, q, 90*time.Second)
			sameTree(t, filepath.Join(srvRoot, "down"), down, 400)
			sameTree(t, filepath.Join(localDir, "up"), filepath.Join(srvRoot, "put"), 400)
			noParts(t, srvRoot)
			noParts(t, localDir)
			// A connection that ends before its cut point is not cut.
			if px.Cuts() < 10 {
				t.Errorf("the proxy cut %d connections; the test tested little", px.Cuts())
			}
			t.Logf("%d cuts of %d connections", px.Cuts(), px.Conns())
		})
	}
}

// allDone waits up to limit for the queue to finish and fails for every
// top-level job that did not end done.
func allDone(t *testing.T, q *Queue, limit time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	if err := q.Wait(ctx); err != nil {
		t.Fatalf("wait: %v", err)
	}
	for _, ji := range q.Jobs() {
		if ji.State != StateDone {
			t.Errorf("job %s→%s: %s: %v", ji.SrcPath, ji.DstPath, ji.State, ji.Err)
		}
	}
}

// sameTree checks that dst holds every file of src, byte for byte, and
// that src has want files.
func sameTree(t *testing.T, src, dst string, want int) {
	t.Helper()
	n := 0
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if a, b := sumFile(t, p), sumFile(t, filepath.Join(dst, rel)); a != b {
			t.Errorf("%s: sha256 %s, source %s", filepath.Join(dst, rel), b, a)
		}
		n++
		return nil
	})
	if n != want {
		t.Errorf("%s has %d files, want %d", src, n, want)
	}
}
