package sftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
)

func TestLogin(t *testing.T) {
	priv, pub := newKey(t)
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{
		{Name: "alice", Password: "s3cret", AuthorizedKeys: []ssh.PublicKey{pub}},
	}})

	t.Run("password from the config", func(t *testing.T) {
		cfg := baseConfig(t, srv)
		cfg.Password = "s3cret"
		c := dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
		if home, _ := c.Home(context.Background()); home != "/" {
			t.Errorf("home %q, want /", home)
		}
	})

	t.Run("password asked through the prompter", func(t *testing.T) {
		cfg := baseConfig(t, srv)
		p := &fakePrompter{password: "s3cret"}
		cfg.Prompter = p
		dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
		secrets, _ := p.asked()
		if len(secrets) != 1 || secrets[0].Kind != protocol.SecretPassword {
			t.Errorf("asked %+v, want one password question", secrets)
		}
	})

	t.Run("wrong password is ErrAuth", func(t *testing.T) {
		cfg := baseConfig(t, srv)
		cfg.Password = "wrong"
		_, err := Dial(context.Background(), siteOf(t, srv.Addr(), "alice"), cfg)
		if !errors.Is(err, protocol.ErrAuth) {
			t.Fatalf("got %v, want ErrAuth", err)
		}
		if strings.Contains(err.Error(), "wrong") {
			t.Errorf("error %q repeats the password", err)
		}
	})

	t.Run("key file given with -i", func(t *testing.T) {
		cfg := baseConfig(t, srv)
		cfg.IdentityFiles = []string{writeKey(t, t.TempDir(), "id", priv, "")}
		dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
	})

	t.Run("default key file in ~/.ssh", func(t *testing.T) {
		cfg := baseConfig(t, srv)
		dir := filepath.Join(cfg.HomeDir, ".ssh")
		os.Mkdir(dir, 0o700)
		writeKey(t, dir, "id_ed25519", priv, "")
		dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
	})

	t.Run("encrypted key asks for its passphrase", func(t *testing.T) {
		cfg := baseConfig(t, srv)
		p := &fakePrompter{passphrase: "open sesame"}
		cfg.Prompter = p
		cfg.IdentityFiles = []string{writeKey(t, t.TempDir(), "id", priv, "open sesame")}
		dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
		secrets, _ := p.asked()
		if len(secrets) != 1 || secrets[0].Kind != protocol.SecretPassphrase {
			t.Errorf("asked %+v, want one passphrase question", secrets)
		}
	})

	t.Run("encrypted key the server does not know costs no prompt", func(t *testing.T) {
		other, _ := newKey(t)
		cfg := baseConfig(t, srv)
		p := &fakePrompter{passphrase: "x", password: "s3cret"}
		cfg.Prompter = p
		cfg.IdentityFiles = []string{writeKey(t, t.TempDir(), "id", other, "x")}
		dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
		secrets, _ := p.asked()
		if len(secrets) != 1 || secrets[0].Kind != protocol.SecretPassword {
			t.Errorf("asked %+v, want only the password", secrets)
		}
	})

	t.Run("ssh-agent", func(t *testing.T) {
		cfg := baseConfig(t, srv)
		startAgent(t, priv)
		dial(t, siteOf(t, srv.Addr(), "alice"), cfg)
	})

	t.Run("no method left is ErrAuth", func(t *testing.T) {
		cfg := baseConfig(t, srv)
		_, err := Dial(context.Background(), siteOf(t, srv.Addr(), "alice"), cfg)
		if !errors.Is(err, protocol.ErrAuth) {
			t.Fatalf("got %v, want ErrAuth", err)
		}
	})
}

func TestKeyboardInteractive(t *testing.T) {
	srv := startServer(t, sftpd.Options{KeyboardInteractive: true, Users: []sftpd.User{
		{Name: "bob", Password: "pw", OTP: "123456"},
	}})
	cfg := baseConfig(t, srv)
	p := &fakePrompter{challenges: map[string]string{"Password: ": "pw", "Verification code: ": "123456"}}
	cfg.Prompter = p
	dial(t, siteOf(t, srv.Addr(), "bob"), cfg)
	secrets, _ := p.asked()
	var prompts []string
	for _, s := range secrets {
		if s.Kind != protocol.SecretChallenge {
			t.Errorf("question %q has kind %v, want SecretChallenge", s.Prompt, s.Kind)
		}
		prompts = append(prompts, s.Prompt)
	}
	if got := strings.Join(prompts, "|"); got != "Password: |Verification code: " {
		t.Errorf("prompts %q, want the password then the code", got)
	}

	t.Run("a configured password answers the password question", func(t *testing.T) {
		cfg := baseConfig(t, srv)
		p := &fakePrompter{challenges: map[string]string{"Verification code: ": "123456"}}
		cfg.Prompter, cfg.Password = p, "pw"
		dial(t, siteOf(t, srv.Addr(), "bob"), cfg)
		if secrets, _ := p.asked(); len(secrets) != 1 {
			t.Errorf("asked %d questions, want only the code", len(secrets))
		}
	})
}

func TestHostKeys(t *testing.T) {
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "alice", Password: "pw"}}})
	site := siteOf(t, srv.Addr(), "alice")
	fp := ssh.FingerprintSHA256(srv.HostKey())

	unknownConfig := func(t *testing.T) Config {
		cfg := baseConfig(t)
		cfg.Password = "pw"
		cfg.KnownHostsFile = filepath.Join(cfg.HomeDir, "nested", "known_hosts")
		return cfg
	}

	t.Run("unknown key is refused under strict", func(t *testing.T) {
		cfg := unknownConfig(t)
		_, err := Dial(context.Background(), site, cfg)
		if !errors.Is(err, protocol.ErrHostKey) {
			t.Fatalf("got %v, want ErrHostKey", err)
		}
		if !strings.Contains(err.Error(), fp) {
			t.Errorf("error %q does not show the fingerprint %s", err, fp)
		}
	})

	t.Run("ask and answer no refuses", func(t *testing.T) {
		cfg := unknownConfig(t)
		p := &fakePrompter{trust: protocol.TrustNo}
		cfg.Prompter, cfg.Trust = p, protocol.TrustAsk
		_, err := Dial(context.Background(), site, cfg)
		if !errors.Is(err, protocol.ErrHostKey) {
			t.Fatalf("got %v, want ErrHostKey", err)
		}
	})

	t.Run("ask once connects and writes nothing", func(t *testing.T) {
		cfg := unknownConfig(t)
		cfg.Prompter, cfg.Trust = &fakePrompter{trust: protocol.TrustOnce}, protocol.TrustAsk
		dial(t, site, cfg)
		if _, err := os.Stat(cfg.KnownHostsFile); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("known_hosts exists after a once answer: %v", err)
		}
	})

	t.Run("ask always appends to known_hosts", func(t *testing.T) {
		cfg := unknownConfig(t)
		p := &fakePrompter{trust: protocol.TrustAlways}
		cfg.Prompter, cfg.Trust = p, protocol.TrustAsk
		dial(t, site, cfg)
		_, trusts := p.asked()
		if len(trusts) != 1 || trusts[0].Fingerprint != fp || trusts[0].KeyType != "ssh-ed25519" || trusts[0].Kind != protocol.TrustHostKey {
			t.Fatalf("trust requests %+v, want one for %s", trusts, fp)
		}
		checkFileMode(t, cfg.KnownHostsFile, 0o600)
		checkFileMode(t, filepath.Dir(cfg.KnownHostsFile), 0o700|os.ModeDir)
		// Now known: strict mode connects without asking.
		cfg.Trust, cfg.Prompter = protocol.TrustStrict, protocol.NoPrompter{}
		dial(t, site, cfg)
	})

	t.Run("accept-new appends silently", func(t *testing.T) {
		cfg := unknownConfig(t)
		p := &fakePrompter{}
		cfg.Prompter, cfg.Trust = p, protocol.TrustAcceptNew
		dial(t, site, cfg)
		if _, trusts := p.asked(); len(trusts) != 0 {
			t.Errorf("accept-new asked %d times", len(trusts))
		}
		b, _ := os.ReadFile(cfg.KnownHostsFile)
		if !strings.Contains(string(b), "["+site.Host+"]:") {
			t.Errorf("known_hosts %q lacks a [host]:port entry", b)
		}
	})

	t.Run("hashed known_hosts entry is honoured", func(t *testing.T) {
		cfg := baseConfig(t)
		cfg.Password = "pw"
		hashed := "|1|" + hashHost(t, "["+site.Host+"]:"+fmt.Sprint(site.Port)) + " " +
			string(ssh.MarshalAuthorizedKey(srv.HostKey()))
		os.WriteFile(cfg.KnownHostsFile, []byte(hashed), 0o600)
		dial(t, site, cfg)
	})

	t.Run("changed key is refused with both fingerprints and the line", func(t *testing.T) {
		_, old := newKey(t)
		cfg := baseConfig(t)
		cfg.Password = "pw"
		content := "# comment\nother.example " + string(ssh.MarshalAuthorizedKey(old)) + knownHostsLine(srv.Addr(), old)
		os.WriteFile(cfg.KnownHostsFile, []byte(content), 0o600)
		for _, trust := range []protocol.TrustMode{protocol.TrustStrict, protocol.TrustAsk, protocol.TrustAcceptNew} {
			cfg.Trust, cfg.Prompter = trust, &fakePrompter{trust: protocol.TrustAlways}
			_, err := Dial(context.Background(), site, cfg)
			if !errors.Is(err, protocol.ErrHostKey) {
				t.Fatalf("trust %v: got %v, want ErrHostKey", trust, err)
			}
			for _, want := range []string{fp, ssh.FingerprintSHA256(old), cfg.KnownHostsFile + ":3"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("trust %v: error %q does not mention %s", trust, err, want)
				}
			}
		}
	})
}

func checkFileMode(t *testing.T, p string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != want {
		t.Errorf("%s has mode %v, want %v", p, fi.Mode(), want)
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	srv := startServer(t, sftpd.Options{Silent: true})
	cfg := baseConfig(t, srv)
	cfg.Timeout = 500 * time.Millisecond
	start := time.Now()
	_, err := Dial(context.Background(), siteOf(t, srv.Addr(), "alice"), cfg)
	if err == nil {
		t.Fatal("dial of a silent server succeeded")
	}
	if !errors.Is(err, protocol.ErrTransient) {
		t.Errorf("got %v, want ErrTransient", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("gave up after %v, want about 500ms", d)
	}
}

func TestDialCancel(t *testing.T) {
	srv := startServer(t, sftpd.Options{Silent: true})
	cfg := baseConfig(t, srv)
	cfg.Timeout = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Dial(ctx, siteOf(t, srv.Addr(), "alice"), cfg)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("returned after %v", d)
	}
}

func TestRefusedConnectionIsTransient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := baseConfig(t)
	_, err = Dial(context.Background(), siteOf(t, addr, "x"), cfg)
	if !errors.Is(err, protocol.ErrTransient) {
		t.Errorf("got %v, want ErrTransient", err)
	}
}
