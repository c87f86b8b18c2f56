package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ferryhq/ferry/config"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
	"github.com/ferryhq/ferry/transfer"
	"github.com/ferryhq/ferry/ui"
)

// runTUI opens the dual-pane interface: ferry [ADDRESS [ADDRESS]] or
// ferry --demo. With one address the left pane is the current directory and
// the right pane the site; with two, each pane is one site.
func runTUI(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "ferry")
	var cf connFlags
	cf.register(fs)
	demo := fs.Bool("demo", false, "start built-in demo servers over a temporary sandbox and open them")
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) > 2 {
		return e.errorf(exitUsage, "ferry takes at most two addresses (left and right pane); see ferry --help")
	}
	if *demo {
		return runDemo(ctx, e, cf)
	}
	cfg := loadConfig(e)
	if cf.trust == "" && cfg.Trust != "" {
		cf.trust = cfg.Trust
	}
	if cf.trust == "" {
		cf.trust = "ask" // the TUI always has someone to ask
	}
	conn, err := newConnector(e, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	s := newTUISession(conn, cfg)
	left, right := s.localEndpoint(""), s.localEndpoint(homeDir())
	var sites []string
	sites = append(sites, rest...)
	if len(sites) == 2 {
		ep, err := s.endpointFor(sites[0])
		if err != nil {
			return e.errorf(exitUsage, "%v", err)
		}
		left, sites = ep, sites[1:]
	}
	if len(sites) == 1 {
		ep, err := s.endpointFor(sites[0])
		if err != nil {
			return e.errorf(exitUsage, "%v", err)
		}
		right = ep
	}
	return s.run(ctx, e, ui.Options{Left: left, Right: right})
}

// tuiSession wires one TUI run: the connector answers through the UI's
// dialogs and logs into its log view, and one queue serves both panes.
type tuiSession struct {
	conn     *connector
	cfg      config.Config
	prompter *ui.Prompter
	log      *ui.LogSink
}

func newTUISession(conn *connector, cfg config.Config) *tuiSession {
	s := &tuiSession{conn: conn, cfg: cfg, prompter: ui.NewPrompter(), log: ui.NewLogSink()}
	conn.prompter = &memoPrompter{inner: s.prompter, c: conn}
	conn.log = s.log.Func()
	conn.stderr = s.log.Func()
	return s
}

func (s *tuiSession) run(ctx context.Context, e *env, opts ui.Options) int {
	stateDir, err := transfer.DefaultStateDir(e.getenv)
	if err != nil {
		return e.errorf(exitFailed, "%v", err)
	}
	policy, err := transfer.ParsePolicy(s.cfg.Conflict)
	if err != nil {
		policy = transfer.PolicyAsk
	}
	q, err := transfer.New(transfer.Options{
		Workers:  s.cfg.Workers,
		Conflict: policy,
		StateDir: stateDir,
		Log:      s.log.Add,
		Resolve:  s.resolveEndpoint,
	})
	if err != nil {
		return e.errorf(exitFailed, "transfer queue: %v", err)
	}
	defer q.Close()
	opts.Queue = q
	opts.Prompter = s.prompter
	opts.Log = s.log
	opts.Connect = func(ctx context.Context, addr string) (ui.Endpoint, error) { return s.endpointFor(addr) }
	opts.ConnectWith = s.connectWith
	opts.Bookmarks = siteList{conn: s.conn}
	opts.Keys = s.cfg.Keymap
	opts.NoColor = opts.NoColor || s.cfg.Theme.Name == "no-color" || e.getenv("NO_COLOR") != ""
	opts.Theme = s.cfg.Theme.Name
	opts.ThemeColors = s.cfg.Theme.Colors
	opts.LSColors = e.getenv("LS_COLORS")
	opts.Icons = s.cfg.Icons == "nerd"
	opts.Editor = s.cfg.Editor
	opts.Pager = s.cfg.Pager
	opts.SyncStateDir = stateDir
	if err := ui.Run(ctx, opts); err != nil && !errors.Is(err, context.Canceled) {
		return e.errorf(exitFailed, "%v", err)
	}
	return exitOK
}

// endpointFor turns an address into a pane endpoint; nothing is dialed yet.
func (s *tuiSession) endpointFor(addr string) (ui.Endpoint, error) {
	site, err := s.conn.siteConnect(addr)
	if err != nil {
		return ui.Endpoint{}, err
	}
	if site.IsLocal() {
		return s.localEndpoint(localAbs(site.Path)), nil
	}
	dial := func(ctx context.Context) (protocol.Client, error) { return s.conn.dial(ctx, site) }
	ep := ui.Endpoint{
		Name:      displaySite(site),
		Security:  securityLabel(site.Scheme),
		Encrypted: site.Scheme != protocol.SchemeFTP,
		Dial:      dial,
		Path:      site.Path,
		Site:      site,
		Transfer:  transfer.Endpoint{ID: site.ID(), Dial: dial, MaxConns: 4},
	}
	if bm := s.conn.bookmarkFor(site); bm != nil {
		ep.Exclude = bm.Exclude
	}
	return ep, nil
}

// connectWith opens a site from the connect form: the address plus a
// password, key file and FTP mode that apply to that site for this run.
func (s *tuiSession) connectWith(_ context.Context, req ui.ConnectRequest) (ui.Endpoint, error) {
	site, err := s.conn.siteConnect(req.Addr)
	if err != nil {
		return ui.Endpoint{}, err
	}
	s.conn.setOverride(site, siteOverride{keyFile: req.KeyFile, ftpMode: req.FTPMode, ftpType: req.Type, password: req.Password, proxy: req.Proxy})
	return s.endpointFor(req.Addr)
}

// resolveEndpoint finds the endpoint of a job reloaded from the saved queue
// by its site ID, which is a URL without password.
func (s *tuiSession) resolveEndpoint(_ context.Context, id string) (transfer.Endpoint, error) {
	if id == "local" {
		return transfer.Endpoint{ID: "local", Dial: dialLocal}, nil
	}
	ep, err := s.endpointFor(id)
	if err != nil {
		return transfer.Endpoint{}, fmt.Errorf("saved job's site %s: %w", id, err)
	}
	return ep.Transfer, nil
}

func (s *tuiSession) localEndpoint(dir string) ui.Endpoint {
	return ui.Endpoint{
		Name: "local", Security: "local", Encrypted: true, Local: true,
		Dial: dialLocal, Path: dir,
		Transfer: transfer.Endpoint{ID: "local", Dial: dialLocal},
	}
}

func dialLocal(context.Context) (protocol.Client, error) { return local.New(), nil }

func homeDir() string {
	h, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return h
}

func displaySite(s protocol.Site) string {
	host := s.Host
	if s.Port != 0 {
		host = s.Address()
	}
	if s.User != "" {
		return s.User + "@" + host
	}
	return host
}

// securityLabel is the pane header's first guess, before the session
// describes itself.
func securityLabel(s protocol.Scheme) string {
	switch s {
	case protocol.SchemeSFTP:
		return "SFTP"
	case protocol.SchemeFTPS:
		return "FTPS · implicit TLS"
	case protocol.SchemeFTPES:
		return "FTPS · explicit TLS"
	case protocol.SchemeFTP:
		return "FTP · unencrypted"
	}
	return string(s)
}

// loadConfig reads config.toml once per run; a broken file is reported and
// the defaults are used, so ferry always starts.
func loadConfig(e *env) config.Config { return e.config() }
