package sftp

import (
	"bytes"
	"context"
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
	// revokedFiles are RevokedHostKeys files, checked before anything
	// else; caSigs the algorithms a trusted CA may sign with
	// (CASignatureAlgorithms), caSigsWhere the config line that set them.
	revokedFiles []string
	caSigs       []string
	caSigsWhere  string
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
		revokedFiles: t.revokedHostKeys, caSigs: t.algos.caSignatureAlgorithms(), caSigsWhere: t.algos.caSigs.where,
	}
}

// load reads the known_hosts files that exist; nil when none does.
func (h *hostKeys) load() (*knownHosts, error) {
	var existing []string
	for _, f := range h.files {
		if _, err := os.Stat(f); err == nil {
			existing = append(existing, f)
		}
	}
	if len(existing) == 0 {
		return nil, nil
	}
	db, err := readKnownHosts(existing...)
	if err != nil {
		return nil, protocol.NewError("connect", "", protocol.ErrHostKey, "", fmt.Errorf("reading known hosts: %w", err))
	}
	return db, nil
}

// algorithms lists the host key algorithms to ask the server for, as
// OpenSSH orders them: certificates first when an @cert-authority line
// covers addr, then the kinds of key known_hosts pins for it (only those,
// so the server shows a key we can verify); with nothing known, the ssh
// package's defaults in OpenSSH's order (defaultHostKeyOrder).
func (h *hostKeys) algorithms(addr string) []string {
	db, err := h.load()
	if err != nil || db == nil {
		return defaultHostKeyOrder()
	}
	name := knownHostsName(addr)
	known := map[string]bool{}
	for _, l := range db.hostKeys(name) {
		for _, a := range algorithmsForKey(l.key.Type()) {
			known[a] = true
		}
	}
	var algos []string
	if db.hasAuthority(name) {
		algos = append(algos, certPreference...)
		if len(known) == 0 {
			// A server without a certificate still reaches the
			// unknown-key question.
			return append(algos, hostKeyPreference...)
		}
	}
	if len(known) == 0 {
		return defaultHostKeyOrder()
	}
	// Ask in the order of preference, not in the file's order.
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

// certPreference are the host certificate algorithms, without SHA-1 RSA
// (which OpenSSH no longer offers either).
// defaultHostKeyOrder is the ssh package's default host key algorithms
// for a host nothing is known of, in OpenSSH's order of preference:
// Ed25519 and ECDSA before RSA. The package asks for RSA first, and a
// server may advertise an algorithm it has no key for (Debian's dropbear
// 2022.83 offers rsa-sha2-256 with only an Ed25519 key and then aborts the
// handshake), which OpenSSH's order never meets.
func defaultHostKeyOrder() []string {
	rank := func(a string) int {
		if i := slices.Index(certPreference, a); i >= 0 {
			return i
		}
		if i := slices.Index(hostKeyPreference, a); i >= 0 {
			return len(certPreference) + i
		}
		return len(certPreference) + len(hostKeyPreference)
	}
	algos := slices.Clone(ssh.SupportedAlgorithms().HostKeys)
	slices.SortStableFunc(algos, func(a, b string) int { return rank(a) - rank(b) })
	return algos
}

var certPreference = []string{
	ssh.CertAlgoED25519v01,
	ssh.CertAlgoECDSA256v01, ssh.CertAlgoECDSA384v01, ssh.CertAlgoECDSA521v01,
	ssh.CertAlgoRSASHA512v01, ssh.CertAlgoRSASHA256v01,
}

func algorithmsForKey(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// callback verifies the key the server at addr presents: a certificate
// against the @cert-authority lines (through ssh.CertChecker), a plain
// key, or a certificate no line vouches for, against the pinned keys.
func (h *hostKeys) callback(addr string) ssh.HostKeyCallback {
	return func(_ string, remote net.Addr, key ssh.PublicKey) error {
		// As in OpenSSH, a revoked key is refused before known_hosts
		// is read, so it is never asked about.
		if err := checkRevoked(h.revokedFiles, addr, key, h.logf); err != nil {
			return err
		}
		db, err := h.load()
		if err != nil {
			return err
		}
		if db == nil {
			db = &knownHosts{}
		}
		if l := db.revoked(knownHostsName(addr), key); l != nil {
			return revokedError(addr, key, *l)
		}
		cert, ok := key.(*ssh.Certificate)
		if !ok {
			return h.checkPlain(db, addr, key, nil)
		}
		return h.checkCert(db, addr, remote, cert)
	}
}

// checkPlain checks a key against the pinned keys for addr; cert is the
// certificate that carried it, if any, for the question to the user.
func (h *hostKeys) checkPlain(db *knownHosts, addr string, key ssh.PublicKey, cert *ssh.Certificate) error {
	fp := ssh.FingerprintSHA256(key)
	lines := db.hostKeys(knownHostsName(addr))
	for _, l := range lines {
		if bytes.Equal(l.key.Marshal(), key.Marshal()) {
			h.logf("* host key " + key.Type() + " " + fp + " is known (" + l.where() + ")")
			return nil
		}
	}
	if len(lines) > 0 {
		return protocol.NewError("connect", addr, protocol.ErrHostKey, changedMessage(addr, key, lines), nil)
	}
	return h.unknown(addr, key, fp, cert)
}

func changedMessage(addr string, key ssh.PublicKey, want []hostLine) string {
	var known []string
	for _, k := range want {
		known = append(known, fmt.Sprintf("%s has %s %s", k.where(), k.key.Type(), ssh.FingerprintSHA256(k.key)))
	}
	return fmt.Sprintf("HOST KEY CHANGED for %s: the server offers %s %s but %s; "+
		"this may be an attack, or the server was reinstalled: remove the old line if you are sure",
		knownhosts.Normalize(addr), key.Type(), ssh.FingerprintSHA256(key), strings.Join(known, ", "))
}

// unknown settles a key known_hosts does not list. cert, when set, is the
// host certificate no @cert-authority line vouched for; the question shows
// it, and "always" pins its plain key, as OpenSSH does.
func (h *hostKeys) unknown(addr string, key ssh.PublicKey, fp string, cert *ssh.Certificate) error {
	switch h.trust {
	case protocol.TrustAcceptNew:
		h.logf("* new host key " + key.Type() + " " + fp + " accepted")
		return h.remember(addr, key)
	case protocol.TrustAsk:
		req := protocol.TrustRequest{Kind: protocol.TrustHostKey, Host: addr, KeyType: key.Type(), Fingerprint: fp}
		if cert != nil {
			describeHostCert(&req, cert)
		}
		resume := h.pause()
		d, err := h.prompter.Trust(h.ctx, req)
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
	msg := fmt.Sprintf("unknown host key %s %s (not in %s; trust mode is strict)", key.Type(), fp, strings.Join(h.files, ", "))
	if cert != nil {
		msg += fmt.Sprintf("; the server shows a host certificate signed by CA %s %s: to trust that CA add "+
			"\"@cert-authority %s <CA public key>\" to %s", cert.SignatureKey.Type(),
			ssh.FingerprintSHA256(cert.SignatureKey), knownhosts.Normalize(addr), h.appendTo)
	}
	return protocol.NewError("connect", addr, protocol.ErrHostKey, msg, nil)
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
