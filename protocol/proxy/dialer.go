package proxy

import (
	"context"
	"fmt"
	"net"
	"time"
)

var (
	aLongTimeAgo = time.Unix(1, 0)
	noDeadline   time.Time
)

// Dialer makes TCP connections: through Proxy, or directly when Proxy is
// nil or NoProxy lists the host. The zero Dialer dials directly.
type Dialer struct {
	Proxy *Proxy
	// NoProxy is a NO_PROXY list (see Bypass).
	NoProxy string
	// Direct opens the TCP connections: to the proxy, or to the host when
	// there is none.
	Direct net.Dialer
}

// For returns the proxy that a connection to host takes, nil for none.
func (d *Dialer) For(host string) *Proxy {
	if d.Proxy == nil || Bypass(d.NoProxy, host) {
		return nil
	}
	return d.Proxy
}

// DialContext connects to addr, a host:port.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	if p := d.For(host); p != nil {
		return p.DialContext(ctx, &d.Direct, network, addr)
	}
	return d.Direct.DialContext(ctx, network, addr)
}

// FromEnv reads the proxy as curl does for every protocol it tunnels:
// all_proxy, else ALL_PROXY; and no_proxy, else NO_PROXY. No proxy set
// gives the zero Dialer. The scheme-specific variables (http_proxy,
// ftp_proxy) are not read: curl uses ftp_proxy for FTP over an HTTP proxy
// (GET ftp://…), which is not a tunnel.
func FromEnv(getenv func(string) string) (Dialer, error) {
	d := Dialer{NoProxy: firstEnv(getenv, "no_proxy", "NO_PROXY")}
	if raw := firstEnv(getenv, "all_proxy", "ALL_PROXY"); raw != "" {
		p, err := Parse(raw)
		if err != nil {
			return Dialer{}, fmt.Errorf("ALL_PROXY: %w", err)
		}
		d.Proxy = p
	}
	return d, nil
}

func firstEnv(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}
