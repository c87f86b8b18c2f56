package ftpd

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"
)

// retrTLS downloads name over a PROT P data connection and reports whether
// the data connection resumed the control connection's session.
func (c *ctrl) retrTLS(name string, cfg *tls.Config) (string, bool) {
	c.t.Helper()
	d := c.epsv()
	c.cmd("RETR "+name, 150)
	tc := tlsHandshake(c.t, d, cfg)
	b := readAll(c.t, tc)
	c.expect(226)
	return string(b), tc.ConnectionState().DidResume
}

func TestExplicitTLS(t *testing.T) {
	for _, tc := range []struct {
		name string
		max  uint16
	}{{"TLS 1.3", tls.VersionTLS13}, {"TLS 1.2", tls.VersionTLS12}} {
		t.Run(tc.name, func(t *testing.T) {
			scfg, pool := mustTLS(t)
			srv, root := startServer(t, Options{TLS: scfg, RequireTLS: true, RequireTLSReuse: true})
			writeFile(t, root, "f", "secret data")
			ccfg := tlsClient(pool, true)
			ccfg.MaxVersion = tc.max

			c := dial(t, srv.Addr())
			if feat := c.cmd("FEAT", 211); !strings.Contains(feat, " AUTH TLS\n") || !strings.Contains(feat, " PROT\n") {
				t.Errorf("FEAT lacks TLS: %q", feat)
			}
			c.cmd("USER "+testUser, 530) // RequireTLS
			c.cmd("PBSZ 0", 503)
			c.cmd("AUTH TLS", 234)
			c.use(tlsHandshake(t, c.conn, ccfg))
			c.login()
			c.cmd("EPSV", 229)
			c.cmd("RETR f", 522) // no PROT P yet
			c.cmd("PROT P", 503) // PBSZ first
			c.cmd("PBSZ 0", 200)
			c.cmd("PROT C", 534) // RequireTLS
			c.cmd("PROT P", 200)
			got, resumed := c.retrTLS("f", ccfg)
			if got != "secret data" {
				t.Errorf("RETR over TLS: got %q", got)
			}
			if !resumed {
				t.Error("data connection did not resume the control session")
			}
			d := c.epsv()
			c.cmd("STOR up", 150)
			dt := tlsHandshake(t, d, ccfg)
			dt.Write([]byte("uploaded"))
			dt.Close()
			c.expect(226)
			if got := readFile(t, root, "up"); got != "uploaded" {
				t.Errorf("STOR over TLS: got %q", got)
			}
			c.cmd("AUTH TLS", 503)
		})
	}
}

func TestTLSReuseRequired(t *testing.T) {
	scfg, pool := mustTLS(t)
	srv, root := startServer(t, Options{TLS: scfg, RequireTLSReuse: true})
	writeFile(t, root, "f", "x")
	c := dial(t, srv.Addr())
	c.cmd("AUTH TLS", 234)
	c.use(tlsHandshake(t, c.conn, tlsClient(pool, true)))
	c.login()
	c.cmd("PBSZ 0", 200)
	c.cmd("PROT P", 200)
	// A data connection with a fresh config (no session cache) cannot
	// resume, and the server refuses it as vsftpd does.
	d := c.epsv()
	c.cmd("RETR f", 150)
	tc := tls.Client(d, tlsClient(pool, false))
	d.SetDeadline(time.Now().Add(5 * time.Second))
	tc.Handshake()
	if got := c.expect(522); !strings.Contains(got, "session reuse required") {
		t.Errorf("got %q", got)
	}
	c.cmd("NOOP", 200)
}

func TestImplicitTLS(t *testing.T) {
	scfg, pool := mustTLS(t)
	srv, root := startServer(t, Options{TLS: scfg, Implicit: true})
	writeFile(t, root, "f", "implicit")
	ccfg := tlsClient(pool, true)
	conn, err := net.DialTimeout("tcp", srv.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &ctrl{t: t}
	c.use(tlsHandshake(t, conn, ccfg))
	c.expect(220)
	c.cmd("AUTH TLS", 503)
	c.login()
	c.cmd("PBSZ 0", 200)
	c.cmd("PROT P", 200)
	if got, _ := c.retrTLS("f", ccfg); got != "implicit" {
		t.Errorf("got %q", got)
	}
	c.cmd("PROT C", 200)
	if got := string(c.retr("f")); got != "implicit" {
		t.Errorf("PROT C after PROT P: got %q", got)
	}
}

func TestPlainClientOnImplicitPort(t *testing.T) {
	scfg, _ := mustTLS(t)
	srv, _ := startServer(t, Options{TLS: scfg, Implicit: true, DataTimeout: time.Second})
	conn, err := net.DialTimeout("tcp", srv.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("USER x\r\n"))
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 512)
	n, _ := conn.Read(buf)
	if strings.Contains(string(buf[:n]), "220") {
		t.Errorf("implicit port answered a plain client: %q", buf[:n])
	}
}
