// Package proxy dials TCP connections through a SOCKS5 or HTTP CONNECT
// proxy, the way curl does with -x: socks5:// resolves the target here,
// socks5h:// lets the proxy resolve it, http:// asks for a tunnel with
// CONNECT. It also reads curl's ALL_PROXY and NO_PROXY. It imports nothing
// of ferry's, so every backend can use it.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Kinds of proxy, by URL scheme.
const (
	SOCKS5  = "socks5"  // SOCKS5; the target's name is resolved locally
	SOCKS5H = "socks5h" // SOCKS5; the proxy resolves the target's name
	HTTP    = "http"    // HTTP CONNECT tunnel
)

// defaultPort is the proxy port when the URL has none: curl's 1080, for
// every kind.
const defaultPort = "1080"

// ErrAuth means the proxy refused the user and password, or wants some.
var ErrAuth = errors.New("proxy authentication failed")

// Proxy is a parsed proxy URL.
type Proxy struct {
	kind     string
	addr     string // host:port of the proxy
	user     string
	password string
	hasAuth  bool
}

// Parse reads socks5://[user:pass@]host[:port], socks5h://… or
// http://[user:pass@]host[:port]. As in curl, a URL without a scheme is an
// HTTP proxy and the port defaults to 1080.
func Parse(raw string) (*Proxy, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, errors.New("proxy: empty URL")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("proxy %q: %w", redact(raw), err)
	}
	p := &Proxy{kind: strings.ToLower(u.Scheme)}
	switch p.kind {
	case SOCKS5, SOCKS5H, HTTP:
	default:
		return nil, fmt.Errorf("proxy %s: scheme %q is not socks5, socks5h or http", u.Redacted(), u.Scheme)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("proxy %s: a proxy URL has no path or query", u.Redacted())
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return nil, fmt.Errorf("proxy %s: no host", u.Redacted())
	}
	if port == "" {
		port = defaultPort
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("proxy %s: bad port %q", u.Redacted(), port)
	}
	p.addr = net.JoinHostPort(host, port)
	if u.User != nil {
		p.user = u.User.Username()
		p.password, _ = u.User.Password()
		p.hasAuth = true
	}
	return p, nil
}

// redact hides what looks like a password in a URL that did not parse.
func redact(raw string) string {
	at := strings.LastIndexByte(raw, '@')
	if at < 0 {
		return raw
	}
	start := strings.Index(raw, "://") + 3
	if start < 3 {
		start = 0
	}
	return raw[:start] + "…@" + raw[at+1:]
}

// Kind is SOCKS5, SOCKS5H or HTTP.
func (p *Proxy) Kind() string { return p.kind }

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.addr }

// HasPassword reports whether the URL carried a password.
func (p *Proxy) HasPassword() bool { return p.password != "" }

// String is the URL with the password masked.
func (p *Proxy) String() string {
	s := p.kind + "://"
	if p.hasAuth {
		s += url.User(p.user).String()
		if p.password != "" {
			s += ":xxxxx"
		}
		s += "@"
	}
	return s + p.addr
}

// DialContext connects to addr (host:port, TCP only) through the proxy,
// opening the connection to the proxy with direct. The context bounds the
// whole exchange with the proxy.
func (p *Proxy) DialContext(ctx context.Context, direct *net.Dialer, network, addr string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, fmt.Errorf("proxy %s: cannot dial %s", p, network)
	}
	if direct == nil {
		direct = &net.Dialer{}
	}
	var conn net.Conn
	var err error
	switch p.kind {
	case HTTP:
		conn, err = p.dialConnect(ctx, direct, addr)
	default:
		conn, err = p.dialSOCKS(ctx, direct, addr)
	}
	if err != nil {
		// A deadline shows as the connection's timeout (a net.Error
		// whose Timeout is true), which callers retry; a cancel is said.
		if errors.Is(ctx.Err(), context.Canceled) && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w (%w)", context.Canceled, err)
		}
		return nil, fmt.Errorf("through proxy %s: %w", p, err)
	}
	return conn, nil
}

// handshake runs fn on conn with ctx's deadline applied to conn and a
// cancel of ctx closing it, then clears the deadline.
func handshake(ctx context.Context, conn net.Conn, fn func() error) error {
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(aLongTimeAgo) })
	err := fn()
	if !stop() && err == nil {
		err = ctx.Err()
	}
	_ = conn.SetDeadline(noDeadline)
	return err
}
