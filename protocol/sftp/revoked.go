package sftp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// RevokedHostKeys (ssh_config) names files of host keys to refuse, as in
// OpenSSH: each file is a KRL (krl.go) or a text list of public keys,
// and is checked before known_hosts, so a revoked key is never offered
// to the user to trust. A file that cannot be read or understood refuses
// every host, as ssh does: a revocation list that silently stopped
// working would let through exactly the keys it was written to stop.

// maxRevokedFile bounds what one RevokedHostKeys file may hold; OpenSSH's
// sshbuf_load_file stops at the same 128 MiB.
const maxRevokedFile = 128 << 20

// revocation says why a host key is refused.
type revocation struct {
	ca   bool   // the CA that signed the certificate is revoked
	cert bool   // the certificate is revoked by serial or key ID
	how  string // what in the file revokes it, or ""
}

// revokedHostKeys reads RevokedHostKeys: files with ~ and % tokens
// expanded, nil for none. "none" turns the check off and must stand
// alone, as readconf.c requires.
func (r *resolution) revokedHostKeys(t target) ([]string, error) {
	s, ok := r.vals["revokedhostkeys"]
	if !ok {
		return nil, nil
	}
	var files []string
	for _, f := range s.args {
		switch {
		case f == "":
			return nil, fmt.Errorf("ssh config %s: RevokedHostKeys: empty file name", s.line.where())
		case strings.EqualFold(f, "none"):
			if len(s.args) > 1 {
				return nil, fmt.Errorf("ssh config %s: RevokedHostKeys: \"none\" must appear alone", s.line.where())
			}
			return nil, nil
		}
		files = append(files, expandPath(r.cfg.home(), f, t))
	}
	return files, nil
}

// checkRevoked refuses key when a RevokedHostKeys file revokes it, or
// when a file cannot be read or understood; addr names the host. The log
// says which files passed it, so a list that is not the one meant shows.
func checkRevoked(files []string, addr string, key ssh.PublicKey, logf func(string)) error {
	for _, f := range files {
		rev, err := revokedIn(f, key)
		if err != nil {
			return protocol.NewError("connect", addr, protocol.ErrHostKey,
				fmt.Sprintf("RevokedHostKeys file %s: %v: every host key is refused until it is fixed, as ssh refuses them "+
					"(set RevokedHostKeys none in ssh config to turn the check off)", f, err), nil)
		}
		if rev != nil {
			return protocol.NewError("connect", addr, protocol.ErrHostKey, revokedMessage(addr, key, f, *rev), nil)
		}
	}
	if len(files) > 0 {
		logf("* host key " + ssh.FingerprintSHA256(plainKey(key)) + " is not revoked by " + strings.Join(files, ", ") + " (RevokedHostKeys)")
	}
	return nil
}

// revokedMessage says which key of addr the RevokedHostKeys file revokes.
func revokedMessage(addr string, key ssh.PublicKey, file string, rev revocation) string {
	plain := plainKey(key)
	what := fmt.Sprintf("host key %s", ssh.FingerprintSHA256(plain))
	cert, isCert := key.(*ssh.Certificate)
	switch {
	case rev.ca && isCert:
		what = fmt.Sprintf("certificate authority %s %s that signed the host certificate",
			cert.SignatureKey.Type(), ssh.FingerprintSHA256(cert.SignatureKey))
	case rev.cert && isCert:
		what = fmt.Sprintf("host certificate %s (serial %d, key ID %q, CA %s)",
			ssh.FingerprintSHA256(plain), cert.Serial, cert.KeyId, ssh.FingerprintSHA256(cert.SignatureKey))
	}
	msg := fmt.Sprintf("%s of %s is revoked by %s (RevokedHostKeys)", what, knownhosts.Normalize(addr), file)
	if rev.how != "" {
		msg += ": " + rev.how
	}
	return msg + "; the server must present another key"
}

// revokedIn reads one RevokedHostKeys file and checks key against it.
func revokedIn(file string, key ssh.PublicKey) (*revocation, error) {
	data, err := readRevokedFile(file)
	if err != nil {
		return nil, err
	}
	k, err := parseKRL(data)
	switch {
	case err == nil:
		return k.revokes(key), nil
	case !errors.Is(err, errNotKRL):
		return nil, err
	}
	keys, err := parseRevokedText(data)
	if err != nil {
		return nil, err
	}
	return revokedByList(keys, key), nil
}

func readRevokedFile(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRevokedFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxRevokedFile {
		return nil, fmt.Errorf("larger than %d MiB", maxRevokedFile>>20)
	}
	return data, nil
}

// revokedKey is one key of a text revocation list.
type revokedKey struct {
	key  ssh.PublicKey
	line int
}

// parseRevokedText reads one public key per line ("TYPE BASE64
// [comment]"), skipping blank lines and # comments. A line that is not a
// key is an error, as in OpenSSH's sshkey_in_file: a list with a typo
// must not pass keys it may have meant to revoke.
func parseRevokedText(data []byte) ([]revokedKey, error) {
	var keys []revokedKey
	n := 0
	for line := range bytes.Lines(data) {
		n++
		s := strings.TrimLeft(string(line), " \t")
		if s = strings.TrimRight(s, "\r\n"); s == "" || s[0] == '#' {
			continue
		}
		f := strings.Fields(s)
		if len(f) < 2 {
			return nil, fmt.Errorf("line %d is not a public key (want TYPE BASE64 [comment])", n)
		}
		blob, err := base64.StdEncoding.DecodeString(f[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: bad base64 key: %v", n, err)
		}
		key, err := ssh.ParsePublicKey(blob)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		if key.Type() != f[0] {
			return nil, fmt.Errorf("line %d: the key is %s, not %s", n, key.Type(), f[0])
		}
		keys = append(keys, revokedKey{key: key, line: n})
	}
	return keys, nil
}

// revokedByList checks key, by its plain form, and the CA of a
// certificate against the listed keys (sshkey_in_file with check_ca).
func revokedByList(keys []revokedKey, key ssh.PublicKey) *revocation {
	blob := plainBlob(key)
	var ca []byte
	if c, ok := key.(*ssh.Certificate); ok {
		ca = plainBlob(c.SignatureKey)
	}
	for _, k := range keys {
		b := plainBlob(k.key)
		switch {
		case bytes.Equal(b, blob):
			return &revocation{how: fmt.Sprintf("listed on line %d", k.line)}
		case ca != nil && bytes.Equal(b, ca):
			return &revocation{ca: true, how: fmt.Sprintf("listed on line %d", k.line)}
		}
	}
	return nil
}

// CASignatureAlgorithms (ssh_config) limits the algorithms a CA may have
// signed a host certificate with. OpenSSH's default leaves out ssh-rsa:
// a SHA-1 signature can be forged by a chosen-prefix collision, which
// would let anyone mint certificates the CA never signed.

// defaultCASignatureAlgorithms is OpenSSH's SSH_ALLOWED_CA_SIGALGS
// (myproposal.h).
var defaultCASignatureAlgorithms = []string{
	ssh.KeyAlgoED25519,
	ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
	ssh.KeyAlgoSKED25519, ssh.KeyAlgoSKECDSA256,
	"webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
	ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256,
}

// caSigKind checks CASignatureAlgorithms names: signature algorithms of
// plain keys, never certificate types (readconf.c refuses those too).
var caSigKind = algoKind{"CASignatureAlgorithms", pubkeyKind.ferry,
	slices.DeleteFunc(slices.Clone(opensshKeys), func(n string) bool { return strings.Contains(n, "-cert-") })}

// caSignatureAlgorithms is the list CASignatureAlgorithms sets, or
// OpenSSH's default.
func (a algorithms) caSignatureAlgorithms() []string {
	return a.caSigs.apply(defaultCASignatureAlgorithms, caSigKind)
}

// checkCASignature refuses a host certificate whose CA signed it with an
// algorithm outside allowed, saying how to fix it; nil when allowed.
func checkCASignature(cert *ssh.Certificate, allowed []string, where string) error {
	alg := ""
	if cert.Signature != nil {
		alg = cert.Signature.Format
	}
	if slices.Contains(allowed, alg) {
		return nil
	}
	from := "ferry's default, as OpenSSH's"
	if where != "" {
		from = "set at " + where
	}
	fix := fmt.Sprintf("have it signed with an algorithm the list allows, or add +%s to CASignatureAlgorithms", alg)
	if alg == ssh.KeyAlgoRSA {
		fix = "re-sign it with ssh-keygen -t rsa-sha2-512 (ssh-rsa signs with SHA-1), or add +ssh-rsa to CASignatureAlgorithms"
	}
	return fmt.Errorf("its CA signed it with %s, which CASignatureAlgorithms (%s: %s) does not allow: %s",
		alg, from, strings.Join(allowed, ","), fix)
}
