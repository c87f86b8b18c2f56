package sftp

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// userCert is a user certificate read from a file.
type userCert struct {
	cert *ssh.Certificate
	file string
}

// userCerts reads the certificates to offer, as OpenSSH finds them:
// IDENTITY-cert.pub beside each key file, then CertificateFile lines. A
// missing -cert.pub is normal; a named file that cannot be read is logged.
func (l *login) userCerts(keyFiles []string) []userCert {
	var out []userCert
	read := func(file string, named bool) {
		b, err := os.ReadFile(file)
		if err != nil {
			if named || !errors.Is(err, os.ErrNotExist) {
				l.logf("* certificate " + file + ": " + err.Error())
			}
			return
		}
		pub, _, _, _, err := ssh.ParseAuthorizedKey(b)
		if err != nil {
			l.logf("* certificate " + file + ": " + err.Error())
			return
		}
		cert, ok := pub.(*ssh.Certificate)
		if !ok || cert.CertType != ssh.UserCert {
			l.logf("* " + file + " is not a user certificate")
			return
		}
		out = append(out, userCert{cert: cert, file: file})
	}
	for _, f := range keyFiles {
		read(f+"-cert.pub", false)
	}
	for _, f := range l.t.certificateFiles {
		read(f, true)
	}
	return out
}

// withCerts puts, before s, a signer for every certificate of s's key,
// so the certificate is offered first, as sites that hand them out expect.
func (l *login) withCerts(s ssh.Signer, certs []userCert) []ssh.Signer {
	var out []ssh.Signer
	for _, c := range certs {
		if !bytes.Equal(c.cert.Key.Marshal(), s.PublicKey().Marshal()) {
			continue
		}
		cs, err := ssh.NewCertSigner(c.cert, s)
		if err != nil {
			l.logf("* certificate " + c.file + ": " + err.Error())
			continue
		}
		l.noteCert(c.cert, c.file)
		out = append(out, cs)
	}
	return append(out, s)
}

// plainKeyOf is the key under an agent's or a signer's public key: agent
// keys come as raw blobs, so a certificate is found by parsing.
func plainKeyOf(k ssh.PublicKey) (plain []byte, cert *ssh.Certificate) {
	if c, ok := k.(*ssh.Certificate); ok {
		return c.Key.Marshal(), c
	}
	if strings.Contains(k.Type(), "-cert-") {
		if pk, err := ssh.ParsePublicKey(k.Marshal()); err == nil {
			if c, ok := pk.(*ssh.Certificate); ok {
				return c.Key.Marshal(), c
			}
		}
	}
	return k.Marshal(), nil
}

// noteCert logs a certificate about to be offered and remembers why the
// server is likely to refuse it, for the error should the login fail.
func (l *login) noteCert(cert *ssh.Certificate, from string) {
	l.logf(fmt.Sprintf("* offering certificate %s (%s, serial %d, key %s)", from, cert.KeyId, cert.Serial, ssh.FingerprintSHA256(cert.Key)))
	problem := userCertProblem(cert, l.t.user, time.Now())
	if problem == "" {
		return
	}
	note := "certificate " + from + " " + problem
	l.logf("* " + note)
	l.mu.Lock()
	l.certNotes = append(l.certNotes, note)
	l.mu.Unlock()
}

// userCertProblem says why a server would refuse cert for user at now;
// "" when its validity and principals look right.
func userCertProblem(cert *ssh.Certificate, user string, now time.Time) string {
	after, before := certValidity(cert)
	switch {
	case !after.IsZero() && now.Before(after):
		return fmt.Sprintf("is not valid until %s: check this machine's clock, or ask for a certificate valid now", after.UTC().Format(time.RFC3339))
	case !before.IsZero() && !now.Before(before):
		return fmt.Sprintf("expired at %s: get a new one from your CA (ssh-keygen -s, step ssh, vault ssh, tsh login)", before.UTC().Format(time.RFC3339))
	case len(cert.ValidPrincipals) > 0 && !slices.Contains(cert.ValidPrincipals, user):
		return fmt.Sprintf("is for %s, not for user %q: log in as one of those (User in ssh config, or user@host), or get a certificate for %s",
			strings.Join(cert.ValidPrincipals, ", "), user, user)
	}
	return ""
}

// authReason is the refusal text for a failed login: what is wrong with
// the certificates offered, then the ssh package's words; "" when no
// certificate looked wrong.
func (l *login) authReason(err error) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.certNotes) == 0 {
		return ""
	}
	return strings.Join(l.certNotes, "; ") + " (" + err.Error() + ")"
}
