package ftp

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// TLSMode is how the session is protected.
type TLSMode int

const (
	TLSAuto     TLSMode = iota // from the site's scheme: ftp none, ftpes explicit, ftps implicit
	TLSNone                    // plain FTP
	TLSExplicit                // AUTH TLS on the plain port, then PBSZ 0 and PROT P
	TLSImplicit                // TLS from the first byte (port 990)
)

// ParseTLSMode reads "explicit", "implicit" or "none".
func ParseTLSMode(s string) (TLSMode, error) {
	switch s {
	case "explicit":
		return TLSExplicit, nil
	case "implicit":
		return TLSImplicit, nil
	case "none":
		return TLSNone, nil
	case "", "auto":
		return TLSAuto, nil
	}
	return TLSAuto, fmt.Errorf(`TLS mode must be "explicit", "implicit" or "none", not %q`, s)
}

func (m TLSMode) String() string {
	switch m {
	case TLSNone:
		return "none"
	case TLSExplicit:
		return "explicit"
	case TLSImplicit:
		return "implicit"
	}
	return "auto"
}

// tlsState is the session's TLS setup. One tls.Config with one session
// cache serves the control and every data connection: vsftpd's default
// require_ssl_reuse=YES refuses a data connection that does not resume the
// control connection's session, and Go resumes only from its cache, keyed
// by ServerName. Certificates are checked by hand after the handshake (not
// in a tls callback) so the check can ask the Prompter with a context.
type tlsState struct {
	cfg      *tls.Config
	host     string         // host name or IP to verify against
	site     string         // host:port, the pin key and the prompt's name
	roots    *x509.CertPool // nil: the system's
	extra    []*x509.Certificate
	trust    protocol.TrustMode
	prompter protocol.Prompter
	pinDir   string
	log      func(string, ...any)
	accepted [32]byte // fingerprint of the control connection's certificate
	version  uint16
	resumed  bool // whether the last data connection resumed the session
}

func newTLSState(host, site string, cfg Config, log func(string, ...any)) *tlsState {
	return &tlsState{
		cfg: &tls.Config{
			ServerName:         host,
			MinVersion:         tls.VersionTLS12,
			MaxVersion:         cfg.maxTLS,
			InsecureSkipVerify: true, // verified in verify, with pins and the Prompter
			ClientSessionCache: tls.NewLRUClientSessionCache(16),
		},
		host: host, site: site, roots: cfg.RootCAs, extra: cfg.ExtraRoots, trust: cfg.Trust,
		prompter: cfg.Prompter, pinDir: cfg.PinDir, log: log,
	}
}

// handshakeControl runs the control connection's handshake and decides
// whether its certificate is trusted.
func (t *tlsState) handshakeControl(ctx context.Context, raw net.Conn, timeout time.Duration) (*tls.Conn, error) {
	conn, err := t.handshake(ctx, raw, timeout)
	if err != nil {
		return nil, err
	}
	cs := conn.ConnectionState()
	if err := t.verify(ctx, cs); err != nil {
		conn.Close()
		return nil, err
	}
	t.accepted = sha256.Sum256(cs.PeerCertificates[0].Raw)
	t.version = cs.Version
	t.log("* TLS %s, %s, certificate %s", tlsVersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite), hex.EncodeToString(t.accepted[:]))
	return conn, nil
}

// handshakeData runs a data connection's handshake. Its certificate must be
// the one the control connection accepted.
func (t *tlsState) handshakeData(ctx context.Context, raw net.Conn, timeout time.Duration) (*tls.Conn, error) {
	conn, err := t.handshake(ctx, newGulpConn(raw), timeout)
	if err != nil {
		return nil, err
	}
	cs := conn.ConnectionState()
	if len(cs.PeerCertificates) == 0 || sha256.Sum256(cs.PeerCertificates[0].Raw) != t.accepted {
		conn.Close()
		return nil, protocol.NewError("tls", t.site, protocol.ErrTLS, "", errors.New("data connection presented a different certificate than the control connection"))
	}
	t.resumed = cs.DidResume
	if !cs.DidResume {
		t.log("* data connection TLS session not resumed")
	}
	return conn, nil
}

func (t *tlsState) handshake(ctx context.Context, raw net.Conn, timeout time.Duration) (*tls.Conn, error) {
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn := tls.Client(raw, t.cfg)
	if err := conn.HandshakeContext(hctx); err != nil {
		raw.Close()
		if ctx.Err() == nil && hctx.Err() != nil {
			err = errTimeout{err}
		}
		return nil, protocol.NewError("tls handshake", t.site, protocol.ErrTLS, "", err)
	}
	return conn, nil
}

// rootPool is the roots with the extra certificates added, built when
// first needed so that the system's roots load while the connection is
// set up (see Dial).
func (t *tlsState) rootPool() *x509.CertPool {
	if len(t.extra) == 0 {
		return t.roots
	}
	pool := t.roots
	if pool == nil {
		var err error
		if pool, err = x509.SystemCertPool(); err != nil {
			pool = x509.NewCertPool()
		}
	} else {
		pool = pool.Clone()
	}
	for _, c := range t.extra {
		pool.AddCert(c)
	}
	t.roots, t.extra = pool, nil
	return pool
}

// verify checks the peer certificate against the roots and host name; an
// invalid one is settled by the pin store, the trust mode and the Prompter.
func (t *tlsState) verify(ctx context.Context, cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return protocol.NewError("tls", t.site, protocol.ErrTLS, "", errors.New("server sent no certificate"))
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, verr := leaf.Verify(x509.VerifyOptions{DNSName: t.host, Roots: t.rootPool(), Intermediates: inter})
	if verr == nil {
		return nil
	}
	sum := sha256.Sum256(leaf.Raw)
	fp := hex.EncodeToString(sum[:])
	pinned, err := t.readPin()
	if err != nil {
		return protocol.NewError("tls", t.site, protocol.ErrTLS, "", err)
	}
	if pinned != "" {
		if pinned == fp {
			return nil
		}
		return protocol.NewError("tls", t.site, protocol.ErrTLS, "",
			fmt.Errorf("certificate changed: pinned SHA-256 %s, server now presents %s (%s)", pinned, fp, problem(leaf, verr)))
	}
	switch t.trust {
	case protocol.TrustAcceptNew:
		t.log("* pinning certificate %s for %s (%s)", fp, t.site, problem(leaf, verr))
		return t.writePin(fp)
	case protocol.TrustAsk:
		if t.prompter == nil {
			break
		}
		d, err := t.prompter.Trust(ctx, protocol.TrustRequest{
			Kind: protocol.TrustCertificate, Host: t.site, KeyType: leaf.PublicKeyAlgorithm.String(),
			Fingerprint: fp, Subject: leaf.Subject.String(), Issuer: leaf.Issuer.String(),
			NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter, Problem: problem(leaf, verr),
		})
		if err != nil {
			return protocol.NewError("tls", t.site, protocol.ErrTLS, "", fmt.Errorf("certificate not trusted: %w", err))
		}
		switch d {
		case protocol.TrustOnce:
			return nil
		case protocol.TrustAlways:
			return t.writePin(fp)
		}
		return protocol.NewError("tls", t.site, protocol.ErrTLS, "", fmt.Errorf("certificate refused (%s)", problem(leaf, verr)))
	}
	return protocol.NewError("tls", t.site, protocol.ErrTLS, "", fmt.Errorf("%s (SHA-256 %s)", problem(leaf, verr), fp))
}

// problem words a verification failure for a person.
func problem(leaf *x509.Certificate, err error) string {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var he x509.HostnameError
	switch {
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		now := time.Now()
		if now.Before(leaf.NotBefore) {
			return "not valid yet"
		}
		return "expired"
	case errors.As(err, &he):
		return "issued for another host: " + he.Error()
	case errors.As(err, &ua):
		if leaf.Subject.String() == leaf.Issuer.String() {
			return "self-signed"
		}
		return "issued by an unknown authority"
	}
	return err.Error()
}

func (t *tlsState) pinFile() string {
	var b strings.Builder
	for _, r := range t.site {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return filepath.Join(t.pinDir, b.String()+".sha256")
}

func (t *tlsState) readPin() (string, error) {
	if t.pinDir == "" {
		return "", nil
	}
	b, err := os.ReadFile(t.pinFile())
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read certificate pin: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func (t *tlsState) writePin(fp string) error {
	if t.pinDir == "" {
		return protocol.NewError("tls", t.site, protocol.ErrTLS, "", errors.New("no directory to pin the certificate in"))
	}
	if err := os.MkdirAll(t.pinDir, 0o700); err != nil {
		return fmt.Errorf("pin certificate: %w", err)
	}
	tmp := t.pinFile() + ".tmp"
	if err := os.WriteFile(tmp, []byte(fp+"\n"), 0o600); err != nil {
		return fmt.Errorf("pin certificate: %w", err)
	}
	if err := os.Rename(tmp, t.pinFile()); err != nil {
		return fmt.Errorf("pin certificate: %w", err)
	}
	return nil
}

// defaultPinDir is $XDG_DATA_HOME/ferry/pins, or ~/.local/share/ferry/pins.
func defaultPinDir() string {
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "ferry", "pins")
}

func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS12:
		return "TLS 1.2"
	case tls.VersionTLS13:
		return "TLS 1.3"
	}
	return tls.VersionName(v)
}
