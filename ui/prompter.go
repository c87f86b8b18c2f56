package ui

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// Prompter answers a connection's questions with dialogs. Secret and Trust
// are called from connecting goroutines; they hand the question to the App
// through a channel (read by a Cmd) and block until the dialog is answered in
// Update, or their context ends. It is safe for concurrent use.
type Prompter struct {
	reqs chan promptReq
}

// NewPrompter makes a Prompter to pass both to the backends and to Options.
func NewPrompter() *Prompter { return &Prompter{reqs: make(chan promptReq)} }

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
	a, err := p.ask(ctx, promptReq{secret: &req})
	if err != nil {
		return "", err
	}
	return a.secret, a.err
}

// Trust asks whether to accept an unknown host key or certificate.
func (p *Prompter) Trust(ctx context.Context, req protocol.TrustRequest) (protocol.TrustDecision, error) {
	a, err := p.ask(ctx, promptReq{trust: &req})
	if err != nil {
		return protocol.TrustNo, err
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
