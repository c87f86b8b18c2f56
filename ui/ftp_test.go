package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/ftp"
	"github.com/ferryhq/ferry/transfer"
)

// TestAgainstDemoFTPServer browses the in-process FTP server: the header
// warns that plain FTP is unencrypted, the log shows the conversation with
// the password masked, and F5 downloads through the queue.
func TestAgainstDemoFTPServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	root, local := t.TempDir(), t.TempDir()
	writeFiles(t, root, map[string]string{"pub/data.bin": strings.Repeat("d", 200000), "pub/other": "o"})
	srv, err := ftpd.Start(ctx, ftpd.Options{Root: root, Users: map[string]string{"demo": "ftp-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	site, err := protocol.Parse("ftp://demo@" + srv.Addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	logs := NewLogSink()
	cfg := ftp.Config{Password: "ftp-secret", Log: logs.Func(), Timeout: 10 * time.Second}
	qcfg := cfg
	qcfg.Log = nil
	remote := Endpoint{
		Name: "demo@" + srv.Addr(), Site: site,
		Dial: func(ctx context.Context) (protocol.Client, error) { return ftp.Dial(ctx, site, cfg) },
		Transfer: transfer.Endpoint{ID: site.ID(), MaxConns: 2, Dial: func(ctx context.Context) (protocol.Client, error) {
			return ftp.Dial(ctx, site, qcfg)
		}},
	}
	q := newQueue(t)
	a := newTestApp(t, local, t.TempDir(), func(o *Options) {
		o.Right, o.Queue, o.Log, o.NoColor = remote, q, logs, false
	})
	p := a.panes[1]
	if p.err != "" || p.lookup("pub") == nil {
		t.Fatalf("remote pane: err %q, %d items", p.err, len(p.items))
	}
	mustContain(t, a, "FTP · unencrypted", "pub/")
	v := a.View().Content
	i := strings.Index(v, "FTP · unencrypted")
	if !strings.Contains(v[max(i-60, 0):i], string(a.th.insecure)) {
		t.Fatal("plain FTP is not drawn in the warning style")
	}

	a.focus = 1
	p.selectName("pub")
	press(t, a, "enter")
	p.selectName("data.bin")
	press(t, a, "f5")
	pumpQueue(t, a, q, func() bool { return a.queue.totals.Done == 1 && a.panes[0].lookup("data.bin") != nil })
	b, err := os.ReadFile(filepath.Join(local, "data.bin"))
	if err != nil || string(b) != strings.Repeat("d", 200000) {
		t.Fatalf("downloaded %d bytes, %v", len(b), err)
	}

	if m, ok := runOne(logs.wait(a.ctx), time.Second); ok && m != nil {
		a.Update(m)
	}
	press(t, a, "f9")
	mustContain(t, a, "USER demo")
	mustNotContain(t, a, "ftp-secret")
}
