package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/protocoltest"
)

// demoServer starts the in-process server over a fresh directory.
func demoServer(t testing.TB, opts ftpd.Options) *ftpd.Server {
	t.Helper()
	if opts.Root == "" {
		opts.Root = t.TempDir()
	}
	if opts.Users == nil {
		opts.Users = map[string]string{"alice": "secret"}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := ftpd.Start(ctx, opts)
	if err != nil {
		cancel()
		t.Fatalf("start ftpd: %v", err)
	}
	t.Cleanup(func() { cancel(); s.Close() })
	return s
}

func siteOf(t testing.TB, scheme protocol.Scheme, addr, user string) protocol.Site {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	n, _ := strconv.Atoi(port)
	return protocol.Site{Scheme: scheme, Host: host, Port: n, User: user}
}

// testLog collects the protocol log and prints it only when a test fails.
type testLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *testLog) add(s string) { l.mu.Lock(); l.lines = append(l.lines, s); l.mu.Unlock() }

func (l *testLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

func dialT(t testing.TB, site protocol.Site, cfg Config) *Client {
	t.Helper()
	log := &testLog{}
	cfg.Log = log.add
	if cfg.PinDir == "" {
		cfg.PinDir = t.TempDir()
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, l := range log.all() {
				t.Log(l)
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, site, cfg)
	if err != nil {
		t.Fatalf("dial %s: %v", site.ID(), err)
	}
	return c
}

func harness(srv, ro *ftpd.Server, scheme protocol.Scheme, cfg Config) protocoltest.Harness {
	return protocoltest.Harness{
		StreamSize: 8 << 20,
		New: func(t *testing.T) (protocol.Client, string) {
			c := dialT(t, siteOf(t, scheme, srv.Addr(), "alice"), cfg)
			return c, "/"
		},
		Denied: func(t *testing.T) (protocol.Client, string) {
			c := dialT(t, siteOf(t, scheme, ro.Addr(), "alice"), cfg)
			return c, "/"
		},
	}
}

func TestConformanceDemoServer(t *testing.T) {
	serverTLS, pool, err := ftpd.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		opts   ftpd.Options
		scheme protocol.Scheme
		cfg    Config
	}{
		{"plain passive", ftpd.Options{}, protocol.SchemeFTP, Config{Password: "secret"}},
		{"plain active", ftpd.Options{}, protocol.SchemeFTP, Config{Password: "secret", Mode: Active}},
		{"plain without EPSV or MLSD", ftpd.Options{Disabled: []string{"EPSV", "MLSD", "MLST"}}, protocol.SchemeFTP, Config{Password: "secret"}},
		{"explicit TLS with session reuse", ftpd.Options{TLS: serverTLS, RequireTLS: true, RequireTLSReuse: true}, protocol.SchemeFTPES, Config{Password: "secret", RootCAs: pool}},
		{"implicit TLS active", ftpd.Options{TLS: serverTLS, Implicit: true, RequireTLSReuse: true}, protocol.SchemeFTPS, Config{Password: "secret", RootCAs: pool, Mode: Active}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := demoServer(t, tc.opts)
			roOpts := tc.opts
			roOpts.Root = t.TempDir()
			roOpts.ReadOnly = true
			ro := demoServer(t, roOpts)
			protocoltest.Run(t, harness(srv, ro, tc.scheme, tc.cfg))
		})
	}
}

// TestTLSDataResumes proves the data connections resume the control
// connection's session, which vsftpd's require_ssl_reuse demands.
func TestTLSDataResumes(t *testing.T) {
	serverTLS, pool, err := ftpd.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	for _, max := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tlsVersionName(max), func(t *testing.T) {
			st := serverTLS.Clone()
			st.MaxVersion = max
			srv := demoServer(t, ftpd.Options{TLS: st, RequireTLS: true, RequireTLSReuse: true})
			root := srv.Addr()
			c := dialT(t, siteOf(t, protocol.SchemeFTPES, root, "alice"), Config{Password: "secret", RootCAs: pool})
			defer c.Close()
			ctx := context.Background()
			w, err := c.Create(ctx, "/f", 0)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if _, err := w.Write([]byte("hello")); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
			if got := c.lastDataResumed(); !got {
				t.Fatalf("data connection did not resume the TLS session")
			}
			if got, want := c.Security(), "FTPS · "+tlsVersionName(max)+" · explicit"; got != want {
				t.Fatalf("Security() = %q, want %q", got, want)
			}
		})
	}
}

func TestProtClear(t *testing.T) {
	serverTLS, pool, err := ftpd.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	srv := demoServer(t, ftpd.Options{TLS: serverTLS})
	c := dialT(t, siteOf(t, protocol.SchemeFTPES, srv.Addr(), "alice"), Config{Password: "secret", RootCAs: pool, ProtClear: true})
	defer c.Close()
	if err := roundTrip(c); err != nil {
		t.Fatal(err)
	}
	if c.Encrypted() || c.Security() != "FTPS · TLS 1.3 · explicit · data unencrypted" {
		t.Fatalf("Encrypted()=%v Security()=%q", c.Encrypted(), c.Security())
	}
}

func TestHashAndChtimes(t *testing.T) {
	srv := demoServer(t, ftpd.Options{})
	c := dialT(t, siteOf(t, protocol.SchemeFTP, srv.Addr(), "alice"), Config{Password: "secret"})
	defer c.Close()
	ctx := context.Background()
	w, err := c.Create(ctx, "/h.txt", 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	algos := c.HashAlgorithms()
	if len(algos) == 0 || algos[0] != "sha256" {
		t.Fatalf("HashAlgorithms() = %v, want sha256 first", algos)
	}
	sum, err := c.Hash(ctx, "/h.txt", "sha256")
	if want := "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"; err != nil || sum != want {
		t.Fatalf("Hash = %q, %v; want %s", sum, err, want)
	}
	if _, err := c.Hash(ctx, "/h.txt", "md5"); !errors.Is(err, protocol.ErrUnsupported) {
		t.Fatalf("md5: got %v, want ErrUnsupported", err)
	}
	mtime := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	if err := c.Chtimes(ctx, "/h.txt", mtime); err != nil {
		t.Fatalf("chtimes: %v", err)
	}
	e, err := c.Stat(ctx, "/h.txt")
	if err != nil || !e.ModTime.Equal(mtime) {
		t.Fatalf("stat after chtimes: %v %v, want %v", e.ModTime, err, mtime)
	}
}

func TestCancelledUploadLeavesSessionUsable(t *testing.T) {
	for _, mode := range []Mode{Passive, Active} {
		srv := demoServer(t, ftpd.Options{})
		c := dialT(t, siteOf(t, protocol.SchemeFTP, srv.Addr(), "alice"), Config{Password: "secret", Mode: mode})
		ctx, cancel := context.WithCancel(context.Background())
		w, err := c.Create(ctx, "/up.bin", 0)
		if err != nil {
			t.Fatal(err)
		}
		time.AfterFunc(100*time.Millisecond, cancel)
		_, werr := io.Copy(w, zeros{})
		cerr := w.Close()
		if !errors.Is(werr, context.Canceled) || !errors.Is(cerr, context.Canceled) {
			t.Fatalf("mode %d: write %v, close %v; want context.Canceled", mode, werr, cerr)
		}
		if _, err := c.List(context.Background(), "/"); err != nil {
			t.Fatalf("mode %d: session unusable after a cancelled upload: %v", mode, err)
		}
		c.Close()
	}
}
