package sftp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
)

func TestRevokedHostKeysConfig(t *testing.T) {
	got, err := resolveText(t, "Host box\n HostName files.example\n RevokedHostKeys ~/revoked %d/krl-%h-%p /etc/ssh/revoked_keys\n", "box", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/revoked", "/krl-files.example-22", "/etc/ssh/revoked_keys"}
	if len(got.revokedHostKeys) != 3 || !strings.HasSuffix(got.revokedHostKeys[0], want[0]) ||
		!strings.HasSuffix(got.revokedHostKeys[1], want[1]) || got.revokedHostKeys[2] != want[2] ||
		strings.ContainsAny(got.revokedHostKeys[0]+got.revokedHostKeys[1], "~%") {
		t.Errorf("RevokedHostKeys = %q, want ~ and tokens expanded to %q", got.revokedHostKeys, want)
	}

	got, err = resolveText(t, "Host box\n RevokedHostKeys none\nHost *\n RevokedHostKeys /revoked\n", "box", "")
	if err != nil || got.revokedHostKeys != nil {
		t.Errorf("none: got %q, %v; want no files (the first value wins)", got.revokedHostKeys, err)
	}
	got, err = resolveText(t, "Host *\n RevokedHostKeys /first\n RevokedHostKeys /second\n", "box", "")
	if err != nil || !slices.Equal(got.revokedHostKeys, []string{"/first"}) {
		t.Errorf("got %q, %v; want the first line only", got.revokedHostKeys, err)
	}
	if _, err := resolveText(t, "Host *\n RevokedHostKeys /a none\n", "box", ""); err == nil || !strings.Contains(err.Error(), `"none" must appear alone`) {
		t.Errorf("none with a file: got %v, want an error", err)
	}
}

func TestCASignatureAlgorithmsConfig(t *testing.T) {
	for _, tc := range []struct {
		config string
		want   []string
		err    string
	}{
		{"", defaultCASignatureAlgorithms, ""},
		{"CASignatureAlgorithms +ssh-rsa", append(slices.Clone(defaultCASignatureAlgorithms), "ssh-rsa"), ""},
		{"CASignatureAlgorithms -rsa-*", defaultCASignatureAlgorithms[:7], ""},
		{"CASignatureAlgorithms ^rsa-sha2-256", append([]string{"rsa-sha2-256"}, slices.DeleteFunc(slices.Clone(defaultCASignatureAlgorithms), func(s string) bool { return s == "rsa-sha2-256" })...), ""},
		{"CASignatureAlgorithms ssh-ed25519,ecdsa-sha2-nistp256", []string{"ssh-ed25519", "ecdsa-sha2-nistp256"}, ""},
		{"CASignatureAlgorithms ssh-ed25519-cert-v01@openssh.com", nil, "unknown algorithm"},
		{"CASignatureAlgorithms ssh-ed25591", nil, "unknown algorithm"},
	} {
		got, err := resolveText(t, "Host *\n "+tc.config+"\n", "box", "")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "CASignatureAlgorithms") {
				t.Errorf("%q: got %v, want an error saying %q", tc.config, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.config, err)
			continue
		}
		if l := got.algos.caSignatureAlgorithms(); !slices.Equal(l, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.config, l, tc.want)
		}
	}
	if slices.Contains(defaultCASignatureAlgorithms, ssh.KeyAlgoRSA) {
		t.Error("the default allows ssh-rsa (SHA-1) signatures; OpenSSH's does not")
	}
}

func TestRevokedText(t *testing.T) {
	_, key := newKey(t)
	_, other := newKey(t)
	ca := newCA(t)
	line := func(k ssh.PublicKey) string { return string(ssh.MarshalAuthorizedKey(k)) }
	cert := certWith(t, ca, key, 1, "web")
	certLine := strings.TrimSpace(line(cert)) + " a comment\n"

	keys, err := parseRevokedText([]byte("# revoked\n\n   \t\n  " + line(other) + "\t# indented comment\n" + certLine))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].line != 4 || keys[1].line != 6 {
		t.Fatalf("got %+v, want keys on lines 4 and 6", keys)
	}
	// A certificate line revokes its plain key, and so the certificate.
	for _, k := range []ssh.PublicKey{key, cert} {
		if rev := revokedByList(keys, k); rev == nil || rev.ca || !strings.Contains(rev.how, "line 6") {
			t.Errorf("%s: got %+v, want revoked on line 6", k.Type(), rev)
		}
	}
	// A listed CA revokes what it signed.
	if rev := revokedByList([]revokedKey{{key: ca.PublicKey(), line: 1}}, certWith(t, ca, other, 0, "")); rev == nil || !rev.ca {
		t.Errorf("got %+v, want the CA revoked", rev)
	}
	if rev := revokedByList(keys, certWith(t, ca, ca.PublicKey(), 0, "")); rev != nil {
		t.Errorf("an unlisted key: got %+v", rev)
	}

	for _, bad := range []string{
		"ssh-ed25519\n",
		"ssh-ed25519 !!!notbase64\n",
		"ssh-rsa " + strings.Fields(line(key))[1] + "\n",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\n",
		"127.0.0.1 " + line(key),
		"@revoked * " + line(key),
	} {
		if _, err := parseRevokedText([]byte(line(other) + bad)); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%q: got %v, want an error naming line 2", bad, err)
		}
	}
}

// revokedSetup is an in-process server with a password login, trusted
// in known_hosts, and a config whose ssh config names the file at path
// in RevokedHostKeys.
func revokedSetup(t *testing.T, opts sftpd.Options, knownHosts ...string) (*sftpd.Server, Config, string) {
	t.Helper()
	opts.Users = []sftpd.User{{Name: "alice", Password: "pw"}}
	srv := startServer(t, opts)
	cfg := baseConfig(t, srv)
	if knownHosts != nil {
		if err := os.WriteFile(cfg.KnownHostsFile, []byte(strings.Join(knownHosts, "")), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Password = "pw"
	revoked := filepath.Join(cfg.HomeDir, "revoked_hosts")
	cfg.SSHConfigFile = filepath.Join(cfg.HomeDir, "ssh_config")
	if err := os.WriteFile(cfg.SSHConfigFile, []byte("Host *\n  RevokedHostKeys "+revoked+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, cfg, revoked
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// refused dials and wants ErrHostKey saying every one of want.
func refusedWith(t *testing.T, site protocol.Site, cfg Config, want ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, site, cfg)
	if err == nil {
		c.Close()
		t.Fatalf("connected; want a refusal saying %q", want)
	}
	if !errors.Is(err, protocol.ErrHostKey) {
		t.Fatalf("got %v, want ErrHostKey", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("error %q does not say %q", err, w)
		}
	}
	t.Logf("refused: %v", err)
}

func TestRevokedHostKeys(t *testing.T) {
	t.Run("a key in a text list is refused, named by file and fingerprint", func(t *testing.T) {
		srv, cfg, revoked := revokedSetup(t, sftpd.Options{})
		_, other := newKey(t)
		writeFile(t, revoked, []byte("# withdrawn\n"+string(ssh.MarshalAuthorizedKey(other))+"\n"+string(ssh.MarshalAuthorizedKey(srv.HostKey()))))
		host := "[127.0.0.1]:" + portOf(srv.Addr())
		refusedWith(t, siteOf(t, srv.Addr(), "alice"), cfg,
			"host key "+ssh.FingerprintSHA256(srv.HostKey())+" of "+host+" is revoked by "+revoked+" (RevokedHostKeys)", "line 4")
	})

	t.Run("a list without the key lets the host in", func(t *testing.T) {
		srv, cfg, revoked := revokedSetup(t, sftpd.Options{})
		_, other := newKey(t)
		writeFile(t, revoked, ssh.MarshalAuthorizedKey(other))
		dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
		writeFile(t, revoked, nil) // an empty file revokes nothing
		dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
	})

	t.Run("a KRL revoking the key's SHA-256 fingerprint refuses it", func(t *testing.T) {
		srv, cfg, revoked := revokedSetup(t, sftpd.Options{})
		fp := sha256.Sum256(srv.HostKey().Marshal())
		writeFile(t, revoked, krlBytes(krlSection(krlSectionFingerprintSHA256, krlStrings(fp[:]))))
		refusedWith(t, siteOf(t, srv.Addr(), "alice"), cfg, "is revoked by "+revoked+" (RevokedHostKeys)", "SHA-256 fingerprint")
	})

	t.Run("a revoked key is never offered for trust", func(t *testing.T) {
		srv, cfg, revoked := revokedSetup(t, sftpd.Options{}, "")
		writeFile(t, revoked, ssh.MarshalAuthorizedKey(srv.HostKey()))
		p := &fakePrompter{trust: protocol.TrustAlways}
		cfg.Prompter, cfg.Trust = p, protocol.TrustAsk
		refusedWith(t, siteOf(t, srv.Addr(), "alice"), cfg, "revoked by")
		if _, trusts := p.asked(); len(trusts) != 0 {
			t.Errorf("asked %d trust questions, want none", len(trusts))
		}
		if b, _ := os.ReadFile(cfg.KnownHostsFile); len(b) != 0 {
			t.Errorf("known_hosts got %q", b)
		}
		cfg.Trust = protocol.TrustAcceptNew
		refusedWith(t, siteOf(t, srv.Addr(), "alice"), cfg, "revoked by")
	})

	t.Run("a missing file refuses every host", func(t *testing.T) {
		srv, cfg, revoked := revokedSetup(t, sftpd.Options{})
		refusedWith(t, siteOf(t, srv.Addr(), "alice"), cfg, "RevokedHostKeys file "+revoked, "no such file", "every host key is refused")
	})

	t.Run("an unreadable file refuses every host", func(t *testing.T) {
		srv, cfg, revoked := revokedSetup(t, sftpd.Options{})
		if err := os.Mkdir(revoked, 0o700); err != nil { // a directory reads as an error
			t.Fatal(err)
		}
		refusedWith(t, siteOf(t, srv.Addr(), "alice"), cfg, "RevokedHostKeys file "+revoked, "every host key is refused")
	})

	t.Run("a KRL with a section ferry does not know refuses every host", func(t *testing.T) {
		srv, cfg, revoked := revokedSetup(t, sftpd.Options{})
		writeFile(t, revoked, krlBytes(krlSection(9, []byte("future"))))
		refusedWith(t, siteOf(t, srv.Addr(), "alice"), cfg, "RevokedHostKeys file "+revoked, "type 9, which ferry does not understand")
	})

	t.Run("a text list with a line that is not a key refuses every host", func(t *testing.T) {
		srv, cfg, revoked := revokedSetup(t, sftpd.Options{})
		writeFile(t, revoked, []byte("ssh-ed25519 AAAA-typo\n"))
		refusedWith(t, siteOf(t, srv.Addr(), "alice"), cfg, "RevokedHostKeys file "+revoked, "line 1")
	})

	t.Run("RevokedHostKeys none turns the check off", func(t *testing.T) {
		srv, cfg, _ := revokedSetup(t, sftpd.Options{})
		writeFile(t, cfg.SSHConfigFile, []byte("Host *\n  RevokedHostKeys none\n"))
		dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
	})

	t.Run("tokens in the file name are expanded", func(t *testing.T) {
		srv, cfg, _ := revokedSetup(t, sftpd.Options{})
		writeFile(t, cfg.SSHConfigFile, []byte("Host *\n  RevokedHostKeys %d/revoked-%h-%p\n"))
		p := filepath.Join(cfg.HomeDir, "revoked-127.0.0.1-"+portOf(srv.Addr()))
		writeFile(t, p, ssh.MarshalAuthorizedKey(srv.HostKey()))
		refusedWith(t, siteOf(t, srv.Addr(), "alice"), cfg, "revoked by "+p)
	})

	t.Run("several files: each is checked", func(t *testing.T) {
		srv, cfg, revoked := revokedSetup(t, sftpd.Options{})
		second := revoked + "2"
		writeFile(t, cfg.SSHConfigFile, []byte("Host *\n  RevokedHostKeys "+revoked+" "+second+"\n"))
		writeFile(t, revoked, nil)
		writeFile(t, second, krlBytes(krlSection(krlSectionExplicitKey, krlStrings(srv.HostKey().Marshal()))))
		refusedWith(t, siteOf(t, srv.Addr(), "alice"), cfg, "revoked by "+second)
	})
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// startHostCertServer serves with a host certificate for 127.0.0.1 that
// ca signed with the given serial and key ID, and a password login.
func startHostCertServer(t *testing.T, ca ssh.Signer, serial uint64, keyID string) (*sftpd.Server, ssh.Signer, *ssh.Certificate) {
	t.Helper()
	hostKey := newCA(t)
	cert := certWith(t, ca, hostKey.PublicKey(), serial, keyID)
	srv := startServer(t, sftpd.Options{HostKey: hostKey, HostCertificate: cert, Users: []sftpd.User{{Name: "alice", Password: "pw"}}})
	return srv, hostKey, cert
}

// certConfig trusts ca for every host and names revoked in
// RevokedHostKeys (none when "") plus extra ssh config lines.
func certConfig(t *testing.T, ca ssh.PublicKey, revoked string, extra ...string) Config {
	t.Helper()
	cfg := baseConfig(t)
	cfg.Password = "pw"
	writeFile(t, cfg.KnownHostsFile, []byte(caLine("*", ca)))
	conf := "Host *\n"
	if revoked != "" {
		conf += "  RevokedHostKeys " + revoked + "\n"
	}
	for _, e := range extra {
		conf += "  " + e + "\n"
	}
	cfg.SSHConfigFile = filepath.Join(cfg.HomeDir, "ssh_config")
	writeFile(t, cfg.SSHConfigFile, []byte(conf))
	return cfg
}

func TestRevokedHostCertificates(t *testing.T) {
	ca := newCA(t)
	srv, hostKey, _ := startHostCertServer(t, ca, 42, "web-1")
	site := siteOf(t, srv.Addr(), "alice")
	dir := t.TempDir()
	krlFile := func(name string, sections ...[]byte) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, krlBytes(sections...))
		return p
	}

	t.Run("not revoked: the certificate is checked and passes", func(t *testing.T) {
		f := krlFile("other-serials", krlCertSection(ca.PublicKey(), krlSection(krlCertSerialRange, wireU64(1, 41)), krlSection(krlCertSerialList, wireU64(43))))
		var log []string
		cfg := certConfig(t, ca.PublicKey(), f)
		cfg.Log = func(l string) { log = append(log, l) }
		dial(t, site, cfg)
		if !slices.ContainsFunc(log, func(l string) bool { return strings.Contains(l, "host certificate") && strings.Contains(l, "is valid") }) {
			t.Errorf("log %q does not show the certificate accepted", log)
		}
	})

	t.Run("its serial under its CA", func(t *testing.T) {
		f := krlFile("serial", krlCertSection(ca.PublicKey(), krlSection(krlCertSerialBitmap, wireU64(40), wireString([]byte{0x04}))))
		refusedWith(t, site, certConfig(t, ca.PublicKey(), f),
			"host certificate "+ssh.FingerprintSHA256(hostKey.PublicKey())+` (serial 42, key ID "web-1"`, "is revoked by "+f+" (RevokedHostKeys)",
			"revokes serial 42 under its CA")
	})

	t.Run("its key ID under any CA", func(t *testing.T) {
		f := krlFile("keyid", krlCertSection(nil, krlSection(krlCertKeyID, krlStrings([]byte("web-1")))))
		refusedWith(t, site, certConfig(t, ca.PublicKey(), f), `key ID "web-1" under any CA`)
	})

	t.Run("its CA, listed in a text file", func(t *testing.T) {
		f := filepath.Join(dir, "ca.txt")
		writeFile(t, f, ssh.MarshalAuthorizedKey(ca.PublicKey()))
		refusedWith(t, site, certConfig(t, ca.PublicKey(), f),
			"certificate authority "+ca.PublicKey().Type()+" "+ssh.FingerprintSHA256(ca.PublicKey())+" that signed the host certificate", "revoked by "+f)
	})

	t.Run("its plain key, even when pinned", func(t *testing.T) {
		f := krlFile("key", krlSection(krlSectionExplicitKey, krlStrings(hostKey.PublicKey().Marshal())))
		cfg := certConfig(t, ca.PublicKey(), f)
		writeFile(t, cfg.KnownHostsFile, []byte(knownHostsLine(srv.Addr(), hostKey.PublicKey())))
		refusedWith(t, site, cfg, "host key "+ssh.FingerprintSHA256(hostKey.PublicKey()), "revoked by "+f)
	})

	t.Run("a certificate OpenSSH's ssh-keygen revoked", func(t *testing.T) {
		k := ssh.MarshalAuthorizedKey(ca.PublicKey())
		caFile := filepath.Join(dir, "ca.pub")
		writeFile(t, caFile, k)
		f := filepath.Join(dir, "keygen.krl")
		if !keygenKRL(t, f, caFile, "serial: 40-45\n") {
			return
		}
		refusedWith(t, site, certConfig(t, ca.PublicKey(), f), "revokes serial 42")
	})
}

// keygenKRL writes a KRL of spec with ssh-keygen -k; false (and the test
// skipped) when ssh-keygen is not installed.
func keygenKRL(t *testing.T, out, caFile, spec string) bool {
	t.Helper()
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen not installed")
		return false
	}
	specFile := out + ".spec"
	writeFile(t, specFile, []byte(spec))
	if b, err := exec.Command(keygen, "-k", "-f", out, "-s", caFile, specFile).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -k: %v: %s", err, b)
	}
	return true
}

func TestRevokedMarkerFollowsHostPatterns(t *testing.T) {
	srv, cfg, _ := revokedSetup(t, sftpd.Options{})
	writeFile(t, cfg.SSHConfigFile, nil)
	site := siteOf(t, srv.Addr(), "alice")
	pinned := knownHostsLine(srv.Addr(), srv.HostKey())
	key := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(srv.HostKey())))
	for _, tc := range []struct {
		pattern string
		refused bool
	}{
		{"*", true},
		{"[127.0.0.1]:" + portOf(srv.Addr()), true},
		{"[127.0.0.*]:*", true},
		{"127.0.0.1", false}, // port 22 only
		{"files.example.com", false},
		{"*,![127.0.0.1]:*", false},
	} {
		t.Run("@revoked "+tc.pattern, func(t *testing.T) {
			writeFile(t, cfg.KnownHostsFile, []byte(pinned+"@revoked "+tc.pattern+" "+key+"\n"))
			if tc.refused {
				refusedWith(t, site, cfg, "revoked in "+cfg.KnownHostsFile+":2")
				return
			}
			dial(t, site, cfg)
		})
	}

	t.Run("a CA revoked for other hosts still vouches for this one", func(t *testing.T) {
		ca := newCA(t)
		srv, _, _ := startHostCertServer(t, ca, 1, "x")
		cfg := certConfig(t, ca.PublicKey(), "")
		caKey := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(ca.PublicKey())))
		writeFile(t, cfg.KnownHostsFile, []byte(caLine("*", ca.PublicKey())+"@revoked *.example.com "+caKey+"\n"))
		dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
		writeFile(t, cfg.KnownHostsFile, []byte(caLine("*", ca.PublicKey())+"@revoked 127.0.0.1,[127.0.0.1]:* "+caKey+"\n"))
		refusedWith(t, siteOf(t, srv.Addr(), "alice"), cfg, "certificate authority", "revoked in "+cfg.KnownHostsFile+":2")
	})
}

func TestCASignatureAlgorithms(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaSigner, err := ssh.NewSignerFromKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	withAlgo := func(alg string) ssh.Signer {
		s, err := ssh.NewSignerWithAlgorithms(rsaSigner.(ssh.AlgorithmSigner), []string{alg})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sha1Srv, sha1Host, sha1Cert := startHostCertServer(t, withAlgo(ssh.KeyAlgoRSA), 1, "old")
	if sha1Cert.Signature.Format != ssh.KeyAlgoRSA {
		t.Fatalf("certificate signed with %s, want ssh-rsa", sha1Cert.Signature.Format)
	}
	sha512Srv, _, _ := startHostCertServer(t, withAlgo(ssh.KeyAlgoRSASHA512), 2, "new")
	edCA := newCA(t)
	edSrv, _, _ := startHostCertServer(t, edCA, 3, "ed")
	ca := rsaSigner.PublicKey()

	t.Run("by default an ssh-rsa (SHA-1) signature is refused", func(t *testing.T) {
		refusedWith(t, siteOf(t, sha1Srv.Addr(), "alice"), certConfig(t, ca, ""),
			"its CA signed it with ssh-rsa", "CASignatureAlgorithms (ferry's default, as OpenSSH's", "+ssh-rsa")
	})
	t.Run("by default rsa-sha2-512 and ssh-ed25519 pass", func(t *testing.T) {
		dial(t, siteOf(t, sha512Srv.Addr(), "alice"), certConfig(t, ca, ""))
		dial(t, siteOf(t, edSrv.Addr(), "alice"), certConfig(t, edCA.PublicKey(), ""))
	})
	t.Run("+ssh-rsa lets an old CA in", func(t *testing.T) {
		dial(t, siteOf(t, sha1Srv.Addr(), "alice"), certConfig(t, ca, "", "CASignatureAlgorithms +ssh-rsa"))
	})
	t.Run("a list without the algorithm refuses it, naming the line", func(t *testing.T) {
		cfg := certConfig(t, edCA.PublicKey(), "", "CASignatureAlgorithms rsa-sha2-512,rsa-sha2-256")
		refusedWith(t, siteOf(t, edSrv.Addr(), "alice"), cfg, "its CA signed it with ssh-ed25519", cfg.SSHConfigFile+" line 2")
		cfg = certConfig(t, ca, "", "CASignatureAlgorithms -rsa-sha2-512")
		refusedWith(t, siteOf(t, sha512Srv.Addr(), "alice"), cfg, "its CA signed it with rsa-sha2-512")
	})
	t.Run("a pinned plain key still lets the host in, as in OpenSSH", func(t *testing.T) {
		cfg := certConfig(t, ca, "")
		writeFile(t, cfg.KnownHostsFile, []byte(caLine("*", ca)+knownHostsLine(sha1Srv.Addr(), sha1Host.PublicKey())))
		dial(t, siteOf(t, sha1Srv.Addr(), "alice"), cfg)
	})
	t.Run("a CA no line trusts is not checked: the key is asked about", func(t *testing.T) {
		cfg := certConfig(t, ca, "")
		writeFile(t, cfg.KnownHostsFile, nil)
		p := &fakePrompter{trust: protocol.TrustOnce}
		cfg.Prompter, cfg.Trust = p, protocol.TrustAsk
		dial(t, siteOf(t, sha1Srv.Addr(), "alice"), cfg)
		if _, trusts := p.asked(); len(trusts) != 1 {
			t.Errorf("asked %d questions, want 1", len(trusts))
		}
	})
}
