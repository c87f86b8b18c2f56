package sftp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
)

// TestAuthOrderLimitsAndOrdersMethods checks that a bookmark's auth order
// decides which login methods are tried: a key the order leaves out is not
// offered, and a password the order leaves out is not sent.
func TestAuthOrderLimitsAndOrdersMethods(t *testing.T) {
	priv, pub := newKey(t)
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "kim", Password: "pw", AuthorizedKeys: []ssh.PublicKey{pub}}}})
	site := siteOf(t, srv.Addr(), "kim")
	keyFile := writeKey(t, t.TempDir(), "id_ed25519", priv, "")

	for _, tc := range []struct {
		name     string
		order    []string
		password string
		keys     []string
		ok       bool
	}{
		{"password only logs in with the password", []string{"password"}, "pw", []string{keyFile}, true},
		{"publickey only logs in with the key", []string{"publickey"}, "wrong", []string{keyFile}, true},
		{"password only never offers the key", []string{"password"}, "wrong", []string{keyFile}, false},
		{"publickey only never sends the password", []string{"publickey"}, "pw", nil, false},
		{"empty order is OpenSSH's", nil, "wrong", []string{keyFile}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := baseConfig(t, srv)
			cfg.AuthOrder, cfg.Password, cfg.IdentityFiles = tc.order, tc.password, tc.keys
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			c, err := Dial(ctx, site, cfg)
			if tc.ok {
				if err != nil {
					t.Fatalf("dial with order %v: %v", tc.order, err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatalf("dial with order %v logged in; it should not have", tc.order)
			}
			if !errors.Is(err, protocol.ErrAuth) {
				t.Fatalf("dial with order %v: got %v, want ErrAuth", tc.order, err)
			}
		})
	}
}
