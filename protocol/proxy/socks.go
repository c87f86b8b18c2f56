package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	xproxy "golang.org/x/net/proxy"
)

// withConn is the method of x/net's SOCKS dialer that runs the SOCKS
// exchange on a connection we opened: the caller then gets the plain TCP
// connection back (a *net.TCPConn, whose socket options and sendfile
// paths the backends use) instead of a wrapper.
type withConn interface {
	DialWithConn(ctx context.Context, c net.Conn, network, address string) (net.Addr, error)
}

func (p *Proxy) dialSOCKS(ctx context.Context, direct *net.Dialer, addr string) (net.Conn, error) {
	target := addr
	if p.kind == SOCKS5 {
		// socks5:// resolves here and sends the proxy an address, as curl
		// does; socks5h:// sends the name.
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if net.ParseIP(host) == nil {
			r := direct.Resolver
			if r == nil {
				r = net.DefaultResolver
			}
			ips, err := r.LookupIPAddr(ctx, host)
			if err != nil {
				return nil, fmt.Errorf("resolve %s (socks5h:// lets the proxy resolve it): %w", host, err)
			}
			target = net.JoinHostPort(ips[0].IP.String(), port)
		}
	}
	var auth *xproxy.Auth
	if p.hasAuth {
		auth = &xproxy.Auth{User: p.user, Password: p.password}
	}
	d, err := xproxy.SOCKS5("tcp", p.addr, auth, direct)
	if err != nil {
		return nil, err
	}
	wc, ok := d.(withConn)
	if !ok {
		return nil, errors.New("the SOCKS5 dialer cannot use our connection")
	}
	conn, err := direct.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	if _, err := wc.DialWithConn(ctx, conn, "tcp", target); err != nil {
		conn.Close()
		return nil, socksError(err, p.hasAuth)
	}
	return conn, nil
}

// socksError marks x/net's login failures with ErrAuth; it reports them
// only as text.
func socksError(err error, hasAuth bool) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "username/password authentication failed"):
		return fmt.Errorf("%w: the proxy refused the user and password: %w", ErrAuth, err)
	case strings.Contains(msg, "no acceptable authentication methods"):
		if hasAuth {
			return fmt.Errorf("%w: the proxy accepts none of our login methods: %w", ErrAuth, err)
		}
		return fmt.Errorf("%w: the proxy wants a login (socks5://user:pass@host:port): %w", ErrAuth, err)
	}
	// A proxy that hangs up mid-handshake shows as EOF or, when it closed
	// with our bytes unread, a reset: either way, say what happened.
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		return fmt.Errorf("the SOCKS5 proxy closed the connection during the handshake: %w", err)
	}
	return err
}
