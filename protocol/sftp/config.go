// Package sftp is ferry's SFTP backend: golang.org/x/crypto/ssh for the
// connection and github.com/pkg/sftp for the file protocol.
//
// It follows OpenSSH where users expect it to: ~/.ssh/config, ~/.ssh/
// known_hosts, the ssh-agent, the default key files and the order in which
// login methods are tried. Transfers run many requests in flight with large
// packets, so a single file moves at the speed of the link, not of the
// round trip.
package sftp

import (
	"os"
	"path/filepath"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/proxy"
)

// Config is how Dial connects. The zero value works: defaults come from
// OpenSSH's files under the home directory.
type Config struct {
	// Prompter answers passphrase, password, keyboard-interactive and host
	// key questions; nil means protocol.NoPrompter.
	Prompter protocol.Prompter
	// Trust is what happens with a host key known_hosts does not list.
	Trust protocol.TrustMode
	// KnownHostsFile overrides the known_hosts file (UserKnownHostsFile from
	// ssh config, else ~/.ssh/known_hosts). New keys are appended to it.
	KnownHostsFile string
	// SSHConfigFile is the ssh client configuration; "" means
	// ~/.ssh/config, "none" reads none.
	SSHConfigFile string
	// IdentityFiles are private keys tried first, like ssh -i.
	IdentityFiles []string
	// Password is used when the server offers password login; when empty
	// the Prompter is asked.
	Password string
	// Timeout bounds connecting and the SSH handshake (prompts excluded);
	// 0 means ConnectTimeout from ssh config, else 15 s.
	Timeout time.Duration
	// KeepAlive is the interval of keepalive requests; a server that does
	// not answer one within the interval is dropped. 0 means 30 s.
	KeepAlive time.Duration
	// Log receives the conversation; secrets never reach it.
	Log protocol.LogFunc
	// Stderr receives the lines a ProxyCommand writes to its standard
	// error, which ssh shows on the terminal (a login URL, a refusal);
	// nil sends them to Log.
	Stderr protocol.LogFunc
	// Proxy makes the TCP connection to the server, or to the first
	// ProxyJump hop, through a SOCKS5 or HTTP proxy; the zero value
	// connects directly. A ProxyCommand replaces it.
	Proxy proxy.Dialer
	// HomeDir replaces the user's home directory (where .ssh lives).
	HomeDir string
	// AuthOrder lists the login methods to try, in order: "agent",
	// "publickey" (key files), "password", "keyboard-interactive". Methods
	// it leaves out are not tried; empty means OpenSSH's order. Agent keys
	// and key files are offered together, at the first of the two.
	AuthOrder []string

	// keepAliveMax is how many keepalive intervals may pass without a
	// reply (ServerAliveCountMax); 0 means 1.
	keepAliveMax int
}

const (
	defaultTimeout   = 15 * time.Second
	defaultKeepAlive = 30 * time.Second
)

func (c Config) prompter() protocol.Prompter {
	if c.Prompter == nil {
		return protocol.NoPrompter{}
	}
	return c.Prompter
}

func (c Config) home() string {
	if c.HomeDir != "" {
		return c.HomeDir
	}
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "/"
}

func (c Config) sshDir() string { return filepath.Join(c.home(), ".ssh") }

func (c Config) keepAlive() time.Duration {
	if c.KeepAlive > 0 {
		return c.KeepAlive
	}
	return defaultKeepAlive
}

func (c Config) logf(line string) {
	if c.Log != nil {
		c.Log(line)
	}
}
