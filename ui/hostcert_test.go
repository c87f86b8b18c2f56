package ui

import (
	"context"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

func TestTrustDialogShowsHostCertificate(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	got := make(chan protocol.TrustDecision, 1)
	go func() {
		d, _ := a.Prompter().Trust(context.Background(), protocol.TrustRequest{
			Kind: protocol.TrustHostKey, Host: "files.example.com:22", KeyType: "ssh-ed25519", Fingerprint: "SHA256:hostkey",
			CertAuthority: "ssh-ed25519 SHA256:theca", Principals: []string{"files.example.com", "files"},
			NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		})
		got <- d
	}()
	deliverPrompt(t, a)
	mustContain(t, a, "Unknown host key", "SHA256:hostkey", "SHA256:theca", "files.example.com, files", "2025-01-01 to 2027-01-01")
	press(t, a, "o")
	if d := <-got; d != protocol.TrustOnce {
		t.Fatalf("got %v, want TrustOnce", d)
	}
}
