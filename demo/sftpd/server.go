// Package sftpd is a small SSH server that serves SFTP over one directory on
// 127.0.0.1. Tests start one per test against a temporary directory, and
// `ferry --demo` uses it as a sandbox to try ferry without a real server.
//
// Nothing outside the root directory is reachable: requests go through
// os.Root. The server is for loopback use only; it is not hardened for the
// open internet.
package sftpd

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// User is one account. A user logs in with Password, with one of
// AuthorizedKeys, or both are allowed.
type User struct {
	Name           string
	Password       string
	AuthorizedKeys []ssh.PublicKey
	// OTP, when set with Options.KeyboardInteractive, is asked as a second
	// keyboard-interactive question after the password, like a 2FA code.
	OTP string
}

// Options configures a Server.
type Options struct {
	Root  string // directory served as "/"; must exist
	Users []User
	// KeyboardInteractive moves password logins to the keyboard-interactive
	// method (password method off), as PAM-based servers often do.
	KeyboardInteractive bool
	// ReadOnly refuses every change with "permission denied", so tests see
	// ErrPermission even when they run as root.
	ReadOnly bool
	// AllowForwarding permits direct-tcpip channels to loopback addresses,
	// so the server can be a ProxyJump hop.
	AllowForwarding bool
	// HostKey is the server's key; a fresh ed25519 key when nil.
	HostKey ssh.Signer
	// HostCertificate, when set, certifies HostKey; the server then shows
	// it to clients that ask for certificates, and the plain key to others.
	HostCertificate *ssh.Certificate
	// UserCAs are certificate authorities whose user certificates log in
	// any user named among their principals, like sshd's
	// TrustedUserCAKeys.
	UserCAs []ssh.PublicKey
	// CheckFile advertises the check-file extension and answers
	// check-file-name requests (sha256, sha512, sha1, md5), as ProFTPD's
	// mod_sftp does, for tests of server-side hashing.
	CheckFile bool
	// UsersGroupsByID, when set, advertises users-groups-by-id@openssh.com
	// and answers it with the name it gives each id ("" for none), as
	// OpenSSH 9.1 and later do; HostNames names them as the host does,
	// tests with a map.
	UsersGroupsByID func(group bool, id uint32) string
	// Silent accepts TCP connections and never speaks, for timeout tests.
	Silent bool
	// Log receives one line per connection event; nil discards them.
	Log func(string)
	// Session, when set, may serve a connection's n-th session channel
	// (counting from 1) itself once its sftp subsystem is granted, so a
	// test can script a misbehaving server; it returns false to leave the
	// channel to the SFTP server.
	Session func(n int, ch ssh.Channel) bool
}

// Server is a running SFTP server. Close stops it and its connections.
type Server struct {
	opts    Options
	ln      net.Listener
	root    *os.Root
	hostKey ssh.Signer
	config  *ssh.ServerConfig

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}

	closeOnce sync.Once
	closeErr  error
}

// maxTxPacket lets clients read 255 KiB per request, like OpenSSH's server.
const maxTxPacket = 255 * 1024

// Start listens on 127.0.0.1 at a random port and serves until Close or
// until ctx ends.
func Start(ctx context.Context, opts Options) (*Server, error) {
	root, err := os.OpenRoot(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("sftpd: root: %w", err)
	}
	key := opts.HostKey
	if key == nil {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			root.Close()
			return nil, fmt.Errorf("sftpd: host key: %w", err)
		}
		if key, err = ssh.NewSignerFromKey(priv); err != nil {
			root.Close()
			return nil, fmt.Errorf("sftpd: host key: %w", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("sftpd: listen: %w", err)
	}
	s := &Server{opts: opts, ln: ln, root: root, hostKey: key, conns: map[net.Conn]struct{}{}}
	if s.config, err = s.serverConfig(); err != nil {
		ln.Close()
		root.Close()
		return nil, err
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Add(1)
	go s.accept()
	// Close waits for the goroutines, so it must not run on one of them.
	go func() {
		<-s.ctx.Done()
		s.Close()
	}()
	return s, nil
}

// Addr is the listening address, "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// HostKey is the server's public host key, for writing known_hosts lines.
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey.PublicKey() }

// Close stops listening, drops every connection and waits for them to end.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		err := s.ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
		s.root.Close()
		if !errors.Is(err, net.ErrClosed) {
			s.closeErr = err
		}
	})
	return s.closeErr
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Log != nil {
		s.opts.Log(fmt.Sprintf(format, args...))
	}
}

func (s *Server) user(name string) (User, bool) {
	for _, u := range s.opts.Users {
		if u.Name == name {
			return u, true
		}
	}
	return User{}, false
}

func (s *Server) serverConfig() (*ssh.ServerConfig, error) {
	authorized := func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
		u, ok := s.user(c.User())
		if ok {
			for _, k := range u.AuthorizedKeys {
				if subtle.ConstantTimeCompare(k.Marshal(), key.Marshal()) == 1 {
					return &ssh.Permissions{}, nil
				}
			}
		}
		return nil, errors.New("key not authorized")
	}
	certs := &ssh.CertChecker{
		IsUserAuthority: func(auth ssh.PublicKey) bool {
			for _, ca := range s.opts.UserCAs {
				if subtle.ConstantTimeCompare(ca.Marshal(), auth.Marshal()) == 1 {
					return true
				}
			}
			return false
		},
		UserKeyFallback: authorized,
	}
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if _, ok := s.user(c.User()); !ok {
				return nil, errors.New("no such user")
			}
			perms, err := certs.Authenticate(c, key)
			if err != nil {
				s.logf("publickey %s for %s: %v", key.Type(), c.User(), err)
			}
			return perms, err
		},
	}
	if s.opts.KeyboardInteractive {
		cfg.KeyboardInteractiveCallback = s.keyboardInteractive
	} else {
		cfg.PasswordCallback = func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			u, ok := s.user(c.User())
			if ok && u.Password != "" && equal(u.Password, string(pw)) {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("wrong password")
		}
	}
	cfg.AddHostKey(s.hostKey)
	if s.opts.HostCertificate != nil {
		cs, err := ssh.NewCertSigner(s.opts.HostCertificate, s.hostKey)
		if err != nil {
			return nil, fmt.Errorf("sftpd: host certificate: %w", err)
		}
		cfg.AddHostKey(cs)
	}
	return cfg, nil
}

// keyboardInteractive asks for the password and then, when the user has
// one, for a one-time code, each in its own round as 2FA servers do.
func (s *Server) keyboardInteractive(c ssh.ConnMetadata, ask ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
	u, ok := s.user(c.User())
	ans, err := ask("", "Log in to the demo server.", []string{"Password: "}, []bool{false})
	if err != nil {
		return nil, err
	}
	if !ok || u.Password == "" || len(ans) != 1 || !equal(u.Password, ans[0]) {
		return nil, errors.New("wrong password")
	}
	if u.OTP != "" {
		ans, err = ask("", "", []string{"Verification code: "}, []bool{true})
		if err != nil {
			return nil, err
		}
		if len(ans) != 1 || !equal(u.OTP, ans[0]) {
			return nil, errors.New("wrong code")
		}
	}
	return &ssh.Permissions{}, nil
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func (s *Server) track(c net.Conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.ctx.Err() != nil {
			return false
		}
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
	}
	return true
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		if !s.track(c, true) {
			c.Close()
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.track(c, false)
			defer c.Close()
			if s.opts.Silent {
				<-s.ctx.Done()
				return
			}
			s.serveConn(c)
		}()
	}
}

func (s *Server) serveConn(c net.Conn) {
	// A client that stalls during the handshake is dropped.
	c.SetDeadline(time.Now().Add(30 * time.Second))
	sc, chans, reqs, err := ssh.NewServerConn(c, s.config)
	if err != nil {
		s.logf("handshake from %s: %v", c.RemoteAddr(), err)
		return
	}
	c.SetDeadline(time.Time{})
	defer sc.Close()
	s.logf("login %s from %s", sc.User(), c.RemoteAddr())
	go ssh.DiscardRequests(reqs) // keepalives get a false reply, which suffices
	var wg sync.WaitGroup
	defer wg.Wait()
	sessions := 0
	for nc := range chans {
		switch nc.ChannelType() {
		case "session":
			ch, creqs, err := nc.Accept()
			if err != nil {
				continue
			}
			sessions++
			n := sessions
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.session(n, ch, creqs)
			}()
		case "direct-tcpip":
			if !s.opts.AllowForwarding {
				nc.Reject(ssh.Prohibited, "forwarding is off")
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.forward(nc)
			}()
		default:
			nc.Reject(ssh.UnknownChannelType, "unknown channel type")
		}
	}
}

// session runs the sftp subsystem; shells and commands are refused.
func (s *Server) session(n int, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for req := range reqs {
		ok := req.Type == "subsystem" && len(req.Payload) >= 4 && string(req.Payload[4:]) == "sftp"
		req.Reply(ok, nil)
		if !ok {
			continue
		}
		go ssh.DiscardRequests(reqs)
		if s.opts.Session != nil && s.opts.Session(n, ch) {
			return
		}
		h := &rootFS{root: s.root, readOnly: s.opts.ReadOnly}
		var rwc io.ReadWriteCloser = ch
		var exts []extension
		if s.opts.CheckFile {
			exts = append(exts, checkFileExtension(s.root))
		}
		if s.opts.UsersGroupsByID != nil {
			exts = append(exts, s.usersGroupsExtension(s.opts.UsersGroupsByID))
		}
		if len(exts) > 0 {
			rwc = newExtChannel(ch, exts)
		}
		srv := sftp.NewRequestServer(rwc, h.handlers(), sftp.WithRSMaxTxPacket(maxTxPacket))
		stop := context.AfterFunc(s.ctx, func() { srv.Close() })
		srv.Serve()
		stop()
		srv.Close()
		return
	}
}
