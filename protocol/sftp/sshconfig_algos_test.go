package sftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
)

func TestAlgoList(t *testing.T) {
	def := []string{"aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes128-ctr", "aes256-ctr"}
	for _, tc := range []struct {
		spec string
		want []string
	}{
		{"", def},
		{"aes256-ctr", []string{"aes256-ctr"}},
		{"aes256-ctr,aes128-ctr", []string{"aes256-ctr", "aes128-ctr"}},
		{"+aes128-cbc", append(slices.Clone(def), "aes128-cbc")},
		{"+aes128-ctr", def}, // already there: no repeat
		{"^aes256-ctr", []string{"aes256-ctr", "aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes128-ctr"}},
		{"-aes128-ctr", []string{"aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes256-ctr"}},
		{"-*-ctr", []string{"aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com"}},
		{"-*gcm*,chacha*", []string{"aes128-ctr", "aes256-ctr"}},
		{"aes192-cbc,aes256-ctr", []string{"aes256-ctr"}}, // OpenSSH knows aes192-cbc, ferry does not
	} {
		l := algoList{spec: tc.spec, where: "config line 1"}
		if _, err := l.check(cipherKind); err != nil {
			t.Errorf("Ciphers %q: %v", tc.spec, err)
			continue
		}
		if got := l.apply(slices.Clone(def), cipherKind); !slices.Equal(got, tc.want) {
			t.Errorf("Ciphers %q = %q, want %q", tc.spec, got, tc.want)
		}
	}
}

func TestAlgorithmKeywords(t *testing.T) {
	for _, tc := range []struct {
		config  string
		err     string // a substring of the error, "" for none
		warning string
	}{
		{"HostKeyAlgorithms +ssh-rsa\nPubkeyAcceptedAlgorithms +ssh-rsa\n", "", ""},
		{"KexAlgorithms -diffie-hellman-group*\nMACs ^hmac-sha2-512\n", "", ""},
		{"Ciphers aes256-ctr,aes999-ctr\n", `unknown algorithm "aes999-ctr"`, ""},
		{"HostKeyAlgorithms +ssh-rsa2\n", `HostKeyAlgorithms: unknown algorithm "ssh-rsa2"`, ""},
		{"MACs umac-128@openssh.com\n", "ferry supports none of umac-128@openssh.com", ""},
		{"MACs umac-128@openssh.com,hmac-sha2-256\n", "", "ferry does not support umac-128@openssh.com"},
		{"KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256\n", "", "ferry does not support sntrup761x25519-sha512@openssh.com"},
		{"PubkeyAcceptedKeyTypes ssh-foo\n", `PubkeyAcceptedAlgorithms: unknown algorithm "ssh-foo"`, ""},
	} {
		t.Run(strings.TrimSpace(tc.config), func(t *testing.T) {
			got, err := resolveText(t, tc.config, "box", "")
			if tc.err == "" && err != nil {
				t.Fatalf("config %q: %v", tc.config, err)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "line 1") {
					t.Fatalf("config %q: got %v, want an error naming line 1 with %q", tc.config, err, tc.err)
				}
				return
			}
			if tc.warning == "" && len(got.warnings) > 0 || tc.warning != "" && (len(got.warnings) != 1 || !strings.Contains(got.warnings[0], tc.warning)) {
				t.Errorf("warnings %q, want %q", got.warnings, tc.warning)
			}
		})
	}

	t.Run("+ssh-rsa adds ssh-rsa to the host key and signature lists", func(t *testing.T) {
		got, err := resolveText(t, "HostKeyAlgorithms +ssh-rsa\nPubkeyAcceptedAlgorithms +ssh-rsa\n", "box", "")
		if err != nil {
			t.Fatal(err)
		}
		hk := got.algos.hostKeyAlgorithms(nil)
		if !slices.Contains(hk, ssh.KeyAlgoRSA) || !slices.Contains(hk, ssh.KeyAlgoED25519) {
			t.Errorf("host key algorithms %q, want the defaults and ssh-rsa", hk)
		}
		if pk := got.algos.pubkeys.apply(ssh.SupportedAlgorithms().PublicKeyAuths, pubkeyKind); !slices.Contains(pk, ssh.KeyAlgoRSA) {
			t.Errorf("public key algorithms %q, want ssh-rsa", pk)
		}
	})
}

// TestSSHConfigEndToEnd dials the in-process server through a config
// whose Match blocks supply the port, the user and the cipher.
func TestSSHConfigEndToEnd(t *testing.T) {
	priv, pub := newKey(t)
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "frank", AuthorizedKeys: []ssh.PublicKey{pub}}}})
	_, port, _ := net.SplitHostPort(srv.Addr())
	cfg := baseConfig(t, srv)
	cfg.SSHConfigFile = ""
	cfg.IdentityFiles = []string{writeKey(t, t.TempDir(), "id", priv, "")}
	writeSSHConfig(t, cfg.HomeDir, fmt.Sprintf(`
Host nas
    HostName 127.0.0.1
Match originalhost nas exec "test %%n = nas"
    User frank
Match host 127.0.0.1 user frank
    Port %s
    Ciphers aes256-ctr
    MACs hmac-sha2-512
    KexAlgorithms ^ecdh-sha2-nistp384
    HostKeyAlgorithms +ssh-rsa
Match all
    Port 1
`, port))
	c := dial(t, protocol.Site{Scheme: protocol.SchemeSFTP, Host: "nas", Short: true}, cfg)
	if _, err := c.List(context.Background(), "/"); err != nil {
		t.Fatal(err)
	}
	alg := c.conn.Conn.(interface {
		Algorithms() ssh.NegotiatedAlgorithms
	}).Algorithms()
	if alg.Write.Cipher != ssh.CipherAES256CTR || alg.Read.MAC != ssh.HMACSHA512 || alg.KeyExchange != ssh.KeyExchangeECDHP384 {
		t.Errorf("negotiated %s %s %s, want aes256-ctr, hmac-sha2-512, ecdh-sha2-nistp384 as the config sets",
			alg.Write.Cipher, alg.Read.MAC, alg.KeyExchange)
	}
	if !strings.Contains(c.security, "aes256-ctr") {
		t.Errorf("security %q does not show aes256-ctr", c.security)
	}
}

func TestIdentityAgentAndHostKeyAlias(t *testing.T) {
	priv, pub := newKey(t)
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "gina", AuthorizedKeys: []ssh.PublicKey{pub}}}})
	_, port, _ := net.SplitHostPort(srv.Addr())
	startAgent(t, priv)
	sock := os.Getenv("SSH_AUTH_SOCK")
	for _, tc := range []struct {
		name, agent string
		ok          bool
	}{
		{"IdentityAgent names the socket", sock, true},
		{"IdentityAgent none keeps the agent out", "none", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := baseConfig(t) // clears SSH_AUTH_SOCK
			cfg.KnownHostsFile = filepath.Join(cfg.HomeDir, "kh")
			// The key is known only under the alias.
			os.WriteFile(cfg.KnownHostsFile, []byte(knownHostsLine("my-nas", srv.HostKey())), 0o600)
			cfg.SSHConfigFile = filepath.Join(cfg.HomeDir, "cfg")
			os.WriteFile(cfg.SSHConfigFile, []byte(fmt.Sprintf(
				"Host h\n HostName 127.0.0.1\n Port %s\n User gina\n IdentityAgent %s\n HostKeyAlias My-NAS\n", port, tc.agent)), 0o600)
			c, err := Dial(context.Background(), protocol.Site{Scheme: protocol.SchemeSFTP, Host: "h"}, cfg)
			if c != nil {
				c.Close()
			}
			if tc.ok && err != nil {
				t.Fatalf("dial with the agent from IdentityAgent and the key under HostKeyAlias: %v", err)
			}
			if !tc.ok && !errors.Is(err, protocol.ErrAuth) {
				t.Fatalf("got %v, want ErrAuth with IdentityAgent none", err)
			}
		})
	}
}

func TestPubkeyAcceptedAlgorithmsDropsKeys(t *testing.T) {
	priv, pub := newKey(t)
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "hank", AuthorizedKeys: []ssh.PublicKey{pub}}}})
	cfg := baseConfig(t, srv)
	cfg.IdentityFiles = []string{writeKey(t, t.TempDir(), "id", priv, "")}
	cfg.SSHConfigFile = filepath.Join(cfg.HomeDir, "cfg")
	os.WriteFile(cfg.SSHConfigFile, []byte("PubkeyAcceptedAlgorithms rsa-sha2-512\n"), 0o600)
	c, err := Dial(context.Background(), siteOf(t, srv.Addr(), "hank"), cfg)
	if err == nil {
		c.Close()
		t.Fatal("an ed25519 key logged in though PubkeyAcceptedAlgorithms allows only rsa-sha2-512")
	}
	if !errors.Is(err, protocol.ErrAuth) {
		t.Errorf("got %v, want ErrAuth", err)
	}
}

// TestRealSSHDAlgorithms checks HostKeyAlgorithms and Ciphers choices
// against OpenSSH's sshd, which offers ed25519 and RSA host keys.
func TestRealSSHDAlgorithms(t *testing.T) {
	e := realSSHD(t)
	cfg := e.config(t)
	cfg.IdentityFiles = []string{e.key}
	cfg.SSHConfigFile = filepath.Join(cfg.HomeDir, "cfg")
	host, port, _ := net.SplitHostPort(e.addr)
	os.WriteFile(cfg.SSHConfigFile, []byte(fmt.Sprintf(
		"Match host %s\n Port %s\n HostKeyAlgorithms rsa-sha2-512\n Ciphers aes128-ctr\n", host, port)), 0o600)
	c, err := Dial(context.Background(), protocol.Site{Scheme: protocol.SchemeSFTP, Host: host, User: e.user}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	alg := c.conn.Conn.(interface {
		Algorithms() ssh.NegotiatedAlgorithms
	}).Algorithms()
	if alg.HostKey != ssh.KeyAlgoRSASHA512 || alg.Write.Cipher != ssh.CipherAES128CTR {
		t.Errorf("negotiated host key %s, cipher %s; want rsa-sha2-512 and aes128-ctr", alg.HostKey, alg.Write.Cipher)
	}
}
