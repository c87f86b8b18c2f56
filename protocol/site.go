package protocol

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode"
)

// Scheme names an endpoint's protocol.
type Scheme string

const (
	SchemeLocal Scheme = "file"  // the local filesystem
	SchemeSFTP  Scheme = "sftp"  // SSH File Transfer Protocol
	SchemeFTP   Scheme = "ftp"   // plain FTP, unencrypted
	SchemeFTPS  Scheme = "ftps"  // FTP over implicit TLS (port 990)
	SchemeFTPES Scheme = "ftpes" // FTP with explicit TLS (AUTH TLS on port 21)
)

// DefaultPort is the port a scheme uses when none is given.
func (s Scheme) DefaultPort() int {
	switch s {
	case SchemeSFTP:
		return 22
	case SchemeFTP, SchemeFTPES:
		return 21
	case SchemeFTPS:
		return 990
	}
	return 0
}

// IsFTP reports whether the scheme is one of the FTP family.
func (s Scheme) IsFTP() bool { return s == SchemeFTP || s == SchemeFTPS || s == SchemeFTPES }

// Site is a parsed endpoint address: what to connect to and where to start.
type Site struct {
	Scheme Scheme
	Host   string // without IPv6 brackets; empty for local sites
	Port   int    // 0 means the scheme's default
	User   string // empty means the backend's default (ssh config, $USER, anonymous)
	// Password is set only when the address itself held one. It is never
	// printed by String; callers should warn that it may sit in shell history.
	Password string
	// Path is where the site starts: absolute ("/var/log"), relative to the
	// login directory ("logs"), or empty for the login directory itself. For
	// local sites it is a filepath as the user wrote it.
	Path string
	// Short is true for the scp-style form host:path, where Host may also be
	// a bookmark name or an ssh config alias; the caller resolves it.
	Short bool
}

// HasPassword reports whether the address carried a password.
func (s Site) HasPassword() bool { return s.Password != "" }

// IsLocal reports whether the site is the local filesystem.
func (s Site) IsLocal() bool { return s.Scheme == SchemeLocal }

// PortOrDefault is Port, or the scheme's default when Port is 0.
func (s Site) PortOrDefault() int {
	if s.Port != 0 {
		return s.Port
	}
	return s.Scheme.DefaultPort()
}

// Address is host:port for dialing, with IPv6 brackets where needed.
func (s Site) Address() string {
	return net.JoinHostPort(s.Host, strconv.Itoa(s.PortOrDefault()))
}

// ID names the site for logs, pools and prompts: scheme://user@host:port,
// never with the password.
func (s Site) ID() string {
	if s.IsLocal() {
		return "local"
	}
	u := url.URL{Scheme: string(s.Scheme), Host: s.Address()}
	if s.User != "" {
		u.User = url.User(s.User)
	}
	return u.String()
}

// String formats the site as a URL that Parse reads back to the same site,
// without the password. Paths follow the conventions Parse documents.
func (s Site) String() string {
	if s.IsLocal() {
		return s.Path
	}
	host := s.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if s.Port != 0 {
		host += ":" + strconv.Itoa(s.Port)
	}
	var b strings.Builder
	b.WriteString(string(s.Scheme))
	b.WriteString("://")
	if s.User != "" {
		b.WriteString(url.User(s.User).String())
		b.WriteByte('@')
	}
	b.WriteString(host)
	switch {
	case s.Path == "":
	case s.Scheme.IsFTP() && strings.HasPrefix(s.Path, "/"):
		b.WriteString("/%2F" + escapeSegments(s.Path[1:]))
	case s.Scheme.IsFTP():
		b.WriteString("/" + escapeSegments(s.Path))
	case strings.HasPrefix(s.Path, "/"):
		p := escapeSegments(s.Path[1:])
		if p == "~" || strings.HasPrefix(p, "~/") {
			p = "%7E" + p[1:] // a real directory named ~ under /
		}
		b.WriteString("/" + p)
	default:
		b.WriteString("/~/" + escapeSegments(s.Path))
	}
	return b.String()
}

func escapeSegments(p string) string {
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return strings.Join(segs, "/")
}

// Resolve turns a site path into an absolute one, given the login directory.
func Resolve(home, p string) string {
	if p == "" {
		return home
	}
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Join(home, p)
}

// Parse reads an endpoint address:
//
//	sftp://user@host:port/abs/path   absolute path
//	sftp://host/~/logs               relative to the home directory
//	ftp://host/pub/x                 relative to the login directory (RFC 1738)
//	ftp://host/%2Fpub/x              absolute
//	ftps://host (implicit TLS), ftpes://host (explicit TLS)
//	user@host:path, host:path        scp style: SFTP, relative unless path starts with /
//	[::1]:path, sftp://[::1]:2222/   IPv6 literals
//	anything else                    a local path
//
// A missing path means the login directory.
func Parse(s string) (Site, error) {
	if s == "" {
		return Site{}, errors.New("empty address")
	}
	if i := strings.Index(s, "://"); i > 0 && isSchemeName(s[:i]) {
		return parseURL(s, strings.ToLower(s[:i]))
	}
	if isLocalPath(s) {
		return Site{Scheme: SchemeLocal, Path: s}, nil
	}
	return parseShort(s)
}

func isSchemeName(s string) bool {
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return true
}

// isLocalPath applies scp's rule: an address is local unless a colon comes
// before the first slash. Windows drive letters (C:\ or C:/) are local too.
func isLocalPath(s string) bool {
	if strings.HasPrefix(s, "[") {
		return false // [::1]:path
	}
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		return true
	}
	if slash := strings.IndexAny(s, `/\`); slash >= 0 && slash < colon {
		return true
	}
	if colon == 1 && len(s) > 2 && (s[2] == '\\' || s[2] == '/') && unicode.IsLetter(rune(s[0])) {
		return true
	}
	return false
}

func parseURL(s, scheme string) (Site, error) {
	site := Site{Scheme: Scheme(scheme)}
	switch site.Scheme {
	case SchemeSFTP, SchemeFTP, SchemeFTPS, SchemeFTPES:
	case SchemeLocal:
		u, err := url.Parse(s)
		if err != nil {
			return Site{}, fmt.Errorf("address %q: %w", s, unwrapURLError(err))
		}
		if u.Host != "" && u.Host != "localhost" {
			return Site{}, fmt.Errorf("address %q: file:// URLs name no host", s)
		}
		site.Path = u.Path
		return site, nil
	case "scp", "ssh":
		site.Scheme = SchemeSFTP
	default:
		return Site{}, fmt.Errorf("address %q: unknown scheme %q (use sftp, ftp, ftps or ftpes)", s, scheme)
	}
	u, err := url.Parse(s)
	if err != nil {
		return Site{}, fmt.Errorf("address %q: %w", redact(s), unwrapURLError(err))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Site{}, fmt.Errorf("address %q: a query or fragment is not allowed; write ? and # in names as %%3F and %%23", redact(s))
	}
	site.Host = u.Hostname()
	if err := checkHost(site.Host); err != nil {
		return Site{}, fmt.Errorf("address %q: %w", redact(s), err)
	}
	if p := u.Port(); p != "" {
		if site.Port, err = parsePort(p); err != nil {
			return Site{}, fmt.Errorf("address %q: %w", redact(s), err)
		}
	}
	if u.User != nil {
		site.User = u.User.Username()
		site.Password, _ = u.User.Password()
		if err := checkUser(site.User); err != nil {
			return Site{}, fmt.Errorf("address %q: %w", redact(s), err)
		}
	}
	site.Path, err = urlPath(site.Scheme, u.EscapedPath())
	if err != nil {
		return Site{}, fmt.Errorf("address %q: %w", redact(s), err)
	}
	return site, nil
}

// urlPath applies the path conventions of curl: for SFTP the URL path is
// absolute unless it starts with /~; for FTP it is relative to the login
// directory unless it starts with %2F.
func urlPath(scheme Scheme, escaped string) (string, error) {
	if escaped == "" {
		return "", nil
	}
	rest := strings.TrimPrefix(escaped, "/")
	if scheme.IsFTP() {
		abs := false
		if len(rest) >= 3 && strings.EqualFold(rest[:3], "%2F") {
			abs, rest = true, rest[3:]
		}
		p, err := url.PathUnescape(rest)
		if err != nil {
			return "", fmt.Errorf("path: %w", err)
		}
		if abs {
			p = "/" + p
		}
		return p, checkPath(p)
	}
	if rest == "~" || strings.HasPrefix(rest, "~/") {
		p, err := url.PathUnescape(strings.TrimPrefix(strings.TrimPrefix(rest, "~"), "/"))
		if err != nil {
			return "", fmt.Errorf("path: %w", err)
		}
		return p, checkPath(p)
	}
	p, err := url.PathUnescape(escaped)
	if err != nil {
		return "", fmt.Errorf("path: %w", err)
	}
	return p, checkPath(p)
}

func parseShort(s string) (Site, error) {
	site := Site{Scheme: SchemeSFTP, Short: true}
	// Split user@host from path: at the first colon, or after "]" for an
	// IPv6 literal.
	var userHost, rest string
	if b := strings.IndexByte(s, '['); b >= 0 && (b == 0 || s[b-1] == '@') {
		end := strings.IndexByte(s[b:], ']')
		if end < 0 {
			return Site{}, fmt.Errorf("address %q: unclosed [ in IPv6 address", s)
		}
		end += b
		if end+1 >= len(s) || s[end+1] != ':' {
			return Site{}, fmt.Errorf("address %q: expected host:path after ]", s)
		}
		userHost, rest = s[:end+1], s[end+2:]
	} else {
		colon := strings.IndexByte(s, ':')
		userHost, rest = s[:colon], s[colon+1:]
	}
	host := userHost
	if at := strings.LastIndexByte(userHost, '@'); at >= 0 {
		user, err := url.PathUnescape(userHost[:at])
		if err != nil {
			return Site{}, fmt.Errorf("address %q: user name: %w", s, err)
		}
		if user == "" {
			return Site{}, fmt.Errorf("address %q: empty user name before @", s)
		}
		if err := checkUser(user); err != nil {
			return Site{}, fmt.Errorf("address %q: %w", s, err)
		}
		site.User, host = user, userHost[at+1:]
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
		if !strings.Contains(host, ":") {
			return Site{}, fmt.Errorf("address %q: host %q is not a valid IPv6 address", s, host)
		}
	}
	site.Host = host
	if err := checkHost(site.Host); err != nil {
		return Site{}, fmt.Errorf("address %q: %w", s, err)
	}
	if err := checkPath(rest); err != nil {
		return Site{}, fmt.Errorf("address %q: %w", s, err)
	}
	site.Path = rest
	return site, nil
}

func parsePort(p string) (int, error) {
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %s is out of range 1-65535", p)
	}
	return n, nil
}

func checkHost(h string) error {
	if h == "" {
		return errors.New("empty host")
	}
	if strings.Contains(h, ":") {
		zone := strings.IndexByte(h, '%')
		ip := h
		if zone >= 0 {
			ip = h[:zone]
		}
		if net.ParseIP(ip) == nil {
			return fmt.Errorf("host %q is not a valid IPv6 address", h)
		}
		return nil
	}
	for _, r := range h {
		if unicode.IsControl(r) || unicode.IsSpace(r) || strings.ContainsRune(`/\@?#[]`, r) {
			return fmt.Errorf("host %q contains %q", h, r)
		}
	}
	return nil
}

// checkUser refuses control characters, which could smuggle commands into
// an FTP USER line.
func checkUser(u string) error {
	for _, r := range u {
		if unicode.IsControl(r) {
			return fmt.Errorf("user name contains control character %q", r)
		}
	}
	return nil
}

// checkPath refuses CR, LF and NUL, which no remote path can hold safely.
func checkPath(p string) error {
	if strings.ContainsAny(p, "\r\n\x00") {
		return errors.New("path contains a line break or NUL")
	}
	return nil
}

// unwrapURLError drops net/url's "parse <whole url>:" prefix, which would
// repeat the address (and its password) in the message.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redact hides a password in an address before it is put in an error.
func redact(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if at < 0 {
		return s
	}
	if colon := strings.IndexByte(rest[:at], ':'); colon >= 0 {
		return s[:i+3] + rest[:colon] + ":***" + rest[at:]
	}
	return s
}
