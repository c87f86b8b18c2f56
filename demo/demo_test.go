package demo

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/sftp"
)

func TestSandboxServesSampleTreeAndCleansUp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	site, err := protocol.Parse(s.SFTPURL())
	if err != nil {
		t.Fatal(err)
	}
	c, err := sftp.Dial(ctx, site, sftp.Config{
		Trust: protocol.TrustStrict, KnownHostsFile: s.KnownHosts, SSHConfigFile: "none",
		Password: Password, HomeDir: t.TempDir(),
	})
	if err != nil {
		t.Fatalf("dial demo SFTP: %v", err)
	}
	entries, err := c.List(ctx, "/releases/v1.0")
	c.Close()
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var big int64
	for _, e := range entries {
		if e.Name == "ferry-big.iso" {
			big = e.Size
		}
	}
	if big != BigFileSize {
		t.Fatalf("big file: got size %d, want %d in %v", big, BigFileSize, entries)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
		t.Fatalf("sandbox %s still exists after Close: %v", s.Dir, err)
	}
}
