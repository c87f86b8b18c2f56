package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
	"github.com/ferryhq/ferry/protocol/proxy"
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
	stderr   protocol.LogFunc // a ProxyCommand's standard error

	mu        sync.Mutex
	passwords map[string]string          // user@host:port → password typed this run
	resolver  *addressResolver           // bookmarks and ssh aliases; nil until first use
	bookmarks map[string]*bookmarks.Site // site ID → the bookmark it came from
	overrides map[string]siteOverride    // site ID → options from the TUI's connect form
	recorded  map[string]bool            // site IDs already in the recent list this run
}

// siteOverride holds what the connect form says about one site beyond its
// address.
type siteOverride struct {
	keyFile  string
	ftpMode  string
	ftpType  string
	password string
	proxy    string
}

func (c *connector) setOverride(s protocol.Site, o siteOverride) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.overrides[s.ID()] = o
	if o.password != "" {
		c.passwords[promptKey(s)] = o.password
	}
}

func (c *connector) override(s protocol.Site) siteOverride {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.overrides[s.ID()]
}

func newConnector(e *env, flags connFlags) (*connector, error) {
	if err := flags.validate(); err != nil {
		return nil, err
	}
	trust, err := flags.trustMode(e.Terminal)
	if err != nil {
		return nil, err
	}
	c := &connector{e: e, flags: flags, trust: trust, passwords: map[string]string{}, bookmarks: map[string]*bookmarks.Site{}, overrides: map[string]siteOverride{}, recorded: map[string]bool{}}
	c.prompter = &memoPrompter{inner: newTermPrompter(e), c: c}
	var mu sync.Mutex
	c.stderr = func(line string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(e.Err, line)
	}
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

// site reads an address in a path position (ferry get ADDR .): a URL, a
// local path, host:path, or a bookmark or ssh alias as NAME:path.
func (c *connector) site(arg string) (protocol.Site, error) { return c.resolve(arg, false) }

// siteConnect reads an address in a connect position (ferry ADDR, the
// connect dialog), where a bare bookmark NAME is allowed too.
func (c *connector) siteConnect(arg string) (protocol.Site, error) { return c.resolve(arg, true) }

func (c *connector) resolve(arg string, connect bool) (protocol.Site, error) {
	r, err := c.addressResolver()
	if err != nil {
		return protocol.Site{}, err
	}
	s, bm, err := r.resolve(arg, connect)
	if err != nil {
		return protocol.Site{}, err
	}
	if bm != nil {
		c.mu.Lock()
		c.bookmarks[s.ID()] = bm
		c.mu.Unlock()
	}
	if s.HasPassword() {
		fmt.Fprintln(c.e.Err, "ferry: warning: a password in an address is visible in shell history and ps; prefer FERRY_PASSWORD or a bookmark")
	}
	return s, nil
}

func (c *connector) addressResolver() (*addressResolver, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.resolver == nil {
		r, err := newAddressResolver(context.Background(), c.e)
		if err != nil {
			return nil, err
		}
		c.resolver = r
	}
	return c.resolver, nil
}

func (c *connector) bookmarkFor(s protocol.Site) *bookmarks.Site {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bookmarks[s.ID()]
}

// bookmarksFor gives the bookmarks the sites came from (nil for an
// address or a local path), in order.
func (c *connector) bookmarksFor(sites ...protocol.Site) []*bookmarks.Site {
	out := make([]*bookmarks.Site, len(sites))
	for i, s := range sites {
		if !s.IsLocal() {
			out[i] = c.bookmarkFor(s)
		}
	}
	return out
}

// login is the user and password to log in with before asking: the
// address's own password, then FERRY_PASSWORD, then the bookmark's saved
// secret or a .netrc entry, then one typed earlier in this run.
func (c *connector) login(ctx context.Context, s protocol.Site) protocol.Site {
	if s.Password != "" {
		return s
	}
	if p := c.e.getenv("FERRY_PASSWORD"); p != "" {
		s.Password = p
		return s
	}
	if r, err := c.addressResolver(); err == nil {
		user, pw := r.credentials(ctx, s, c.bookmarkFor(s))
		if pw != "" {
			s.User, s.Password = user, pw
			return s
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s.Password = c.passwords[promptKey(s)]
	return s
}

// promptKey is how backends name a site in a SecretRequest: user@host:port.
func promptKey(s protocol.Site) string {
	if s.User == "" {
		return s.Address()
	}
	return s.User + "@" + s.Address()
}

// dial connects to s. Local sites get a local Client. A successful remote
// connection is remembered among the recent sites.
func (c *connector) dial(ctx context.Context, s protocol.Site) (protocol.Client, error) {
	if s.IsLocal() {
		return local.New(), nil
	}
	bm := c.bookmarkFor(s)
	id := s.ID()
	s = c.login(ctx, s)
	var cl protocol.Client
	var err error
	switch {
	case s.Scheme == protocol.SchemeSFTP:
		ids := append([]string(nil), c.flags.identities...)
		if o := c.override(s); o.keyFile != "" {
			ids = append(ids, o.keyFile)
		}
		if bm != nil && bm.KeyFile != "" {
			ids = append(ids, bm.KeyFile)
		}
		var order []string
		if bm != nil {
			for _, m := range bm.AuthOrder {
				order = append(order, string(m))
			}
		}
		var px proxy.Dialer
		if px, err = c.proxyFor(s, bm); err != nil {
			return nil, err
		}
		var sc *sftp.Client
		sc, err = sftp.Dial(ctx, s, sftp.Config{
			Proxy:          px,
			Stderr:         c.stderr,
			AuthOrder:      order,
			Prompter:       c.prompter,
			Trust:          c.trust,
			KnownHostsFile: c.flags.knownHosts,
			SSHConfigFile:  c.flags.sshConfig,
			IdentityFiles:  ids,
			Password:       s.Password,
			Timeout:        c.flags.timeout,
			Log:            c.log,
		})
		if err == nil {
			cl = sc
		}
	case s.Scheme.IsFTP():
		cl, err = c.dialFTP(ctx, s, bm)
	default:
		err = fmt.Errorf("%s: unsupported scheme %q", id, s.Scheme)
	}
	if err != nil {
		return nil, err
	}
	c.recordRecent(ctx, id, s, bm)
	return cl, nil
}

// recordRecent adds a site to the recent list once per run: the queue's
// pooled connections dial the same site again and need not rewrite the file.
// It is best effort: a read-only state dir must not fail a copy. The file
// is written (and synced) on the side, not before the first transfer.
func (c *connector) recordRecent(ctx context.Context, id string, s protocol.Site, bm *bookmarks.Site) {
	c.mu.Lock()
	seen := c.recorded[id]
	c.recorded[id] = true
	c.mu.Unlock()
	if seen {
		return
	}
	c.e.background.Go(func() {
		if r, err := c.addressResolver(); err == nil {
			_ = r.record(ctx, s, bm)
		}
	})
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
