package sftp

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"time"
)

// matchExecTimeout bounds a Match exec command: OpenSSH waits for ever,
// but a hung helper must not hang a connect.
const matchExecTimeout = 10 * time.Second

// matchHost reports whether a Host line's patterns select host: one
// pattern matches and no negated one does.
func matchHost(host string, patterns []string) bool {
	ok := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if matchPattern(host, strings.ToLower(p)) {
			if neg {
				return false
			}
			ok = true
		}
	}
	return ok
}

// matchPatternList is OpenSSH's match_pattern_list: a comma list of
// patterns, any of them negated with !; fold compares in lower case.
func matchPatternList(s, list string, fold bool) bool {
	if fold {
		s, list = strings.ToLower(s), strings.ToLower(list)
	}
	ok := false
	for _, p := range strings.Split(list, ",") {
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if matchPattern(s, p) {
			if neg {
				return false
			}
			ok = true
		}
	}
	return ok
}

// matchPattern matches s against a pattern of * (any run) and ? (any
// one byte), in time proportional to len(s)*len(p) at worst.
func matchPattern(s, p string) bool {
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			si++
			pi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			mark++
			si, pi = mark, star+1
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matchCriteria are the Match criteria that may be written name=value.
var matchCriteria = map[string]bool{
	"host": true, "originalhost": true, "user": true, "localuser": true, "localnetwork": true,
	"version": true, "tagged": true, "command": true, "exec": true, "sessiontype": true,
}

// match evaluates a Match line as OpenSSH's match_cfg_line does. A
// criterion ferry cannot evaluate makes the block not apply, with a
// warning; a malformed line is an error, as in OpenSSH.
func (r *resolution) match(l cfgLine) (bool, error) {
	result := true
	attributes := 0
	bad := func(format string, a ...any) error {
		return fmt.Errorf("ssh config %s: Match: %w", l.where(), fmt.Errorf(format, a...))
	}
	for i := 0; i < len(l.args); i++ {
		a := l.args[i]
		negate := strings.HasPrefix(a, "!")
		if negate {
			a = a[1:]
		}
		name := strings.ToLower(a)
		if name == "all" {
			if attributes > 1 || i+1 < len(l.args) {
				return false, bad("'all' cannot be combined with other criteria")
			}
			return result && !negate, nil
		}
		attributes++
		if name == "canonical" || name == "final" {
			if name == "final" && !negate {
				r.wantFinal = true
			}
			if r.final == negate {
				result = false
			}
			continue
		}
		var arg string
		if k, v, ok := strings.Cut(a, "="); ok && matchCriteria[strings.ToLower(k)] {
			name, arg = strings.ToLower(k), v
		} else {
			i++
			if i >= len(l.args) {
				return false, bad("missing argument for %s", a)
			}
			arg = l.args[i]
		}
		if arg == "" && name != "tagged" && name != "command" {
			return false, bad("missing argument for %s", name)
		}
		var m bool
		switch name {
		case "host":
			m = matchPatternList(r.currentHost(), arg, true)
		case "originalhost":
			m = matchPatternList(r.original, arg, true)
		case "user":
			m = matchPatternList(r.currentUser(), arg, false)
		case "localuser":
			m = matchPatternList(localUser(), arg, false)
		case "tagged":
			tag := r.get("tag")
			m = tag == "" && arg == "" || tag != "" && matchPatternList(tag, arg, false)
		case "sessiontype":
			m = matchPatternList("subsystem", arg, false) // sftp is a subsystem
		case "command":
			m = matchPatternList("sftp", arg, false) // as `ssh -s sftp` sets it
		case "exec":
			if !result {
				continue // OpenSSH skips the command once the line has failed
			}
			cmd, err := r.expandTokens(arg, false)
			if err != nil {
				return false, bad("exec %q: %w", arg, err)
			}
			run := r.sc.exec
			if run == nil {
				run = r.exec
			}
			m, err = run(r.ctx, cmd)
			if err != nil {
				return false, bad("exec %q: %w", cmd, err)
			}
		case "localnetwork", "version":
			r.warn(fmt.Sprintf("ssh config %s: Match %s is not supported by ferry; the block is skipped", l.where(), name))
			result = false
			continue
		default:
			return false, bad("unsupported criterion %q", a)
		}
		if m == negate {
			result = false
		}
	}
	if attributes == 0 {
		return false, bad("no criteria")
	}
	return result, nil
}

// exec runs cmd with the user's shell and reports whether it exited 0.
// Its standard error goes to the log.
func (r *resolution) exec(parent context.Context, cmd string) (bool, error) {
	shell := os.Getenv("SHELL")
	if shell == "" {
		shell = "/bin/sh"
	}
	ctx, cancel := context.WithTimeout(parent, matchExecTimeout)
	defer cancel()
	c := exec.CommandContext(ctx, shell, "-c", cmd)
	var stderr bytes.Buffer
	c.Stderr = &limitedBuffer{b: &stderr, max: 4096}
	c.WaitDelay = time.Second
	r.cfg.logf("* Match exec: " + cmd)
	err := c.Run()
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if line != "" {
			r.cfg.logf("< " + line)
		}
	}
	if ctx.Err() != nil {
		if parent.Err() != nil {
			return false, parent.Err()
		}
		return false, fmt.Errorf("no exit within %s", matchExecTimeout)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// expandTokens expands OpenSSH's %-tokens as for Match exec and Include,
// and ${VAR} when dollar is set.
func (r *resolution) expandTokens(s string, dollar bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if dollar && c == '$' && i+1 < len(s) && s[i+1] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", errors.New("unterminated ${")
			}
			name := s[i+2 : i+end]
			v, ok := os.LookupEnv(name)
			if !ok {
				return "", fmt.Errorf("environment variable %s is not set", name)
			}
			b.WriteString(v)
			i += end
			continue
		}
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return "", errors.New("% at the end")
		}
		i++
		v, err := r.token(s[i])
		if err != nil {
			return "", err
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

func (r *resolution) token(c byte) (string, error) {
	host := r.currentHost()
	switch c {
	case '%':
		return "%", nil
	case 'h':
		return host, nil
	case 'n':
		return r.original, nil
	case 'p':
		return r.currentPort(), nil
	case 'r':
		return r.currentUser(), nil
	case 'u':
		return localUser(), nil
	case 'd':
		return r.cfg.home(), nil
	case 'k':
		if a := r.get("hostkeyalias"); a != "" {
			return a, nil
		}
		return host, nil
	case 'j':
		if j := r.get("proxyjump"); !strings.EqualFold(j, "none") {
			return j, nil
		}
		return "", nil
	case 'l', 'L':
		h, _ := os.Hostname()
		if c == 'L' {
			h, _, _ = strings.Cut(h, ".")
		}
		return h, nil
	case 'i':
		if u, err := user.Current(); err == nil {
			return u.Uid, nil
		}
		return strconv.Itoa(os.Getuid()), nil
	case 'C':
		j := r.get("proxyjump")
		if strings.EqualFold(j, "none") {
			j = ""
		}
		h, _ := os.Hostname()
		sum := sha1.Sum([]byte(h + host + r.currentPort() + r.currentUser() + j))
		return hex.EncodeToString(sum[:]), nil
	}
	return "", fmt.Errorf("unknown token %%%c", c)
}
