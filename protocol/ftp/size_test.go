package ftp

import (
	"context"
	"errors"
	"testing"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/protocol"
)

// Without MLST, Size is one SIZE: the MDTM that Stat adds is what it saves.
func TestSizeAsksSizeOnly(t *testing.T) {
	f := newFake(t)
	f.on("SIZE", func(s *fakeConn, arg string) {
		switch arg {
		case "/a.bin":
			s.reply("213 42")
		case "/lies.bin":
			s.reply("213 -7")
		default:
			s.reply("550 Could not get file size.")
		}
	})
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
	defer c.Close()
	ctx := context.Background()

	n, err := c.Size(ctx, "/a.bin")
	if err != nil || n != 42 {
		t.Fatalf("Size = %d, %v; want 42", n, err)
	}
	if f.saw("MDTM") {
		t.Errorf("Size sent MDTM: %q", f.commands())
	}
	if _, err := c.Size(ctx, "/missing.bin"); !errors.Is(err, protocol.ErrNotExist) {
		t.Errorf("missing file: %v, want ErrNotExist", err)
	}
	if _, err := c.Size(ctx, "/lies.bin"); !errors.Is(err, protocol.ErrProtocol) {
		t.Errorf("negative size: %v, want ErrProtocol", err)
	}
}

// With MLST, Size takes the size from the facts and refuses a directory.
func TestSizeWithMLST(t *testing.T) {
	srv := demoServer(t, ftpd.Options{})
	c := dialT(t, siteOf(t, protocol.SchemeFTP, srv.Addr(), "alice"), Config{Password: "secret"})
	defer c.Close()
	ctx := context.Background()
	w, err := c.Create(ctx, "/f.txt", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("12345")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Size(ctx, "/f.txt"); err != nil || n != 5 {
		t.Fatalf("Size = %d, %v; want 5", n, err)
	}
	if err := c.Mkdir(ctx, "/d"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Size(ctx, "/d"); err == nil {
		t.Error("Size of a directory succeeded")
	}
}
