package proxy_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol/proxy"
	"github.com/ferryhq/ferry/protocol/proxy/proxytest"
)

// greeter is a server that speaks first, as SSH and FTP do, then echoes.
func greeter(t *testing.T) (port string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.WriteString(c, "hello\n")
				io.Copy(c, c)
			}()
		}
	}()
	_, port, _ = net.SplitHostPort(ln.Addr().String())
	return port
}

func roundTrip(t *testing.T, conn net.Conn) {
	t.Helper()
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(conn)
	if line, err := br.ReadString('\n'); err != nil || line != "hello\n" {
		t.Fatalf("greeting: got %q, %v; want %q", line, err, "hello\n")
	}
	io.WriteString(conn, "ping\n")
	if line, err := br.ReadString('\n'); err != nil || line != "ping\n" {
		t.Fatalf("echo: got %q, %v; want %q", line, err, "ping\n")
	}
}

func dial(t *testing.T, url, addr string) (net.Conn, error) {
	t.Helper()
	p, err := proxy.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	d := proxy.Dialer{Proxy: p}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return d.DialContext(ctx, "tcp", addr)
}

func TestDial(t *testing.T) {
	port := greeter(t)
	tests := []struct {
		name    string
		start   func(testing.TB, ...proxytest.Option) *proxytest.Server
		scheme  string // replaces the server URL's scheme when set
		host    string
		wantLog string
	}{
		{"socks5h sends the name to the proxy", proxytest.NewSOCKS5, "", "localhost", "CONNECT localhost:" + port},
		{"socks5 resolves the name here", proxytest.NewSOCKS5, "socks5", "localhost", "CONNECT 127.0.0.1:" + port},
		{"socks5 passes an address", proxytest.NewSOCKS5, "socks5", "127.0.0.1", "CONNECT 127.0.0.1:" + port},
		{"http CONNECT", proxytest.NewHTTP, "", "localhost", "CONNECT localhost:" + port},
	}
	for _, tc := range tests {
		for _, auth := range []bool{false, true} {
			name := tc.name
			var opts []proxytest.Option
			if auth {
				name += " with a login"
				opts = append(opts, proxytest.WithAuth("ann", "s3cr:t"))
			}
			t.Run(name, func(t *testing.T) {
				srv := tc.start(t, opts...)
				url := srv.URL
				if tc.scheme != "" {
					url = tc.scheme + url[strings.Index(url, "://"):]
				}
				conn, err := dial(t, url, net.JoinHostPort(tc.host, port))
				if err != nil {
					t.Fatal(err)
				}
				roundTrip(t, conn)
				if got := srv.Log(); len(got) != 1 || got[0] != tc.wantLog {
					t.Errorf("proxy log: got %q, want [%q]", got, tc.wantLog)
				}
			})
		}
	}
}

func TestDial_refused(t *testing.T) {
	port := greeter(t)
	target := net.JoinHostPort("127.0.0.1", port)
	tests := []struct {
		name  string
		url   func() string
		isErr error  // errors.Is
		want  string // in the message
	}{
		{"socks5 wrong password", func() string {
			s := proxytest.NewSOCKS5(t, proxytest.WithAuth("ann", "right"))
			return "socks5://ann:wrong@" + s.Addr
		}, proxy.ErrAuth, "refused the user and password"},
		{"socks5 login missing", func() string {
			s := proxytest.NewSOCKS5(t, proxytest.WithAuth("ann", "right"))
			return "socks5://" + s.Addr
		}, proxy.ErrAuth, "wants a login"},
		{"http wrong password", func() string {
			s := proxytest.NewHTTP(t, proxytest.WithAuth("ann", "right"))
			return "http://ann:wrong@" + s.Addr
		}, proxy.ErrAuth, "407 Proxy Authentication Required"},
		{"http login missing", func() string {
			s := proxytest.NewHTTP(t, proxytest.WithAuth("ann", "right"))
			return "http://" + s.Addr
		}, proxy.ErrAuth, "http://user:pass@host:port"},
		{"http proxy closes", func() string { return proxytest.NewHTTP(t, proxytest.With(proxytest.Close)).URL }, nil, "no reply to CONNECT"},
		{"socks proxy closes", func() string { return proxytest.NewSOCKS5(t, proxytest.With(proxytest.Close)).URL }, nil, "closed the connection during the handshake"},
		{"http proxy is silent", func() string { return proxytest.NewHTTP(t, proxytest.With(proxytest.Silent)).URL }, context.DeadlineExceeded, "through proxy"},
		{"socks proxy is silent", func() string { return proxytest.NewSOCKS5(t, proxytest.With(proxytest.Silent)).URL }, context.DeadlineExceeded, "through proxy"},
		{"nothing listens", func() string { return "socks5://127.0.0.1:1" }, nil, "connection refused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := proxy.Parse(tc.url())
			if err != nil {
				t.Fatal(err)
			}
			d := proxy.Dialer{Proxy: p}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			conn, err := d.DialContext(ctx, "tcp", target)
			if err == nil {
				conn.Close()
				t.Fatal("dial succeeded")
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
			var ne net.Error
			if tc.isErr == context.DeadlineExceeded && (errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)) {
				// a deadline shows as the connection's timeout
			} else if tc.isErr != nil && !errors.Is(err, tc.isErr) {
				t.Errorf("got %v, want errors.Is %v", err, tc.isErr)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "wrong") {
				t.Errorf("the password shows in %q", err)
			}
		})
	}
}

func TestDial_httpRefusesTarget(t *testing.T) {
	srv := proxytest.NewHTTP(t)
	_, err := dial(t, srv.URL, "192.0.2.1:22")
	if err == nil || !strings.Contains(err.Error(), "403 Forbidden") {
		t.Errorf("got %v, want the status line 403 Forbidden", err)
	}
}

func TestConnectReply_bounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.WriteString(c, "HTTP/1.1 200 OK\r\n")
		for i := 0; i < 10000; i++ {
			if _, err := io.WriteString(c, "X-Junk: "+strconv.Itoa(i)+"\r\n"); err != nil {
				return
			}
		}
	}()
	_, err = dial(t, "http://"+ln.Addr().String(), "127.0.0.1:22")
	if err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("got %v, want a refusal of the long reply", err)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"socks5://127.0.0.1:1080", "socks5://127.0.0.1:1080", ""},
		{"SOCKS5H://proxy", "socks5h://proxy:1080", ""},
		{"http://ann:p%40ss@proxy:3128", "http://ann:xxxxx@proxy:3128", ""},
		{"proxy:3128", "http://proxy:3128", ""},
		{"http://[::1]:8080/", "http://[::1]:8080", ""},
		{"https://proxy:443", "", `scheme "https" is not`},
		{"socks4://proxy", "", `scheme "socks4" is not`},
		{"http://proxy:99999", "", "bad port"},
		{"http://proxy/path", "", "no path"},
		{"socks5://", "", "no host"},
		{"", "", "empty"},
	}
	for _, tc := range tests {
		p, err := proxy.Parse(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q): got %v, want error with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if p.String() != tc.want {
			t.Errorf("Parse(%q): got %q, want %q", tc.in, p, tc.want)
		}
	}
}

func TestBypass(t *testing.T) {
	tests := []struct {
		noProxy, host string
		want          bool
	}{
		{"", "example.com", false},
		{"*", "example.com", true},
		{"*", "127.0.0.1", true},
		{"*,foo", "example.com", false}, // as curl: only "*" alone is the wildcard
		{"example.com", "example.com", true},
		{"example.com", "EXAMPLE.com.", true},
		{"example.com", "www.example.com", true},
		{".example.com", "www.example.com", true},
		{".example.com", "example.com", true},
		{"example.com.", "example.com", true},
		{"example.com", "notexample.com", false},
		{"www.example.com", "example.com", false},
		{"foo, example.com", "a.example.com", true},
		{"foo,,example.com", "a.example.com", true},
		{" foo , example.com ", "example.com", true},
		{"foo bar", "bar", false}, // as curl: a blank not followed by a comma ends the list
		{"localhost", "localhost", true},
		{"localhost", "127.0.0.1", false}, // names are never resolved
		{"", "127.0.0.1", false},          // loopback is not exempt by default
		{"127.0.0.1", "127.0.0.1", true},
		{"127.0.0.0/8", "127.1.2.3", true},
		{"10.0.0.0/8", "11.0.0.1", false},
		{"10.0.0.1/0", "10.0.0.1", true}, // /0 is an exact match, as curl
		{"10.0.0.1/0", "10.0.0.2", false},
		{"10.0.0.0/33", "10.0.0.0", false},
		{"::1", "::1", true},
		{"::1", "[::1]", true},
		{"fe80::/10", "fe80::1", true},
		{"fe80::/10", "fd00::1", false},
		{"127.0.0.1", "::1", false},
		{"example.com", "10.0.0.1", false},
	}
	for _, tc := range tests {
		if got := proxy.Bypass(tc.noProxy, tc.host); got != tc.want {
			t.Errorf("Bypass(%q, %q): got %v, want %v", tc.noProxy, tc.host, got, tc.want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	d, err := proxy.FromEnv(env(map[string]string{"ALL_PROXY": "socks5://a:1", "all_proxy": "http://b:2", "NO_PROXY": "x", "no_proxy": "y"}))
	if err != nil {
		t.Fatal(err)
	}
	if d.Proxy.String() != "http://b:2" || d.NoProxy != "y" {
		t.Errorf("got %v %q, want the lower-case variables first", d.Proxy, d.NoProxy)
	}
	d, err = proxy.FromEnv(env(map[string]string{"ALL_PROXY": "socks5://a:1", "NO_PROXY": "x"}))
	if err != nil || d.Proxy.String() != "socks5://a:1" || d.NoProxy != "x" {
		t.Errorf("got %v %q %v, want socks5://a:1 and x", d.Proxy, d.NoProxy, err)
	}
	if d.For("x") != nil || d.For("y") == nil {
		t.Errorf("For: NO_PROXY not applied")
	}
	if _, err := proxy.FromEnv(env(map[string]string{"ALL_PROXY": "ftp://x"})); err == nil || !strings.Contains(err.Error(), "ALL_PROXY") {
		t.Errorf("got %v, want an error naming ALL_PROXY", err)
	}
	d, _ = proxy.FromEnv(env(nil))
	if d.Proxy != nil {
		t.Errorf("got %v, want no proxy", d.Proxy)
	}
}
