package sftp

import (
	"bytes"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// checkCert verifies a host certificate. When an @cert-authority line for
// addr trusts its CA, ssh.CertChecker checks it (principal, validity,
// signature); when none does, the certificate's plain key is checked like
// any other key, as OpenSSH does.
func (h *hostKeys) checkCert(db *knownHosts, addr string, remote net.Addr, cert *ssh.Certificate) error {
	name := knownHostsName(addr)
	caFP := cert.SignatureKey.Type() + " " + ssh.FingerprintSHA256(cert.SignatureKey)
	if cert.CertType != ssh.HostCert {
		return protocol.NewError("connect", addr, protocol.ErrHostKey,
			"the server shows a user certificate as its host key; its sshd_config HostCertificate needs a host certificate (ssh-keygen -s CA -h)", nil)
	}
	ca := db.authority(name, cert.SignatureKey)
	if ca == nil {
		h.logf("* host certificate signed by CA " + caFP + ", which no @cert-authority line for " + name + " trusts; checking its key")
		return h.checkPlain(db, addr, cert.Key, cert)
	}
	checker := &ssh.CertChecker{
		IsHostAuthority: func(auth ssh.PublicKey, _ string) bool { return db.authority(name, auth) != nil },
		IsRevoked:       func(c *ssh.Certificate) bool { return db.revoked(name, c) != nil },
		HostKeyFallback: func(_ string, _ net.Addr, key ssh.PublicKey) error { return h.checkPlain(db, addr, key, nil) },
	}
	err := checker.CheckHostKey(addr, remote, cert)
	if err == nil {
		err = checkCASignature(cert, h.caSigs, h.caSigsWhere)
	}
	if err == nil {
		h.logf(fmt.Sprintf("* host certificate %s for %s is valid, signed by CA %s (%s)",
			ssh.FingerprintSHA256(cert.Key), strings.Join(cert.ValidPrincipals, ","), caFP, ca.where()))
		return nil
	}
	host, _, _ := net.SplitHostPort(addr)
	reason := hostCertProblem(cert, host, time.Now())
	if reason == "" {
		reason = err.Error()
	}
	// OpenSSH falls back to the plain key of a certificate it cannot
	// accept; a pinned one still lets the user in.
	for _, l := range db.hostKeys(name) {
		if bytes.Equal(l.key.Marshal(), cert.Key.Marshal()) {
			h.logf("* host certificate refused (" + reason + "), but its key is pinned in " + l.where())
			return nil
		}
	}
	return protocol.NewError("connect", addr, protocol.ErrHostKey,
		fmt.Sprintf("host certificate of %s refused: %s (CA %s trusted in %s)", knownhosts.Normalize(addr), reason, caFP, ca.where()), err)
}

// hostCertProblem says why cert is not valid for host at now, and what to
// change; "" when principals and validity are fine.
func hostCertProblem(cert *ssh.Certificate, host string, now time.Time) string {
	after, before := certValidity(cert)
	switch {
	case !after.IsZero() && now.Before(after):
		return fmt.Sprintf("it is not valid until %s (check this machine's clock, or have the server's certificate re-issued with ssh-keygen -V)",
			after.UTC().Format(time.RFC3339))
	case !before.IsZero() && !now.Before(before):
		return fmt.Sprintf("it expired at %s: the server needs a renewed host certificate (ssh-keygen -s CA -h -V ...)",
			before.UTC().Format(time.RFC3339))
	case !slices.Contains(cert.ValidPrincipals, host):
		return fmt.Sprintf("it is for %s, not for %q: connect by one of those names, or have it re-signed with ssh-keygen -n %s",
			principalList(cert.ValidPrincipals), host, host)
	}
	return ""
}

func principalList(p []string) string {
	if len(p) == 0 {
		return "no host name"
	}
	return strings.Join(p, ", ")
}

// certValidity is a certificate's window; a zero time is no bound.
func certValidity(cert *ssh.Certificate) (after, before time.Time) {
	if cert.ValidAfter != 0 && cert.ValidAfter <= 1<<62 {
		after = time.Unix(int64(cert.ValidAfter), 0)
	}
	if cert.ValidBefore != ssh.CertTimeInfinity && cert.ValidBefore <= 1<<62 {
		before = time.Unix(int64(cert.ValidBefore), 0)
	}
	return after, before
}

// describeHostCert fills the certificate part of a trust question.
func describeHostCert(req *protocol.TrustRequest, cert *ssh.Certificate) {
	req.CertAuthority = cert.SignatureKey.Type() + " " + ssh.FingerprintSHA256(cert.SignatureKey)
	req.Principals = slices.Clone(cert.ValidPrincipals)
	req.NotBefore, req.NotAfter = certValidity(cert)
	req.Problem = "host certificate from a CA that known_hosts does not trust; answering always pins the host key, not the CA"
}

// revokedError refuses a key or CA an @revoked line withdraws.
func revokedError(addr string, key ssh.PublicKey, l hostLine) error {
	what := fmt.Sprintf("host key %s %s", plainKey(key).Type(), ssh.FingerprintSHA256(plainKey(key)))
	if cert, ok := key.(*ssh.Certificate); ok && bytes.Equal(plainBlob(cert.SignatureKey), plainBlob(l.key)) {
		what = fmt.Sprintf("certificate authority %s %s that signed the host certificate",
			cert.SignatureKey.Type(), ssh.FingerprintSHA256(cert.SignatureKey))
	}
	return protocol.NewError("connect", addr, protocol.ErrHostKey,
		fmt.Sprintf("%s of %s is revoked in %s: the server must present another key (remove the @revoked line only if it is wrong)",
			what, knownhosts.Normalize(addr), l.where()), nil)
}

// plainKey is the key a certificate certifies, or the key itself.
func plainKey(k ssh.PublicKey) ssh.PublicKey {
	if c, ok := k.(*ssh.Certificate); ok {
		return c.Key
	}
	return k
}
