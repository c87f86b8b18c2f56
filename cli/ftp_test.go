package cli

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/demo/ftpd"
)

func TestReadCAFile(t *testing.T) {
	serverTLS, _, err := ftpd.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	der := serverTLS.Certificates[0].Certificate[0]
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("not for us")})
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// Other blocks are passed over; every certificate is kept.
	certs, err := readCAFile(write("bundle.pem", append(append(append([]byte("a comment\n"), keyPEM...), certPEM...), certPEM...)))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := x509.ParseCertificate(der)
	if len(certs) != 2 || !certs[0].Equal(want) || !certs[1].Equal(want) {
		t.Fatalf("got %d certificates, want the bundle's 2", len(certs))
	}

	for _, tc := range []struct {
		name, file, want string
	}{
		{"missing", filepath.Join(dir, "none.pem"), "--ca-file"},
		{"no certificate", write("key.pem", keyPEM), "no PEM certificate"},
		{"not PEM", write("text.pem", []byte("hello")), "no PEM certificate"},
		{"broken certificate", write("broken.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 1, 2, 3}})), "broken.pem"},
	} {
		if _, err := readCAFile(tc.file); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
}
