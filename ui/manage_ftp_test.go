package ui

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/ftp"
)

// TestPropertiesAndFindOverFTP runs the background walks against the
// in-process FTP server: they dial sessions of their own (FTP runs one
// command at a time), so the pane's session stays free, and every one
// they dial is closed again.
func TestPropertiesAndFindOverFTP(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	root := t.TempDir()
	files := map[string]string{"site/index.html": "<html>", "site/img/logo.png": strings.Repeat("p", 3000)}
	for i := range 12 {
		files[fmt.Sprintf("site/d%02d/page%d.html", i, i)] = strings.Repeat("h", i)
	}
	writeFiles(t, root, files)
	srv, err := ftpd.Start(ctx, ftpd.Options{Root: root, Users: map[string]string{"demo": "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	site, err := protocol.Parse("ftp://demo@" + srv.Addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	var open atomic.Int32
	dial := func(ctx context.Context) (protocol.Client, error) {
		c, err := ftp.Dial(ctx, site, ftp.Config{Password: "pw", Timeout: 10 * time.Second})
		if err != nil {
			return nil, err
		}
		open.Add(1)
		return closeCounter{c, &open}, nil
	}
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) {
		o.Right = Endpoint{Name: "demo@" + srv.Addr(), Site: site, Dial: dial}
	})
	a.focus = 1
	p := a.panes[1]
	if !p.selectName("site") {
		t.Fatalf("no site/ in the FTP pane: %q", p.err)
	}

	press(t, a, "i")
	// 6 + 3000 + 0+1+…+11 = 3072 bytes.
	mustContain(t, a, "3.0K (3072 bytes) in 14 files, 13 directories", "URL       ftp://demo@"+srv.Addr()+"/%2Fsite")
	press(t, a, "esc")

	press(t, a, "ctrl+f", "backspace")
	typeText(t, a, "*.HTML")
	press(t, a, "enter")
	mustContain(t, a, "13 found")
	press(t, a, "esc")

	press(t, a, "enter") // into site/
	p.selectName("index.html")
	press(t, a, "i", "c")
	// The counting wrapper hides the server's HASH, so the file is read.
	mustContain(t, a, "sha256, read back:", fmt.Sprintf("%x", sha256.Sum256([]byte("<html>"))))
	press(t, a, "esc")
	// A task closes its sessions as it ends, which may be just after its
	// last message arrived.
	deadline := time.Now().Add(10 * time.Second)
	for open.Load() != 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := open.Load(); n != 1 {
		t.Fatalf("%d FTP sessions still open, want the pane's own", n)
	}
}

// closeCounter counts sessions still open.
type closeCounter struct {
	protocol.Client
	open *atomic.Int32
}

func (c closeCounter) Close() error {
	c.open.Add(-1)
	return c.Client.Close()
}
