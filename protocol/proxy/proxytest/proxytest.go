// Package proxytest runs small SOCKS5 and HTTP CONNECT proxies on the
// loopback interface for tests. Each keeps a log of the connections it
// relayed, so a test can prove that a connection went through it. They
// relay only to loopback addresses and serve a bounded number of
// connections at once.
package proxytest

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// maxConns bounds the connections a proxy serves at once.
const maxConns = 64

// Behaviour is how a proxy treats its clients.
type Behaviour int

const (
	Relay  Behaviour = iota // do the proxy's job
	Close                   // close every connection at once
	Silent                  // accept and never answer
)

// Server is one running proxy.
type Server struct {
	// URL is the proxy's URL with the credentials it wants, if any.
	URL string
	// Addr is the proxy's host:port.
	Addr string

	t         testing.TB
	ln        net.Listener
	user      string
	pass      string
	behaviour Behaviour
	sem       chan struct{}

	mu    sync.Mutex
	log   []string
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// Option changes a Server before it starts.
type Option func(*Server)

// WithAuth makes the proxy want a user and password.
func WithAuth(user, pass string) Option {
	return func(s *Server) { s.user, s.pass = user, pass }
}

// With sets how the proxy behaves.
func With(b Behaviour) Option { return func(s *Server) { s.behaviour = b } }

// NewSOCKS5 starts a SOCKS5 proxy (RFC 1928, with RFC 1929 logins)
// stopped when the test ends. Its URL uses socks5h://.
func NewSOCKS5(t testing.TB, opts ...Option) *Server {
	s := start(t, opts)
	s.URL = "socks5h://" + s.userinfo() + s.Addr
	s.serve(s.socks)
	return s
}

// NewHTTP starts an HTTP CONNECT proxy stopped when the test ends.
func NewHTTP(t testing.TB, opts ...Option) *Server {
	s := start(t, opts)
	s.URL = "http://" + s.userinfo() + s.Addr
	s.serve(s.connect)
	return s
}

func start(t testing.TB, opts []Option) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, ln: ln, Addr: ln.Addr().String(), sem: make(chan struct{}, maxConns), conns: map[net.Conn]struct{}{}}
	for _, o := range opts {
		o(s)
	}
	t.Cleanup(s.stop)
	return s
}

func (s *Server) userinfo() string {
	if s.user == "" {
		return ""
	}
	return s.user + ":" + s.pass + "@"
}

// Log returns one line per relayed connection, "CONNECT host:port" with
// the target as the client named it, in order.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// Count is how many connections the proxy relayed.
func (s *Server) Count() int { return len(s.Log()) }

func (s *Server) logf(format string, args ...any) {
	s.mu.Lock()
	s.log = append(s.log, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

func (s *Server) stop() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.conns = nil
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) serve(handle func(net.Conn)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			select {
			case s.sem <- struct{}{}:
			default:
				c.Close() // over the bound
				continue
			}
			if !s.track(c) {
				c.Close()
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer func() { <-s.sem }()
				defer s.untrack(c)
				switch s.behaviour {
				case Close:
					return
				case Silent:
					_, _ = io.Copy(io.Discard, c)
					return
				}
				// The exchange with the proxy is short; after it, the
				// relay runs without a deadline.
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				handle(c)
			}()
		}
	}()
}

// dialTarget connects to a loopback target; anything else is refused.
func (s *Server) dialTarget(addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil && host != "localhost" || ip != nil && !ip.IsLoopback() {
		return nil, fmt.Errorf("proxytest relays to loopback only, not %s", host)
	}
	return net.DialTimeout("tcp", addr, 5*time.Second)
}

// relay copies both ways until both sides are done.
func (s *Server) relay(client net.Conn, clientR io.Reader, target net.Conn) {
	if !s.track(target) {
		target.Close()
		return
	}
	defer s.untrack(target)
	_ = client.SetDeadline(time.Time{})
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(target, clientR)
		if tc, ok := target.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		close(done)
	}()
	_, _ = io.Copy(client, target)
	if tc, ok := client.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	<-done
}

func (s *Server) socks(c net.Conn) {
	br := bufio.NewReader(c)
	var head [2]byte
	if _, err := io.ReadFull(br, head[:]); err != nil || head[0] != 5 {
		return
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(br, methods); err != nil {
		return
	}
	want := byte(0)
	if s.user != "" {
		want = 2
	}
	if !contains(methods, want) {
		_, _ = c.Write([]byte{5, 0xff})
		return
	}
	if _, err := c.Write([]byte{5, want}); err != nil {
		return
	}
	if want == 2 {
		user, pass, ok := readLogin(br)
		if !ok {
			return
		}
		if user != s.user || pass != s.pass {
			_, _ = c.Write([]byte{1, 1})
			return
		}
		if _, err := c.Write([]byte{1, 0}); err != nil {
			return
		}
	}
	var req [4]byte
	if _, err := io.ReadFull(br, req[:]); err != nil || req[0] != 5 {
		return
	}
	var host string
	switch req[3] {
	case 1, 4:
		ip := make(net.IP, 4)
		if req[3] == 4 {
			ip = make(net.IP, 16)
		}
		if _, err := io.ReadFull(br, ip); err != nil {
			return
		}
		host = ip.String()
	case 3:
		n, err := br.ReadByte()
		if err != nil {
			return
		}
		name := make([]byte, n)
		if _, err := io.ReadFull(br, name); err != nil {
			return
		}
		host = string(name)
	default:
		return
	}
	var port [2]byte
	if _, err := io.ReadFull(br, port[:]); err != nil {
		return
	}
	addr := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port[:]))))
	reply := func(code byte) error {
		_, err := c.Write([]byte{5, code, 0, 1, 127, 0, 0, 1, 0, 0})
		return err
	}
	if req[1] != 1 {
		_ = reply(7) // command not supported
		return
	}
	target, err := s.dialTarget(addr)
	if err != nil {
		_ = reply(5) // connection refused
		return
	}
	if err := reply(0); err != nil {
		target.Close()
		return
	}
	s.logf("CONNECT %s", addr)
	s.relay(c, br, target)
}

func readLogin(br *bufio.Reader) (user, pass string, ok bool) {
	field := func() (string, bool) {
		n, err := br.ReadByte()
		if err != nil {
			return "", false
		}
		b := make([]byte, n)
		_, err = io.ReadFull(br, b)
		return string(b), err == nil
	}
	if v, err := br.ReadByte(); err != nil || v != 1 {
		return "", "", false
	}
	if user, ok = field(); !ok {
		return "", "", false
	}
	pass, ok = field()
	return user, pass, ok
}

func contains(b []byte, v byte) bool {
	for _, x := range b {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) connect(c net.Conn) {
	br := bufio.NewReader(io.LimitReader(c, 64<<10))
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	answer := func(status string) { fmt.Fprintf(c, "HTTP/1.1 %s\r\nContent-Length: 0\r\n\r\n", status) }
	if req.Method != http.MethodConnect {
		answer("405 Method Not Allowed")
		return
	}
	if s.user != "" {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.user+":"+s.pass))
		if req.Header.Get("Proxy-Authorization") != want {
			fmt.Fprint(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"proxytest\"\r\nContent-Length: 0\r\n\r\n")
			return
		}
	}
	target, err := s.dialTarget(req.Host)
	if err != nil {
		answer("403 Forbidden")
		return
	}
	// Servers that speak first (SSH, FTP) get their first bytes sent in
	// the same write as the reply, so clients must keep what follows the
	// header.
	first := make([]byte, 4096)
	_ = target.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	n, err := target.Read(first)
	_ = target.SetReadDeadline(time.Time{})
	var ne net.Error
	if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
		target.Close()
		answer("502 Bad Gateway")
		return
	}
	if _, err := c.Write(append([]byte("HTTP/1.1 200 Connection established\r\n\r\n"), first[:n]...)); err != nil {
		target.Close()
		return
	}
	s.logf("CONNECT %s", req.Host)
	// Past the limit the relay needs the connection itself; the request
	// left nothing unread, as the client waits for our reply.
	s.relay(c, io.MultiReader(br, c), target)
}
