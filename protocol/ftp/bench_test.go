package ftp

import (
	"context"
	"io"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/protocol"
)

// benchSize is the file moved per iteration: large enough to measure the
// data path rather than the handshake, small enough for a shared machine.
const benchSize = 256 << 20

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// BenchmarkTransfer moves 256 MiB down and up over plain FTP and explicit
// FTPS: against the in-process server, and against vsftpd when
// FERRY_TEST_VSFTPD / FERRY_TEST_VSFTPD_FTPES are set (with
// FERRY_TEST_FTP_USER, _PASSWORD, _DIR).
//
//	go test -run XXX -bench Transfer -benchtime 3x ./protocol/ftp/
func BenchmarkTransfer(b *testing.B) {
	serverTLS, pool, err := ftpd.SelfSignedTLS()
	if err != nil {
		b.Fatal(err)
	}
	type target struct {
		name string
		site func(b *testing.B) (protocol.Site, Config, string)
	}
	demo := func(scheme protocol.Scheme, opts ftpd.Options, cfg Config) func(b *testing.B) (protocol.Site, Config, string) {
		return func(b *testing.B) (protocol.Site, Config, string) {
			opts.Root = b.TempDir()
			f, err := os.Create(filepath.Join(opts.Root, "down.bin"))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.CopyN(f, zeros{}, benchSize); err != nil {
				b.Fatal(err)
			}
			f.Close()
			srv := demoServer(b, opts)
			cfg.Password = "secret"
			return siteOf(b, scheme, srv.Addr(), "alice"), cfg, "/"
		}
	}
	real := func(env string, scheme protocol.Scheme) func(b *testing.B) (protocol.Site, Config, string) {
		return func(b *testing.B) (protocol.Site, Config, string) {
			addr := os.Getenv(env)
			if addr == "" {
				b.Skipf("%s not set", env)
			}
			cfg := realConfig(b, Passive)
			return siteOf(b, scheme, addr, os.Getenv("FERRY_TEST_FTP_USER")), cfg, os.Getenv("FERRY_TEST_FTP_DIR")
		}
	}
	targets := []target{
		{"demo-ftp", demo(protocol.SchemeFTP, ftpd.Options{}, Config{})},
		{"demo-ftpes", demo(protocol.SchemeFTPES, ftpd.Options{TLS: serverTLS, RequireTLSReuse: true}, Config{RootCAs: pool})},
		{"vsftpd-ftp", real("FERRY_TEST_VSFTPD", protocol.SchemeFTP)},
		{"vsftpd-ftpes", real("FERRY_TEST_VSFTPD_FTPES", protocol.SchemeFTPES)},
	}
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			site, cfg, dir := tg.site(b)
			c := dialT(b, site, cfg)
			defer c.Close()
			ctx := context.Background()
			file := path.Join(dir, "ferry-bench.bin")
			upload := func() {
				w, err := c.Create(ctx, file, 0)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyN(w, zeros{}, benchSize); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("upload", func(b *testing.B) {
				b.SetBytes(benchSize)
				for b.Loop() {
					upload()
				}
			})
			b.Run("download", func(b *testing.B) {
				b.SetBytes(benchSize)
				for b.Loop() {
					r, err := c.Open(ctx, file, 0)
					if err != nil {
						b.Fatal(err)
					}
					n, err := io.Copy(io.Discard, r)
					if cerr := r.Close(); err == nil {
						err = cerr
					}
					if err != nil || n != benchSize {
						b.Fatalf("read %d bytes: %v", n, err)
					}
				}
			})
			_ = c.Remove(ctx, file)
		})
	}
}
