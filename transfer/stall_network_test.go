package transfer

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/transfer/faultproxy"
)

// TestStalledLinkIsRetried copies through a proxy whose first link goes
// silent mid-file without closing (a dead path, a hung server): the
// engine must notice within its stall timeout, say so, and finish the
// file over a fresh connection from where the part ends.
func TestStalledLinkIsRetried(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ftp   bool
		up    bool
		burst int // the control connection is the first, FTP's data connection the second
	}{
		{"sftp download", false, false, 1},
		{"sftp upload", false, true, 1},
		{"ftp download", true, false, 2},
		{"ftp upload", true, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srvRoot, localDir := t.TempDir(), t.TempDir()
			po := faultproxy.Options{Stall: true, Burst: tc.burst, MinCutAfter: 300_000, MaxCutAfter: 300_001}
			ep, px := sftpEndpointVia(t, srvRoot, po)
			if tc.ftp {
				ep, px = ftpEndpointVia(t, srvRoot, po)
			}
			// An upload bigger than the socket buffers on loopback, so that
			// the stall comes while the engine still writes.
			size := 1 << 20
			if tc.up {
				size = 8 << 20
			}
			data := randBytes(rand.New(rand.NewPCG(3, 4)), size)
			var spec Spec
			var src, dst string
			if tc.up {
				src, dst = filepath.Join(localDir, "f"), filepath.Join(srvRoot, "f")
				spec = Spec{Src: localEP(nil), SrcPath: slash(src), Dst: ep, DstPath: "/f"}
			} else {
				src, dst = filepath.Join(srvRoot, "f"), filepath.Join(localDir, "f")
				spec = Spec{Src: ep, SrcPath: "/f", Dst: localEP(nil), DstPath: slash(dst)}
			}
			writeFile(t, src, data)
			start := time.Now()
			lg := &testLog{}
			q, _ := newTestQueue(t, Options{Conflict: PolicyOverwrite, RetryDelay: time.Millisecond, StallTimeout: 300 * time.Millisecond,
				Log: func(s string) { lg.add(time.Since(start).Round(time.Millisecond).String() + " " + s) }})
			id, err := q.Add(spec)
			if err != nil {
				t.Fatal(err)
			}
			waitDone(t, q)
			if ji := jobState(t, q, id); ji.State != StateDone {
				t.Fatalf("job %s: %v; log %q", ji.State, ji.Err, lg.all())
			}
			sameContent(t, src, dst)
			if px.Cuts() == 0 {
				t.Fatal("no link stalled; the test tested nothing")
			}
			t.Logf("done after %s", time.Since(start))
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %s", took)
			}
			if !lg.eventually("no data for 300ms") {
				t.Errorf("no stall said in the log: %q", lg.all())
			}
			if _, err := os.Stat(dst + ".ferry-part"); err == nil {
				t.Error("a part is left behind")
			}
			for _, l := range lg.all() {
				if strings.Contains(l, "retry") {
					t.Log(l)
				}
			}
		})
	}
}
