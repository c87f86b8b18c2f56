package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

func TestDescribeTrustShowsHostCertificate(t *testing.T) {
	got := describeTrust(protocol.TrustRequest{
		Kind: protocol.TrustHostKey, Host: "[files.example.com]:2222", KeyType: "ssh-ed25519", Fingerprint: "SHA256:hostkey",
		CertAuthority: "ssh-ed25519 SHA256:theca", Principals: []string{"files.example.com"},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	for _, want := range []string{"SHA256:hostkey", "CA:        ssh-ed25519 SHA256:theca", "For:       files.example.com", "2025-01-01 00:00 UTC to forever", "pins the host key"} {
		if !strings.Contains(got, want) {
			t.Errorf("describeTrust gave %q, want it to contain %q", got, want)
		}
	}
}
