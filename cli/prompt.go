package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/term"
)

// termPrompter asks on the controlling terminal. Without one it refuses,
// so a script never hangs on a question nobody can answer.
type termPrompter struct {
	e  *env
	mu sync.Mutex // one question at a time
}

func newTermPrompter(e *env) *termPrompter { return &termPrompter{e: e} }

func (p *termPrompter) tty() (*os.File, error) {
	if !p.e.Terminal {
		return nil, protocol.ErrNoPrompt
	}
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, protocol.ErrNoPrompt
	}
	return f, nil
}

func (p *termPrompter) Secret(ctx context.Context, req protocol.SecretRequest) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tty, err := p.tty()
	if err != nil {
		return "", err
	}
	defer tty.Close()
	if req.Instruction != "" {
		fmt.Fprintln(tty, req.Instruction)
	}
	prompt := req.Prompt
	if prompt == "" {
		prompt = "Password for " + req.Site + ": "
	}
	fmt.Fprint(tty, prompt)
	if req.Echo {
		line, err := bufio.NewReader(tty).ReadString('\n')
		return strings.TrimRight(line, "\r\n"), err
	}
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return "", fmt.Errorf("read secret: %w", err)
	}
	return string(b), ctx.Err()
}

func (p *termPrompter) Trust(ctx context.Context, req protocol.TrustRequest) (protocol.TrustDecision, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tty, err := p.tty()
	if err != nil {
		return protocol.TrustNo, err
	}
	defer tty.Close()
	fmt.Fprint(tty, describeTrust(req))
	fmt.Fprint(tty, "Accept [o]nce, [a]lways, or [N]o? ")
	line, err := bufio.NewReader(tty).ReadString('\n')
	if err != nil {
		return protocol.TrustNo, fmt.Errorf("read answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "o", "once":
		return protocol.TrustOnce, ctx.Err()
	case "a", "always", "y", "yes":
		return protocol.TrustAlways, ctx.Err()
	}
	return protocol.TrustNo, nil
}

// describeTrust renders a trust question the way OpenSSH words it.
func describeTrust(req protocol.TrustRequest) string {
	var b strings.Builder
	if req.Kind == protocol.TrustHostKey {
		fmt.Fprintf(&b, "The authenticity of host %s can't be established.\n", req.Host)
		fmt.Fprintf(&b, "%s key fingerprint is %s.\n", req.KeyType, req.Fingerprint)
		if req.CertAuthority != "" {
			fmt.Fprintf(&b, "It shows a host certificate that known_hosts trusts no CA for:\n"+
				"  CA:        %s\n  For:       %s\n  Valid:     %s to %s\n",
				req.CertAuthority, strings.Join(req.Principals, ", "), certDate(req.NotBefore, "always"), certDate(req.NotAfter, "forever"))
			b.WriteString("Answering always pins the host key, not the CA.\n")
		}
		return b.String()
	}
	fmt.Fprintf(&b, "The TLS certificate of %s is not trusted", req.Host)
	if req.Problem != "" {
		fmt.Fprintf(&b, " (%s)", req.Problem)
	}
	fmt.Fprintf(&b, ".\n  Subject:  %s\n  Issuer:   %s\n  Valid:    %s to %s\n  SHA-256:  %s\n",
		req.Subject, req.Issuer, req.NotBefore.Format("2006-01-02"), req.NotAfter.Format("2006-01-02"), req.Fingerprint)
	return b.String()
}

// certDate is a certificate bound, or open when it has none.
func certDate(t time.Time, open string) string {
	if t.IsZero() {
		return open
	}
	return t.UTC().Format("2006-01-02 15:04 MST")
}
