package sftp

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/proxy"
	"github.com/ferryhq/ferry/protocol/proxy/proxytest"
)

// TestOpenSSHThroughProxies reaches the real sshd through a ProxyCommand,
// through SOCKS5 and HTTP CONNECT proxies, and through ssh -D, OpenSSH's
// own SOCKS5 server.
func TestOpenSSHThroughProxies(t *testing.T) {
	e := realSSHD(t)
	host, port, _ := net.SplitHostPort(e.addr)
	check := func(t *testing.T, site protocol.Site, cfg Config) {
		t.Helper()
		cfg.IdentityFiles = []string{e.key}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c, err := Dial(ctx, site, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Stat(ctx, "."); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("ProxyCommand nc", func(t *testing.T) {
		needNC(t)
		cfg := e.config(t)
		cfg.SSHConfigFile = filepath.Join(t.TempDir(), "config")
		text := fmt.Sprintf("Host real\n HostName %s\n Port %s\n User %s\n ProxyCommand nc %%h %%p\n", host, port, e.user)
		if err := os.WriteFile(cfg.SSHConfigFile, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		logs := &logLines{}
		cfg.Log = logs.add
		check(t, protocol.Site{Scheme: protocol.SchemeSFTP, Host: "real"}, cfg)
		if want := "* ProxyCommand nc " + host + " " + port; !strings.Contains(logs.String(), want) {
			t.Errorf("log %q lacks %q", logs, want)
		}
	})

	for _, kind := range []struct {
		name  string
		start func(testing.TB, ...proxytest.Option) *proxytest.Server
	}{{"SOCKS5", proxytest.NewSOCKS5}, {"HTTP CONNECT", proxytest.NewHTTP}} {
		t.Run(kind.name, func(t *testing.T) {
			px := kind.start(t)
			cfg := e.config(t)
			p, err := proxy.Parse(px.URL)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Proxy = proxy.Dialer{Proxy: p}
			check(t, e.site(t), cfg)
			if got := px.Log(); len(got) != 1 || got[0] != "CONNECT "+e.addr {
				t.Errorf("proxy log %q, want [CONNECT %s]", got, e.addr)
			}
		})
	}

	t.Run("ssh -D", func(t *testing.T) {
		if _, err := exec.LookPath("ssh"); err != nil {
			t.Skip("no ssh client")
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		socks := ln.Addr().String()
		ln.Close()
		_, sport, _ := net.SplitHostPort(socks)
		cmd := exec.Command("ssh", "-N", "-D", "127.0.0.1:"+sport, "-p", port, "-i", e.key,
			"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile="+e.knownHosts,
			"-o", "StrictHostKeyChecking=yes", "-o", "ExitOnForwardFailure=yes", "-F", "none", e.user+"@"+host)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		deadline := time.Now().Add(10 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", socks, time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("ssh -D did not listen on %s", socks)
			}
			time.Sleep(50 * time.Millisecond)
		}
		cfg := e.config(t)
		p, _ := proxy.Parse("socks5h://" + socks)
		cfg.Proxy = proxy.Dialer{Proxy: p}
		check(t, e.site(t), cfg)
	})
}
