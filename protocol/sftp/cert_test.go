package sftp

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// newCA makes a certificate authority's signer.
func newCA(t *testing.T) ssh.Signer {
	t.Helper()
	priv, _ := newKey(t)
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signCert certifies key; a zero before means forever.
func signCert(t *testing.T, ca ssh.Signer, key ssh.PublicKey, kind uint32, principals []string, after, before time.Time) *ssh.Certificate {
	t.Helper()
	c := &ssh.Certificate{
		Key: key, CertType: kind, KeyId: "test", ValidPrincipals: principals,
		ValidAfter: uint64(after.Unix()), ValidBefore: ssh.CertTimeInfinity,
	}
	if kind == ssh.UserCert {
		c.Permissions.Extensions = map[string]string{"permit-pty": ""}
	}
	if !before.IsZero() {
		c.ValidBefore = uint64(before.Unix())
	}
	if err := c.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	return c
}

// certServer is an in-process server with a host certificate from hostCA
// (for 127.0.0.1 unless principals say otherwise), accepting alice's user
// certificates from userCA and no plain keys.
type certServer struct {
	srv            *sftpd.Server
	hostCA, userCA ssh.Signer
	hostKey        ssh.Signer
}

func startCertServer(t *testing.T, principals []string, after, before time.Time) certServer {
	t.Helper()
	cs := certServer{hostCA: newCA(t), userCA: newCA(t), hostKey: newCA(t)}
	if principals == nil {
		principals = []string{"127.0.0.1"}
	}
	cert := signCert(t, cs.hostCA, cs.hostKey.PublicKey(), ssh.HostCert, principals, after, before)
	cs.srv = startServer(t, sftpd.Options{
		HostKey: cs.hostKey, HostCertificate: cert,
		UserCAs: []ssh.PublicKey{cs.userCA.PublicKey()},
		Users:   []sftpd.User{{Name: "alice"}},
	})
	return cs
}

// userKey writes a key for alice with a certificate beside it
// (KEY-cert.pub) when principals is not nil.
func (cs certServer) userKey(t *testing.T, principals []string, after, before time.Time) string {
	t.Helper()
	priv, pub := newKey(t)
	file := writeKey(t, t.TempDir(), "id_cert", priv, "")
	if principals != nil {
		cert := signCert(t, cs.userCA, pub, ssh.UserCert, principals, after, before)
		if err := os.WriteFile(file+"-cert.pub", ssh.MarshalAuthorizedKey(cert), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return file
}

// config trusts the host CA through a known_hosts line with pattern.
func (cs certServer) config(t *testing.T, lines ...string) Config {
	t.Helper()
	cfg := baseConfig(t)
	if err := os.WriteFile(cfg.KnownHostsFile, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func caLine(pattern string, ca ssh.PublicKey) string {
	return "@cert-authority " + pattern + " " + string(ssh.MarshalAuthorizedKey(ca))
}

func revokedLine(key ssh.PublicKey) string {
	return "@revoked * " + string(ssh.MarshalAuthorizedKey(key))
}

func (cs certServer) site(t *testing.T) protocol.Site { return siteOf(t, cs.srv.Addr(), "alice") }

func TestHostCertificates(t *testing.T) {
	now := time.Now()
	cs := startCertServer(t, nil, now.Add(-time.Hour), time.Time{})
	key := cs.userKey(t, []string{"alice"}, now.Add(-time.Hour), now.Add(time.Hour))
	addr := cs.srv.Addr()
	name := knownhosts.Normalize(addr) // [127.0.0.1]:PORT
	_, port, _ := strings.Cut(addr, ":")
	ca := cs.hostCA.PublicKey()

	accepted := []struct{ name, line string }{
		{"* covers every port", caLine("*", ca)},
		{"[host]:port", caLine(name, ca)},
		{"wildcards in [host]:port", caLine("[127.0.0.*]:"+port[:1]+"*", ca)},
		{"a hashed name", caLine(knownhosts.HashHostname(name), ca)},
		{"a list with a negation that does not apply", caLine("!example.com,*", ca)},
	}
	for _, tc := range accepted {
		t.Run(tc.name+" trusts the CA", func(t *testing.T) {
			cfg := cs.config(t, tc.line)
			cfg.IdentityFiles = []string{key}
			var log []string
			cfg.Log = func(l string) { log = append(log, l) }
			dial(t, cs.site(t), cfg)
			if !slices.ContainsFunc(log, func(l string) bool { return strings.Contains(l, "host certificate") && strings.Contains(l, "is valid") }) {
				t.Errorf("log %q does not say the host certificate was checked", log)
			}
		})
	}

	notCovered := []struct{ name, line string }{
		{"host without port means port 22", caLine("127.0.0.1", ca)},
		{"a negation vetoes the line", caLine("*,![127.0.0.1]:*", ca)},
		{"a hash of the bare host", caLine(knownhosts.HashHostname("127.0.0.1"), ca)},
		{"another CA", caLine("*", newCA(t).PublicKey())},
	}
	for _, tc := range notCovered {
		t.Run(tc.name+": the key is unknown", func(t *testing.T) {
			cfg := cs.config(t, tc.line)
			cfg.IdentityFiles = []string{key}
			_, err := Dial(context.Background(), cs.site(t), cfg)
			if !errors.Is(err, protocol.ErrHostKey) {
				t.Fatalf("got %v, want ErrHostKey", err)
			}
			if !strings.Contains(err.Error(), "@cert-authority "+name) || !strings.Contains(err.Error(), ssh.FingerprintSHA256(ca)) {
				t.Errorf("error %q does not say which @cert-authority line to add", err)
			}
		})
	}

	t.Run("a pinned plain key still works without a CA line", func(t *testing.T) {
		cfg := cs.config(t, knownHostsLine(addr, cs.hostKey.PublicKey()))
		cfg.IdentityFiles = []string{key}
		dial(t, cs.site(t), cfg)
	})

	t.Run("a revoked CA is refused", func(t *testing.T) {
		cfg := cs.config(t, caLine("*", ca), revokedLine(ca))
		cfg.IdentityFiles = []string{key}
		_, err := Dial(context.Background(), cs.site(t), cfg)
		if !errors.Is(err, protocol.ErrHostKey) || !strings.Contains(err.Error(), "certificate authority") ||
			!strings.Contains(err.Error(), "revoked in "+cfg.KnownHostsFile+":2") {
			t.Fatalf("got %v, want a refusal naming the revoked CA and its line", err)
		}
	})

	t.Run("a revoked host key is refused, even with a trusted CA", func(t *testing.T) {
		cfg := cs.config(t, caLine("*", ca), revokedLine(cs.hostKey.PublicKey()))
		cfg.IdentityFiles = []string{key}
		_, err := Dial(context.Background(), cs.site(t), cfg)
		if !errors.Is(err, protocol.ErrHostKey) || !strings.Contains(err.Error(), "host key") || !strings.Contains(err.Error(), "revoked") {
			t.Fatalf("got %v, want a refusal of the revoked key", err)
		}
	})

	t.Run("an unknown CA is shown in the question, and always pins the key", func(t *testing.T) {
		cfg := cs.config(t)
		cfg.IdentityFiles = []string{key}
		cfg.Trust = protocol.TrustAsk
		p := &fakePrompter{trust: protocol.TrustAlways}
		cfg.Prompter = p
		dial(t, cs.site(t), cfg)
		_, trusts := p.asked()
		if len(trusts) != 1 {
			t.Fatalf("asked %d trust questions, want 1", len(trusts))
		}
		q := trusts[0]
		if q.CertAuthority != ca.Type()+" "+ssh.FingerprintSHA256(ca) || !slices.Equal(q.Principals, []string{"127.0.0.1"}) ||
			q.NotBefore.IsZero() || !q.NotAfter.IsZero() || q.Fingerprint != ssh.FingerprintSHA256(cs.hostKey.PublicKey()) {
			t.Errorf("question %+v lacks the certificate's details", q)
		}
		b, _ := os.ReadFile(cfg.KnownHostsFile)
		if want := knownHostsLine(addr, cs.hostKey.PublicKey()); string(b) != want {
			t.Errorf("known_hosts %q, want the plain key %q", b, want)
		}
		cfg.Trust = protocol.TrustStrict
		dial(t, cs.site(t), cfg)
	})
}

func TestHostCertificateRefusals(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name          string
		principals    []string
		after, before time.Time
		want          string
	}{
		{"wrong principal", []string{"files.example.com"}, now.Add(-time.Hour), time.Time{}, `it is for files.example.com, not for "127.0.0.1"`},
		{"expired", nil, now.Add(-2 * time.Hour), now.Add(-time.Hour), "expired at"},
		{"not yet valid", nil, now.Add(time.Hour), time.Time{}, "not valid until"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is refused with the reason", func(t *testing.T) {
			cs := startCertServer(t, tc.principals, tc.after, tc.before)
			key := cs.userKey(t, []string{"alice"}, now.Add(-time.Hour), time.Time{})
			cfg := cs.config(t, caLine("*", cs.hostCA.PublicKey()))
			cfg.IdentityFiles = []string{key}
			cfg.Trust = protocol.TrustAcceptNew // an invalid certificate is not "unknown"
			_, err := Dial(context.Background(), cs.site(t), cfg)
			t.Logf("refused: %v", err)
			if !errors.Is(err, protocol.ErrHostKey) || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), cfg.KnownHostsFile+":1") {
				t.Fatalf("got %v, want ErrHostKey saying %q and naming the CA line", err, tc.want)
			}
		})
	}
	t.Run("an expired certificate whose key is pinned passes, as in OpenSSH", func(t *testing.T) {
		cs := startCertServer(t, nil, now.Add(-2*time.Hour), now.Add(-time.Hour))
		key := cs.userKey(t, []string{"alice"}, now.Add(-time.Hour), time.Time{})
		cfg := cs.config(t, caLine("*", cs.hostCA.PublicKey()), knownHostsLine(cs.srv.Addr(), cs.hostKey.PublicKey()))
		cfg.IdentityFiles = []string{key}
		dial(t, cs.site(t), cfg)
	})
}

func TestUserCertificates(t *testing.T) {
	now := time.Now()
	cs := startCertServer(t, nil, now.Add(-time.Hour), time.Time{})
	trustCA := caLine("*", cs.hostCA.PublicKey())

	t.Run("KEY-cert.pub beside the key logs in", func(t *testing.T) {
		cfg := cs.config(t, trustCA)
		cfg.IdentityFiles = []string{cs.userKey(t, []string{"alice"}, now.Add(-time.Hour), now.Add(time.Hour))}
		dial(t, cs.site(t), cfg)
	})

	t.Run("the key alone is refused", func(t *testing.T) {
		cfg := cs.config(t, trustCA)
		cfg.IdentityFiles = []string{cs.userKey(t, nil, time.Time{}, time.Time{})}
		if _, err := Dial(context.Background(), cs.site(t), cfg); !errors.Is(err, protocol.ErrAuth) {
			t.Fatalf("got %v, want ErrAuth", err)
		}
	})

	refused := []struct {
		name          string
		principals    []string
		after, before time.Time
		want          string
	}{
		{"an expired certificate", []string{"alice"}, now.Add(-2 * time.Hour), now.Add(-time.Hour), "expired at"},
		{"a certificate for another user", []string{"other"}, now.Add(-time.Hour), time.Time{}, `is for other, not for user "alice"`},
	}
	for _, tc := range refused {
		t.Run(tc.name+" is refused with the reason", func(t *testing.T) {
			cfg := cs.config(t, trustCA)
			key := cs.userKey(t, tc.principals, tc.after, tc.before)
			cfg.IdentityFiles = []string{key}
			_, err := Dial(context.Background(), cs.site(t), cfg)
			t.Logf("refused: %v", err)
			if !errors.Is(err, protocol.ErrAuth) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), key+"-cert.pub") {
				t.Fatalf("got %v, want ErrAuth naming %s-cert.pub and saying %q", err, key, tc.want)
			}
		})
	}

	t.Run("CertificateFile pairs a certificate with its key", func(t *testing.T) {
		priv, pub := newKey(t)
		dir := t.TempDir()
		key := writeKey(t, dir, "id_plain", priv, "")
		certFile := filepath.Join(dir, "elsewhere.pub")
		cert := signCert(t, cs.userCA, pub, ssh.UserCert, []string{"alice"}, now.Add(-time.Hour), time.Time{})
		if err := os.WriteFile(certFile, ssh.MarshalAuthorizedKey(cert), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := cs.config(t, trustCA)
		cfg.SSHConfigFile = filepath.Join(dir, "config")
		conf := "Host *\n  IdentityFile " + key + "\n  CertificateFile " + certFile + "\n"
		if err := os.WriteFile(cfg.SSHConfigFile, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		dial(t, cs.site(t), cfg)
	})

	agentCert := func(t *testing.T) (keyFile string) {
		priv, pub := newKey(t)
		keyFile = writeKey(t, t.TempDir(), "id_agent", priv, "")
		cert := signCert(t, cs.userCA, pub, ssh.UserCert, []string{"alice"}, now.Add(-time.Hour), time.Time{})
		keyring := agent.NewKeyring()
		if err := keyring.Add(agent.AddedKey{PrivateKey: priv, Certificate: cert}); err != nil {
			t.Fatal(err)
		}
		serveAgent(t, keyring)
		return keyFile
	}

	t.Run("a certificate in the agent logs in", func(t *testing.T) {
		cfg := cs.config(t, trustCA)
		agentCert(t)
		dial(t, cs.site(t), cfg)
	})

	t.Run("IdentitiesOnly keeps the agent's certificate of an identity file", func(t *testing.T) {
		cfg := cs.config(t, trustCA)
		keyFile := agentCert(t)
		cfg.SSHConfigFile = filepath.Join(t.TempDir(), "config")
		conf := "Host *\n  IdentitiesOnly yes\n  IdentityFile " + keyFile + "\n"
		if err := os.WriteFile(cfg.SSHConfigFile, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		dial(t, cs.site(t), cfg)
	})

	t.Run("IdentitiesOnly drops the agent's certificate of another key", func(t *testing.T) {
		cfg := cs.config(t, trustCA)
		agentCert(t)
		other, _ := newKey(t)
		cfg.SSHConfigFile = filepath.Join(t.TempDir(), "config")
		conf := "Host *\n  IdentitiesOnly yes\n  IdentityFile " + writeKey(t, t.TempDir(), "id_other", other, "") + "\n"
		if err := os.WriteFile(cfg.SSHConfigFile, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Dial(context.Background(), cs.site(t), cfg); !errors.Is(err, protocol.ErrAuth) {
			t.Fatalf("got %v, want ErrAuth", err)
		}
	})
}

func TestHostKeyAlgorithmsFollowKnownHosts(t *testing.T) {
	now := time.Now()
	cs := startCertServer(t, nil, now.Add(-time.Hour), time.Time{})
	ca := cs.hostCA.PublicKey()
	hostKey := cs.hostKey.PublicKey()
	cases := []struct {
		name  string
		lines []string
		want  []string // leading algorithms
	}{
		{"nothing known asks for the defaults in OpenSSH's order", nil, defaultHostKeyOrder()},
		{"a pinned key asks for its kind only", []string{knownHostsLine(cs.srv.Addr(), hostKey)}, []string{ssh.KeyAlgoED25519}},
		{"a CA line asks for certificates first", []string{caLine("*", ca)}, []string{ssh.CertAlgoED25519v01}},
		{"both: certificates, then the pinned kind", []string{caLine("*", ca), knownHostsLine(cs.srv.Addr(), hostKey)},
			append(slices.Clone(certPreference), ssh.KeyAlgoED25519)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := cs.config(t, tc.lines...)
			hk := newHostKeys(context.Background(), cfg, target{}, func() func() { return func() {} })
			got := hk.algorithms(cs.srv.Addr())
			if tc.want == nil {
				if got != nil {
					t.Errorf("got %q, want nil", got)
				}
				return
			}
			if len(got) < len(tc.want) || !slices.Equal(got[:len(tc.want)], tc.want) {
				t.Errorf("got %q, want it to start with %q", got, tc.want)
			}
		})
	}
}

// TestDefaultHostKeyOrder keeps the ssh package's default algorithms,
// only reordered as OpenSSH asks: a server that advertises RSA without an
// RSA key (Debian's dropbear 2022.83) still meets Ed25519 first.
func TestDefaultHostKeyOrder(t *testing.T) {
	got := defaultHostKeyOrder()
	def := ssh.SupportedAlgorithms().HostKeys
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(def))) {
		t.Fatalf("got %q, want a reordering of %q", got, def)
	}
	plain := slices.DeleteFunc(slices.Clone(got), func(a string) bool { return strings.Contains(a, "-cert-") })
	want := []string{ssh.KeyAlgoED25519, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256}
	if !slices.Equal(plain, want) {
		t.Fatalf("plain key algorithms %q, want %q", plain, want)
	}
	if i := slices.Index(got, ssh.KeyAlgoED25519); i < 0 || slices.Index(got, ssh.KeyAlgoRSASHA256) < i {
		t.Fatalf("got %q: Ed25519 must come before RSA", got)
	}
}
