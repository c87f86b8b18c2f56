package ftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// Mode is how data connections are made.
type Mode int

const (
	Passive Mode = iota // the client connects (EPSV, PASV): works through client NAT
	Active              // the server connects back (EPRT, PORT)
)

// ParseMode reads "passive" or "active".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "", "passive":
		return Passive, nil
	case "active":
		return Active, nil
	}
	return Passive, fmt.Errorf(`FTP mode must be "passive" or "active", not %q`, s)
}

// PortRange limits the local ports active mode listens on; zero means any.
type PortRange struct{ Min, Max int }

// dataSetup is a data connection in the making: dialled already (passive)
// or listening for the server (active).
type dataSetup struct {
	conn     net.Conn
	ln       net.Listener
	serverIP net.IP
}

func (d *dataSetup) close() {
	if d.conn != nil {
		d.conn.Close()
	}
	if d.ln != nil {
		d.ln.Close()
	}
}

// connect returns the data connection: the dialled one, or the first
// connection to the listener that comes from the server's address. Others
// are refused: in active mode anyone could otherwise race the server to the
// port and feed us a file or read our upload.
func (d *dataSetup) connect(ctx context.Context, timeout time.Duration, log func(string, ...any)) (net.Conn, error) {
	if d.conn != nil {
		c := d.conn
		d.conn = nil
		return c, nil
	}
	ln := d.ln.(*net.TCPListener)
	deadline := time.Now().Add(timeout)
	_ = ln.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = ln.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	for {
		c, err := ln.AcceptTCP()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("wait for the server's data connection: %w", err)
		}
		from := c.RemoteAddr().(*net.TCPAddr).IP
		if from.Equal(d.serverIP) {
			d.ln.Close()
			d.ln = nil
			return c, nil
		}
		log("* refused data connection from %s (the server is %s)", from, d.serverIP)
		c.Close()
	}
}

// prepareData sets up the data channel for the next transfer command.
func (c *Client) prepareData(ctx context.Context, op, p string) (*dataSetup, error) {
	if c.cfg.Mode == Active {
		return c.prepareActive(ctx, op, p)
	}
	return c.preparePassive(ctx, op, p)
}

func (c *Client) preparePassive(ctx context.Context, op, p string) (*dataSetup, error) {
	var addr string
	if !c.noEPSV {
		rep, err := c.ctl.cmd(ctx, op, p, "EPSV")
		if err != nil {
			return nil, err
		}
		switch {
		case rep.Code == 229:
			port, err := parseEPSV(rep.Message())
			if err != nil {
				return nil, protocol.NewError(op, p, protocol.ErrProtocol, rep.Text(), err)
			}
			addr = net.JoinHostPort(c.dataHost(), strconv.Itoa(port))
		case (rep.Code == 500 || rep.Code == 501 || rep.Code == 502) && c.peerIsIPv4():
			c.noEPSV = true // remember: one failed EPSV per session is enough
		default:
			return nil, replyError(op, p, rep)
		}
	}
	if addr == "" {
		rep, err := c.ctl.expect(ctx, op, p, "PASV", 227)
		if err != nil {
			return nil, err
		}
		ip, port, err := parsePASV(rep.Message())
		if err != nil {
			return nil, protocol.NewError(op, p, protocol.ErrProtocol, rep.Text(), err)
		}
		host := ip.String()
		if !ip.Equal(c.peerIP) && !c.cfg.TrustPASV {
			// The NAT problem: servers behind NAT name their private
			// address. Connecting elsewhere than the server is also how a
			// hostile server would make us attack a third host. Through a
			// proxy the server is the host the control connection named.
			host = c.dataHost()
			c.ctl.logf("* PASV named %s; connecting to the server's address %s instead", ip, host)
		}
		addr = net.JoinHostPort(host, strconv.Itoa(port))
	}
	// No TCP keepalive: a data connection lives for one transfer, and a
	// stalled one ends by read deadline. Its four socket options per file
	// showed up in the cost of a tree of small files. Through a proxy,
	// each data connection is a tunnel of its own.
	dctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	conn, err := c.dial(dctx, addr, net.Dialer{KeepAlive: -1})
	cancel()
	if err != nil {
		return nil, netError(op, p, fmt.Errorf("data connection to %s: %w", addr, err))
	}
	return &dataSetup{conn: conn}, nil
}

// dataHost is where passive data connections go: the server's address,
// or through a proxy the host the control connection named, as curl does.
func (c *Client) dataHost() string {
	if c.peerIP != nil {
		return c.peerIP.String()
	}
	return c.site.Host
}

// peerIsIPv4 reports whether PASV can name the server (IPv4 only): true
// for a host name reached through a proxy, which may be either.
func (c *Client) peerIsIPv4() bool {
	if c.peerIP != nil {
		return c.peerIP.To4() != nil
	}
	ip := net.ParseIP(c.site.Host)
	return ip == nil || ip.To4() != nil
}

func (c *Client) prepareActive(ctx context.Context, op, p string) (*dataSetup, error) {
	local := c.ctl.conn.LocalAddr().(*net.TCPAddr)
	if tc, ok := c.ctl.conn.(interface{ NetConn() net.Conn }); ok {
		local = tc.NetConn().LocalAddr().(*net.TCPAddr)
	}
	ln, err := c.listenActive(ctx, local.IP)
	if err != nil {
		return nil, netError(op, p, fmt.Errorf("listen for active mode: %w", err))
	}
	ds := &dataSetup{ln: ln, serverIP: c.peerIP}
	port := ln.Addr().(*net.TCPAddr).Port
	adv := local.IP
	if c.cfg.ActiveAddr != "" {
		if adv = net.ParseIP(c.cfg.ActiveAddr); adv == nil {
			ds.close()
			return nil, protocol.NewError(op, p, nil, "", fmt.Errorf("active address %q is not an IP address", c.cfg.ActiveAddr))
		}
	}
	if v4 := adv.To4(); v4 != nil && !c.noPORT {
		cmd := fmt.Sprintf("PORT %d,%d,%d,%d,%d,%d", v4[0], v4[1], v4[2], v4[3], port>>8, port&0xff)
		rep, err := c.ctl.cmd(ctx, op, p, cmd)
		if err != nil {
			ds.close()
			return nil, err
		}
		if rep.Code == 200 {
			return ds, nil
		}
		if rep.Code != 500 && rep.Code != 502 {
			ds.close()
			return nil, replyError(op, p, rep)
		}
		c.noPORT = true
	}
	af := 2
	if adv.To4() != nil {
		af = 1
	}
	if _, err := c.ctl.expect(ctx, op, p, fmt.Sprintf("EPRT |%d|%s|%d|", af, adv, port), 200); err != nil {
		ds.close()
		return nil, err
	}
	return ds, nil
}

func (c *Client) listenActive(ctx context.Context, ip net.IP) (net.Listener, error) {
	var lc net.ListenConfig
	r := c.cfg.PortRange
	if r.Min <= 0 || r.Max < r.Min {
		return lc.Listen(ctx, "tcp", net.JoinHostPort(ip.String(), "0"))
	}
	var last error
	for port := r.Min; port <= r.Max && port <= 65535; port++ {
		ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
		if err == nil {
			return ln, nil
		}
		last = err
	}
	return nil, fmt.Errorf("no free port in %d-%d: %w", r.Min, r.Max, last)
}

// parseEPSV reads "Entering Extended Passive Mode (|||6446|)" (RFC 2428).
// The delimiter is whatever character follows "(".
func parseEPSV(msg string) (int, error) {
	open := strings.IndexByte(msg, '(')
	end := strings.LastIndexByte(msg, ')')
	if open < 0 || end < open+5 {
		return 0, errors.New("EPSV reply without (|||port|)")
	}
	s := msg[open+1 : end]
	d := s[0]
	if d < 33 || d > 126 || (d >= '0' && d <= '9') {
		return 0, errors.New("EPSV reply with a bad delimiter")
	}
	parts := strings.Split(s, string(d))
	if len(parts) != 5 || parts[0] != "" || parts[1] != "" || parts[2] != "" || parts[4] != "" {
		return 0, fmt.Errorf("EPSV reply %q is not (|||port|)", s)
	}
	port, err := strconv.Atoi(parts[3])
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("EPSV port %q out of range", parts[3])
	}
	return port, nil
}

// parsePASV reads "Entering Passive Mode (h1,h2,h3,h4,p1,p2)"; some servers
// leave out the parentheses, so the first run of six numbers counts.
func parsePASV(msg string) (net.IP, int, error) {
	start := strings.IndexAny(msg, "0123456789")
	for start >= 0 {
		end := start
		for end < len(msg) && (msg[end] >= '0' && msg[end] <= '9' || msg[end] == ',' || msg[end] == ' ') {
			end++
		}
		fields := strings.Split(strings.ReplaceAll(msg[start:end], " ", ""), ",")
		if len(fields) == 6 {
			var n [6]int
			ok := true
			for i, f := range fields {
				v, err := strconv.Atoi(f)
				if err != nil || v < 0 || v > 255 || len(f) > 3 {
					ok = false
					break
				}
				n[i] = v
			}
			if ok {
				port := n[4]<<8 | n[5]
				if port == 0 {
					return nil, 0, errors.New("PASV port 0")
				}
				return net.IPv4(byte(n[0]), byte(n[1]), byte(n[2]), byte(n[3])), port, nil
			}
		}
		next := strings.IndexAny(msg[end:], "0123456789")
		if next < 0 {
			break
		}
		start = end + next
	}
	return nil, 0, fmt.Errorf("PASV reply %q holds no address", clip(msg))
}
