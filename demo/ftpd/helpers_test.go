package ftpd

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	testUser = "alice"
	testPass = "s3cret"
)

// startServer runs a server over a fresh temporary root and stops it when
// the test ends.
func startServer(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	if opts.Root == "" {
		opts.Root = t.TempDir()
	}
	if opts.Users == nil {
		opts.Users = map[string]string{testUser: testPass}
	}
	if opts.Log == nil {
		opts.Log = func(l string) { t.Log(l) }
	}
	srv, err := Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, opts.Root
}

// ctrl is a raw control connection: the tests speak FTP by hand, with no
// client library in between.
type ctrl struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dial(t *testing.T, addr string) *ctrl {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &ctrl{t: t, conn: conn, r: bufio.NewReader(conn)}
	c.expect(220)
	return c
}

func (c *ctrl) use(conn net.Conn) {
	c.conn = conn
	c.r = bufio.NewReader(conn)
}

func (c *ctrl) send(line string) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c.conn, line+"\r\n"); err != nil {
		c.t.Fatalf("send %q: %v", line, err)
	}
}

// read returns one complete reply: its code and all its text.
func (c *ctrl) read() (int, string) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var text []string
	code := 0
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("read reply: %v (so far %q)", err, text)
		}
		line = strings.TrimRight(line, "\r\n")
		text = append(text, line)
		if code == 0 {
			if len(line) < 4 {
				c.t.Fatalf("short reply line %q", line)
			}
			n, err := strconv.Atoi(line[:3])
			if err != nil {
				c.t.Fatalf("bad reply line %q", line)
			}
			code = n
			if line[3] == ' ' {
				break
			}
			continue
		}
		if strings.HasPrefix(line, strconv.Itoa(code)+" ") {
			break
		}
	}
	return code, strings.Join(text, "\n")
}

func (c *ctrl) expect(want int) string {
	c.t.Helper()
	code, text := c.read()
	if code != want {
		c.t.Fatalf("got reply %q, want code %d", text, want)
	}
	return text
}

// cmd sends a command and checks the reply code.
func (c *ctrl) cmd(line string, want int) string {
	c.t.Helper()
	c.send(line)
	return c.expect(want)
}

func (c *ctrl) login() {
	c.t.Helper()
	c.cmd("USER "+testUser, 331)
	c.cmd("PASS "+testPass, 230)
}

var epsvRe = regexp.MustCompile(`\(\|\|\|(\d+)\|\)`)

// epsv asks for a passive port and connects to it.
func (c *ctrl) epsv() net.Conn {
	c.t.Helper()
	text := c.cmd("EPSV", 229)
	m := epsvRe.FindStringSubmatch(text)
	if m == nil {
		c.t.Fatalf("EPSV reply %q has no port", text)
	}
	host, _, _ := net.SplitHostPort(c.conn.RemoteAddr().String())
	d, err := net.DialTimeout("tcp", net.JoinHostPort(host, m[1]), 5*time.Second)
	if err != nil {
		c.t.Fatalf("dial data: %v", err)
	}
	c.t.Cleanup(func() { d.Close() })
	return d
}

// readAll reads a data connection to its end.
func readAll(t *testing.T, d net.Conn) []byte {
	t.Helper()
	d.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(d)
	if err != nil {
		t.Fatalf("read data: %v", err)
	}
	return b
}

// retr downloads name over EPSV and checks the 150/226 replies.
func (c *ctrl) retr(name string) []byte {
	c.t.Helper()
	d := c.epsv()
	c.cmd("RETR "+name, 150)
	b := readAll(c.t, d)
	c.expect(226)
	return b
}

// stor uploads data to name over EPSV.
func (c *ctrl) stor(verb, name string, data []byte) {
	c.t.Helper()
	d := c.epsv()
	c.cmd(verb+" "+name, 150)
	d.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := d.Write(data); err != nil {
		c.t.Fatalf("write data: %v", err)
	}
	d.Close()
	c.expect(226)
}

func writeFile(t *testing.T, root, name, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, root, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tlsClient returns a client config that trusts pool and resumes sessions
// through one shared cache, as ferry's client does.
func tlsClient(pool *x509.CertPool, cache bool) *tls.Config {
	cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	if cache {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(8)
	}
	return cfg
}

func tlsHandshake(t *testing.T, conn net.Conn, cfg *tls.Config) *tls.Conn {
	t.Helper()
	tc := tls.Client(conn, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		t.Fatalf("TLS handshake: %v", err)
	}
	return tc
}

func mustTLS(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	cfg, pool, err := SelfSignedTLS()
	if err != nil {
		t.Fatalf("SelfSignedTLS: %v", err)
	}
	return cfg, pool
}

func dialErr(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		c.Close()
	}
	return c, err
}
