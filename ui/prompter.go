package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// Prompter answers a connection's questions with dialogs. Secret and Trust
// are called from connecting goroutines; they hand the question to the App
// through a channel (read by a Cmd) and block until the dialog is answered in
// Update, or their context ends. It is safe for concurrent use.
//
// Within one run it remembers passwords, passphrases and "trust once"
// answers, so the transfer queue's extra connections to a site do not ask
// again; one-time keyboard-interactive answers are never kept. An
// authentication failure forgets the remembered secrets (see Forget).
type Prompter struct {
	reqs chan promptReq

	mu      sync.Mutex
	secrets map[string]string // kind|site|prompt → answer
	trusted map[string]bool   // host|fingerprint accepted for this run
}

// NewPrompter makes a Prompter to pass both to the backends and to Options.
func NewPrompter() *Prompter {
	return &Prompter{reqs: make(chan promptReq), secrets: map[string]string{}, trusted: map[string]bool{}}
}

// Forget drops every remembered secret, e.g. after a login failed with one.
func (p *Prompter) Forget() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.secrets)
}

func secretKey(r protocol.SecretRequest) string {
	return fmt.Sprintf("%d|%s|%s", r.Kind, r.Site, r.Prompt)
}

// promptReq is one question in flight; exactly one of secret and trust is
// set. The reply channel is buffered, so Update never blocks answering.
type promptReq struct {
	secret *protocol.SecretRequest
	trust  *protocol.TrustRequest
	reply  chan promptAnswer
	ctx    context.Context
}

type promptAnswer struct {
	secret   string
	decision protocol.TrustDecision
	err      error
}

// promptMsg carries a question into Update.
type promptMsg struct{ req promptReq }

var _ protocol.Prompter = (*Prompter)(nil)

// Secret asks for a password, passphrase or keyboard-interactive answer.
func (p *Prompter) Secret(ctx context.Context, req protocol.SecretRequest) (string, error) {
	keep := req.Kind != protocol.SecretChallenge || !req.Echo && isPasswordPrompt(req.Prompt)
	k := secretKey(req)
	if keep {
		p.mu.Lock()
		s, ok := p.secrets[k]
		p.mu.Unlock()
		if ok {
			return s, nil
		}
	}
	a, err := p.ask(ctx, promptReq{secret: &req})
	if err != nil {
		return "", err
	}
	if a.err == nil && keep {
		p.mu.Lock()
		p.secrets[k] = a.secret
		p.mu.Unlock()
	}
	return a.secret, a.err
}

// isPasswordPrompt: a keyboard-interactive "Password:" question is the
// account password (worth remembering), unlike a one-time code.
func isPasswordPrompt(prompt string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(prompt)), "password")
}

// Trust asks whether to accept an unknown host key or certificate.
func (p *Prompter) Trust(ctx context.Context, req protocol.TrustRequest) (protocol.TrustDecision, error) {
	k := req.Host + "|" + req.Fingerprint
	p.mu.Lock()
	ok := p.trusted[k]
	p.mu.Unlock()
	if ok {
		return protocol.TrustOnce, nil
	}
	a, err := p.ask(ctx, promptReq{trust: &req})
	if err != nil {
		return protocol.TrustNo, err
	}
	if a.err == nil && a.decision != protocol.TrustNo {
		p.mu.Lock()
		p.trusted[k] = true
		p.mu.Unlock()
	}
	return a.decision, a.err
}

func (p *Prompter) ask(ctx context.Context, r promptReq) (promptAnswer, error) {
	r.reply = make(chan promptAnswer, 1)
	r.ctx = ctx
	select {
	case p.reqs <- r:
	case <-ctx.Done():
		return promptAnswer{}, fmt.Errorf("prompt: %w", ctx.Err())
	}
	select {
	case a := <-r.reply:
		return a, nil
	case <-ctx.Done():
		return promptAnswer{}, fmt.Errorf("prompt: %w", ctx.Err())
	}
}

// wait is the Cmd that delivers the next question; Update re-arms it.
func (p *Prompter) wait(ctx context.Context) tea.Cmd {
	return func() tea.Msg {
		select {
		case r := <-p.reqs:
			return promptMsg{req: r}
		case <-ctx.Done():
			return nil
		}
	}
}
