package sftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/proxy"
	"github.com/ferryhq/ferry/protocol/proxy/proxytest"
	"golang.org/x/crypto/ssh"
)

func TestExpandProxyCommand(t *testing.T) {
	tg := target{alias: "web", host: "10.0.0.5", port: 2222, user: "ann"}
	tests := []struct{ in, want, err string }{
		{"nc %h %p", "nc 10.0.0.5 2222", ""},
		{"ssh -W %h:%p %r@bastion # %n", "ssh -W 10.0.0.5:2222 ann@bastion # web", ""},
		{"echo 100%%", "echo 100%", ""},
		{"cat %d/x", "cat /home/ann/x", ""},
		{"nc %h %x", "", "%x is not supported"},
		{"nc %", "", "lone %"},
	}
	for _, tc := range tests {
		got, err := expandProxyCommand(tc.in, tg, "/home/ann")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("expand(%q): got %q, %v; want error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("expand(%q): got %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// needNC finds nc, or skips (fails when real servers are required, as CI
// installs netcat-openbsd).
func needNC(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nc"); err != nil {
		if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
			t.Fatal("nc not found but FERRY_REQUIRE_REAL_SERVERS=1 (install netcat-openbsd)")
		}
		t.Skip("nc not found")
	}
}

// proxyCommandConfig writes an ssh config whose Host pc reaches srv only
// through command: its HostName does not resolve, so a direct dial fails.
func proxyCommandConfig(t *testing.T, srv *sftpd.Server, command string) (Config, *logLines) {
	t.Helper()
	cfg := baseConfig(t)
	_, port, _ := net.SplitHostPort(srv.Addr())
	host := "pc.invalid"
	kh := knownHostsLine(net.JoinHostPort(host, port), srv.HostKey())
	if err := os.WriteFile(cfg.KnownHostsFile, []byte(kh), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.SSHConfigFile = filepath.Join(cfg.HomeDir, "config")
	text := fmt.Sprintf("Host pc\n HostName %s\n Port %s\n User alice\n ProxyCommand %s\n", host, port, command)
	if err := os.WriteFile(cfg.SSHConfigFile, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Password = "s3cret"
	logs := &logLines{}
	cfg.Log = logs.add
	return cfg, logs
}

type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) add(s string) { l.mu.Lock(); l.lines = append(l.lines, s); l.mu.Unlock() }
func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

var pcSite = protocol.Site{Scheme: protocol.SchemeSFTP, Host: "pc", Short: true}

func TestProxyCommand(t *testing.T) {
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "alice", Password: "s3cret"}}})

	t.Run("nc carries the session", func(t *testing.T) {
		needNC(t)
		// %h would not resolve: the command connects to the server itself.
		cfg, logs := proxyCommandConfig(t, srv, "sh -c 'echo hello from the proxy >&2; exec nc 127.0.0.1 %p'")
		c := dial(t, pcSite, cfg)
		if _, err := c.Stat(context.Background(), "/"); err != nil {
			t.Fatal(err)
		}
		c.Close()
		if !strings.Contains(logs.String(), "proxy command: hello from the proxy") {
			t.Errorf("log %q lacks the command's standard error", logs)
		}
	})

	t.Run("bash /dev/tcp carries the session", func(t *testing.T) {
		if _, err := exec.LookPath("bash"); err != nil {
			t.Skip("no bash")
		}
		cfg, _ := proxyCommandConfig(t, srv, "bash -c 'exec 3<>/dev/tcp/127.0.0.1/%p; cat <&3 & exec cat >&3'")
		c := dial(t, pcSite, cfg)
		if _, err := c.Stat(context.Background(), "/"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a failing command is a clear error at once", func(t *testing.T) {
		cfg, _ := proxyCommandConfig(t, srv, "sh -c 'echo bastion.example: Name or service not known >&2; exit 3'")
		start := time.Now()
		c, err := Dial(context.Background(), pcSite, cfg)
		if err == nil {
			c.Close()
			t.Fatal("dial succeeded")
		}
		for _, want := range []string{"ProxyCommand", "exited with status 3", "bastion.example: Name or service not known"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("took %s", d)
		}
	})

	t.Run("a command that cannot start", func(t *testing.T) {
		cfg, _ := proxyCommandConfig(t, srv, "/nonexistent/ferry-proxy %h %p")
		_, err := Dial(context.Background(), pcSite, cfg)
		if err == nil || !strings.Contains(err.Error(), "/nonexistent/ferry-proxy") {
			t.Errorf("got %v, want an error naming the command", err)
		}
	})

	t.Run("a silent command ends at the deadline", func(t *testing.T) {
		cfg, _ := proxyCommandConfig(t, srv, "sleep 60")
		cfg.Timeout = 300 * time.Millisecond
		start := time.Now()
		_, err := Dial(context.Background(), pcSite, cfg)
		if err == nil {
			t.Fatal("dial succeeded")
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("took %s", d)
		}
	})

	t.Run("an unknown token is refused", func(t *testing.T) {
		cfg, _ := proxyCommandConfig(t, srv, "nc %h %z")
		_, err := Dial(context.Background(), pcSite, cfg)
		if err == nil || !strings.Contains(err.Error(), "%z") {
			t.Errorf("got %v, want an error naming %%z", err)
		}
	})
}

// gone reports whether pid is neither running nor a zombie of ours.
func gone(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) == syscall.ESRCH || errors.Is(err, os.ErrNotExist)
	}
	// "pid (comm) S ...": a zombie another process must reap is not ours.
	s := string(data)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] == 'Z' && !ourChild(pid)
	}
	return false
}

func ourChild(pid int) bool {
	var ws syscall.WaitStatus
	got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
	return err == nil && got >= 0
}

func TestProxyCommandCloseReaps(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	// The command starts a child of its own and reports its pid; Close
	// must end both: the process group is killed and the command waited for.
	pidFile := filepath.Join(t.TempDir(), "pid")
	tg := target{alias: "x", host: "x", port: 22, user: "u",
		proxyCommand: "sh -c 'sleep 300 & echo $! > " + pidFile + "; exec cat'"}
	conn, err := startProxyCommand(Config{}, tg)
	if err != nil {
		t.Fatal(err)
	}
	c := conn.(*cmdConn)
	if _, err := c.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(buf); err != nil || string(buf) != "ping\n" {
		t.Fatalf("read %q, %v; want the echo", buf, err)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	child, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	leader := c.cmd.Process.Pid
	start := time.Now()
	c.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %s", d)
	}
	select {
	case <-c.exited:
	default:
		t.Fatal("Close returned before the command was waited for")
	}
	deadline := time.Now().Add(3 * time.Second)
	for !(gone(leader) && gone(child)) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !gone(leader) {
		t.Errorf("the command %d is still there", leader)
	}
	if !gone(child) {
		t.Errorf("the command's child %d is still running", child)
	}
}

func TestProxyCommandExitReaped(t *testing.T) {
	// A command that ends on its own is waited for at once, not at Close.
	tg := target{alias: "x", host: "x", port: 22, user: "u", proxyCommand: "true"}
	conn, err := startProxyCommand(Config{}, tg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := conn.(*cmdConn)
	select {
	case <-c.exited:
	case <-time.After(5 * time.Second):
		t.Fatal("the ended command was not waited for")
	}
	if _, err := c.Read(make([]byte, 1)); err == nil || !strings.Contains(err.Error(), `"true" exited`) {
		t.Errorf("read: got %v, want the command's end", err)
	}
}

func TestProxyJumpHopWithProxyCommand(t *testing.T) {
	// As with OpenSSH, the first hop of a ProxyJump is reached through its
	// own ProxyCommand.
	needNC(t)
	priv, pub := newKey(t)
	jump := startServer(t, sftpd.Options{AllowForwarding: true, Users: []sftpd.User{{Name: "hop", AuthorizedKeys: []ssh.PublicKey{pub}}}})
	target := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "dave", AuthorizedKeys: []ssh.PublicKey{pub}}}})
	_, jport, _ := net.SplitHostPort(jump.Addr())
	_, tport, _ := net.SplitHostPort(target.Addr())
	cfg := baseConfig(t, target)
	kh := knownHostsLine(target.Addr(), target.HostKey()) + knownHostsLine(net.JoinHostPort("jump.invalid", jport), jump.HostKey())
	os.WriteFile(cfg.KnownHostsFile, []byte(kh), 0o600)
	cfg.IdentityFiles = []string{writeKey(t, t.TempDir(), "id", priv, "")}
	cfg.SSHConfigFile = filepath.Join(cfg.HomeDir, "cfg")
	text := fmt.Sprintf("Host t\n HostName 127.0.0.1\n Port %s\n User dave\n ProxyJump hop@jumpbox\nHost jumpbox\n HostName jump.invalid\n Port %s\n ProxyCommand nc 127.0.0.1 %%p\n", tport, jport)
	os.WriteFile(cfg.SSHConfigFile, []byte(text), 0o600)
	c := dial(t, protocol.Site{Scheme: protocol.SchemeSFTP, Host: "t"}, cfg)
	if _, err := c.Stat(context.Background(), "/"); err != nil {
		t.Fatal(err)
	}
}

func TestDialThroughProxy(t *testing.T) {
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "alice", Password: "s3cret"}}})
	site := siteOf(t, srv.Addr(), "alice")
	for _, kind := range []struct {
		name  string
		start func(testing.TB, ...proxytest.Option) *proxytest.Server
	}{{"SOCKS5", proxytest.NewSOCKS5}, {"HTTP CONNECT", proxytest.NewHTTP}} {
		t.Run(kind.name+" carries the session", func(t *testing.T) {
			px := kind.start(t, proxytest.WithAuth("ann", "pw"))
			cfg := baseConfig(t, srv)
			cfg.Password = "s3cret"
			p, err := proxy.Parse(px.URL)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Proxy = proxy.Dialer{Proxy: p}
			c := dial(t, site, cfg)
			if _, err := c.Stat(context.Background(), "/"); err != nil {
				t.Fatal(err)
			}
			if got, want := px.Log(), "CONNECT "+srv.Addr(); len(got) != 1 || got[0] != want {
				t.Errorf("proxy log %q, want [%q]", got, want)
			}
		})
		t.Run(kind.name+" refusing the login is ErrAuth", func(t *testing.T) {
			px := kind.start(t, proxytest.WithAuth("ann", "pw"))
			cfg := baseConfig(t, srv)
			cfg.Password = "s3cret"
			p, _ := proxy.Parse(strings.Replace(px.URL, ":pw@", ":nope@", 1))
			cfg.Proxy = proxy.Dialer{Proxy: p}
			_, err := Dial(context.Background(), site, cfg)
			if !errors.Is(err, protocol.ErrAuth) || protocol.IsTransient(err) {
				t.Errorf("got %v, want ErrAuth and not transient", err)
			}
		})
		t.Run(kind.name+" skipped for a NO_PROXY host", func(t *testing.T) {
			px := kind.start(t)
			cfg := baseConfig(t, srv)
			cfg.Password = "s3cret"
			p, _ := proxy.Parse(px.URL)
			cfg.Proxy = proxy.Dialer{Proxy: p, NoProxy: "127.0.0.1"}
			dial(t, site, cfg)
			if n := px.Count(); n != 0 {
				t.Errorf("the proxy relayed %d connections, want none", n)
			}
		})
	}
	t.Run("a proxy that closes fails fast", func(t *testing.T) {
		px := proxytest.NewSOCKS5(t, proxytest.With(proxytest.Close))
		cfg := baseConfig(t, srv)
		cfg.Timeout = 2 * time.Second
		p, _ := proxy.Parse(px.URL)
		cfg.Proxy = proxy.Dialer{Proxy: p}
		start := time.Now()
		if _, err := Dial(context.Background(), site, cfg); err == nil || !protocol.IsTransient(err) {
			t.Errorf("got %v, want a transient error", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("took %s", d)
		}
	})
}
