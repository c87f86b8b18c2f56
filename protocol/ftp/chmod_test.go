package ftp

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/protocol"
)

// TestChmod sends SITE CHMOD with four octal digits and keeps a refusing
// server's own words: a server that does not know the command is
// ErrUnsupported, one that forbids it ErrPermission.
func TestChmod(t *testing.T) {
	f := newFake(t)
	f.on("SITE", func(s *fakeConn, arg string) {
		switch {
		case strings.HasSuffix(arg, " /ok.txt"):
			s.reply("200 SITE CHMOD command ok.")
		case strings.HasSuffix(arg, " /unknown.txt"):
			s.reply("500 SITE CHMOD not understood")
		default:
			s.reply("550 SITE CHMOD not allowed")
		}
	})
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
	defer c.Close()
	ctx := context.Background()

	if err := c.Chmod(ctx, "/ok.txt", 0o755|fs.ModeSetgid); err != nil {
		t.Fatalf("chmod ok.txt: %v", err)
	}
	if !f.saw("SITE CHMOD 2755 /ok.txt") {
		t.Errorf("got commands %q, want SITE CHMOD 2755 /ok.txt", f.commands())
	}
	for _, tc := range []struct {
		name string
		kind error
		text string
	}{
		{"/unknown.txt", protocol.ErrUnsupported, "500 SITE CHMOD not understood"},
		{"/denied.txt", protocol.ErrPermission, "550 SITE CHMOD not allowed"},
	} {
		err := c.Chmod(ctx, tc.name, 0o644)
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("chmod %s: got %v, want %v with %q", tc.name, err, tc.kind, tc.text)
		}
	}
}
