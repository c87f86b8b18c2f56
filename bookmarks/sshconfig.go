package bookmarks

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/protocol"
	"github.com/kevinburke/ssh_config"
)

// maxIncludeDepth matches OpenSSH's limit on nested Include directives.
const maxIncludeDepth = 16

// SSHConfig is an ssh client config with its Include files expanded in
// place, ready for alias lookups. It is read from disk on every use, never
// copied into bookmarks.toml, so an edit to ~/.ssh/config shows at once.
type SSHConfig struct {
	blocks []*ssh_config.Host // every Host/Match block, in evaluation order
	home   string
}

// ReadSSHConfig reads path and the files it includes. Relative Include
// paths are taken from home/.ssh, as OpenSSH does for a user config. A
// missing file is an empty config.
func ReadSSHConfig(path, home string) (*SSHConfig, error) {
	c := &SSHConfig{home: home}
	if err := c.read(path, 0, ""); err != nil {
		return c, err
	}
	return c, nil
}

// ParseSSHConfig reads one ssh config file's content; Include directives in
// it are resolved against home like ReadSSHConfig does, and not followed at
// all when home is empty.
func ParseSSHConfig(data []byte, home string) (*SSHConfig, error) {
	c := &SSHConfig{home: home}
	return c, c.parse("ssh config", data, 0, "")
}

func (c *SSHConfig) read(path string, depth int, header string) error {
	data, err := readFileIfExists(path)
	if err != nil || data == nil {
		return err
	}
	return c.parse(path, data, depth, header)
}

// parse splits the file at its Include lines. The library would resolve
// Include itself, but against the real home directory and without telling
// which hosts came from where; splitting keeps file order and lets tests
// use their own home. Each later segment starts again with the Host or
// Match line that was open, so the lines after an Include stay in that
// block; an included file starts inside the block its Include sat in.
func (c *SSHConfig) parse(name string, data []byte, depth int, header string) error {
	if depth > maxIncludeDepth {
		return fmt.Errorf("%s: Include nested more than %d deep", name, maxIncludeDepth)
	}
	var seg bytes.Buffer
	if header != "" {
		seg.WriteString(header + "\n")
	}
	lineNo := 0
	flush := func() error {
		cfg, err := ssh_config.DecodeBytes(seg.Bytes())
		if err != nil {
			return fmt.Errorf("%s near line %d: %w", name, lineNo, err)
		}
		c.blocks = append(c.blocks, cfg.Hosts...)
		seg.Reset()
		if header != "" {
			seg.WriteString(header + "\n")
		}
		return nil
	}
	for line := range strings.Lines(string(data)) {
		lineNo++
		key, rest := sshKeyword(line)
		switch strings.ToLower(key) {
		case "host", "match":
			header = strings.TrimRight(line, "\r\n")
		case "include":
			if err := flush(); err != nil {
				return err
			}
			for _, pattern := range strings.Fields(rest) {
				if err := c.include(pattern, depth+1, header); err != nil {
					return fmt.Errorf("%s line %d: %w", name, lineNo, err)
				}
			}
			continue
		}
		seg.WriteString(line)
	}
	return flush()
}

func (c *SSHConfig) include(pattern string, depth int, header string) error {
	pattern = strings.Trim(pattern, `"`)
	switch {
	case c.home == "":
		return nil // nowhere to resolve from; also keeps fuzzing off the disk
	case filepath.IsAbs(pattern):
	case strings.HasPrefix(pattern, "~/"):
		pattern = filepath.Join(c.home, pattern[2:])
	default:
		pattern = filepath.Join(c.home, ".ssh", pattern)
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return fmt.Errorf("include %s: %w", pattern, err)
	}
	for _, m := range matches {
		if err := c.read(m, depth, header); err != nil {
			return err
		}
	}
	return nil
}

// sshKeyword splits a config line into its keyword and the rest, honouring
// "Key value" and "Key=value".
func sshKeyword(line string) (string, string) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return "", ""
	}
	end := strings.IndexFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == '=' })
	if end < 0 {
		return line, ""
	}
	rest := strings.TrimLeft(line[end:], " \t")
	rest = strings.TrimLeft(strings.TrimPrefix(rest, "="), " \t")
	return line[:end], rest
}

// Names lists the concrete Host names in file order: patterns with
// wildcards or negation never become sites.
func (c *SSHConfig) Names() []string {
	var names []string
	seen := map[string]bool{}
	for _, h := range c.blocks {
		for _, p := range h.Patterns {
			n := p.String()
			if n == "" || strings.ContainsAny(n, "*?!") || seen[n] || CheckName(n) != nil {
				continue
			}
			seen[n] = true
			names = append(names, n)
		}
	}
	return names
}

// Get is the first value of key for alias, OpenSSH's first-match-wins rule.
func (c *SSHConfig) Get(alias, key string) string {
	for _, h := range c.blocks {
		if !h.Matches(alias) {
			continue
		}
		for _, n := range h.Nodes {
			if kv, ok := n.(*ssh_config.KV); ok && strings.EqualFold(kv.Key, key) {
				return strings.Trim(kv.Value, `"`)
			}
		}
	}
	return ""
}

// Site is the alias as a site: HostName, Port, User and the first
// IdentityFile, with %h, %d, %r and ~ expanded.
func (c *SSHConfig) Site(alias string) (Site, bool) {
	found := false
	for _, n := range c.Names() {
		if n == alias {
			found = true
			break
		}
	}
	if !found {
		return Site{}, false
	}
	site := Site{Name: alias, Protocol: protocol.SchemeSFTP, Host: alias, Source: SourceSSHConfig}
	if hn := c.Get(alias, "HostName"); hn != "" {
		site.Host = strings.ReplaceAll(hn, "%h", alias)
	}
	if p, err := strconv.Atoi(c.Get(alias, "Port")); err == nil && p > 0 && p < 65536 && p != protocol.SchemeSFTP.DefaultPort() {
		site.Port = p
	}
	site.User = c.Get(alias, "User")
	if id := c.Get(alias, "IdentityFile"); id != "" && !strings.EqualFold(id, "none") {
		site.KeyFile = c.expand(id, site)
	}
	return site, true
}

func (c *SSHConfig) expand(s string, site Site) string {
	if strings.HasPrefix(s, "~/") && c.home != "" {
		s = filepath.Join(c.home, s[2:])
	}
	return strings.NewReplacer("%%", "%", "%h", site.Host, "%d", c.home, "%r", site.User).Replace(s)
}

// sshAlias looks alias up in the store's ssh config; a broken config
// yields no alias (Entries reports the error).
func (s *Store) sshAlias(alias string) (Site, bool) {
	if s.paths.SSHConfig == "" {
		return Site{}, false
	}
	cfg, err := ReadSSHConfig(s.paths.SSHConfig, s.paths.Home)
	if err != nil {
		return Site{}, false
	}
	return cfg.Site(alias)
}

func (s *Store) sshAliases() ([]Site, error) {
	if s.paths.SSHConfig == "" {
		return nil, nil
	}
	cfg, err := ReadSSHConfig(s.paths.SSHConfig, s.paths.Home)
	var out []Site
	for _, n := range cfg.Names() {
		if site, ok := cfg.Site(n); ok {
			out = append(out, site)
		}
	}
	return out, err
}
