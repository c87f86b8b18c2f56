package sftpd

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Root == "" {
		opts.Root = t.TempDir()
	}
	if opts.Users == nil {
		opts.Users = []User{{Name: "u", Password: "pw"}}
	}
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func connect(t *testing.T, s *Server, auth ...ssh.AuthMethod) (*ssh.Client, error) {
	t.Helper()
	if auth == nil {
		auth = []ssh.AuthMethod{ssh.Password("pw")}
	}
	return ssh.Dial("tcp", s.Addr(), &ssh.ClientConfig{
		User:            "u",
		Auth:            auth,
		HostKeyCallback: ssh.FixedHostKey(s.HostKey()),
		Timeout:         5 * time.Second,
	})
}

func sftpClient(t *testing.T, s *Server) *sftp.Client {
	t.Helper()
	conn, err := connect(t, s)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sftp.NewClient(conn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); conn.Close() })
	return c
}

func TestRootIsAJail(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o644)
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "inside"), []byte("ok"), 0o644)
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "abs-link"))
	rel, _ := filepath.Rel(root, filepath.Join(outside, "secret"))
	os.Symlink(rel, filepath.Join(root, "rel-link"))
	c := sftpClient(t, start(t, Options{Root: root}))

	if wd, err := c.Getwd(); err != nil || wd != "/" {
		t.Errorf("working directory %q, %v; want /", wd, err)
	}
	for _, p := range []string{"/inside", "inside", "/../inside", "../../inside"} {
		if b, err := readAll(c, p); err != nil || b != "ok" {
			t.Errorf("read %s = %q, %v; want ok", p, b, err)
		}
	}
	for _, p := range []string{"/abs-link", "/rel-link", "../" + filepath.Base(outside) + "/secret", filepath.Join(outside, "secret")} {
		if b, err := readAll(c, p); err == nil {
			t.Errorf("read %s outside the root succeeded: %q", p, b)
		}
	}
	if err := c.Symlink(outside, "/out"); err != nil {
		t.Fatalf("symlink: %v", err)
	}
	if _, err := c.Create("/out/new"); err == nil {
		t.Error("created a file through a symlink leading outside")
	}
	if _, err := os.Stat(filepath.Join(outside, "new")); err == nil {
		t.Error("a file appeared outside the root")
	}
}

func readAll(c *sftp.Client, p string) (string, error) {
	f, err := c.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	return string(b), err
}

func TestReadOnly(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "f"), []byte("x"), 0o644)
	c := sftpClient(t, start(t, Options{Root: root, ReadOnly: true}))
	if _, err := readAll(c, "/f"); err != nil {
		t.Errorf("read on a read-only server: %v", err)
	}
	for name, err := range map[string]error{
		"create": func() error { _, err := c.Create("/g"); return err }(),
		"mkdir":  c.Mkdir("/d"),
		"remove": c.Remove("/f"),
	} {
		if !errors.Is(err, os.ErrPermission) {
			t.Errorf("%s: got %v, want permission denied", name, err)
		}
	}
}

func TestAuth(t *testing.T) {
	signer := newSigner(t)
	s := start(t, Options{Users: []User{{Name: "u", Password: "pw", AuthorizedKeys: []ssh.PublicKey{signer.PublicKey()}}}})
	if _, err := connect(t, s, ssh.Password("nope")); err == nil {
		t.Error("wrong password accepted")
	}
	other := newSigner(t)
	if _, err := connect(t, s, ssh.PublicKeys(other)); err == nil {
		t.Error("unknown key accepted")
	}
	c, err := connect(t, s, ssh.PublicKeys(signer))
	if err != nil {
		t.Fatalf("key login: %v", err)
	}
	c.Close()

	kbd := start(t, Options{KeyboardInteractive: true, Users: []User{{Name: "u", Password: "pw", OTP: "42"}}})
	if _, err := connect(t, kbd, ssh.Password("pw")); err == nil {
		t.Error("password method accepted with KeyboardInteractive on")
	}
	var asked []string
	c, err = connect(t, kbd, ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
		asked = append(asked, qs...)
		ans := make([]string, len(qs))
		for i, q := range qs {
			ans[i] = map[string]string{"Password: ": "pw", "Verification code: ": "42"}[q]
		}
		return ans, nil
	}))
	if err != nil {
		t.Fatalf("keyboard-interactive login: %v", err)
	}
	c.Close()
	if len(asked) != 2 {
		t.Errorf("asked %q, want password then code", asked)
	}
}

func newSigner(t *testing.T) ssh.Signer {
	t.Helper()
	s, err := Start(context.Background(), Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return s.hostKey // a fresh ed25519 key, generated the same way
}

func TestForwarding(t *testing.T) {
	target := start(t, Options{})
	off := start(t, Options{})
	c, err := connect(t, off)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if conn, err := c.Dial("tcp", target.Addr()); err == nil {
		conn.Close()
		t.Error("forwarding worked with AllowForwarding off")
	}

	on := start(t, Options{AllowForwarding: true})
	c2, err := connect(t, on)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	conn, err := c2.Dial("tcp", target.Addr())
	if err != nil {
		t.Fatalf("forward to loopback: %v", err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	banner := make([]byte, 4)
	if _, err := io.ReadFull(conn, banner); err != nil || string(banner) != "SSH-" {
		t.Errorf("forwarded connection read %q, %v; want an SSH banner", banner, err)
	}
	conn.Close()
	if conn, err := c2.Dial("tcp", "192.0.2.1:22"); err == nil {
		conn.Close()
		t.Error("forwarding to a non-loopback address was allowed")
	}
}

func TestSilentAndClose(t *testing.T) {
	s := start(t, Options{Silent: true})
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := conn.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("silent server sent %d bytes, %v", n, err)
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung with a connection open")
	}
}
