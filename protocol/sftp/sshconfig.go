package sftp

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kevinburke/ssh_config"
)

// target is one host to connect to, after ~/.ssh/config has been applied.
type target struct {
	alias          string // the name the user gave
	host           string // HostName
	port           int
	user           string
	identityFiles  []string
	identitiesOnly bool
	timeout        time.Duration
	proxyJump      string // raw ProxyJump value, "" for none
	knownHosts     []string
	// proxyCommand is the raw ProxyCommand value, tokens unexpanded;
	// "" for none (also for "ProxyCommand none").
	proxyCommand string
	// certificateFiles are CertificateFile values, ~ and tokens expanded.
	certificateFiles []string
}

func (t target) addr() string { return net.JoinHostPort(t.host, strconv.Itoa(t.port)) }

func (t target) String() string { return t.user + "@" + t.addr() }

// sshConfig is a parsed ssh client configuration; nil reads as empty.
type sshConfig struct{ c *ssh_config.Config }

func loadSSHConfig(cfg Config) (sshConfig, error) {
	p := cfg.SSHConfigFile
	switch p {
	case "none":
		return sshConfig{}, nil
	case "":
		p = filepath.Join(cfg.sshDir(), "config")
	}
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && cfg.SSHConfigFile == "" {
			return sshConfig{}, nil
		}
		return sshConfig{}, fmt.Errorf("ssh config: %w", err)
	}
	defer f.Close()
	c, err := ssh_config.Decode(f)
	if err != nil {
		return sshConfig{}, fmt.Errorf("ssh config %s: %w", p, err)
	}
	return sshConfig{c}, nil
}

func (s sshConfig) get(alias, key string) string {
	if s.c == nil {
		return ""
	}
	v, err := s.c.Get(alias, key)
	if err != nil {
		return ""
	}
	return v
}

func (s sshConfig) getAll(alias, key string) []string {
	if s.c == nil {
		return nil
	}
	v, err := s.c.GetAll(alias, key)
	if err != nil {
		return nil
	}
	return v
}

// resolve applies ssh config to alias. Values the user gave explicitly
// (port, user) win over the file, as on ssh's command line.
func (s sshConfig) resolve(cfg Config, alias string, port int, userName string) (target, error) {
	t := target{alias: alias, host: alias, port: port, user: userName}
	if hn := s.get(alias, "HostName"); hn != "" {
		t.host = strings.ReplaceAll(hn, "%h", alias)
	}
	if t.port == 0 {
		if p := s.get(alias, "Port"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return t, fmt.Errorf("ssh config: host %s: bad Port %q", alias, p)
			}
			t.port = n
		} else {
			t.port = 22
		}
	}
	if t.user == "" {
		t.user = s.get(alias, "User")
	}
	if t.user == "" {
		t.user = localUser()
	}
	for _, f := range s.getAll(alias, "IdentityFile") {
		t.identityFiles = append(t.identityFiles, expandPath(cfg.home(), f, t))
	}
	t.identitiesOnly = strings.EqualFold(s.get(alias, "IdentitiesOnly"), "yes")
	if ct := s.get(alias, "ConnectTimeout"); ct != "" {
		if n, err := strconv.Atoi(ct); err == nil && n > 0 {
			t.timeout = time.Duration(n) * time.Second
		}
	}
	if pj := s.get(alias, "ProxyJump"); pj != "" && !strings.EqualFold(pj, "none") {
		t.proxyJump = pj
	}
	if pc := s.get(alias, "ProxyCommand"); pc != "" && !strings.EqualFold(pc, "none") {
		t.proxyCommand = pc
	}
	for _, f := range s.getAll(alias, "CertificateFile") {
		t.certificateFiles = append(t.certificateFiles, expandPath(cfg.home(), f, t))
	}
	for _, v := range s.getAll(alias, "UserKnownHostsFile") {
		for _, f := range strings.Fields(v) {
			if f != "none" {
				t.knownHosts = append(t.knownHosts, expandPath(cfg.home(), f, t))
			}
		}
	}
	return t, nil
}

// parseJump reads one ProxyJump hop: [user@]host[:port] or
// ssh://[user@]host[:port].
func parseJump(hop string) (host string, port int, userName string, err error) {
	hop = strings.TrimPrefix(strings.TrimSpace(hop), "ssh://")
	if at := strings.LastIndexByte(hop, '@'); at >= 0 {
		userName, hop = hop[:at], hop[at+1:]
	}
	host = hop
	if h, p, e := net.SplitHostPort(hop); e == nil {
		n, e := strconv.Atoi(p)
		if e != nil || n < 1 || n > 65535 {
			return "", 0, "", fmt.Errorf("ProxyJump %q: bad port", hop)
		}
		host, port = h, n
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" {
		return "", 0, "", fmt.Errorf("ProxyJump %q: empty host", hop)
	}
	return host, port, userName, nil
}

// expandPath expands ~ and the tokens ssh config allows in file names.
func expandPath(home, p string, t target) string {
	if p == "~" {
		p = home
	} else if strings.HasPrefix(p, "~/") {
		p = filepath.Join(home, p[2:])
	}
	if strings.Contains(p, "%") {
		r := strings.NewReplacer("%%", "%", "%d", home, "%u", localUser(), "%r", t.user,
			"%h", t.host, "%n", t.alias, "%p", strconv.Itoa(t.port))
		p = r.Replace(p)
	}
	return p
}

func localUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}
