package sftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/proxy"
	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/cpu"
)

const (
	// maxPacket is the payload per read or write request. OpenSSH's server
	// caps messages at 256 KiB and reads at 256 KiB - 1024 bytes; 255 KiB
	// fits both with room for the request header.
	maxPacket = 255 * 1024
	// maxRequests is how many requests one file keeps in flight.
	maxRequests = 32
)

// Dial connects to site, through ProxyJump hops when ssh config names
// them, authenticates and starts the SFTP subsystem.
func Dial(ctx context.Context, site protocol.Site, cfg Config) (*Client, error) {
	if site.Scheme != protocol.SchemeSFTP {
		return nil, fmt.Errorf("sftp: cannot dial %s", site.ID())
	}
	if cfg.Password == "" {
		cfg.Password = site.Password
	}
	sc, err := loadSSHConfig(cfg)
	if err != nil {
		return nil, err
	}
	t, err := sc.resolve(ctx, cfg, site.Host, site.Port, site.User)
	if err != nil {
		return nil, err
	}
	logWarnings(cfg, t)
	if cfg.KeepAlive <= 0 && t.aliveInterval > 0 {
		cfg.KeepAlive = t.aliveInterval
		cfg.keepAliveMax = 3 // OpenSSH's default ServerAliveCountMax
	}
	if t.aliveCountMax > 0 {
		cfg.keepAliveMax = t.aliveCountMax
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = t.timeout
	}
	if timeout <= 0 {
		timeout = defaultTimeout
	}

	var hops []*ssh.Client
	var links []*bufferedConn // every hop's and the target's, to settle
	closeHops := func() {
		for i := len(hops) - 1; i >= 0; i-- {
			hops[i].Close()
		}
	}
	var via *ssh.Client
	if t.proxyJump != "" {
		for _, hop := range strings.Split(t.proxyJump, ",") {
			host, port, user, err := parseJump(hop)
			if err != nil {
				closeHops()
				return nil, fmt.Errorf("ssh config: host %s: %w", t.alias, err)
			}
			ht, err := sc.resolve(ctx, cfg, host, port, user)
			if err != nil {
				closeHops()
				return nil, err
			}
			logWarnings(cfg, ht)
			cfg.logf("* jumping through " + ht.String())
			hc, link, err := dialSSH(ctx, cfg, via, ht, timeout)
			if err != nil {
				closeHops()
				return nil, fmt.Errorf("ProxyJump %s: %w", ht.alias, err)
			}
			hops = append(hops, hc)
			links = append(links, link)
			via = hc
		}
	}
	conn, link, err := dialSSH(ctx, cfg, via, t, timeout)
	if err != nil {
		closeHops()
		return nil, err
	}
	c, err := newClient(ctx, cfg, conn, link, hops, timeout)
	if err != nil {
		conn.Close()
		closeHops()
		return nil, err
	}
	for _, l := range append(links, link) {
		l.settled()
	}
	return c, nil
}

// dialSSH opens the TCP connection (directly or through via) and runs the
// SSH handshake under one deadline. It returns the client and the link it
// runs on, which the caller settles once the session is set up.
func dialSSH(ctx context.Context, cfg Config, via *ssh.Client, t target, timeout time.Duration) (*ssh.Client, *bufferedConn, error) {
	addr := t.addr()
	cfg.logf("* connecting to " + addr)
	dctx, cancel := context.WithTimeout(ctx, timeout)
	var conn net.Conn
	var err error
	if via == nil {
		conn, err = dialFirst(dctx, cfg, t)
	} else {
		conn, err = via.DialContext(dctx, "tcp", addr)
	}
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		} else if ne := net.Error(nil); errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			// A dropped SYN (a firewall, a black hole): say how long.
			err = fmt.Errorf("no answer within %s: %w", timeout, err)
		}
		kind := protocol.ErrTransient
		if errors.Is(err, proxy.ErrAuth) {
			kind = protocol.ErrAuth
		}
		return nil, nil, protocol.NewError("connect", addr, kind, "", err)
	}

	wd := newWatchdog(ctx, conn, timeout)
	l := &login{ctx: ctx, cfg: cfg, t: t, site: t.String(), pause: wd.pause, logf: cfg.logf}
	defer l.close()
	hk := newHostKeys(ctx, cfg, t, wd.pause)
	var hostKeyErr error
	hostKeyOK := false // key exchange is over; what fails next is the login
	hkCallback := hk.callback(t.hostKeyAddr())
	sshCfg := &ssh.ClientConfig{
		User: t.user,
		Auth: l.methods(),
		HostKeyCallback: func(h string, a net.Addr, k ssh.PublicKey) error {
			hostKeyErr = hkCallback(h, a, k)
			hostKeyOK = hostKeyErr == nil
			return hostKeyErr
		},
		HostKeyAlgorithms: t.algos.hostKeyAlgorithms(hk.algorithms(t.hostKeyAddr())),
		BannerCallback: func(msg string) error {
			for _, line := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
				cfg.logf("< " + line)
			}
			return nil
		},
		Config: t.algos.config(ssh.Config{Ciphers: preferredCiphers(), MACs: preferredMACs}),
	}
	bc := newBufferedConn(conn)
	sc, chans, reqs, err := ssh.NewClientConn(bc, addr, sshCfg)
	expired := wd.stop()
	if err != nil {
		bc.Close()
		switch {
		case hostKeyErr != nil:
			return nil, nil, hostKeyErr
		case ctx.Err() != nil:
			return nil, nil, protocol.NewError("connect", addr, nil, "", ctx.Err())
		case expired:
			return nil, nil, protocol.NewError("connect", addr, protocol.ErrTransient,
				fmt.Sprintf("no SSH handshake within %s", timeout), err)
		}
		_, kind := classify(err)
		// The ssh package reports a refused login in several ways (no
		// methods left, or a method refused before it began); any failure
		// after the host key passed that is not a dropped link is a login
		// failure.
		if strings.Contains(err.Error(), "unable to authenticate") || errors.Is(err, protocol.ErrNoPrompt) ||
			(hostKeyOK && kind != protocol.ErrTransient) {
			return nil, nil, protocol.NewError("login", t.String(), protocol.ErrAuth, l.authReason(err), err)
		}
		if kind == nil {
			kind = protocol.ErrProtocol
		}
		return nil, nil, protocol.NewError("connect", addr, kind, "", err)
	}
	cfg.logf("* logged in as " + t.user)
	return ssh.NewClient(sc, chans, reqs), bc, nil
}

// logWarnings logs what t's ssh config asks for that ferry cannot do.
func logWarnings(cfg Config, t target) {
	for _, w := range t.warnings {
		cfg.logf("* warning: " + w)
	}
}

// preferredCiphers puts AES-GCM first only where the CPU has AES
// instructions; elsewhere chacha20-poly1305 is much faster.
func preferredCiphers() []string {
	hasAES := cpu.X86.HasAES && cpu.X86.HasPCLMULQDQ
	if runtime.GOARCH == "arm64" {
		hasAES = cpu.ARM64.HasAES && cpu.ARM64.HasPMULL
	}
	if runtime.GOARCH == "s390x" {
		hasAES = cpu.S390X.HasAES && cpu.S390X.HasGHASH
	}
	gcm := []string{ssh.CipherAES128GCM, ssh.CipherAES256GCM}
	chacha := []string{ssh.CipherChaCha20Poly1305}
	ctr := []string{ssh.CipherAES128CTR, ssh.CipherAES192CTR, ssh.CipherAES256CTR}
	if hasAES {
		return append(append(gcm, chacha...), ctr...)
	}
	return append(append(chacha, gcm...), ctr...)
}

// preferredMACs only matter for the CTR fallback; encrypt-then-MAC first.
var preferredMACs = []string{
	ssh.HMACSHA256ETM, ssh.HMACSHA512ETM, ssh.HMACSHA256, ssh.HMACSHA512,
}

func sftpOptions() []sftp.ClientOption {
	return []sftp.ClientOption{
		sftp.UseConcurrentReads(true),
		sftp.UseConcurrentWrites(true),
		sftp.MaxConcurrentRequestsPerFile(maxRequests),
		sftp.MaxPacketUnchecked(maxPacket),
		sftp.UseFstat(true),
	}
}
