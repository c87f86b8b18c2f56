package sftp

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// fakePrompter answers from canned values and records what it was asked.
type fakePrompter struct {
	mu         sync.Mutex
	passphrase string
	password   string
	challenges map[string]string // prompt -> answer
	trust      protocol.TrustDecision
	secrets    []protocol.SecretRequest
	trusts     []protocol.TrustRequest
}

func (p *fakePrompter) Secret(_ context.Context, req protocol.SecretRequest) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.secrets = append(p.secrets, req)
	switch req.Kind {
	case protocol.SecretPassphrase:
		return p.passphrase, nil
	case protocol.SecretPassword:
		return p.password, nil
	}
	if a, ok := p.challenges[req.Prompt]; ok {
		return a, nil
	}
	return "", protocol.ErrNoPrompt
}

func (p *fakePrompter) Trust(_ context.Context, req protocol.TrustRequest) (protocol.TrustDecision, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trusts = append(p.trusts, req)
	return p.trust, nil
}

func (p *fakePrompter) asked() ([]protocol.SecretRequest, []protocol.TrustRequest) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]protocol.SecretRequest(nil), p.secrets...), append([]protocol.TrustRequest(nil), p.trusts...)
}

// newKey makes an ed25519 key pair.
func newKey(t *testing.T) (ed25519.PrivateKey, ssh.PublicKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return priv, sp
}

// writeKey stores priv in OpenSSH format, encrypted when passphrase is set.
func writeKey(t *testing.T, dir, name string, priv ed25519.PrivateKey, passphrase string) string {
	t.Helper()
	var block *pem.Block
	var err error
	if passphrase != "" {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test", []byte(passphrase))
	} else {
		block, err = ssh.MarshalPrivateKey(priv, "test")
	}
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// startServer runs an in-process server over a fresh directory.
func startServer(t *testing.T, opts sftpd.Options) *sftpd.Server {
	t.Helper()
	if opts.Root == "" {
		opts.Root = t.TempDir()
	}
	srv, err := sftpd.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func siteOf(t testing.TB, addr, user string) protocol.Site {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(port)
	return protocol.Site{Scheme: protocol.SchemeSFTP, Host: host, Port: n, User: user}
}

// knownHostsLine is the known_hosts entry for srv.
func knownHostsLine(addr string, key ssh.PublicKey) string {
	return knownhosts.Line([]string{addr}, key) + "\n"
}

// baseConfig is a Config isolated from the user's own ~/.ssh and agent,
// trusting srv through a known_hosts file.
func baseConfig(t *testing.T, srvs ...*sftpd.Server) Config {
	t.Helper()
	t.Setenv("SSH_AUTH_SOCK", "")
	home := t.TempDir()
	kh := filepath.Join(home, "known_hosts")
	var lines string
	for _, s := range srvs {
		lines += knownHostsLine(s.Addr(), s.HostKey())
	}
	if err := os.WriteFile(kh, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	return Config{
		HomeDir:        home,
		SSHConfigFile:  "none",
		KnownHostsFile: kh,
		Trust:          protocol.TrustStrict,
		Timeout:        15 * time.Second,
		Prompter:       protocol.NoPrompter{},
		Log:            func(line string) { t.Log(line) },
	}
}

func dial(t *testing.T, site protocol.Site, cfg Config) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, site, cfg)
	if err != nil {
		t.Fatalf("dial %s: %v", site.ID(), err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// startAgent serves an in-process ssh-agent holding priv on a unix socket
// and points SSH_AUTH_SOCK at it.
func startAgent(t *testing.T, priv ed25519.PrivateKey) {
	t.Helper()
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	serveAgent(t, keyring)
}

// serveAgent serves keyring on a unix socket and sets SSH_AUTH_SOCK.
func serveAgent(t *testing.T, keyring agent.Agent) {
	t.Helper()
	dir, err := os.MkdirTemp("", "agent")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				agent.ServeAgent(keyring, c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		os.RemoveAll(dir)
	})
	t.Setenv("SSH_AUTH_SOCK", sock)
}
