// Package ftp is ferry's FTP and FTPS client: RFC 959 with the extensions
// real servers offer (RFC 2228/4217 TLS, 2428 EPSV/EPRT, 3659 MLSD/MLST/
// SIZE/MDTM/REST, 2389 FEAT, 2640 UTF8). It is written for ferry rather than
// taken from a library because ferry needs active mode, ASCII conversion,
// ABOR, per-call contexts and TLS session reuse on data connections.
//
// A Client is one control connection. FTP runs one transfer at a time on it,
// so while a reader from Open or a writer from Create is live, other calls
// fail with ErrTransient; the transfer engine uses several Clients.
package ftp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/proxy"
)

// Config holds the session options. The zero value, with a Prompter, is a
// passive, binary, UTF-8 session whose TLS follows the site's scheme.
type Config struct {
	Prompter protocol.Prompter
	Trust    protocol.TrustMode
	// Password from FERRY_PASSWORD or a bookmark. When empty and the user is
	// "" or "anonymous", the login is anonymous with password "ferry@";
	// otherwise the Prompter is asked when the server wants one.
	Password string
	Account  string // for servers that answer 332 (ACCT); else asked
	Mode     Mode
	// TrustPASV connects where a PASV reply says even when that is not the
	// server's own address (off: the NAT fix).
	TrustPASV bool
	// ActiveAddr is the address announced in PORT/EPRT (e.g. a router's
	// public address); the listener is on the control connection's local
	// address, within PortRange when set.
	ActiveAddr string
	PortRange  PortRange
	TLS        TLSMode // TLSAuto follows the site's scheme
	ProtClear  bool    // PROT C: encrypt commands only, not data
	Encoding   string  // "" or "utf-8" (default), "latin1"
	Timeout    time.Duration
	IdleNoop   time.Duration  // keepalive interval; negative disables
	PinDir     string         // pinned certificates; default $XDG_DATA_HOME/ferry/pins
	RootCAs    *x509.CertPool // nil: the system's roots
	// ExtraRoots are trusted besides RootCAs (the CLI's --ca-file).
	ExtraRoots []*x509.Certificate
	Log        protocol.LogFunc
	// Proxy carries the control connection and every passive data
	// connection through a SOCKS5 or HTTP CONNECT proxy (curl's
	// --proxytunnel way) unless its NO_PROXY list names the host; the
	// zero value connects directly. Active mode cannot use a proxy.
	Proxy proxy.Dialer
	// Type is "binary" (the default), "ascii", or "auto": ASCII for names
	// whose extension is in ASCIIExtensions (AutoType's list when empty).
	// SetTransferType overrides it for the following transfers.
	Type            string
	ASCIIExtensions []string

	maxTLS uint16 // tests: cap the TLS version to prove TLS 1.2 resumption
}

const (
	defaultTimeout  = 15 * time.Second
	defaultIdleNoop = 60 * time.Second
	anonPassword    = "ferry@"
)

// Client is one FTP session.
type Client struct {
	cfg     Config
	site    protocol.Site
	ctl     *ctrl
	tls     *tlsState
	tlsMode TLSMode
	prot    bool         // data connections are encrypted (PROT P)
	peerIP  net.IP       // the server's address; nil through a proxy
	via     *proxy.Proxy // the proxy connections go through, nil for none
	feat    map[string]string
	syst    string
	home    string
	noEPSV  bool
	noPORT  bool
	noListA bool // the server refused "LIST -a"

	mu      sync.Mutex // the control connection: user calls vs keepalive
	busy    bool       // a transfer holds the control connection
	bufs    sync.Pool  // copy buffers (copyLarge)
	curType byte       // 'I' or 'A' as last sent; 0 unknown
	xfer    protocol.TransferType
	xferSet bool // SetTransferType was called: xfer wins over Config.Type
	quit    chan struct{}
	done    chan struct{}
	closed  bool
}

// Dial connects, secures and logs in.
func Dial(ctx context.Context, site protocol.Site, cfg Config) (*Client, error) {
	if !site.Scheme.IsFTP() {
		return nil, fmt.Errorf("dial %s: not an FTP site", site.ID())
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.IdleNoop == 0 {
		cfg.IdleNoop = defaultIdleNoop
	}
	if cfg.PinDir == "" {
		cfg.PinDir = defaultPinDir()
	}
	if cfg.Prompter == nil {
		cfg.Prompter = protocol.NoPrompter{}
	}
	cs, err := newCharset(cfg.Encoding)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", site.ID(), err)
	}
	c := &Client{cfg: cfg, site: site, tlsMode: cfg.TLS, quit: make(chan struct{}), done: make(chan struct{})}
	if c.tlsMode == TLSAuto {
		switch site.Scheme {
		case protocol.SchemeFTPS:
			c.tlsMode = TLSImplicit
		case protocol.SchemeFTPES:
			c.tlsMode = TLSExplicit
		default:
			c.tlsMode = TLSNone
		}
	}
	if site.Port == 0 && c.tlsMode == TLSImplicit {
		site.Port = 990
		c.site = site
	}
	c.via = cfg.Proxy.For(site.Host)
	if c.via != nil && cfg.Mode == Active {
		return nil, protocol.NewError("dial", site.ID(), nil, "", fmt.Errorf(
			"active mode cannot work through proxy %s, as the server would connect back to us: use passive mode (--ftp-mode passive), or no proxy (--proxy none)", c.via))
	}
	if c.tlsMode != TLSNone && cfg.RootCAs == nil {
		// Go loads the system's roots once per process, on first use:
		// 40 ms here, reading every file in /etc/ssl/certs as well as the
		// bundle. Loading them now overlaps that with connecting.
		go x509.SystemCertPool() //nolint:errcheck // only warms the cache
	}
	if err := c.connect(ctx, cs); err != nil {
		if c.ctl != nil {
			c.ctl.conn.Close()
		}
		return nil, err
	}
	go c.keepalive()
	return c, nil
}

func (c *Client) logf(format string, args ...any) {
	if c.cfg.Log != nil {
		c.cfg.Log(fmt.Sprintf(format, args...))
	}
}

func (c *Client) connect(ctx context.Context, cs charset) error {
	addr := c.site.Address()
	dctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	raw, err := c.dial(dctx, addr, net.Dialer{})
	cancel()
	if err != nil {
		var ne net.Error
		if ctx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()) {
			// Our own connect timeout, not the caller's: a server or path
			// that drops the SYN (a firewall, a black hole) is worth
			// another try, as a refusal is. The dial reports it as either
			// error, depending on timing.
			return protocol.NewError("connect", c.site.ID(), protocol.ErrTransient, "",
				fmt.Errorf("no answer within %s: %w", c.cfg.Timeout, err))
		}
		return netError("connect", c.site.ID(), err)
	}
	if tc, ok := raw.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true) // commands are small and answered one by one
	}
	if c.via != nil {
		c.logf("* connected to %s through proxy %s", addr, c.via)
	} else {
		c.peerIP = raw.RemoteAddr().(*net.TCPAddr).IP
		c.logf("* connected to %s", raw.RemoteAddr())
	}
	var conn net.Conn = raw
	if c.tlsMode != TLSNone {
		c.tls = newTLSState(c.site.Host, addr, c.cfg, c.logf)
	}
	if c.tlsMode == TLSImplicit {
		if conn, err = c.tls.handshakeControl(ctx, raw, c.cfg.Timeout); err != nil {
			return err
		}
	}
	c.ctl = newCtrl(conn, c.cfg.Log, c.cfg.Timeout, cs)
	if err := c.greeting(ctx); err != nil {
		return err
	}
	if c.tlsMode == TLSExplicit {
		if _, err := c.ctl.expect(ctx, "auth tls", c.site.ID(), "AUTH TLS", 234); err != nil {
			return fmt.Errorf("server refuses explicit TLS: %w", err)
		}
		if c.ctl.r.Buffered() > 0 {
			return protocol.NewError("auth tls", c.site.ID(), protocol.ErrProtocol, "", errors.New("server sent data before the TLS handshake"))
		}
		tc, err := c.tls.handshakeControl(ctx, raw, c.cfg.Timeout)
		if err != nil {
			return err
		}
		c.ctl.setConn(tc)
	}
	if err := c.login(ctx); err != nil {
		return err
	}
	if c.tls != nil {
		if _, err := c.ctl.expect(ctx, "pbsz", "", "PBSZ 0", 200); err != nil {
			return err
		}
		prot := "PROT P"
		if c.cfg.ProtClear {
			prot = "PROT C"
		}
		if _, err := c.ctl.expect(ctx, "prot", "", prot, 200); err != nil {
			return err
		}
		c.prot = !c.cfg.ProtClear
	}
	if err := c.features(ctx); err != nil {
		return err
	}
	if _, ok := c.feat["UTF8"]; ok && isUTF8(c.cfg.Encoding) {
		if _, err := c.ctl.cmd(ctx, "opts", "", "OPTS UTF8 ON"); err != nil {
			return err
		}
	}
	if facts, ok := mlstFacts(c.feat["MLST"]); ok {
		// A refusal leaves the server's default facts: nothing is lost.
		if _, err := c.ctl.cmd(ctx, "opts", "", "OPTS MLST "+facts); err != nil {
			return err
		}
	}
	if rep, err := c.ctl.cmd(ctx, "syst", "", "SYST"); err != nil {
		return err
	} else if rep.Code == 215 {
		c.syst = rep.Message()
	}
	rep, err := c.ctl.expect(ctx, "pwd", "", "PWD", 257)
	if err != nil {
		return err
	}
	if c.home, err = parsePWD(rep.Message()); err != nil {
		return protocol.NewError("pwd", "", protocol.ErrProtocol, rep.Text(), err)
	}
	return c.setType(ctx, 'I')
}

// dial connects to addr through the session's proxy, or directly with
// direct.
func (c *Client) dial(ctx context.Context, addr string, direct net.Dialer) (net.Conn, error) {
	if c.via != nil {
		return c.via.DialContext(ctx, &direct, "tcp", addr)
	}
	return direct.DialContext(ctx, "tcp", addr)
}

func isUTF8(enc string) bool {
	e := strings.ToLower(strings.ReplaceAll(enc, "-", ""))
	return e == "" || e == "utf8"
}

func (c *Client) greeting(ctx context.Context) error {
	for {
		rep, err := c.ctl.read(ctx, "connect", c.site.ID())
		if err != nil {
			return err
		}
		switch {
		case rep.Code == 120: // "service ready in nnn minutes": wait for 220
			continue
		case rep.Code == 220:
			return nil
		default:
			return replyError("connect", c.site.ID(), rep)
		}
	}
}

func (c *Client) login(ctx context.Context) error {
	user, pass := c.site.User, c.cfg.Password
	if pass == "" {
		pass = c.site.Password
	}
	anonymous := user == "" || strings.EqualFold(user, "anonymous") || strings.EqualFold(user, "ftp")
	if user == "" {
		user = "anonymous"
	}
	if err := checkLine(user); err != nil {
		return protocol.NewError("login", c.site.ID(), protocol.ErrAuth, "", err)
	}
	rep, err := c.ctl.cmd(ctx, "login", c.site.ID(), "USER "+user)
	if err != nil {
		return err
	}
	if rep.Code == 331 {
		if pass == "" {
			if anonymous {
				pass = anonPassword
			} else if pass, err = c.cfg.Prompter.Secret(ctx, protocol.SecretRequest{
				Kind: protocol.SecretPassword, Site: user + "@" + c.site.Address(), Prompt: "Password for " + user + "@" + c.site.Host + ":",
			}); err != nil {
				return protocol.NewError("login", c.site.ID(), protocol.ErrAuth, "", err)
			}
		}
		if err := checkLine(pass); err != nil {
			return protocol.NewError("login", c.site.ID(), protocol.ErrAuth, "", errors.New("password contains a line break"))
		}
		if rep, err = c.ctl.cmd(ctx, "login", c.site.ID(), "PASS "+pass); err != nil {
			return err
		}
	}
	if rep.Code == 332 {
		acct := c.cfg.Account
		if acct == "" {
			if acct, err = c.cfg.Prompter.Secret(ctx, protocol.SecretRequest{
				Kind: protocol.SecretPassword, Site: user + "@" + c.site.Address(), Prompt: "Account for " + user + ":",
			}); err != nil {
				return protocol.NewError("login", c.site.ID(), protocol.ErrAuth, "", err)
			}
		}
		if err := checkLine(acct); err != nil {
			return protocol.NewError("login", c.site.ID(), protocol.ErrAuth, "", errors.New("account contains a line break"))
		}
		if rep, err = c.ctl.cmd(ctx, "login", c.site.ID(), "ACCT "+acct); err != nil {
			return err
		}
	}
	if rep.Code == 230 || rep.Code == 202 {
		return nil
	}
	if rep.Code == 530 || rep.Class() == 5 {
		return protocol.NewError("login", c.site.ID(), protocol.ErrAuth, rep.Text(), nil)
	}
	return replyError("login", c.site.ID(), rep)
}

// features reads FEAT into a map of upper-case feature → parameters.
func (c *Client) features(ctx context.Context) error {
	c.feat = map[string]string{}
	rep, err := c.ctl.cmd(ctx, "feat", "", "FEAT")
	if err != nil {
		return err
	}
	if rep.Code != 211 {
		return nil // no FEAT: an RFC 959-only server
	}
	for _, l := range rep.Lines[1 : len(rep.Lines)-1] {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		name, params, _ := strings.Cut(l, " ")
		c.feat[strings.ToUpper(name)] = params
	}
	return nil
}

// mlstWanted are the MLSx facts that parseMLSx reads beyond the usual
// defaults: a server may offer them in FEAT without sending them.
var mlstWanted = map[string]bool{
	"type": true, "size": true, "sizd": true, "modify": true, "unix.mode": true,
	"unix.owner": true, "unix.user": true, "unix.group": true, "unix.uid": true, "unix.gid": true,
}

// mlstFacts reads FEAT's MLST line, where a "*" marks the facts the server
// sends now ("type*;size*;modify*;unix.mode;"), and returns the list for
// OPTS MLST (RFC 3659 7.9) that keeps those and adds the ones ferry reads
// that the server offers but leaves out, or false when none is missing.
// pyftpdlib, for one, offers unix.mode without sending it, so every mode
// would otherwise be a guess (0644) that a chmod seems not to change.
func mlstFacts(feat string) (string, bool) {
	var facts []string
	missing := false
	for _, f := range strings.Split(feat, ";") {
		f = strings.TrimSpace(f)
		name, on := strings.CutSuffix(f, "*")
		switch {
		case name == "" || strings.ContainsAny(name, " \t\r\n"):
			continue
		case on:
			facts = append(facts, name)
		case mlstWanted[strings.ToLower(name)]:
			facts = append(facts, name)
			missing = true
		}
	}
	if !missing {
		return "", false
	}
	return strings.Join(facts, ";") + ";", true
}

func (c *Client) has(feature string) bool {
	_, ok := c.feat[feature]
	return ok
}

// parsePWD reads the quoted path of a 257 reply; "" inside means ".
func parsePWD(msg string) (string, error) {
	if len(msg) == 0 || msg[0] != '"' {
		return "", errors.New("257 reply without a quoted path")
	}
	var b strings.Builder
	for i := 1; i < len(msg); i++ {
		if msg[i] != '"' {
			b.WriteByte(msg[i])
			continue
		}
		if i+1 < len(msg) && msg[i+1] == '"' {
			b.WriteByte('"')
			i++
			continue
		}
		p := b.String()
		if p == "" {
			return "", errors.New("257 reply with an empty path")
		}
		return p, nil
	}
	return "", errors.New("257 reply with an unterminated path")
}

// Security describes the protection for the pane header.
func (c *Client) Security() string {
	if c.tls == nil {
		return "FTP · unencrypted"
	}
	s := "FTPS · " + tlsVersionName(c.tls.version) + " · " + c.tlsMode.String()
	if !c.prot {
		s += " · data unencrypted"
	}
	return s
}

// Encrypted reports whether commands and data are both protected.
func (c *Client) Encrypted() bool { return c.tls != nil && c.prot }

// TLSConnectionState is the control connection's TLS state, if any.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) {
	if tc, ok := c.ctl.conn.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// System is the server's SYST answer ("UNIX Type: L8"), for the log.
func (c *Client) System() string { return c.syst }

// lastDataResumed reports whether the last TLS data connection resumed the
// control connection's session.
func (c *Client) lastDataResumed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tls != nil && c.tls.resumed
}
