package sftp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// sshdEnv describes the real OpenSSH server .ci/sshd.sh starts.
type sshdEnv struct {
	addr, user, password string
	key, keyEnc, keyPass string
	knownHosts, dir      string
}

// realSSHD reads the server's address from the environment; without it the
// test is skipped, or fails when FERRY_REQUIRE_REAL_SERVERS=1.
func realSSHD(t *testing.T) sshdEnv {
	t.Helper()
	e := sshdEnv{
		addr:       os.Getenv("FERRY_TEST_SSHD"),
		user:       os.Getenv("FERRY_TEST_SSHD_USER"),
		password:   os.Getenv("FERRY_TEST_SSHD_PASSWORD"),
		key:        os.Getenv("FERRY_TEST_SSHD_KEY"),
		keyEnc:     os.Getenv("FERRY_TEST_SSHD_KEY_ENC"),
		keyPass:    os.Getenv("FERRY_TEST_SSHD_KEY_PASSPHRASE"),
		knownHosts: os.Getenv("FERRY_TEST_SSHD_KNOWN_HOSTS"),
		dir:        os.Getenv("FERRY_TEST_SSHD_DIR"),
	}
	if e.addr == "" {
		if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
			t.Fatal("FERRY_TEST_SSHD is not set but FERRY_REQUIRE_REAL_SERVERS=1 (source .ci/sshd.sh)")
		}
		t.Skip("FERRY_TEST_SSHD not set; source .ci/sshd.sh to test against OpenSSH")
	}
	return e
}

func (e sshdEnv) site(t *testing.T) protocol.Site { return siteOf(t, e.addr, e.user) }

func (e sshdEnv) config(t *testing.T) Config {
	cfg := baseConfig(t)
	cfg.KnownHostsFile = e.knownHosts
	cfg.Log = nil
	return cfg
}

func (e sshdEnv) dialKey(t *testing.T, key, passphrase string) *Client {
	t.Helper()
	cfg := e.config(t)
	cfg.IdentityFiles = []string{key}
	cfg.Prompter = &fakePrompter{passphrase: passphrase}
	c, err := Dial(context.Background(), e.site(t), cfg)
	if err != nil {
		t.Fatalf("dial %s with %s: %v", e.addr, key, err)
	}
	return c
}

// scratch makes a fresh directory under FERRY_TEST_SSHD_DIR, removed at
// the end of the test.
func (e sshdEnv) scratch(t *testing.T, c *Client) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	dir := path.Join(e.dir, "t-"+hex.EncodeToString(b))
	if err := c.Mkdir(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cc := e.dialKey(t, e.key, "")
		defer cc.Close()
		if err := removeAll(context.Background(), cc, dir); err != nil {
			t.Errorf("cleaning %s: %v", dir, err)
		}
	})
	return dir
}

func removeAll(ctx context.Context, c *Client, dir string) error {
	ents, err := c.List(ctx, dir)
	if err != nil {
		return err
	}
	for _, en := range ents {
		p := path.Join(dir, en.Name)
		if en.IsDir() {
			err = removeAll(ctx, c, p)
		} else {
			err = c.Remove(ctx, p)
		}
		if err != nil {
			return err
		}
	}
	return c.RemoveDir(ctx, dir)
}

func TestOpenSSHLogin(t *testing.T) {
	e := realSSHD(t)
	t.Run("key", func(t *testing.T) {
		e.dialKey(t, e.key, "").Close()
	})
	t.Run("encrypted key", func(t *testing.T) {
		e.dialKey(t, e.keyEnc, e.keyPass).Close()
	})
	t.Run("password", func(t *testing.T) {
		cfg := e.config(t)
		cfg.Password = e.password
		c, err := Dial(context.Background(), e.site(t), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(c.Security(), "SFTP · ") {
			t.Errorf("security %q", c.Security())
		}
		c.Close()
	})
	t.Run("wrong password is ErrAuth", func(t *testing.T) {
		cfg := e.config(t)
		cfg.Password = "not-" + e.password
		_, err := Dial(context.Background(), e.site(t), cfg)
		if !errors.Is(err, protocol.ErrAuth) {
			t.Fatalf("got %v, want ErrAuth", err)
		}
	})
	t.Run("agent", func(t *testing.T) {
		cfg := e.config(t)
		b, err := os.ReadFile(e.key)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := ssh.ParseRawPrivateKey(b)
		if err != nil {
			t.Fatal(err)
		}
		startAgentRaw(t, raw)
		c, err := Dial(context.Background(), e.site(t), cfg)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	})
}

func TestOpenSSHHostKeys(t *testing.T) {
	e := realSSHD(t)
	t.Run("unknown key is refused under strict", func(t *testing.T) {
		cfg := e.config(t)
		cfg.KnownHostsFile = filepath.Join(t.TempDir(), "known_hosts")
		cfg.IdentityFiles = []string{e.key}
		_, err := Dial(context.Background(), e.site(t), cfg)
		if !errors.Is(err, protocol.ErrHostKey) {
			t.Fatalf("got %v, want ErrHostKey", err)
		}
	})
	t.Run("changed key is refused with both fingerprints", func(t *testing.T) {
		real := serverKey(t, e.addr)
		_, fake := newKey(t)
		cfg := e.config(t)
		cfg.KnownHostsFile = filepath.Join(t.TempDir(), "known_hosts")
		os.WriteFile(cfg.KnownHostsFile, []byte(knownhosts.Line([]string{e.addr}, fake)+"\n"), 0o600)
		cfg.IdentityFiles = []string{e.key}
		cfg.Trust = protocol.TrustAcceptNew
		_, err := Dial(context.Background(), e.site(t), cfg)
		if !errors.Is(err, protocol.ErrHostKey) {
			t.Fatalf("got %v, want ErrHostKey", err)
		}
		for _, want := range []string{ssh.FingerprintSHA256(real), ssh.FingerprintSHA256(fake), cfg.KnownHostsFile + ":1"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %s", err, want)
			}
		}
	})
}

// serverKey fetches the ed25519 host key the server presents.
func serverKey(t *testing.T, addr string) ssh.PublicKey {
	t.Helper()
	var key ssh.PublicKey
	errGot := errors.New("got key")
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	_, _, _, err = ssh.NewClientConn(conn, addr, &ssh.ClientConfig{
		HostKeyAlgorithms: []string{ssh.KeyAlgoED25519},
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error {
			key = k
			return errGot
		},
	})
	if !errors.Is(err, errGot) {
		t.Fatalf("fetching host key: %v", err)
	}
	return key
}

func startAgentRaw(t *testing.T, raw any) {
	t.Helper()
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: raw}); err != nil {
		t.Fatal(err)
	}
	serveAgent(t, keyring)
}

func TestOpenSSHErrorsAndSecurity(t *testing.T) {
	e := realSSHD(t)
	ctx := context.Background()
	c := e.dialKey(t, e.key, "")
	defer c.Close()
	if want := "SFTP · ssh-ed25519 · "; !strings.HasPrefix(c.Security(), want) {
		t.Errorf("Security() = %q, want prefix %q", c.Security(), want)
	}
	t.Logf("security: %s", c.Security())
	dir := e.scratch(t, c)
	if err := c.Mkdir(ctx, dir+"/d"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Create(ctx, dir+"/d/f", 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := c.RemoveDir(ctx, dir+"/d"); !errors.Is(err, protocol.ErrNotEmpty) {
		t.Errorf("rmdir of a non-empty directory: got %v, want ErrNotEmpty", err)
	}
	if err := c.Mkdir(ctx, dir+"/d"); !errors.Is(err, protocol.ErrExist) {
		t.Errorf("mkdir of an existing directory: got %v, want ErrExist", err)
	}
	if _, err := c.Open(ctx, dir+"/missing", 0); !errors.Is(err, protocol.ErrNotExist) {
		t.Errorf("open of a missing file: got %v, want ErrNotExist", err)
	}
	if err := c.Rename(ctx, dir+"/d/f", dir+"/g"); err != nil {
		t.Errorf("rename: %v", err)
	}
}
