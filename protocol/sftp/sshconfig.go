package sftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ferry reads ssh_config itself rather than through a library: Match
// blocks need the options resolved so far (the user, the HostName) and
// may run commands, which a parse-then-query library cannot express.
// resolve walks the file as OpenSSH's readconf.c does: top to bottom, the
// first value of a keyword wins, Host and Match switch blocks on and off,
// Include reads other files in place.

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
	// hostKeyAlias replaces the host name in known_hosts lookups.
	hostKeyAlias string
	// identityAgent is the agent socket: "" means $SSH_AUTH_SOCK, "none"
	// no agent, else a path with ~, tokens and variables expanded.
	identityAgent string
	// aliveInterval and aliveCountMax are ServerAliveInterval and
	// ServerAliveCountMax; 0 when not set.
	aliveInterval time.Duration
	aliveCountMax int
	// algos are the algorithm lists ssh config sets.
	algos algorithms
	// revokedHostKeys are RevokedHostKeys files (revoked.go), expanded.
	revokedHostKeys []string
	// warnings are what the config asks for that ferry cannot do; Dial
	// logs them.
	warnings []string
}

func (t target) addr() string { return net.JoinHostPort(t.host, strconv.Itoa(t.port)) }

func (t target) String() string { return t.user + "@" + t.addr() }

// hostKeyAddr is the name known_hosts is searched for: HostKeyAlias as
// it stands (OpenSSH adds no port to an alias), else host:port.
func (t target) hostKeyAddr() string {
	if t.hostKeyAlias != "" {
		return net.JoinHostPort(t.hostKeyAlias, "22")
	}
	return t.addr()
}

// agentSocket is the ssh-agent socket to use, "" for none.
func (t target) agentSocket() string {
	switch t.identityAgent {
	case "":
		return os.Getenv("SSH_AUTH_SOCK")
	case "none":
		return ""
	}
	return t.identityAgent
}

// maxIncludeDepth is OpenSSH's READCONF_MAX_DEPTH.
const maxIncludeDepth = 16

// maxIncludes bounds the files one resolution reads: globs at every level
// of nesting could otherwise multiply without end.
const maxIncludes = 1000

// cfgLine is one directive of an ssh config file.
type cfgLine struct {
	file string
	num  int
	key  string   // keyword, lower case
	args []string // arguments, quotes removed
	raw  string   // the text after the keyword, for ProxyCommand
}

func (l cfgLine) where() string { return fmt.Sprintf("%s line %d", l.file, l.num) }

// sshConfig is a parsed ssh client configuration; nil reads as empty.
type sshConfig struct {
	lines []cfgLine
	// files caches included files by path for the life of one Dial.
	files map[string][]cfgLine
	// readFile, glob and exec stand in for the disk and the shell in
	// tests; nil means os.ReadFile, filepath.Glob and the user's shell.
	readFile func(string) ([]byte, error)
	glob     func(string) ([]string, error)
	exec     func(ctx context.Context, cmd string) (bool, error)
}

func loadSSHConfig(cfg Config) (*sshConfig, error) {
	p := cfg.SSHConfigFile
	switch p {
	case "none":
		return nil, nil
	case "":
		p = filepath.Join(cfg.sshDir(), "config")
	}
	data, err := os.ReadFile(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && cfg.SSHConfigFile == "" {
			return nil, nil
		}
		return nil, fmt.Errorf("ssh config: %w", err)
	}
	lines, err := parseSSHConfig(p, data)
	if err != nil {
		return nil, fmt.Errorf("ssh config: %w", err)
	}
	return &sshConfig{lines: lines, files: map[string][]cfgLine{}}, nil
}

// parseSSHConfig splits a file into directives. It checks only what every
// directive needs (a keyword, closed quotes); values are checked when a
// host's resolution reads them.
func parseSSHConfig(name string, data []byte) ([]cfgLine, error) {
	var out []cfgLine
	num := 0
	for line := range strings.Lines(string(data)) {
		num++
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		end := strings.IndexAny(line, " \t=")
		if end < 0 {
			end = len(line)
		}
		key, rest := line[:end], line[end:]
		rest = strings.TrimLeft(rest, " \t")
		rest = strings.TrimLeft(strings.TrimPrefix(rest, "="), " \t")
		args, err := splitArgs(rest)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, num, err)
		}
		key = strings.ToLower(key)
		if key == "pubkeyacceptedkeytypes" {
			key = "pubkeyacceptedalgorithms" // the name before OpenSSH 8.5
		}
		out = append(out, cfgLine{file: name, num: num, key: key, args: args, raw: rest})
	}
	return out, nil
}

// splitArgs splits on blanks as OpenSSH's argv_split does: double or
// single quotes group, a backslash escapes a quote or backslash, and an
// unquoted word starting with # ends the line.
func splitArgs(s string) ([]string, error) {
	var args []string
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) || s[i] == '#' {
			return args, nil
		}
		var b strings.Builder
		var quote byte
		for ; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '\\' && i+1 < len(s) && strings.IndexByte(`\"' `, s[i+1]) >= 0 && (quote == 0 || s[i+1] == quote || s[i+1] == '\\'):
				i++
				b.WriteByte(s[i])
				continue
			case quote != 0 && c == quote:
				quote = 0
				continue
			case quote == 0 && (c == '"' || c == '\''):
				quote = c
				continue
			case quote == 0 && (c == ' ' || c == '\t'):
			default:
				b.WriteByte(c)
				continue
			}
			break
		}
		if quote != 0 {
			return nil, errors.New("unterminated quote")
		}
		args = append(args, b.String())
	}
}

// listKeys accumulate values over the file instead of keeping the first.
var listKeys = map[string]bool{"identityfile": true, "certificatefile": true}

// setting is the value of one keyword and the line it came from.
type setting struct {
	args []string
	raw  string
	line cfgLine
}

func (s setting) first() string {
	if len(s.args) == 0 {
		return ""
	}
	return s.args[0]
}

// resolution is the state of one host's walk over the config.
type resolution struct {
	ctx      context.Context
	cfg      Config
	sc       *sshConfig
	hostArg  string // the name as given, lower case: what Host matches
	original string // the name as given: what originalhost matches
	final    bool   // in the final pass (Match final, canonical)
	// finalHost is the HostName the final pass matches Match host against.
	finalHost string
	wantFinal bool
	included  int // files read through Include
	vals      map[string]setting
	lists     map[string][]setting
	warnings  []string
}

func (r *resolution) warn(s string) {
	for _, w := range r.warnings {
		if w == s {
			return
		}
	}
	r.warnings = append(r.warnings, s)
}

func (r *resolution) get(key string) string { return r.vals[key].first() }

// set keeps the first value of key, or adds to a list key.
func (r *resolution) set(l cfgLine) error {
	if len(l.args) == 0 {
		return fmt.Errorf("ssh config %s: %s has no value", l.where(), l.key)
	}
	s := setting{args: l.args, raw: l.raw, line: l}
	if listKeys[l.key] {
		for _, o := range r.lists[l.key] {
			if o.line.file == l.file && o.line.num == l.num {
				return nil // the final pass reads the same line again
			}
		}
		r.lists[l.key] = append(r.lists[l.key], s)
		return nil
	}
	switch l.key {
	case "proxyjump":
		// OpenSSH: a ProxyCommand already set, even "none", wins.
		if _, ok := r.vals["proxycommand"]; ok {
			return nil
		}
	case "proxycommand":
		if j, ok := r.vals["proxyjump"]; ok && !strings.EqualFold(j.first(), "none") &&
			!strings.EqualFold(l.args[0], "none") {
			if _, set := r.vals["proxycommand"]; !set {
				return fmt.Errorf("ssh config %s: ProxyCommand conflicts with ProxyJump at %s; remove one of them",
					l.where(), j.line.where())
			}
		}
	}
	if _, ok := r.vals[l.key]; !ok {
		r.vals[l.key] = s
	}
	return nil
}

// walk evaluates lines; active says whether the current block applies.
// neverMatch is set inside files included from an inactive block, where
// no Host or Match may switch a block on (OpenSSH's SSHCONF_NEVERMATCH).
func (r *resolution) walk(lines []cfgLine, depth int, neverMatch bool, active *bool) error {
	for _, l := range lines {
		switch l.key {
		case "host":
			if len(l.args) == 0 {
				return fmt.Errorf("ssh config %s: Host without patterns", l.where())
			}
			*active = !neverMatch && matchHost(r.hostArg, l.args)
		case "match":
			if neverMatch {
				*active = false
				continue
			}
			ok, err := r.match(l)
			if err != nil {
				return err
			}
			*active = ok
		case "include":
			if err := r.include(l, depth, neverMatch || !*active, active); err != nil {
				return err
			}
		default:
			if *active {
				if err := r.set(l); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// include reads the files an Include line names, relative to ~/.ssh,
// with globs; the including block's state is restored afterwards.
func (r *resolution) include(l cfgLine, depth int, neverMatch bool, active *bool) error {
	if depth+1 > maxIncludeDepth {
		return fmt.Errorf("ssh config %s: Include nested more than %d deep", l.where(), maxIncludeDepth)
	}
	oactive := *active
	for _, arg := range l.args {
		p, err := r.expandTokens(arg, true)
		if err != nil {
			return fmt.Errorf("ssh config %s: Include %s: %w", l.where(), arg, err)
		}
		switch {
		case p == "~":
			p = r.cfg.home()
		case strings.HasPrefix(p, "~/"):
			p = filepath.Join(r.cfg.home(), p[2:])
		case !filepath.IsAbs(p):
			p = filepath.Join(r.cfg.sshDir(), p)
		}
		glob := r.sc.glob
		if glob == nil {
			glob = filepath.Glob
		}
		matches, err := glob(p)
		if err != nil {
			return fmt.Errorf("ssh config %s: Include %s: %w", l.where(), arg, err)
		}
		for _, m := range matches {
			if r.included++; r.included > maxIncludes {
				return fmt.Errorf("ssh config %s: Include: more than %d files", l.where(), maxIncludes)
			}
			lines, err := r.sc.file(m)
			if err != nil {
				return fmt.Errorf("ssh config %s: Include: %w", l.where(), err)
			}
			if err := r.walk(lines, depth+1, neverMatch, active); err != nil {
				return err
			}
			*active = oactive
		}
	}
	return nil
}

func (sc *sshConfig) file(path string) ([]cfgLine, error) {
	if lines, ok := sc.files[path]; ok {
		return lines, nil
	}
	read := sc.readFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(path)
	if err != nil {
		return nil, err
	}
	lines, err := parseSSHConfig(path, data)
	if err != nil {
		return nil, err
	}
	sc.files[path] = lines
	return lines, nil
}

// resolve applies ssh config to alias. Values the user gave explicitly
// (port, user) win over the file, as on ssh's command line. A Match exec
// runs under ctx.
func (sc *sshConfig) resolve(ctx context.Context, cfg Config, alias string, port int, userName string) (target, error) {
	r := &resolution{
		ctx: ctx, cfg: cfg, sc: sc, hostArg: strings.ToLower(alias), original: alias,
		vals: map[string]setting{}, lists: map[string][]setting{},
	}
	cmdline := cfgLine{file: "command line"}
	if userName != "" {
		r.vals["user"] = setting{args: []string{userName}, line: cmdline}
	}
	if port != 0 {
		r.vals["port"] = setting{args: []string{strconv.Itoa(port)}, line: cmdline}
	}
	if sc != nil {
		active := true
		if err := r.walk(sc.lines, 0, false, &active); err != nil {
			return target{alias: alias}, err
		}
		if c := strings.ToLower(r.get("canonicalizehostname")); c == "yes" || c == "always" {
			r.warn("ssh config " + r.vals["canonicalizehostname"].line.where() +
				": ferry does not canonicalize host names (CanonicalizeHostname); the name is used as given")
			r.wantFinal = true
		}
		if r.wantFinal {
			r.finalHost = strings.ToLower(r.currentHost())
			r.final = true
			active = true
			if err := r.walk(sc.lines, 0, false, &active); err != nil {
				return target{alias: alias}, err
			}
		}
	}
	return r.target(alias)
}

// currentHost is the host name as resolved so far: HostName with %h
// expanded, else the name given.
func (r *resolution) currentHost() string {
	if r.final {
		return r.finalHost
	}
	if hn := r.get("hostname"); hn != "" {
		return strings.NewReplacer("%%", "%", "%h", r.original).Replace(hn)
	}
	return r.original
}

// currentUser is User as resolved so far, else the local user.
func (r *resolution) currentUser() string {
	if u := r.get("user"); u != "" {
		return u
	}
	return localUser()
}

func (r *resolution) currentPort() string {
	if p := r.get("port"); p != "" {
		return p
	}
	return "22"
}

// target turns the settings into a target.
func (r *resolution) target(alias string) (target, error) {
	t := target{alias: alias, host: r.currentHost(), user: r.get("user")}
	bad := func(key, what string) error {
		s := r.vals[key]
		return fmt.Errorf("ssh config %s: bad %s %q: %s", s.line.where(), s.line.key, s.first(), what)
	}
	t.port = 22
	if p := r.get("port"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return t, bad("port", "want 1 to 65535")
		}
		t.port = n
	}
	if t.user == "" {
		t.user = localUser()
	}
	home := r.cfg.home()
	for _, s := range r.lists["identityfile"] {
		if f := s.first(); !strings.EqualFold(f, "none") {
			t.identityFiles = append(t.identityFiles, expandPath(home, f, t))
		}
	}
	for _, s := range r.lists["certificatefile"] {
		if f := s.first(); !strings.EqualFold(f, "none") {
			t.certificateFiles = append(t.certificateFiles, expandPath(home, f, t))
		}
	}
	t.identitiesOnly = strings.EqualFold(r.get("identitiesonly"), "yes")
	if ct := r.get("connecttimeout"); ct != "" && ct != "none" {
		n, err := strconv.Atoi(ct)
		if err != nil || n < 0 {
			return t, bad("connecttimeout", "want seconds")
		}
		t.timeout = time.Duration(n) * time.Second
	}
	if pj := r.vals["proxyjump"].raw; pj != "" && !strings.EqualFold(pj, "none") {
		t.proxyJump = strings.TrimSpace(pj)
	}
	if pc := strings.TrimSpace(r.vals["proxycommand"].raw); pc != "" && !strings.EqualFold(pc, "none") {
		t.proxyCommand = pc
	}
	if s, ok := r.vals["userknownhostsfile"]; ok {
		for _, f := range s.args {
			if f != "none" {
				t.knownHosts = append(t.knownHosts, expandPath(home, f, t))
			}
		}
	}
	if a := r.get("hostkeyalias"); a != "" && !strings.EqualFold(a, "none") {
		t.hostKeyAlias = strings.ToLower(a)
	}
	if s, ok := r.vals["identityagent"]; ok {
		a, err := r.agentPath(s.first(), t)
		if err != nil {
			return t, fmt.Errorf("ssh config %s: IdentityAgent: %w", s.line.where(), err)
		}
		t.identityAgent = a
	}
	if v := r.get("serveraliveinterval"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return t, bad("serveraliveinterval", "want seconds")
		}
		t.aliveInterval = time.Duration(n) * time.Second
	}
	if v := r.get("serveralivecountmax"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return t, bad("serveralivecountmax", "want a count from 1")
		}
		t.aliveCountMax = n
	}
	if s, ok := r.vals["compression"]; ok && strings.EqualFold(s.first(), "yes") {
		r.warn("ssh config " + s.line.where() + ": Compression yes is ignored: " +
			"ferry's SSH library (golang.org/x/crypto/ssh) has no zlib compression")
	}
	var err error
	if t.algos, err = r.algorithms(); err != nil {
		return t, err
	}
	if t.revokedHostKeys, err = r.revokedHostKeys(t); err != nil {
		return t, err
	}
	t.warnings = r.warnings
	return t, nil
}

// agentPath resolves an IdentityAgent value as OpenSSH does: "none",
// "SSH_AUTH_SOCK", "$VAR", or a path with ~, %-tokens and ${VAR}.
func (r *resolution) agentPath(v string, t target) (string, error) {
	switch {
	case strings.EqualFold(v, "none"):
		return "none", nil
	case v == "SSH_AUTH_SOCK":
		return "", nil
	case strings.HasPrefix(v, "$") && !strings.HasPrefix(v, "${"):
		s := os.Getenv(v[1:])
		if s == "" {
			return "none", nil // OpenSSH: an unset variable means no agent
		}
		return s, nil
	}
	p, err := r.expandTokens(v, true)
	if err != nil {
		return "", err
	}
	return expandPath(r.cfg.home(), p, t), nil
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
