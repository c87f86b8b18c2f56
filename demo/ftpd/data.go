package ftpd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// dataSetup is how the next data connection will be made: by accepting on a
// passive listener or by dialling the client's PORT/EPRT address.
type dataSetup interface {
	open(ctx context.Context) (net.Conn, error)
	close()
}

// passive accepts one connection, only from the control connection's peer
// (anyone else could otherwise steal the data).
type passive struct {
	ln     net.Listener
	peerIP net.IP
}

func (p *passive) open(ctx context.Context) (net.Conn, error) {
	stop := context.AfterFunc(ctx, func() { p.ln.Close() })
	defer stop()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		if ip := c.RemoteAddr().(*net.TCPAddr).IP; !ip.Equal(p.peerIP) {
			c.Close()
			continue
		}
		p.ln.Close()
		return c, nil
	}
}

func (p *passive) close() { p.ln.Close() }

// active dials the address a PORT or EPRT command named.
type active struct{ addr string }

func (a *active) open(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", a.addr)
}

func (a *active) close() {}

func (s *session) closeData() {
	if s.data != nil {
		s.data.close()
		s.data = nil
	}
}

func (s *session) controlIPs() (local, peer *net.TCPAddr) {
	local, _ = s.conn.LocalAddr().(*net.TCPAddr)
	peer, _ = s.conn.RemoteAddr().(*net.TCPAddr)
	return local, peer
}

func (s *session) listenPassive() (*net.TCPAddr, error) {
	s.closeData()
	local, peer := s.controlIPs()
	if local == nil || peer == nil {
		return nil, errors.New("control connection is not TCP")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(s.ctx, "tcp", net.JoinHostPort(local.IP.String(), "0"))
	if err != nil {
		return nil, err
	}
	// An unused passive listener must not live forever.
	time.AfterFunc(s.srv.opts.DataTimeout, func() { ln.Close() })
	s.data = &passive{ln: ln, peerIP: peer.IP}
	return ln.Addr().(*net.TCPAddr), nil
}

func (s *session) cmdPASV(string) error {
	addr, err := s.listenPassive()
	if err != nil {
		s.logf("passive listen: %v", err)
		return s.reply(425, "Cannot open passive connection.")
	}
	ip := addr.IP.To4()
	if s.srv.opts.PasvIP != "" {
		ip = net.ParseIP(s.srv.opts.PasvIP).To4()
	}
	if ip == nil {
		s.closeData()
		return s.reply(522, "PASV needs IPv4; use EPSV.")
	}
	return s.reply(227, fmt.Sprintf("Entering Passive Mode (%d,%d,%d,%d,%d,%d).",
		ip[0], ip[1], ip[2], ip[3], addr.Port>>8, addr.Port&0xff))
}

func (s *session) cmdEPSV(arg string) error {
	switch strings.ToUpper(arg) {
	case "", "1", "2":
	case "ALL":
		return s.reply(200, "EPSV ALL ok.")
	default:
		return s.reply(522, "Bad network protocol; use (1,2).")
	}
	addr, err := s.listenPassive()
	if err != nil {
		s.logf("passive listen: %v", err)
		return s.reply(425, "Cannot open passive connection.")
	}
	return s.reply(229, fmt.Sprintf("Entering Extended Passive Mode (|||%d|).", addr.Port))
}

// setActive checks an address from PORT/EPRT: it must be the control
// peer's own address and not a privileged port (the FTP bounce attack).
func (s *session) setActive(ip net.IP, port int) bool {
	_, peer := s.controlIPs()
	if peer == nil || !ip.Equal(peer.IP) || port < 1024 || port > 65535 {
		return false
	}
	s.closeData()
	s.data = &active{addr: net.JoinHostPort(ip.String(), strconv.Itoa(port))}
	return true
}

func (s *session) cmdPORT(arg string) error {
	parts := strings.Split(arg, ",")
	if len(parts) != 6 {
		return s.reply(501, "Illegal PORT command.")
	}
	var b [6]byte
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 || n > 255 {
			return s.reply(501, "Illegal PORT command.")
		}
		b[i] = byte(n)
	}
	ip := net.IPv4(b[0], b[1], b[2], b[3])
	if !s.setActive(ip, int(b[4])<<8|int(b[5])) {
		return s.reply(500, "Illegal PORT command.")
	}
	return s.reply(200, "PORT command successful. Consider using PASV.")
}

// cmdEPRT parses "|1|132.235.1.2|6275|" (RFC 2428); the first character is
// the delimiter.
func (s *session) cmdEPRT(arg string) error {
	if len(arg) < 2 {
		return s.reply(501, "Bad EPRT argument.")
	}
	fields := strings.Split(arg, arg[:1])
	if len(fields) != 5 || fields[0] != "" || fields[4] != "" {
		return s.reply(501, "Bad EPRT argument.")
	}
	if fields[1] != "1" && fields[1] != "2" {
		return s.reply(522, "Bad network protocol; use (1,2).")
	}
	ip := net.ParseIP(fields[2])
	port, err := strconv.Atoi(fields[3])
	if ip == nil || err != nil {
		return s.reply(501, "Bad EPRT argument.")
	}
	if !s.setActive(ip, port) {
		return s.reply(500, "Illegal EPRT command.")
	}
	return s.reply(200, "EPRT command successful.")
}

// openData makes the data connection announced by the 150 reply, with TLS
// when PROT P is in force. It runs on the transfer goroutine, so it reads
// no session state. The caller closes the connection.
func (s *session) openData(ctx context.Context, setup dataSetup, protP bool) (net.Conn, error) {
	if setup == nil {
		return nil, errors.New("no PORT or PASV")
	}
	ctx, cancel := context.WithTimeout(ctx, s.srv.opts.DataTimeout)
	defer cancel()
	c, err := setup.open(ctx)
	setup.close()
	if err != nil {
		return nil, err
	}
	if !protP {
		return c, nil
	}
	tc := tls.Server(c, s.srv.opts.TLS)
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("data TLS handshake: %w", err)
	}
	if s.srv.opts.RequireTLSReuse && !tc.ConnectionState().DidResume {
		tc.Close()
		return nil, errNoReuse
	}
	return tc, nil
}

var errNoReuse = errors.New("data connection did not resume the control connection's TLS session")
