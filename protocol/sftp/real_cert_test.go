package sftp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// certSSHDEnv describes the certificate-only OpenSSH server that
// .ci/sshd_cert.sh starts.
type certSSHDEnv struct {
	addr, user                      string
	key, keyExpired, keyOther       string
	keyRevoked                      string
	hostCA, hostKey                 ssh.PublicKey
	knownHosts, knownHostsRevokedCA string
	agent                           string
}

// realCertSSHD reads the server from the environment; without it the test
// is skipped, or fails when FERRY_REQUIRE_REAL_SERVERS=1.
func realCertSSHD(t *testing.T) certSSHDEnv {
	t.Helper()
	e := certSSHDEnv{
		addr:                os.Getenv("FERRY_TEST_SSHD_CERT"),
		user:                os.Getenv("FERRY_TEST_SSHD_CERT_USER"),
		key:                 os.Getenv("FERRY_TEST_SSHD_CERT_KEY"),
		keyExpired:          os.Getenv("FERRY_TEST_SSHD_CERT_KEY_EXPIRED"),
		keyOther:            os.Getenv("FERRY_TEST_SSHD_CERT_KEY_OTHER"),
		keyRevoked:          os.Getenv("FERRY_TEST_SSHD_CERT_KEY_REVOKED"),
		knownHosts:          os.Getenv("FERRY_TEST_SSHD_CERT_KNOWN_HOSTS"),
		knownHostsRevokedCA: os.Getenv("FERRY_TEST_SSHD_CERT_KNOWN_HOSTS_REVOKED"),
		agent:               os.Getenv("FERRY_TEST_SSHD_CERT_AGENT"),
	}
	if e.addr == "" {
		if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
			t.Fatal("FERRY_TEST_SSHD_CERT is not set but FERRY_REQUIRE_REAL_SERVERS=1 (source .ci/sshd_cert.sh)")
		}
		t.Skip("FERRY_TEST_SSHD_CERT not set; source .ci/sshd_cert.sh to test certificates against OpenSSH")
	}
	e.hostCA = readPublicKey(t, os.Getenv("FERRY_TEST_SSHD_CERT_HOST_CA"))
	e.hostKey = readPublicKey(t, os.Getenv("FERRY_TEST_SSHD_CERT_HOST_KEY"))
	return e
}

func readPublicKey(t *testing.T, file string) ssh.PublicKey {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	k, _, _, _, err := ssh.ParseAuthorizedKey(b)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return k
}

// config trusts the host CA with the CA-only known_hosts and offers key.
func (e certSSHDEnv) config(t *testing.T, key string) Config {
	cfg := baseConfig(t)
	cfg.KnownHostsFile = e.knownHosts
	if key != "" {
		cfg.IdentityFiles = []string{key}
	}
	return cfg
}

// withKnownHosts points cfg at a fresh known_hosts holding lines.
func withKnownHosts(t *testing.T, cfg Config, lines ...string) Config {
	t.Helper()
	cfg.KnownHostsFile = filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(cfg.KnownHostsFile, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func (e certSSHDEnv) login(t *testing.T, cfg Config) {
	t.Helper()
	c, err := Dial(context.Background(), siteOf(t, e.addr, e.user), cfg)
	if err != nil {
		t.Fatalf("dial %s: %v", e.addr, err)
	}
	defer c.Close()
	if _, err := c.Home(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Security(), "cert") {
		t.Logf("security: %s", c.Security())
	}
}

func (e certSSHDEnv) refused(t *testing.T, cfg Config, kind error, wants ...string) {
	t.Helper()
	_, err := Dial(context.Background(), siteOf(t, e.addr, e.user), cfg)
	t.Logf("refused: %v", err)
	if !errors.Is(err, kind) {
		t.Fatalf("got %v, want %v", err, kind)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

func TestOpenSSHCertificates(t *testing.T) {
	e := realCertSSHD(t)
	name := knownhosts.Normalize(e.addr)

	t.Run("KEY-cert.pub logs in with a CA-only known_hosts", func(t *testing.T) {
		e.login(t, e.config(t, e.key))
	})
	t.Run("@cert-authority * covers the non-default port", func(t *testing.T) {
		e.login(t, withKnownHosts(t, e.config(t, e.key), caLine("*", e.hostCA)))
	})
	t.Run("a hashed [host]:port CA line", func(t *testing.T) {
		e.login(t, withKnownHosts(t, e.config(t, e.key), caLine(knownhosts.HashHostname(name), e.hostCA)))
	})
	t.Run("a pinned plain host key", func(t *testing.T) {
		e.login(t, withKnownHosts(t, e.config(t, e.key), knownHostsLine(e.addr, e.hostKey)))
	})
	t.Run("a certificate from ssh-agent", func(t *testing.T) {
		cfg := e.config(t, "")
		t.Setenv("SSH_AUTH_SOCK", e.agent)
		e.login(t, cfg)
	})

	t.Run("an expired certificate is refused with the reason", func(t *testing.T) {
		e.refused(t, e.config(t, e.keyExpired), protocol.ErrAuth, e.keyExpired+"-cert.pub", "expired at")
	})
	t.Run("a certificate for another principal is refused with the reason", func(t *testing.T) {
		e.refused(t, e.config(t, e.keyOther), protocol.ErrAuth, e.keyOther+"-cert.pub", `is for other, not for user "`+e.user+`"`)
	})
	t.Run("a certificate the server revoked is refused", func(t *testing.T) {
		e.refused(t, e.config(t, e.keyRevoked), protocol.ErrAuth)
	})
	t.Run("a CA line for port 22 leaves the key unknown", func(t *testing.T) {
		cfg := withKnownHosts(t, e.config(t, e.key), caLine("127.0.0.1", e.hostCA))
		e.refused(t, cfg, protocol.ErrHostKey, "@cert-authority "+name, ssh.FingerprintSHA256(e.hostCA))
	})
	t.Run("@revoked for the host CA refuses the server", func(t *testing.T) {
		cfg := e.config(t, e.key)
		cfg.KnownHostsFile = e.knownHostsRevokedCA
		e.refused(t, cfg, protocol.ErrHostKey, "certificate authority", "revoked in "+e.knownHostsRevokedCA+":2")
	})
	t.Run("@revoked for the host key refuses the server", func(t *testing.T) {
		cfg := withKnownHosts(t, e.config(t, e.key), caLine(name, e.hostCA), revokedLine(e.hostKey))
		e.refused(t, cfg, protocol.ErrHostKey, "host key", "revoked in "+cfg.KnownHostsFile+":2")
	})
}
