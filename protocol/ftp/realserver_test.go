package ftp

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/protocoltest"
)

// Real servers, started by .ci/ftpd.sh, which exports their addresses:
//
//	FERRY_TEST_VSFTPD         vsftpd, plain FTP (run passive and active)
//	FERRY_TEST_VSFTPD_FTPES   vsftpd, explicit FTPS, require_ssl_reuse=YES
//	FERRY_TEST_VSFTPD_FTPS    vsftpd, implicit FTPS
//	FERRY_TEST_PROFTPD        proftpd with MLSD, TLS offered (run plain and explicit FTPS)
//	FERRY_TEST_PUREFTPD       pure-ftpd with MLSD, TLS offered (run plain and explicit FTPS)
//	FERRY_TEST_FTP_USER, FERRY_TEST_FTP_PASSWORD   the login for all of them
//	FERRY_TEST_FTP_DIR        a writable directory on the servers (absolute)
//	FERRY_TEST_FTP_RODIR      a directory the login user may not write; "/"
//	                          when unset (the servers show the real, root-owned
//	                          filesystem to an unprivileged user)
//	FERRY_TEST_FTP_CA         PEM file of the servers' certificate
//
// Unset addresses skip, unless FERRY_REQUIRE_REAL_SERVERS=1.
type realServer struct {
	env    string
	scheme protocol.Scheme
	mode   Mode
	// resumes: the server requires data connections to resume the control
	// connection's TLS session (vsftpd, proftpd), so DidResume is asserted.
	// pure-ftpd issues no session tickets, which are all Go resumes from.
	resumes bool
}

var realServers = []realServer{
	{"FERRY_TEST_VSFTPD", protocol.SchemeFTP, Passive, false},
	{"FERRY_TEST_VSFTPD", protocol.SchemeFTP, Active, false},
	{"FERRY_TEST_VSFTPD_FTPES", protocol.SchemeFTPES, Passive, true},
	{"FERRY_TEST_VSFTPD_FTPS", protocol.SchemeFTPS, Passive, true},
	{"FERRY_TEST_PROFTPD", protocol.SchemeFTP, Active, false},
	{"FERRY_TEST_PROFTPD", protocol.SchemeFTPES, Passive, true},
	{"FERRY_TEST_PUREFTPD", protocol.SchemeFTPES, Passive, false},
}

func requireReal(t testing.TB, env string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
			t.Fatalf("%s is not set and FERRY_REQUIRE_REAL_SERVERS=1", env)
		}
		t.Skipf("%s not set: no real server to test against", env)
	}
	return v
}

func realConfig(t testing.TB, mode Mode) Config {
	t.Helper()
	cfg := Config{Password: os.Getenv("FERRY_TEST_FTP_PASSWORD"), Mode: mode, Trust: protocol.TrustAcceptNew, PinDir: t.TempDir()}
	if ca := os.Getenv("FERRY_TEST_FTP_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			t.Fatalf("FERRY_TEST_FTP_CA: %v", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			t.Fatalf("FERRY_TEST_FTP_CA %s holds no certificate", ca)
		}
		cfg.Trust = protocol.TrustStrict
	}
	return cfg
}

// TestRealServers runs the conformance suite against every real server
// that is set, the servers in parallel. Logins are slow on real servers
// (PAM hashes the password), so each run makes one scratch directory and
// removes it once at the end, and each suite test logs in once.
func TestRealServers(t *testing.T) {
	for _, rs := range realServers {
		name := rs.env + "/" + string(rs.scheme)
		if rs.mode == Active {
			name += "/active"
		}
		t.Run(name, func(t *testing.T) {
			addr := requireReal(t, rs.env)
			t.Parallel()
			user := os.Getenv("FERRY_TEST_FTP_USER")
			rodir := os.Getenv("FERRY_TEST_FTP_RODIR")
			if rodir == "" {
				rodir = "/"
			}
			site := siteOf(t, rs.scheme, addr, user)
			connect := func(t *testing.T) *Client { return dialT(t, site, realConfig(t, rs.mode)) }
			admin := connect(t)
			defer admin.Close()
			run := scratchDir(t, admin, os.Getenv("FERRY_TEST_FTP_DIR"))
			defer func() {
				if err := removeAll(context.Background(), admin, run); err != nil {
					t.Errorf("clean %s: %v", run, err)
				}
			}()
			protocoltest.Run(t, protocoltest.Harness{
				StreamSize: 16 << 20,
				New: func(t *testing.T) (protocol.Client, string) {
					c := connect(t)
					return c, scratchDir(t, c, run)
				},
				Denied: func(t *testing.T) (protocol.Client, string) {
					return connect(t), rodir
				},
			})
			if rs.scheme == protocol.SchemeFTP {
				return
			}
			for _, max := range []uint16{0, tls.VersionTLS12} {
				name := "data connections resume the TLS session"
				if max != 0 {
					name += " under TLS 1.2"
				}
				t.Run(name, func(t *testing.T) {
					cfg := realConfig(t, rs.mode)
					cfg.maxTLS = max
					c := dialT(t, site, cfg)
					defer c.Close()
					if err := roundTripAt(c, run); err != nil {
						t.Fatal(err)
					}
					switch {
					case c.lastDataResumed():
					case rs.resumes:
						t.Fatal("the data connection did not resume the control connection's TLS session")
					default:
						t.Logf("%s does not offer TLS session resumption; the transfer worked without it", rs.env)
					}
				})
			}
		})
	}
}

func scratchDir(t *testing.T, c *Client, dir string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	p := path.Join(dir, "ferry-test-"+hex.EncodeToString(b[:]))
	if err := c.Mkdir(context.Background(), p); err != nil {
		t.Fatalf("mkdir scratch %s: %v", p, err)
	}
	return p
}

func roundTripAt(c *Client, dir string) error {
	ctx := context.Background()
	w, err := c.Create(ctx, path.Join(dir, "resume-check"), 0)
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte("resume")); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// removeAll deletes a tree through the client, depth first.
func removeAll(ctx context.Context, c *Client, p string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	entries, err := c.List(ctx, p)
	if err != nil {
		if errors.Is(err, protocol.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		if e.Name == "" {
			continue
		}
		child := path.Join(p, e.Name)
		if e.IsDir() {
			err = removeAll(ctx, c, child)
		} else {
			err = c.Remove(ctx, child)
		}
		if err != nil {
			return err
		}
	}
	return c.RemoveDir(ctx, p)
}

func TestRealServerListsDotFiles(t *testing.T) {
	addr := requireReal(t, "FERRY_TEST_VSFTPD")
	c := dialT(t, siteOf(t, protocol.SchemeFTP, addr, os.Getenv("FERRY_TEST_FTP_USER")), realConfig(t, Passive))
	defer c.Close()
	ctx := context.Background()
	scratch := scratchDir(t, c, os.Getenv("FERRY_TEST_FTP_DIR"))
	defer removeAll(ctx, c, scratch)
	w, err := c.Create(ctx, path.Join(scratch, ".hidden"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := c.List(ctx, scratch)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name != ".hidden" {
		t.Fatalf("list %s: %+v, want .hidden", scratch, entries)
	}
}

// TestRealServerExtras checks the optional abilities on every real server:
// Chtimes (MFMT, or vsftpd's two-argument MDTM) and Hash where offered.
func TestRealServerExtras(t *testing.T) {
	data := []byte("ferry hash check\n")
	want := map[string]string{}
	{
		s := sha256.Sum256(data)
		want["sha256"] = hex.EncodeToString(s[:])
		m := md5.Sum(data)
		want["md5"] = hex.EncodeToString(m[:])
		s1 := sha1.Sum(data)
		want["sha1"] = hex.EncodeToString(s1[:])
		want["crc32"] = fmt.Sprintf("%08x", crc32.ChecksumIEEE(data))
	}
	for _, env := range []string{"FERRY_TEST_VSFTPD", "FERRY_TEST_PROFTPD", "FERRY_TEST_PUREFTPD"} {
		t.Run(env, func(t *testing.T) {
			addr := requireReal(t, env)
			c := dialT(t, siteOf(t, protocol.SchemeFTP, addr, os.Getenv("FERRY_TEST_FTP_USER")), realConfig(t, Passive))
			defer c.Close()
			ctx := context.Background()
			scratch := scratchDir(t, c, os.Getenv("FERRY_TEST_FTP_DIR"))
			defer removeAll(ctx, c, scratch)
			p := path.Join(scratch, "x.txt")
			w, err := c.Create(ctx, p, 0)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(data)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			mtime := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
			if err := c.Chtimes(ctx, p, mtime); err != nil {
				t.Fatalf("chtimes: %v", err)
			}
			if e, err := c.Stat(ctx, p); err != nil || !e.ModTime.Equal(mtime) {
				t.Fatalf("stat after chtimes: %v, %v; want %v", e.ModTime, err, mtime)
			}
			for _, algo := range c.HashAlgorithms() {
				got, err := c.Hash(ctx, p, algo)
				if err != nil {
					t.Errorf("hash %s: %v", algo, err)
				} else if w, ok := want[algo]; ok && got != w {
					t.Errorf("hash %s = %s, want %s", algo, got, w)
				}
			}
			t.Logf("%s hashes: %v", env, c.HashAlgorithms())
		})
	}
}
