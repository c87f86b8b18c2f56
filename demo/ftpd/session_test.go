package ftpd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLogin(t *testing.T) {
	srv, _ := startServer(t, Options{Anonymous: true})
	c := dial(t, srv.Addr())
	c.cmd("PWD", 530)
	c.cmd("USER "+testUser, 331)
	c.cmd("PASS wrong", 530)
	c.cmd("PASS "+testPass, 503)
	c.cmd("USER nobody", 331)
	c.cmd("PASS "+testPass, 530)
	c.login()
	c.cmd("ACCT x", 202)
	c.cmd("PWD", 257)

	a := dial(t, srv.Addr())
	a.cmd("USER anonymous", 331)
	a.cmd("PASS guest@example.com", 230)
	a.cmd("QUIT", 221)
}

func TestSessionCommands(t *testing.T) {
	srv, root := startServer(t, Options{})
	c := dial(t, srv.Addr())
	c.login()
	if got := c.cmd("SYST", 215); got != "215 UNIX Type: L8" {
		t.Errorf("SYST: got %q", got)
	}
	feat := c.cmd("FEAT", 211)
	for _, want := range []string{" MLST type*;size*;modify*;perm*;unix.mode*;unique*;", " EPSV", " SIZE", " MDTM", " MFMT", " REST STREAM", " UTF8", " HASH SHA-256*"} {
		if !strings.Contains(feat, want+"\n") {
			t.Errorf("FEAT %q lacks %q", feat, want)
		}
	}
	if strings.Contains(feat, "AUTH TLS") {
		t.Errorf("FEAT offers AUTH TLS without a certificate: %q", feat)
	}
	c.cmd("OPTS UTF8 ON", 200)
	c.cmd("TYPE I", 200)
	c.cmd("TYPE A", 200)
	c.cmd("TYPE X", 504)
	c.cmd("MODE S", 200)
	c.cmd("MODE B", 504)
	c.cmd("STRU F", 200)
	c.cmd("STRU R", 504)
	c.cmd("NOOP", 200)
	c.cmd("AUTH TLS", 502)
	c.cmd("BOGUS", 500)
	c.cmd("CWD", 501)

	c.cmd(`MKD dir "quoted"`, 257)
	if got := c.cmd(`CWD dir "quoted"`, 250); got == "" {
		t.Fatal("empty reply")
	}
	if got := c.cmd("PWD", 257); got != `257 "/dir ""quoted""" is the current directory` {
		t.Errorf("PWD: got %q", got)
	}
	c.cmd("CDUP", 250)
	c.cmd("PWD", 257)
	c.cmd("CWD missing", 550)
	writeFile(t, root, "f.txt", "12345")
	c.cmd("CWD f.txt", 550)
	c.cmd("RMD f.txt", 550)
	c.cmd("DELE "+`dir "quoted"`, 550)
	c.cmd(`RMD dir "quoted"`, 250)
	c.cmd("RMD nothing", 550)
	c.cmd("MKD /a/b", 550)

	if got := c.cmd("SIZE f.txt", 213); got != "213 5" {
		t.Errorf("SIZE: got %q", got)
	}
	c.cmd("SIZE missing", 550)
	c.cmd("MFMT 20200102030405 f.txt", 213)
	if got := c.cmd("MDTM f.txt", 213); got != "213 20200102030405" {
		t.Errorf("MDTM after MFMT: got %q", got)
	}
	fi, err := os.Stat(filepath.Join(root, "f.txt"))
	if err != nil || !fi.ModTime().Equal(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("MFMT did not reach the disk: %v %v", fi.ModTime(), err)
	}
	const sum = "5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5"
	if got := c.cmd("HASH f.txt", 213); got != "213 SHA-256 0-5 "+sum+" f.txt" {
		t.Errorf("HASH: got %q", got)
	}
	c.cmd("RNTO x", 503)
	c.cmd("RNFR missing", 550)
	c.cmd("RNFR f.txt", 350)
	c.cmd("RNTO g.txt", 250)
	if readFile(t, root, "g.txt") != "12345" {
		t.Error("rename lost the content")
	}
	c.cmd("SITE CHMOD 600 g.txt", 200)
	if fi, err := os.Stat(filepath.Join(root, "g.txt")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("SITE CHMOD: mode %v, err %v", fi.Mode(), err)
	}
	c.cmd("DELE g.txt", 250)
	c.cmd("DELE g.txt", 550)
	c.cmd("ABOR", 225)
	c.cmd("QUIT", 221)
}

func TestSandbox(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside, "secret", "do not read")
	srv, root := startServer(t, Options{})
	writeFile(t, root, "in/file", "inside")
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "leak")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "leakdir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("in/file", filepath.Join(root, "ok")); err != nil {
		t.Fatal(err)
	}
	c := dial(t, srv.Addr())
	c.login()
	c.cmd("CWD ../../../..", 250)
	if got := c.cmd("PWD", 257); got != `257 "/" is the current directory` {
		t.Errorf("PWD after climbing: got %q", got)
	}
	rel, _ := filepath.Rel(root, filepath.Join(outside, "secret"))
	for _, p := range []string{"leak", "leakdir/secret", "../" + filepath.Base(outside) + "/secret", rel, filepath.Join(outside, "secret")} {
		c.cmd("SIZE "+p, 550)
		d := c.epsv()
		c.cmd("RETR "+p, 550)
		d.Close()
	}
	c.cmd("CWD leakdir", 550)
	c.cmd("DELE leakdir/secret", 550)
	c.cmd("RNFR leakdir/secret", 550)
	if got := string(c.retr("ok")); got != "inside" {
		t.Errorf("symlink inside the root: got %q", got)
	}
	// Writing through a symlink that leads out must fail too.
	d := c.epsv()
	c.cmd("STOR leakdir/new", 553)
	d.Close()
	if _, err := os.Stat(filepath.Join(outside, "new")); err == nil {
		t.Error("STOR wrote outside the root")
	}
	c.cmd("MKD leakdir/x", 550)
	if _, err := os.Stat(filepath.Join(outside, "x")); err == nil {
		t.Error("MKD created a directory outside the root")
	}
}

func TestReadOnly(t *testing.T) {
	srv, root := startServer(t, Options{ReadOnly: true})
	writeFile(t, root, "f", "x")
	c := dial(t, srv.Addr())
	c.login()
	c.cmd("EPSV", 229)
	c.cmd("STOR new", 553)
	c.cmd("APPE f", 553)
	c.cmd("DELE f", 550)
	c.cmd("MKD d", 550)
	c.cmd("RMD d", 550)
	c.cmd("RNFR f", 550)
	c.cmd("MFMT 20200101000000 f", 550)
	c.cmd("SITE CHMOD 777 f", 550)
	if got := string(c.retr("f")); got != "x" {
		t.Errorf("RETR on a read-only server: got %q", got)
	}
	if _, err := os.Stat(filepath.Join(root, "new")); err == nil {
		t.Error("read-only server created a file")
	}
}

func TestDisabledCommands(t *testing.T) {
	srv, _ := startServer(t, Options{Disabled: []string{"EPSV", "mlsd", "MLST"}})
	c := dial(t, srv.Addr())
	c.login()
	feat := c.cmd("FEAT", 211)
	if strings.Contains(feat, "EPSV") || strings.Contains(feat, "MLST") {
		t.Errorf("FEAT advertises disabled commands: %q", feat)
	}
	c.cmd("EPSV", 502)
	c.cmd("MLSD", 502)
	c.cmd("PASV", 227)
}

func TestLimits(t *testing.T) {
	srv, _ := startServer(t, Options{IdleTimeout: 300 * time.Millisecond})
	c := dial(t, srv.Addr())
	c.send(strings.Repeat("A", 3*maxLine))
	c.expect(500)
	c.login() // the session survives an oversized line
	c.send("NOOP\xff\xf4\xff\xf2")
	c.expect(200)
	start := time.Now()
	c.expect(421) // idle timeout
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("idle timeout took %v", d)
	}
}

func TestCloseEndsSessions(t *testing.T) {
	srv, _ := startServer(t, Options{})
	c := dial(t, srv.Addr())
	c.login()
	d := c.epsv()
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close hung with a session open")
	}
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.r.ReadByte(); err == nil {
		t.Error("control connection still open after Close")
	}
	d.Close()
	if _, err := dialErr(srv.Addr()); err == nil {
		t.Error("server still accepts after Close")
	}
}

func TestStartRejectsBadOptions(t *testing.T) {
	for name, o := range map[string]Options{
		"no root":               {},
		"missing root":          {Root: filepath.Join(t.TempDir(), "none")},
		"implicit without cert": {Root: t.TempDir(), Implicit: true},
		"require TLS, no cert":  {Root: t.TempDir(), RequireTLS: true},
	} {
		t.Run(name, func(t *testing.T) {
			if s, err := Start(t.Context(), o); err == nil {
				s.Close()
				t.Error("Start accepted bad options")
			}
		})
	}
}
