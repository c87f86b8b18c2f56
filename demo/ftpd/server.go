// Package ftpd is a small FTP and FTPS server over one sandbox directory. It
// exists so that ferry's FTP client can be tested without installing a real
// server and so that `ferry --demo` has something to talk to.
//
// It speaks RFC 959 with the extensions real servers offer (RFC 2228 and
// 4217 for TLS, 2428 for EPSV/EPRT, 3659 for MLSD/MLST/SIZE/MDTM/REST, the
// MFMT and HASH drafts) and it is strict where real servers are strict:
// every path stays inside Root (all file access goes through os.Root, so
// symlinks cannot lead out either), data connections are accepted only
// from the control connection's peer, and every connection has deadlines.
package ftpd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// Options configure a Server. The zero value of each field is usable except
// Root, which must name an existing directory.
type Options struct {
	// Root is the directory served as "/".
	Root string
	// Users maps user names to passwords.
	Users map[string]string
	// Anonymous lets "anonymous" and "ftp" log in with any password.
	Anonymous bool
	// ReadOnly refuses every command that changes the tree.
	ReadOnly bool
	// TLS enables AUTH TLS (and implicit TLS with Implicit); nil disables it.
	TLS *tls.Config
	// Implicit starts TLS on the first byte of every control connection.
	Implicit bool
	// RequireTLS refuses login on a plain control connection and transfers on
	// a plain data connection.
	RequireTLS bool
	// RequireTLSReuse refuses a TLS data connection that does not resume the
	// control connection's session, as vsftpd's require_ssl_reuse does.
	RequireTLSReuse bool
	// Disabled names commands (e.g. "EPSV", "MLSD") that answer 502 and are
	// left out of FEAT, to exercise a client's fallbacks.
	Disabled []string
	// PasvIP, when set, is announced in PASV replies instead of the listening
	// address, as a server behind NAT does. The data listener is unchanged.
	PasvIP string
	// IdleTimeout closes a control connection idle this long (default 5m).
	IdleTimeout time.Duration
	// DataTimeout bounds waiting for a data connection and each read or write
	// on it (default 30s).
	DataTimeout time.Duration
	// Log receives one line per connection event, command and reply; the PASS
	// argument is masked. Sessions call it concurrently.
	Log func(string)
}

// Server is a running FTP server. It stops when Close is called or when the
// context given to Start ends.
type Server struct {
	opts     Options
	root     *os.Root
	ln       net.Listener
	disabled map[string]bool
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stop     func() bool
	once     sync.Once
}

// Start listens on a random port of 127.0.0.1 and serves until Close.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Root == "" {
		return nil, errors.New("ftpd: Options.Root is empty")
	}
	if opts.Implicit && opts.TLS == nil {
		return nil, errors.New("ftpd: implicit TLS needs Options.TLS")
	}
	if opts.RequireTLS && opts.TLS == nil {
		return nil, errors.New("ftpd: RequireTLS needs Options.TLS")
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 5 * time.Minute
	}
	if opts.DataTimeout <= 0 {
		opts.DataTimeout = 30 * time.Second
	}
	if opts.TLS != nil {
		opts.TLS = opts.TLS.Clone()
		if opts.TLS.MinVersion == 0 {
			opts.TLS.MinVersion = tls.VersionTLS12
		}
	}
	root, err := os.OpenRoot(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("ftpd: open root: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("ftpd: listen: %w", err)
	}
	s := &Server{opts: opts, root: root, ln: ln, disabled: map[string]bool{}}
	for _, c := range opts.Disabled {
		s.disabled[strings.ToUpper(c)] = true
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.stop = context.AfterFunc(ctx, func() { s.Close() })
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr is the control connection's address, "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops listening, ends every session and transfer, and waits for
// their goroutines to finish.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		s.stop()
		s.cancel()
		err = s.ln.Close()
		s.wg.Wait()
		if cerr := s.root.Close(); err == nil {
			err = cerr
		}
	})
	return err
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			s.logf("accept: %v", err)
			select {
			case <-time.After(50 * time.Millisecond):
			case <-s.ctx.Done():
				return
			}
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			newSession(s, conn).run()
		}()
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Log != nil {
		s.opts.Log(fmt.Sprintf(format, args...))
	}
}
