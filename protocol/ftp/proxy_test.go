package ftp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/protocoltest"
	"github.com/ferryhq/ferry/protocol/proxy"
	"github.com/ferryhq/ferry/protocol/proxy/proxytest"
)

type proxyKind struct {
	name  string
	start func(testing.TB, ...proxytest.Option) *proxytest.Server
}

var proxyKinds = []proxyKind{{"SOCKS5", proxytest.NewSOCKS5}, {"HTTP CONNECT", proxytest.NewHTTP}}

func viaProxy(t testing.TB, url string) proxy.Dialer {
	t.Helper()
	p, err := proxy.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	return proxy.Dialer{Proxy: p}
}

// TestThroughProxy moves a file each way over FTP, FTPES and FTPS through
// each proxy, and reads in the proxy's log that the control connection and
// every data connection went through it.
func TestThroughProxy(t *testing.T) {
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
		{"FTP passive (EPSV)", ftpd.Options{}, protocol.SchemeFTP, Config{Password: "secret"}},
		{"FTP passive (PASV)", ftpd.Options{Disabled: []string{"EPSV"}}, protocol.SchemeFTP, Config{Password: "secret"}},
		{"FTPES with session reuse", ftpd.Options{TLS: serverTLS, RequireTLS: true, RequireTLSReuse: true}, protocol.SchemeFTPES, Config{Password: "secret", RootCAs: pool}},
		{"FTPS implicit with session reuse", ftpd.Options{TLS: serverTLS, Implicit: true, RequireTLSReuse: true}, protocol.SchemeFTPS, Config{Password: "secret", RootCAs: pool}},
	}
	for _, kind := range proxyKinds {
		for _, tc := range cases {
			t.Run(kind.name+" "+tc.name, func(t *testing.T) {
				srv := demoServer(t, tc.opts)
				px := kind.start(t, proxytest.WithAuth("ann", "pw"))
				cfg := tc.cfg
				cfg.Proxy = viaProxy(t, px.URL)
				c := dialT(t, siteOf(t, tc.scheme, srv.Addr(), "alice"), cfg)
				defer c.Close()
				ctx := context.Background()
				data := bytes.Repeat([]byte("ferry "), 10000)
				w, err := c.Create(ctx, "/f.txt", 0)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.Write(data); err != nil {
					t.Fatal(err)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				r, err := c.Open(ctx, "/f.txt", 0)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(r)
				r.Close()
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("read back %d bytes, %v; want %d", len(got), err, len(data))
				}
				if _, err := c.List(ctx, "/"); err != nil {
					t.Fatal(err)
				}
				if tc.scheme != protocol.SchemeFTP && !c.tls.resumed {
					t.Error("the data connections did not resume the control connection's TLS session")
				}
				log := px.Log()
				if len(log) < 4 || log[0] != "CONNECT "+srv.Addr() {
					t.Fatalf("proxy log %q, want the control connection and three data connections", log)
				}
				for _, l := range log[1:] {
					if !strings.HasPrefix(l, "CONNECT 127.0.0.1:") || l == log[0] {
						t.Errorf("proxy log line %q is not a data connection", l)
					}
				}
			})
		}
	}
}

// TestConformanceThroughProxy runs the whole suite through a proxy once
// per kind.
func TestConformanceThroughProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	serverTLS, pool, err := ftpd.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("FTP through SOCKS5", func(t *testing.T) {
		px := proxytest.NewSOCKS5(t)
		srv, ro := demoServer(t, ftpd.Options{}), demoServer(t, ftpd.Options{ReadOnly: true})
		protocoltest.Run(t, harness(srv, ro, protocol.SchemeFTP, Config{Password: "secret", Proxy: viaProxy(t, px.URL)}))
	})
	t.Run("FTPES through HTTP CONNECT", func(t *testing.T) {
		px := proxytest.NewHTTP(t)
		opts := ftpd.Options{TLS: serverTLS, RequireTLS: true, RequireTLSReuse: true}
		srv := demoServer(t, opts)
		opts.ReadOnly = true
		ro := demoServer(t, opts)
		protocoltest.Run(t, harness(srv, ro, protocol.SchemeFTPES, Config{Password: "secret", RootCAs: pool, Proxy: viaProxy(t, px.URL)}))
	})
}

func TestProxyRefusals(t *testing.T) {
	srv := demoServer(t, ftpd.Options{})
	site := siteOf(t, protocol.SchemeFTP, srv.Addr(), "alice")
	dial := func(cfg Config) error {
		cfg.PinDir = t.TempDir()
		cfg.Timeout = 2 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := Dial(ctx, site, cfg)
		if err == nil {
			c.Close()
		}
		return err
	}

	t.Run("active mode through a proxy names the flag", func(t *testing.T) {
		px := proxytest.NewSOCKS5(t)
		err := dial(Config{Password: "secret", Mode: Active, Proxy: viaProxy(t, px.URL)})
		if err == nil || !strings.Contains(err.Error(), "--ftp-mode passive") {
			t.Errorf("got %v, want a refusal naming --ftp-mode passive", err)
		}
		if n := px.Count(); n != 0 {
			t.Errorf("the proxy relayed %d connections, want none", n)
		}
	})
	t.Run("active mode to a NO_PROXY host works", func(t *testing.T) {
		px := proxytest.NewSOCKS5(t)
		d := viaProxy(t, px.URL)
		d.NoProxy = "127.0.0.0/8"
		if err := dial(Config{Password: "secret", Mode: Active, Proxy: d}); err != nil {
			t.Error(err)
		}
	})
	for _, kind := range proxyKinds {
		t.Run(kind.name+" refusing the login is ErrAuth", func(t *testing.T) {
			px := kind.start(t, proxytest.WithAuth("ann", "pw"))
			err := dial(Config{Password: "secret", Proxy: viaProxy(t, strings.Replace(px.URL, ":pw@", ":no@", 1))})
			if !errors.Is(err, protocol.ErrAuth) || protocol.IsTransient(err) {
				t.Errorf("got %v, want ErrAuth, not transient", err)
			}
		})
		for _, b := range []struct {
			name string
			b    proxytest.Behaviour
		}{{"closes", proxytest.Close}, {"never answers", proxytest.Silent}} {
			t.Run(kind.name+" that "+b.name+" fails in time", func(t *testing.T) {
				px := kind.start(t, proxytest.With(b.b))
				start := time.Now()
				err := dial(Config{Password: "secret", Proxy: viaProxy(t, px.URL)})
				if err == nil || !protocol.IsTransient(err) {
					t.Errorf("got %v, want a transient error", err)
				}
				if d := time.Since(start); d > 4*time.Second {
					t.Errorf("took %s", d)
				}
			})
		}
	}
	t.Run("a data connection the proxy cannot make is an error", func(t *testing.T) {
		// Through a proxy, data connections go to the host the control
		// connection named; nothing listens on 127.0.0.2, so the proxy
		// answers 403.
		px := proxytest.NewHTTP(t)
		c := dialT(t, site, Config{Password: "secret", Proxy: viaProxy(t, px.URL)})
		defer c.Close()
		c.site.Host = "127.0.0.2"
		_, err := c.List(context.Background(), "/")
		if err == nil || !strings.Contains(err.Error(), "403 Forbidden") {
			t.Errorf("got %v, want the proxy's refusal", err)
		}
	})
}

// TestRealServerThroughProxy lists vsftpd over explicit TLS (which demands
// TLS session reuse on data connections) through each proxy.
func TestRealServerThroughProxy(t *testing.T) {
	addr := requireReal(t, "FERRY_TEST_VSFTPD_FTPES")
	for _, kind := range proxyKinds {
		t.Run(kind.name, func(t *testing.T) {
			px := kind.start(t)
			cfg := realConfig(t, Passive)
			cfg.Proxy = viaProxy(t, px.URL)
			c := dialT(t, siteOf(t, protocol.SchemeFTPES, addr, os.Getenv("FERRY_TEST_FTP_USER")), cfg)
			defer c.Close()
			if _, err := c.List(context.Background(), c.home); err != nil {
				t.Fatal(err)
			}
			if log := px.Log(); len(log) < 2 || log[0] != "CONNECT "+addr {
				t.Errorf("proxy log %q, want the control and a data connection", log)
			}
		})
	}
}
