package sftp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// login builds the SSH authentication methods in OpenSSH's order: agent
// keys and key files (one publickey method, since the ssh package tries
// each method name once), then password, then keyboard-interactive.
type login struct {
	ctx    context.Context
	cfg    Config
	t      target
	site   string // user@host:port for prompts
	pause  func() (resume func())
	logf   func(string)
	mu     sync.Mutex
	agents []io.Closer
	// certNotes say why certificates offered may be refused, for the
	// error when the login fails.
	certNotes []string
}

const passwordTries = 3

func (l *login) methods() []ssh.AuthMethod {
	password := ssh.PasswordCallback(l.password())
	kbd := ssh.KeyboardInteractive(l.keyboardInteractive())
	tries := passwordTries
	if l.cfg.Password != "" {
		tries = 1 // a given password will not become right on retry
	}
	byName := map[string]ssh.AuthMethod{
		"publickey":            ssh.PublicKeysCallback(l.signers),
		"password":             ssh.RetryableAuthMethod(password, tries),
		"keyboard-interactive": ssh.RetryableAuthMethod(kbd, passwordTries),
	}
	var out []ssh.AuthMethod
	used := map[string]bool{}
	for _, name := range l.order() {
		if name == "agent" {
			name = "publickey" // agent and key files share the one publickey method
		}
		if m, ok := byName[name]; ok && !used[name] {
			used[name] = true
			out = append(out, m)
		}
	}
	return out
}

// defaultAuthOrder is OpenSSH's: agent keys, key files, password,
// keyboard-interactive.
var defaultAuthOrder = []string{"agent", "publickey", "password", "keyboard-interactive"}

// order is Config.AuthOrder, or OpenSSH's order when it is empty.
func (l *login) order() []string {
	if len(l.cfg.AuthOrder) == 0 {
		return defaultAuthOrder
	}
	return l.cfg.AuthOrder
}

// allows reports whether the auth order names method.
func (l *login) allows(method string) bool {
	for _, m := range l.order() {
		if m == method {
			return true
		}
	}
	return false
}

// close releases the agent connections.
func (l *login) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.agents {
		c.Close()
	}
	l.agents = nil
}

// secret asks the Prompter with the handshake deadline paused: a person
// may take longer to answer than a server may take to reply.
func (l *login) secret(req protocol.SecretRequest) (string, error) {
	resume := l.pause()
	defer resume()
	req.Site = l.site
	return l.cfg.prompter().Secret(l.ctx, req)
}

// signers lists agent keys, then key files, each key's certificates just
// before it; called once, when the server accepts public keys.
func (l *login) signers() ([]ssh.Signer, error) {
	var files []string
	if l.allows("publickey") {
		files = l.keyFiles()
	}
	var out []ssh.Signer
	seen := map[string]bool{}
	add := func(s ssh.Signer) {
		k := string(s.PublicKey().Marshal())
		if !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	var fileKeys []ssh.Signer
	var wanted [][]byte // public keys of identity files, for IdentitiesOnly
	for _, f := range files {
		s, err := l.loadKey(f)
		if err != nil {
			l.logf("* identity " + f + ": " + err.Error())
			continue
		}
		if s == nil {
			continue
		}
		fileKeys = append(fileKeys, s)
		if pk := s.PublicKey(); pk != nil {
			wanted = append(wanted, pk.Marshal())
		}
	}
	var certs []userCert
	if l.allows("publickey") {
		certs = l.userCerts(files)
	}
	for _, c := range certs {
		wanted = append(wanted, c.cert.Key.Marshal())
	}
	var agentKeys []ssh.Signer
	if l.allows("agent") {
		agentKeys = l.agentSigners()
	}
	for _, s := range agentKeys {
		// A certificate counts as its key: IdentitiesOnly keeps the
		// agent's certificate of an identity file.
		plain, cert := plainKeyOf(s.PublicKey())
		if l.t.identitiesOnly && !containsKey(wanted, plain) {
			continue
		}
		if cert != nil {
			l.noteCert(cert, "from ssh-agent")
			add(s)
			continue
		}
		for _, cs := range l.withCerts(s, certs) {
			add(cs)
		}
	}
	for _, s := range fileKeys {
		for _, cs := range l.withCerts(s, certs) {
			add(cs)
		}
	}
	return l.t.algos.restrictSigners(out, l.logf), nil
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, w := range keys {
		if bytes.Equal(w, k) {
			return true
		}
	}
	return false
}

// keyFiles is -i first, then IdentityFile from ssh config; the default
// names only when neither names a key, as OpenSSH does.
func (l *login) keyFiles() []string {
	var files []string
	for _, f := range l.cfg.IdentityFiles {
		files = append(files, expandPath(l.cfg.home(), f, l.t))
	}
	files = append(files, l.t.identityFiles...)
	if len(files) > 0 {
		return files
	}
	for _, name := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
		p := filepath.Join(l.cfg.sshDir(), name)
		if _, err := os.Stat(p); err == nil {
			files = append(files, p)
		}
	}
	return files
}

func (l *login) agentSigners() []ssh.Signer {
	sock := l.t.agentSocket() // IdentityAgent, else $SSH_AUTH_SOCK
	if sock == "" {
		return nil
	}
	var d net.Dialer
	conn, err := d.DialContext(l.ctx, "unix", sock)
	if err != nil {
		l.logf("* ssh-agent: " + err.Error())
		return nil
	}
	l.mu.Lock()
	l.agents = append(l.agents, conn)
	l.mu.Unlock()
	signers, err := agent.NewClient(conn).Signers()
	if err != nil {
		l.logf("* ssh-agent: " + err.Error())
		return nil
	}
	l.logf(fmt.Sprintf("* ssh-agent offers %d keys", len(signers)))
	return signers
}

// loadKey reads a private key. An encrypted key whose public half is known
// becomes a signer that asks for the passphrase only when the server has
// accepted the key, so unused keys never cost the user a prompt.
func (l *login) loadKey(file string) (ssh.Signer, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	s, err := ssh.ParsePrivateKey(pem)
	if err == nil {
		return s, nil
	}
	var missing *ssh.PassphraseMissingError
	if !errors.As(err, &missing) {
		return nil, err
	}
	pub := missing.PublicKey
	if pub == nil {
		if b, err := os.ReadFile(file + ".pub"); err == nil {
			pub, _, _, _, _ = ssh.ParseAuthorizedKey(b)
		}
	}
	ls := &lockedSigner{l: l, file: file, pem: pem, pub: pub}
	if pub == nil {
		// An old-format key hides its public half: decrypt now.
		if err := ls.unlock(); err != nil {
			return nil, err
		}
	}
	return ls, nil
}

// lockedSigner is an encrypted key that is decrypted on first use.
type lockedSigner struct {
	l    *login
	file string
	pem  []byte
	pub  ssh.PublicKey

	mu     sync.Mutex
	signer ssh.Signer
}

func (s *lockedSigner) PublicKey() ssh.PublicKey {
	if s.pub != nil {
		return s.pub
	}
	return s.signer.PublicKey()
}

func (s *lockedSigner) unlock() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.signer != nil {
		return nil
	}
	// Key derivation is deliberately slow; like the prompt, it is local
	// work that must not count against the server's deadline.
	resume := s.l.pause()
	defer resume()
	var lastErr error
	for range passwordTries {
		pass, err := s.l.secret(protocol.SecretRequest{
			Kind:   protocol.SecretPassphrase,
			Prompt: "Passphrase for key " + s.file + ": ",
		})
		if err != nil {
			return fmt.Errorf("passphrase for %s: %w", s.file, err)
		}
		signer, err := ssh.ParsePrivateKeyWithPassphrase(s.pem, []byte(pass))
		if err == nil {
			s.signer = signer
			return nil
		}
		lastErr = err
		s.l.logf("* wrong passphrase for " + s.file)
	}
	return fmt.Errorf("key %s: %w", s.file, lastErr)
}

func (s *lockedSigner) Sign(rand io.Reader, data []byte) (*ssh.Signature, error) {
	if err := s.unlock(); err != nil {
		return nil, err
	}
	return s.signer.Sign(rand, data)
}

// SignWithAlgorithm keeps rsa-sha2-256/512 working for encrypted RSA keys.
func (s *lockedSigner) SignWithAlgorithm(rand io.Reader, data []byte, algorithm string) (*ssh.Signature, error) {
	if err := s.unlock(); err != nil {
		return nil, err
	}
	if as, ok := s.signer.(ssh.AlgorithmSigner); ok {
		return as.SignWithAlgorithm(rand, data, algorithm)
	}
	return s.signer.Sign(rand, data)
}

func (l *login) password() func() (string, error) {
	used := false
	return func() (string, error) {
		if l.cfg.Password != "" && !used {
			used = true
			return l.cfg.Password, nil
		}
		if l.cfg.Password != "" {
			return "", errors.New("password refused")
		}
		return l.secret(protocol.SecretRequest{
			Kind:   protocol.SecretPassword,
			Prompt: "Password for " + l.site + ": ",
		})
	}
}

// keyboardInteractive hands each question to the Prompter in turn. A lone
// hidden "Password:" question is answered with the configured password,
// since many servers route password logins through PAM this way.
func (l *login) keyboardInteractive() ssh.KeyboardInteractiveChallenge {
	usedPassword := false
	return func(name, instruction string, questions []string, echos []bool) ([]string, error) {
		answers := make([]string, len(questions))
		for i, q := range questions {
			echo := i < len(echos) && echos[i]
			if l.cfg.Password != "" && !usedPassword && len(questions) == 1 && !echo &&
				strings.Contains(strings.ToLower(q), "password") {
				usedPassword = true
				answers[i] = l.cfg.Password
				continue
			}
			instr := instruction
			if name != "" && instr == "" {
				instr = name
			}
			a, err := l.secret(protocol.SecretRequest{
				Kind:        protocol.SecretChallenge,
				Prompt:      q,
				Instruction: instr,
				Echo:        echo,
			})
			if err != nil {
				return nil, err
			}
			answers[i] = a
		}
		return answers, nil
	}
}
