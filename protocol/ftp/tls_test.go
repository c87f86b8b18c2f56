package ftp

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/ftpd"
	"github.com/ferryhq/ferry/protocol"
)

func TestCertificateTrust(t *testing.T) {
	serverTLS, _, err := ftpd.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	fp := sha256.Sum256(serverTLS.Certificates[0].Certificate[0])
	fingerprint := hex.EncodeToString(fp[:])
	srv := demoServer(t, ftpd.Options{TLS: serverTLS, RequireTLS: true, RequireTLSReuse: true})
	site := siteOf(t, protocol.SchemeFTPES, srv.Addr(), "alice")
	dial := func(cfg Config) (*Client, error) {
		cfg.Password = "secret"
		cfg.Timeout = 5 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return Dial(ctx, site, cfg)
	}
	pinFiles := func(dir string) []string {
		m, _ := filepath.Glob(filepath.Join(dir, "*.sha256"))
		return m
	}

	t.Run("strict refuses a self-signed certificate", func(t *testing.T) {
		_, err := dial(Config{Trust: protocol.TrustStrict, PinDir: t.TempDir()})
		if !errors.Is(err, protocol.ErrTLS) || !strings.Contains(err.Error(), "self-signed") {
			t.Fatalf("got %v, want ErrTLS saying self-signed", err)
		}
	})
	t.Run("extra roots are trusted besides the system's", func(t *testing.T) {
		leaf, err := x509.ParseCertificate(serverTLS.Certificates[0].Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		c, err := dial(Config{Trust: protocol.TrustStrict, PinDir: dir, ExtraRoots: []*x509.Certificate{leaf}})
		if err != nil {
			t.Fatalf("a certificate signed by an extra root was refused: %v", err)
		}
		if err := roundTrip(c); err != nil {
			t.Fatalf("transfer: %v", err)
		}
		c.Close()
		if len(pinFiles(dir)) != 0 {
			t.Fatalf("a verified certificate was pinned: %v", pinFiles(dir))
		}
		// An extra root that did not sign it changes nothing.
		other, _, err := ftpd.SelfSignedTLS()
		if err != nil {
			t.Fatal(err)
		}
		stranger, err := x509.ParseCertificate(other.Certificates[0].Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		_, err = dial(Config{Trust: protocol.TrustStrict, PinDir: dir, ExtraRoots: []*x509.Certificate{stranger}})
		if !errors.Is(err, protocol.ErrTLS) {
			t.Fatalf("got %v, want ErrTLS", err)
		}
	})
	t.Run("ask shows the certificate and always pins it", func(t *testing.T) {
		dir := t.TempDir()
		p := &fixedPrompter{decision: protocol.TrustAlways}
		c, err := dial(Config{Trust: protocol.TrustAsk, Prompter: p, PinDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if err := roundTrip(c); err != nil {
			t.Fatalf("transfer over pinned session: %v", err)
		}
		c.Close()
		if len(p.asked) != 1 {
			t.Fatalf("asked %d times, want 1", len(p.asked))
		}
		r := p.asked[0]
		if r.Kind != protocol.TrustCertificate || r.Fingerprint != fingerprint || r.Problem != "self-signed" ||
			!strings.Contains(r.Subject, "localhost") || r.NotAfter.IsZero() {
			t.Fatalf("request %+v", r)
		}
		if len(pinFiles(dir)) != 1 {
			t.Fatalf("pins %v, want one", pinFiles(dir))
		}
		// The pin now answers without asking, even in strict mode.
		c, err = dial(Config{Trust: protocol.TrustStrict, PinDir: dir})
		if err != nil {
			t.Fatalf("pinned certificate refused: %v", err)
		}
		c.Close()
	})
	t.Run("ask once does not pin", func(t *testing.T) {
		dir := t.TempDir()
		c, err := dial(Config{Trust: protocol.TrustAsk, Prompter: &fixedPrompter{decision: protocol.TrustOnce}, PinDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		if len(pinFiles(dir)) != 0 {
			t.Fatalf("pinned after once: %v", pinFiles(dir))
		}
	})
	t.Run("ask no refuses", func(t *testing.T) {
		_, err := dial(Config{Trust: protocol.TrustAsk, Prompter: &fixedPrompter{decision: protocol.TrustNo}, PinDir: t.TempDir()})
		if !errors.Is(err, protocol.ErrTLS) {
			t.Fatalf("got %v, want ErrTLS", err)
		}
	})
	t.Run("accept-new pins silently and a changed certificate is refused", func(t *testing.T) {
		dir := t.TempDir()
		c, err := dial(Config{Trust: protocol.TrustAcceptNew, PinDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		pins := pinFiles(dir)
		if len(pins) != 1 {
			t.Fatalf("pins %v", pins)
		}
		if err := os.WriteFile(pins[0], []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err = dial(Config{Trust: protocol.TrustAcceptNew, PinDir: dir})
		if !errors.Is(err, protocol.ErrTLS) || !strings.Contains(err.Error(), "changed") {
			t.Fatalf("got %v, want ErrTLS about a changed certificate", err)
		}
	})
}

func roundTrip(c *Client) error {
	ctx := context.Background()
	w, err := c.Create(ctx, "/rt", 0)
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte("x")); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	_, err = c.List(ctx, "/")
	return err
}
