package sftp

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/transfer/faultproxy"
)

// TestKeepAliveSparesASlowLink downloads through a link far slower than
// the server sends: the keepalive's reply waits behind the data queued
// ahead of it for much longer than the keepalive allows, and the steady
// trickle of bytes must keep the connection up all the same.
func TestKeepAliveSparesASlowLink(t *testing.T) {
	root := t.TempDir()
	data := bytes.Repeat([]byte("slow link "), 100<<10) // 1,000 KiB
	os.WriteFile(filepath.Join(root, "f"), data, 0o644)
	srv := startServer(t, sftpd.Options{Root: root, Users: []sftpd.User{{Name: "alice", Password: "pw"}}})
	px, err := faultproxy.Start(faultproxy.Options{Target: srv.Addr(), Rate: 500_000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	cfg := baseConfig(t)
	cfg.Password = "pw"
	os.WriteFile(cfg.KnownHostsFile, []byte(knownHostsLine(px.Addr(), srv.HostKey())), 0o600)
	cfg.KeepAlive = 100 * time.Millisecond
	var lines logLines
	cfg.Log = lines.add
	c := dial(t, siteOf(t, px.Addr(), "alice"), cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := c.Open(ctx, "/f", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got bytes.Buffer
	if _, err := io.Copy(&got, r); err != nil {
		t.Fatalf("download over a slow link: %v (log %q)", err, &lines)
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("got %d bytes, want %d", got.Len(), len(data))
	}
}
