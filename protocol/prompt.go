package protocol

import (
	"context"
	"errors"
	"time"
)

// Prompter answers the questions a connection has to ask a person: secrets
// and trust. The TUI answers with dialogs, the CLI on the terminal, tests with
// canned answers. Implementations must be safe for concurrent use.
type Prompter interface {
	// Secret asks for a password, key passphrase or one keyboard-interactive
	// answer. An error (e.g. ErrNoPrompt) aborts the login.
	Secret(ctx context.Context, req SecretRequest) (string, error)
	// Trust asks whether to accept an unknown host key or certificate.
	Trust(ctx context.Context, req TrustRequest) (TrustDecision, error)
}

// SecretKind says what a SecretRequest is for.
type SecretKind int

const (
	SecretPassword   SecretKind = iota // login password
	SecretPassphrase                   // private key passphrase
	SecretChallenge                    // keyboard-interactive question (2FA)
)

// SecretRequest is one question for a secret.
type SecretRequest struct {
	Kind        SecretKind
	Site        string // user@host:port, for the dialog title
	Prompt      string // the question as the server or the key file asks it
	Instruction string // keyboard-interactive instruction text, may be empty
	Echo        bool   // keyboard-interactive: the answer may be shown
}

// TrustKind says what a TrustRequest is about.
type TrustKind int

const (
	TrustHostKey     TrustKind = iota // an SSH host key
	TrustCertificate                  // a TLS certificate
)

// TrustRequest describes an unknown key or certificate.
type TrustRequest struct {
	Kind        TrustKind
	Host        string // host:port as the user named it
	KeyType     string // "ssh-ed25519", or the certificate's key algorithm
	Fingerprint string // "SHA256:..." for SSH, hex SHA-256 for TLS
	// TLS certificate details; empty for SSH host keys. NotBefore and
	// NotAfter also bound an SSH host certificate (zero: no bound).
	Subject   string
	Issuer    string
	NotBefore time.Time
	NotAfter  time.Time
	Problem   string // why verification failed: "self-signed", "expired", ...
	// SSH host certificate details, when the server shows a certificate
	// that no @cert-authority line vouches for; empty otherwise.
	CertAuthority string   // the signing CA: "ssh-ed25519 SHA256:..."
	Principals    []string // the host names the certificate is for
}

// TrustDecision is the user's answer to a TrustRequest.
type TrustDecision int

const (
	TrustNo     TrustDecision = iota // refuse and disconnect
	TrustOnce                        // accept for this session only
	TrustAlways                      // accept and remember
)

// TrustMode is how unknown keys and certificates are handled.
type TrustMode int

const (
	// TrustStrict refuses anything unknown. It is the default without a
	// terminal, so scripts never trust by accident.
	TrustStrict TrustMode = iota
	// TrustAsk hands unknown keys to the Prompter.
	TrustAsk
	// TrustAcceptNew remembers unknown keys silently, like OpenSSH's
	// StrictHostKeyChecking=accept-new. A changed key is still refused.
	TrustAcceptNew
)

// ParseTrustMode reads "ask", "accept-new" or "strict".
func ParseTrustMode(s string) (TrustMode, error) {
	switch s {
	case "ask":
		return TrustAsk, nil
	case "accept-new":
		return TrustAcceptNew, nil
	case "strict":
		return TrustStrict, nil
	}
	return TrustStrict, errors.New(`trust mode must be "ask", "accept-new" or "strict", not "` + s + `"`)
}

func (m TrustMode) String() string {
	switch m {
	case TrustAsk:
		return "ask"
	case TrustAcceptNew:
		return "accept-new"
	}
	return "strict"
}

// ErrNoPrompt is returned by a Prompter that cannot ask anyone.
var ErrNoPrompt = errors.New("no terminal to ask on")

// NoPrompter refuses every question; it suits scripts and tests.
type NoPrompter struct{}

func (NoPrompter) Secret(context.Context, SecretRequest) (string, error) { return "", ErrNoPrompt }
func (NoPrompter) Trust(context.Context, TrustRequest) (TrustDecision, error) {
	return TrustNo, ErrNoPrompt
}
