package sftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
)

func writeSSHConfig(t *testing.T, home, text string) {
	t.Helper()
	dir := filepath.Join(home, ".ssh")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestSSHConfigAlias(t *testing.T) {
	priv, pub := newKey(t)
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "carol", AuthorizedKeys: []ssh.PublicKey{pub}}}})
	_, port, _ := net.SplitHostPort(srv.Addr())

	for _, alias := range []string{"box", "srv-one"} {
		t.Run("alias "+alias+" supplies host, port, user and key", func(t *testing.T) {
			cfg := baseConfig(t)
			cfg.SSHConfigFile = ""
			kh := cfg.KnownHostsFile
			cfg.KnownHostsFile = ""
			os.WriteFile(kh, []byte(knownHostsLine(srv.Addr(), srv.HostKey())), 0o600)
			keyDir := filepath.Join(cfg.HomeDir, "keys")
			os.Mkdir(keyDir, 0o700)
			writeKey(t, keyDir, "carol", priv, "")
			writeSSHConfig(t, cfg.HomeDir, fmt.Sprintf(`
Host box srv-*
    HostName 127.0.0.1
    Port %s
    User carol
    IdentityFile ~/keys/carol
    IdentitiesOnly yes
    ConnectTimeout 5
    UserKnownHostsFile %s
`, port, kh))
			c := dial(t, protocol.Site{Scheme: protocol.SchemeSFTP, Host: alias, Short: true}, cfg)
			if _, err := c.List(context.Background(), "/"); err != nil {
				t.Fatal(err)
			}
		})
	}

	t.Run("explicit port and user beat the config", func(t *testing.T) {
		cfg := baseConfig(t, srv)
		cfg.SSHConfigFile = filepath.Join(cfg.HomeDir, "cfg")
		os.WriteFile(cfg.SSHConfigFile, []byte("Host 127.0.0.1\n  Port 1\n  User nobody\n"), 0o600)
		cfg.IdentityFiles = []string{writeKey(t, t.TempDir(), "id", priv, "")}
		dial(t, siteOf(t, srv.Addr(), "carol"), cfg)
	})
}

func TestProxyJump(t *testing.T) {
	priv, pub := newKey(t)
	var mu sync.Mutex
	var jumpLog []string
	jump := startServer(t, sftpd.Options{
		AllowForwarding: true,
		Users:           []sftpd.User{{Name: "hop", AuthorizedKeys: []ssh.PublicKey{pub}}},
		Log: func(s string) {
			mu.Lock()
			jumpLog = append(jumpLog, s)
			mu.Unlock()
		},
	})
	target := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "dave", AuthorizedKeys: []ssh.PublicKey{pub}}}})
	_, jport, _ := net.SplitHostPort(jump.Addr())
	_, tport, _ := net.SplitHostPort(target.Addr())

	cfg := baseConfig(t, jump, target)
	cfg.SSHConfigFile = ""
	sshDir := filepath.Join(cfg.HomeDir, ".ssh")
	os.MkdirAll(sshDir, 0o700)
	writeKey(t, sshDir, "id_ed25519", priv, "")
	writeSSHConfig(t, cfg.HomeDir, fmt.Sprintf(`
Host target
    HostName 127.0.0.1
    Port %s
    User dave
    ProxyJump hop@jumpbox
Host jumpbox
    HostName 127.0.0.1
    Port %s
`, tport, jport))
	c := dial(t, protocol.Site{Scheme: protocol.SchemeSFTP, Host: "target", Short: true}, cfg)
	if _, err := c.Stat(context.Background(), "/"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	log := strings.Join(jumpLog, "\n")
	mu.Unlock()
	if !strings.Contains(log, "forward to "+target.Addr()) {
		t.Errorf("jump host log %q shows no forward to %s", log, target.Addr())
	}

	t.Run("a hop that refuses forwarding fails the dial", func(t *testing.T) {
		closed := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "hop", AuthorizedKeys: []ssh.PublicKey{pub}}}})
		cfg := baseConfig(t, closed, target)
		cfg.IdentityFiles = []string{writeKey(t, t.TempDir(), "id", priv, "")}
		cfg.SSHConfigFile = filepath.Join(cfg.HomeDir, "cfg")
		_, cp, _ := net.SplitHostPort(closed.Addr())
		os.WriteFile(cfg.SSHConfigFile, []byte(fmt.Sprintf("Host t\n HostName 127.0.0.1\n Port %s\n User dave\n ProxyJump hop@127.0.0.1:%s\n", tport, cp)), 0o600)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c, err := Dial(ctx, protocol.Site{Scheme: protocol.SchemeSFTP, Host: "t"}, cfg); err == nil {
			c.Close()
			t.Fatal("dial through a hop without forwarding succeeded")
		}
	})
}

func TestParseJump(t *testing.T) {
	for _, tc := range []struct {
		in, host, user string
		port           int
	}{
		{"bastion", "bastion", "", 0},
		{"me@bastion:2200", "bastion", "me", 2200},
		{"ssh://me@[::1]:2200", "::1", "me", 2200},
		{"[::1]", "::1", "", 0},
	} {
		h, p, u, err := parseJump(tc.in)
		if err != nil || h != tc.host || p != tc.port || u != tc.user {
			t.Errorf("parseJump(%q) = %q %d %q %v, want %q %d %q", tc.in, h, p, u, err, tc.host, tc.port, tc.user)
		}
	}
	if _, _, _, err := parseJump("me@:99999"); err == nil {
		t.Error("parseJump accepted port 99999")
	}
}

func TestIdentitiesOnlyLimitsAgentKeys(t *testing.T) {
	agentKey, agentPub := newKey(t)
	other, _ := newKey(t)
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "erin", AuthorizedKeys: []ssh.PublicKey{agentPub}}}})
	_, port, _ := net.SplitHostPort(srv.Addr())
	for _, only := range []string{"no", "yes"} {
		t.Run("IdentitiesOnly "+only, func(t *testing.T) {
			cfg := baseConfig(t, srv)
			startAgent(t, agentKey)
			keyFile := writeKey(t, t.TempDir(), "other", other, "")
			cfg.SSHConfigFile = filepath.Join(cfg.HomeDir, "cfg")
			os.WriteFile(cfg.SSHConfigFile, []byte(fmt.Sprintf(
				"Host h\n HostName 127.0.0.1\n Port %s\n User erin\n IdentityFile %s\n IdentitiesOnly %s\n", port, keyFile, only)), 0o600)
			c, err := Dial(context.Background(), protocol.Site{Scheme: protocol.SchemeSFTP, Host: "h"}, cfg)
			if only == "no" && err != nil {
				t.Fatalf("agent key not used: %v", err)
			}
			if only == "yes" {
				if err == nil {
					c.Close()
					t.Fatal("agent key used despite IdentitiesOnly yes")
				}
				if !errors.Is(err, protocol.ErrAuth) {
					t.Errorf("got %v, want ErrAuth", err)
				}
			}
			if c != nil {
				c.Close()
			}
		})
	}
}
