package sftp

import (
	"context"
	"os"
	"testing"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/protocoltest"
)

func TestConformance(t *testing.T) {
	srv := startServer(t, sftpd.Options{Users: []sftpd.User{{Name: "alice", Password: "pw"}}})
	ro := startServer(t, sftpd.Options{ReadOnly: true, Root: t.TempDir(), Users: []sftpd.User{{Name: "alice", Password: "pw"}}})
	connect := func(t *testing.T, s *sftpd.Server) protocol.Client {
		cfg := baseConfig(t, s)
		cfg.Password = "pw"
		cfg.Log = nil
		c, err := Dial(context.Background(), siteOf(t, s.Addr(), "alice"), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	protocoltest.Run(t, protocoltest.Harness{
		New:    func(t *testing.T) (protocol.Client, string) { return connect(t, srv), "/" },
		Denied: func(t *testing.T) (protocol.Client, string) { return connect(t, ro), "/" },
	})
}

// TestConformanceOpenSSH runs the suite against the sshd that .ci/sshd.sh
// starts (FERRY_TEST_SSHD and friends).
func TestConformanceOpenSSH(t *testing.T) {
	env := realSSHD(t)
	protocoltest.Run(t, protocoltest.Harness{
		New: func(t *testing.T) (protocol.Client, string) {
			c := env.dialKey(t, env.key, "")
			dir := env.scratch(t, c)
			return c, dir
		},
		Denied: func(t *testing.T) (protocol.Client, string) {
			dir := os.Getenv("FERRY_TEST_SSHD_DENIED_DIR")
			if dir == "" {
				dir = "/"
			}
			return env.dialKey(t, env.key, ""), dir
		},
	})
}
