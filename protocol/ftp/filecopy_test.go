package ftp

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
)

// TestCopyFromFile uploads through protocol.FileSink, plain and over TLS:
// from a file's current offset, n bytes at a time, 0 at EOF, and the
// server's file equal to the source's tail.
func TestCopyFromFile(t *testing.T) {
	data := make([]byte, 3<<20+123)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	src := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	serverTLS, pool, err := ftpd.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		scheme protocol.Scheme
		opts   ftpd.Options
		cfg    Config
	}{
		{protocol.SchemeFTP, ftpd.Options{}, Config{Password: "secret"}},
		{protocol.SchemeFTPES, ftpd.Options{TLS: serverTLS, RequireTLS: true, RequireTLSReuse: true}, Config{Password: "secret", RootCAs: pool}},
	} {
		t.Run(string(tc.scheme), func(t *testing.T) {
			root := t.TempDir()
			tc.opts.Root = root
			srv := demoServer(t, tc.opts)
			c := dialT(t, siteOf(t, tc.scheme, srv.Addr(), "alice"), tc.cfg)
			defer c.Close()
			ctx := context.Background()

			rd, err := local.New().Open(ctx, src, 1000) // resume-like: from an offset
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			fsrc, ok := rd.(protocol.FileSource)
			if !ok {
				t.Fatal("a local reader is not a protocol.FileSource")
			}
			w, err := c.Create(ctx, "/up.bin", 0)
			if err != nil {
				t.Fatal(err)
			}
			sink, ok := w.(protocol.FileSink)
			if !ok {
				t.Fatal("an FTP upload is not a protocol.FileSink")
			}
			var total int64
			for {
				k, err := sink.CopyFromFile(fsrc.File(), 1<<20)
				if err != nil {
					t.Fatalf("after %d bytes: %v", total, err)
				}
				if k > 1<<20 {
					t.Fatalf("took %d bytes when asked for at most %d", k, 1<<20)
				}
				if k == 0 {
					break
				}
				total += k
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if total != int64(len(data)-1000) {
				t.Errorf("copied %d bytes, want %d", total, len(data)-1000)
			}
			got, err := os.ReadFile(filepath.Join(root, "up.bin"))
			if err != nil || !bytes.Equal(got, data[1000:]) {
				t.Errorf("server has %d bytes (%v), not the source's tail", len(got), err)
			}
		})
	}
}
