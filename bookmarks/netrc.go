package bookmarks

import (
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/protocol"
)

// NetrcEntry is one machine (or the default) of a .netrc file.
type NetrcEntry struct {
	Machine  string // empty for the default entry
	Default  bool
	Login    string
	Password string
	Account  string
}

// Netrc is a parsed .netrc: the logins FTP clients have always read.
type Netrc struct {
	Entries []NetrcEntry
}

// ReadNetrc reads a .netrc file; a missing file is an empty one.
func ReadNetrc(path string) (*Netrc, error) {
	data, err := readFileIfExists(path)
	if err != nil {
		return &Netrc{}, err
	}
	n, err := ParseNetrc(data)
	if err != nil {
		return n, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// ParseNetrc reads .netrc content: machine, default, login, password,
// account and macdef (whose body, up to the next empty line, is skipped).
// Tokens may be double-quoted with backslash escapes, as GNU inetutils
// allows.
func ParseNetrc(data []byte) (*Netrc, error) {
	n := &Netrc{}
	t := netrcTokens{s: string(data)}
	var cur *NetrcEntry
	for {
		tok, ok := t.next()
		if !ok {
			break
		}
		switch tok {
		case "machine":
			name, ok := t.next()
			if !ok {
				return n, fmt.Errorf("line %d: machine without a name", t.line)
			}
			n.Entries = append(n.Entries, NetrcEntry{Machine: name})
			cur = &n.Entries[len(n.Entries)-1]
		case "default":
			n.Entries = append(n.Entries, NetrcEntry{Default: true})
			cur = &n.Entries[len(n.Entries)-1]
		case "login", "password", "account":
			v, ok := t.next()
			if !ok {
				return n, fmt.Errorf("line %d: %s without a value", t.line, tok)
			}
			if cur == nil {
				return n, fmt.Errorf("line %d: %s before any machine", t.line, tok)
			}
			switch tok {
			case "login":
				cur.Login = v
			case "password":
				cur.Password = v
			default:
				cur.Account = v
			}
		case "macdef":
			if _, ok := t.next(); !ok {
				return n, fmt.Errorf("line %d: macdef without a name", t.line)
			}
			t.skipMacro()
		default:
			return n, fmt.Errorf("line %d: unknown token %q", t.line, tok)
		}
	}
	return n, nil
}

// Lookup finds the login for host: the first machine entry for host (with
// login user, when user is set), else the default entry.
func (n *Netrc) Lookup(host, user string) (NetrcEntry, bool) {
	if n == nil {
		return NetrcEntry{}, false
	}
	for _, e := range n.Entries {
		if !e.Default && strings.EqualFold(e.Machine, host) && (user == "" || e.Login == "" || e.Login == user) {
			return e, true
		}
	}
	for _, e := range n.Entries {
		if e.Default {
			return e, true
		}
	}
	return NetrcEntry{}, false
}

// NetrcLogin looks up ps's host in the store's .netrc: an FTP login for a
// site that has none saved. It returns the login and password, ok false
// when nothing applies or the file is unreadable.
func (s *Store) NetrcLogin(ps protocol.Site) (login, password string, ok bool) {
	if s.paths.Netrc == "" || ps.IsLocal() {
		return "", "", false
	}
	n, err := ReadNetrc(s.paths.Netrc)
	if err != nil {
		return "", "", false
	}
	e, ok := n.Lookup(ps.Host, ps.User)
	if !ok {
		return "", "", false
	}
	return e.Login, e.Password, true
}

// ImportNetrc turns each machine of a .netrc into an FTP bookmark with its
// password for Secrets. The default entry has no host and is skipped.
func ImportNetrc(data []byte) ([]Imported, []string, error) {
	n, err := ParseNetrc(data)
	if err != nil {
		return nil, nil, fmt.Errorf("netrc: %w", err)
	}
	var out []Imported
	var warnings []string
	for _, e := range n.Entries {
		if e.Default {
			continue
		}
		site := Site{Name: SanitizeName(e.Machine), Protocol: protocol.SchemeFTP, Host: e.Machine, User: e.Login}
		if err := site.Validate(); err != nil {
			warnings = append(warnings, fmt.Sprintf("machine %q skipped: %v", e.Machine, err))
			continue
		}
		out = append(out, Imported{Site: site, Password: e.Password})
	}
	return out, warnings, nil
}

type netrcTokens struct {
	s    string
	i    int
	line int
}

func (t *netrcTokens) next() (string, bool) {
	if t.line == 0 {
		t.line = 1
	}
	for t.i < len(t.s) {
		c := t.s[t.i]
		switch {
		case c == '\n':
			t.line++
			t.i++
		case c == ' ' || c == '\t' || c == '\r' || c == ',':
			t.i++
		case c == '#':
			// A comment runs to the end of the line.
			for t.i < len(t.s) && t.s[t.i] != '\n' {
				t.i++
			}
		default:
			return t.word(), true
		}
	}
	return "", false
}

func (t *netrcTokens) word() string {
	var b strings.Builder
	if t.s[t.i] == '"' {
		t.i++
		for t.i < len(t.s) && t.s[t.i] != '"' {
			if t.s[t.i] == '\\' && t.i+1 < len(t.s) {
				t.i++
			}
			if t.s[t.i] == '\n' {
				t.line++
			}
			b.WriteByte(t.s[t.i])
			t.i++
		}
		t.i++ // the closing quote
		return b.String()
	}
	for t.i < len(t.s) {
		c := t.s[t.i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		if c == '\\' && t.i+1 < len(t.s) {
			t.i++
			c = t.s[t.i]
		}
		b.WriteByte(c)
		t.i++
	}
	return b.String()
}

// skipMacro skips the rest of the macdef line and its body, which ends at
// the first empty line.
func (t *netrcTokens) skipMacro() {
	nl := strings.IndexByte(t.s[t.i:], '\n')
	if nl < 0 {
		t.i = len(t.s)
		return
	}
	t.i += nl + 1
	t.line++
	for t.i < len(t.s) {
		end := strings.IndexByte(t.s[t.i:], '\n')
		var line string
		if end < 0 {
			line, end = t.s[t.i:], len(t.s)-t.i-1
		} else {
			line = t.s[t.i : t.i+end]
		}
		t.i += end + 1
		t.line++
		if strings.TrimRight(line, "\r") == "" {
			return
		}
	}
	if t.i > len(t.s) {
		t.i = len(t.s)
	}
}
