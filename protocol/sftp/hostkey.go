package sftp

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// hostKeys checks server keys against known_hosts files and settles unknown
// keys by the trust mode. A changed key is always refused.
type hostKeys struct {
	ctx      context.Context
	files    []string // read, in order
	appendTo string   // where accepted keys are written
	trust    protocol.TrustMode
	prompter protocol.Prompter
	pause    func() (resume func())
	logf     func(string)
}

func newHostKeys(ctx context.Context, cfg Config, t target, pause func() func()) *hostKeys {
	files := t.knownHosts
	if cfg.KnownHostsFile != "" {
		files = []string{cfg.KnownHostsFile}
	}
	if len(files) == 0 {
		files = []string{filepath.Join(cfg.sshDir(), "known_hosts")}
	}
	return &hostKeys{
		ctx: ctx, files: files, appendTo: files[0], trust: cfg.Trust,
		prompter: cfg.prompter(), pause: pause, logf: cfg.logf,
	}
}

// lookup builds a knownhosts callback over the files that exist; nil when
// none does.
func (h *hostKeys) lookup() (ssh.HostKeyCallback, error) {
	var existing []string
	for _, f := range h.files {
		if _, err := os.Stat(f); err == nil {
			existing = append(existing, f)
		}
	}
	if len(existing) == 0 {
		return nil, nil
	}
	cb, err := knownhosts.New(existing...)
	if err != nil {
		return nil, protocol.NewError("connect", "", protocol.ErrHostKey, "", fmt.Errorf("reading known hosts: %w", err))
	}
	return cb, nil
}

// algorithms lists the host key algorithms known_hosts holds for addr, so
// the server is asked for a key of a kind we can verify (as OpenSSH does);
// nil lets the ssh package use its defaults.
func (h *hostKeys) algorithms(addr string) []string {
	cb, err := h.lookup()
	if err != nil || cb == nil {
		return nil
	}
	probe, err := ssh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize)))
	if err != nil {
		return nil
	}
	var ke *knownhosts.KeyError
	if err := cb(addr, fakeAddr(addr), probe); !errors.As(err, &ke) {
		return nil
	}
	known := map[string]bool{}
	for _, k := range ke.Want {
		for _, a := range algorithmsForKey(k.Key.Type()) {
			known[a] = true
		}
	}
	// Ask in the order of preference, not in the file's order.
	var algos []string
	for _, a := range hostKeyPreference {
		if known[a] {
			algos = append(algos, a)
			delete(known, a)
		}
	}
	rest := slices.Sorted(maps.Keys(known))
	return append(algos, rest...)
}

var hostKeyPreference = []string{
	ssh.KeyAlgoED25519,
	ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
	ssh.KeyAlgoSKED25519, ssh.KeyAlgoSKECDSA256,
	ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA,
}

func algorithmsForKey(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// fakeAddr stands in for the remote address, which knownhosts also checks;
// through a ProxyJump the real one is meaningless.
func fakeAddr(addr string) net.Addr {
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return &net.TCPAddr{}
	}
	return a
}

// callback verifies the key the server at addr presents.
func (h *hostKeys) callback(addr string) ssh.HostKeyCallback {
	return func(_ string, _ net.Addr, key ssh.PublicKey) error {
		fp := ssh.FingerprintSHA256(key)
		cb, err := h.lookup()
		if err != nil {
			return err
		}
		if cb != nil {
			err := cb(addr, fakeAddr(addr), key)
			var ke *knownhosts.KeyError
			var re *knownhosts.RevokedError
			switch {
			case err == nil:
				h.logf("* host key " + key.Type() + " " + fp + " is known")
				return nil
			case errors.As(err, &re):
				return protocol.NewError("connect", addr, protocol.ErrHostKey,
					fmt.Sprintf("host key %s %s is revoked in %s:%d", key.Type(), fp, re.Revoked.Filename, re.Revoked.Line), err)
			case errors.As(err, &ke) && len(ke.Want) > 0:
				return protocol.NewError("connect", addr, protocol.ErrHostKey, changedMessage(addr, key, ke.Want), err)
			case !errors.As(err, &ke):
				return protocol.NewError("connect", addr, protocol.ErrHostKey, "", err)
			}
		}
		return h.unknown(addr, key, fp)
	}
}

func changedMessage(addr string, key ssh.PublicKey, want []knownhosts.KnownKey) string {
	var known []string
	for _, k := range want {
		known = append(known, fmt.Sprintf("%s:%d has %s %s", k.Filename, k.Line, k.Key.Type(), ssh.FingerprintSHA256(k.Key)))
	}
	return fmt.Sprintf("HOST KEY CHANGED for %s: the server offers %s %s but %s; "+
		"this may be an attack, or the server was reinstalled: remove the old line if you are sure",
		knownhosts.Normalize(addr), key.Type(), ssh.FingerprintSHA256(key), strings.Join(known, ", "))
}

// unknown settles a key known_hosts does not list.
func (h *hostKeys) unknown(addr string, key ssh.PublicKey, fp string) error {
	switch h.trust {
	case protocol.TrustAcceptNew:
		h.logf("* new host key " + key.Type() + " " + fp + " accepted")
		return h.remember(addr, key)
	case protocol.TrustAsk:
		resume := h.pause()
		d, err := h.prompter.Trust(h.ctx, protocol.TrustRequest{
			Kind: protocol.TrustHostKey, Host: addr, KeyType: key.Type(), Fingerprint: fp,
		})
		resume()
		if err != nil {
			return protocol.NewError("connect", addr, protocol.ErrHostKey,
				fmt.Sprintf("unknown host key %s %s not accepted", key.Type(), fp), err)
		}
		switch d {
		case protocol.TrustOnce:
			h.logf("* host key " + fp + " accepted for this session")
			return nil
		case protocol.TrustAlways:
			return h.remember(addr, key)
		}
		return protocol.NewError("connect", addr, protocol.ErrHostKey,
			fmt.Sprintf("unknown host key %s %s refused", key.Type(), fp), nil)
	}
	return protocol.NewError("connect", addr, protocol.ErrHostKey,
		fmt.Sprintf("unknown host key %s %s (not in %s; trust mode is strict)", key.Type(), fp, strings.Join(h.files, ", ")), nil)
}

// remember appends the key to known_hosts, creating it private.
func (h *hostKeys) remember(addr string, key ssh.PublicKey) error {
	if err := os.MkdirAll(filepath.Dir(h.appendTo), 0o700); err != nil {
		return protocol.NewError("connect", addr, protocol.ErrHostKey, "", fmt.Errorf("saving host key: %w", err))
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(addr)}, key) + "\n"
	if b, err := os.ReadFile(h.appendTo); err == nil && len(b) > 0 && b[len(b)-1] != '\n' {
		line = "\n" + line
	}
	f, err := os.OpenFile(h.appendTo, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err == nil {
		_, err = f.WriteString(line)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return protocol.NewError("connect", addr, protocol.ErrHostKey, "", fmt.Errorf("saving host key: %w", err))
	}
	h.logf("* host key saved to " + h.appendTo)
	return nil
}
