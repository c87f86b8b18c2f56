package cli

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/demo"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/sftp"
)

// TestBookmarkNameDialsARealServer saves a bookmark for the loopback demo
// SFTP server with its password in the (fake) keyring, then goes the way
// the CLI does: resolve "NAME:relative", take the saved password, dial,
// list. Nothing of the password is typed or written to a file.
func TestBookmarkNameDialsARealServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	sb, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()

	h := newBookmarkHarness(t)
	h.must(demo.Password+"\n", "add", "sandbox", sb.SFTPURL()+"releases", "--password-stdin")
	st, err := bookmarks.Open(h.deps.paths)
	if err != nil {
		t.Fatal(err)
	}
	r := &addressResolver{store: st, secrets: h.sec}
	ps, bm, err := r.resolve("sandbox:v1.0", false)
	if err != nil || bm == nil {
		t.Fatalf("resolve: %+v, %v", bm, err)
	}
	if ps.Path != "/releases/v1.0" {
		t.Errorf("path %q, want /releases/v1.0 (relative to the bookmark's start directory)", ps.Path)
	}
	user, password := r.credentials(ctx, ps, bm)
	if user != demo.User || password != demo.Password {
		t.Fatalf("credentials %q/%q, want the saved ones", user, password)
	}
	ps.User = user
	cl, err := sftp.Dial(ctx, ps, sftp.Config{
		Trust:          protocol.TrustStrict,
		KnownHostsFile: sb.KnownHosts,
		SSHConfigFile:  "none",
		Password:       password,
		Timeout:        10 * time.Second,
		HomeDir:        t.TempDir(),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", ps.ID(), err)
	}
	defer cl.Close()
	entries, err := cl.List(ctx, ps.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(entries, func(e protocol.Entry) bool { return e.Name == "ferry-big.iso" }) {
		t.Errorf("listing of %s lacks ferry-big.iso: %+v", ps.Path, entries)
	}
	if err := r.record(ctx, ps, bm); err != nil {
		t.Fatal(err)
	}
	recent, err := st.Recent()
	if err != nil || len(recent) != 1 || recent[0].Address() != "sandbox" {
		t.Errorf("recent: %+v, %v", recent, err)
	}
}
