package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
	"github.com/ferryhq/ferry/protocol/sftp"
)

// connector turns addresses into connected Clients using the connection
// flags. One connector serves a whole command, so a password typed once is
// reused for the extra connections parallel transfers open.
type connector struct {
	e        *env
	flags    connFlags
	trust    protocol.TrustMode
	prompter protocol.Prompter
	log      protocol.LogFunc

	mu        sync.Mutex
	passwords map[string]string // site ID → password typed this run
}

func newConnector(e *env, flags connFlags) (*connector, error) {
	if err := flags.validate(); err != nil {
		return nil, err
	}
	trust, err := flags.trustMode(e.Terminal)
	if err != nil {
		return nil, err
	}
	c := &connector{e: e, flags: flags, trust: trust, passwords: map[string]string{}}
	c.prompter = &memoPrompter{inner: newTermPrompter(e), c: c}
	if flags.debug {
		var mu sync.Mutex
		c.log = func(line string) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(e.Err, line)
		}
	}
	return c, nil
}

// site parses an address given on the command line.
func (c *connector) site(arg string) (protocol.Site, error) {
	s, err := protocol.Parse(arg)
	if err != nil {
		return protocol.Site{}, err
	}
	if s.HasPassword() {
		fmt.Fprintln(c.e.Err, "ferry: warning: a password in an address is visible in shell history and ps; prefer FERRY_PASSWORD or a bookmark")
	}
	return s, nil
}

// password is what to log in with before asking: the address's own, then
// FERRY_PASSWORD, then one typed earlier in this run.
func (c *connector) password(s protocol.Site) string {
	if s.Password != "" {
		return s.Password
	}
	if p := c.e.getenv("FERRY_PASSWORD"); p != "" {
		return p
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.passwords[promptKey(s)]
}

// promptKey is how backends name a site in a SecretRequest: user@host:port.
func promptKey(s protocol.Site) string {
	if s.User == "" {
		return s.Address()
	}
	return s.User + "@" + s.Address()
}

// dial connects to s. Local sites get a local Client.
func (c *connector) dial(ctx context.Context, s protocol.Site) (protocol.Client, error) {
	switch {
	case s.IsLocal():
		return local.New(), nil
	case s.Scheme == protocol.SchemeSFTP:
		cl, err := sftp.Dial(ctx, s, sftp.Config{
			Prompter:       c.prompter,
			Trust:          c.trust,
			KnownHostsFile: c.flags.knownHosts,
			SSHConfigFile:  c.flags.sshConfig,
			IdentityFiles:  c.flags.identities,
			Password:       c.password(s),
			Timeout:        c.flags.timeout,
			Log:            c.log,
		})
		if err != nil {
			return nil, err
		}
		return cl, nil
	case s.Scheme.IsFTP():
		return c.dialFTP(ctx, s)
	}
	return nil, fmt.Errorf("%s: unsupported scheme %q", s.ID(), s.Scheme)
}

// exitFor picks the exit status for a connection error.
func exitFor(err error) int {
	switch {
	case errors.Is(err, context.Canceled):
		return exitCanceled
	case errors.Is(err, protocol.ErrHostKey), errors.Is(err, protocol.ErrTLS):
		return exitTrust
	case errors.Is(err, protocol.ErrAuth):
		return exitConnect
	}
	return exitFailed
}

// memoPrompter remembers passwords typed for a site so that extra
// connections of the same run do not ask again.
type memoPrompter struct {
	inner protocol.Prompter
	c     *connector
}

func (m *memoPrompter) Secret(ctx context.Context, req protocol.SecretRequest) (string, error) {
	v, err := m.inner.Secret(ctx, req)
	if err == nil && req.Kind == protocol.SecretPassword && req.Site != "" {
		m.c.mu.Lock()
		m.c.passwords[strings.TrimSpace(req.Site)] = v
		m.c.mu.Unlock()
	}
	return v, err
}

func (m *memoPrompter) Trust(ctx context.Context, req protocol.TrustRequest) (protocol.TrustDecision, error) {
	return m.inner.Trust(ctx, req)
}
