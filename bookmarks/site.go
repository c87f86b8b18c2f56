package bookmarks

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/proxy"
)

// Source says where a Site came from.
type Source int

const (
	// SourceBookmark is a site saved in bookmarks.toml.
	SourceBookmark Source = iota
	// SourceSSHConfig is a concrete Host of ~/.ssh/config, read live and
	// never copied into bookmarks.toml.
	SourceSSHConfig
)

func (s Source) String() string {
	if s == SourceSSHConfig {
		return "ssh-config"
	}
	return "bookmark"
}

// Site is one saved site: where it is, how to log in and how to move files.
// The zero value of every option means "ferry's default", so a bookmark only
// records what the user chose.
type Site struct {
	Name string `toml:"name"`
	// Folder groups sites in the site manager; nested folders are written
	// with slashes ("Clients/Acme").
	Folder   string          `toml:"folder,omitempty"`
	Protocol protocol.Scheme `toml:"protocol"`
	Host     string          `toml:"host"`
	Port     int             `toml:"port,omitzero"` // 0: the protocol's default
	User     string          `toml:"user,omitempty"`
	// RemoteDir is where a session starts: absolute, or relative to the
	// login directory; empty means the login directory.
	RemoteDir string `toml:"remote_dir,omitempty"`
	// LocalDir is the local pane's starting directory, empty for the
	// current one.
	LocalDir string `toml:"local_dir,omitempty"`
	// KeyFile is an SSH private key; its passphrase lives in Secrets.
	KeyFile string `toml:"key_file,omitempty"`
	// AuthOrder lists SSH methods to try, in order; empty means ferry's
	// default (agent, publickey, keyboard-interactive, password).
	AuthOrder []AuthMethod `toml:"auth_order,omitempty"`
	// Proxy is the proxy the site is reached through: socks5://,
	// socks5h:// or http://[user@]host:port, or "none" to ignore
	// ALL_PROXY; empty means ALL_PROXY. A proxy password is not kept here
	// (the file is plain text): give it with --proxy or ALL_PROXY.
	Proxy    string          `toml:"proxy,omitempty"`
	FTP      FTPOptions      `toml:"ftp,omitempty"`
	Transfer TransferOptions `toml:"transfer,omitempty"`
	// Exclude are patterns (gitignore syntax, see package filter) that
	// copies, mirrors, watches and syncs from or to the site leave out,
	// before the command line's --include and --exclude, which win.
	Exclude []string `toml:"exclude,omitempty"`
	Notes   string   `toml:"notes,omitempty"`

	// Source says whether this is a bookmark or an ssh config alias. It is
	// never written to the file.
	Source Source `toml:"-"`
}

// AuthMethod is one SSH authentication method.
type AuthMethod string

const (
	AuthAgent       AuthMethod = "agent"
	AuthPublicKey   AuthMethod = "publickey"
	AuthKeyboard    AuthMethod = "keyboard-interactive"
	AuthPassword    AuthMethod = "password"
	authMethodsList            = "agent, publickey, keyboard-interactive, password"
)

// FTPOptions are the settings only the FTP family uses. Whether TLS is
// explicit, implicit or absent is not stored here but follows from
// Site.Protocol (ftpes, ftps, ftp), so it cannot disagree with the URL; see
// Site.TLS.
type FTPOptions struct {
	// Mode is "passive" (the default: the client opens data connections)
	// or "active" (the server connects back, PORT/EPRT).
	Mode FTPMode `toml:"mode,omitempty"`
	// Type is "auto" (the default: ASCII for ASCIIExtensions, binary for
	// the rest), "binary" or "ascii".
	Type TransferMode `toml:"type,omitempty"`
	// ASCIIExtensions are the extensions "auto" sends as ASCII, without the
	// dot ("txt", "html"); empty means ferry's built-in list.
	ASCIIExtensions []string `toml:"ascii_extensions,omitempty"`
	// Encoding is the server's file name encoding ("utf-8", "latin1",
	// "cp1251", ...); empty means UTF-8 (with OPTS UTF8 ON when offered).
	Encoding string `toml:"encoding,omitempty"`
}

// FTPMode chooses who opens FTP data connections.
type FTPMode string

const (
	FTPPassive FTPMode = "passive"
	FTPActive  FTPMode = "active"
)

// TransferMode is FTP's representation type choice.
type TransferMode string

const (
	TransferAuto   TransferMode = "auto"
	TransferBinary TransferMode = "binary"
	TransferASCII  TransferMode = "ascii"
)

// TLSMode is how an FTP site protects its control connection.
type TLSMode string

const (
	TLSNone     TLSMode = "none"
	TLSExplicit TLSMode = "explicit" // AUTH TLS on the plain port (ftpes)
	TLSImplicit TLSMode = "implicit" // TLS from the first byte (ftps, 990)
)

// TransferOptions limit and steer transfers to and from the site.
type TransferOptions struct {
	// Parallel caps simultaneous connections for transfers; 0 means the
	// configured default.
	Parallel int `toml:"parallel,omitzero"`
	// RateLimit caps bandwidth, e.g. "500K", "2M", "1.5MiB" (per second);
	// empty means unlimited. See ParseRate.
	RateLimit string `toml:"rate_limit,omitempty"`
	// Conflict is the policy for a target that exists; empty means the
	// configured default. See ConflictPolicies.
	Conflict string `toml:"conflict,omitempty"`
}

// ConflictPolicies are the accepted values of a conflict policy.
var ConflictPolicies = []string{"ask", "overwrite", "skip", "resume", "rename", "newer", "size-differs"}

// TLS reports how an FTP site uses TLS, from its protocol.
func (s Site) TLS() TLSMode {
	switch s.Protocol {
	case protocol.SchemeFTPS:
		return TLSImplicit
	case protocol.SchemeFTPES:
		return TLSExplicit
	}
	return TLSNone
}

// SecretKey is the name the site's secrets are stored under in Secrets.
// Secrets belong to the bookmark, so renaming one moves them (see
// MoveSecrets).
func (s Site) SecretKey() string {
	if s.Source == SourceSSHConfig {
		return "ssh:" + s.Name
	}
	return s.Name
}

// ProtocolSite is the address to dial: scheme, host, port, user and the
// remote start directory as Path. It never carries a password.
func (s Site) ProtocolSite() protocol.Site {
	return protocol.Site{
		Scheme: s.Protocol,
		Host:   s.Host,
		Port:   s.Port,
		User:   s.User,
		Path:   s.RemoteDir,
	}
}

// URL is the site as an address without secrets, e.g. for export.
func (s Site) URL() string { return s.ProtocolSite().String() }

// FromURL builds a bookmark named name from an address such as
// sftp://user@host:2222/srv or user@host:path. A password in the address is
// returned separately so the caller can move it to Secrets; it is never kept
// in the Site.
func FromURL(name, addr string) (Site, string, error) {
	ps, err := protocol.Parse(addr)
	if err != nil {
		return Site{}, "", err
	}
	if ps.IsLocal() {
		return Site{}, "", fmt.Errorf("address %q is a local path, not a server", addr)
	}
	site := Site{
		Name:      name,
		Protocol:  ps.Scheme,
		Host:      ps.Host,
		Port:      ps.Port,
		User:      ps.User,
		RemoteDir: ps.Path,
	}
	if err := site.Validate(); err != nil {
		return Site{}, "", err
	}
	return site, ps.Password, nil
}

// ErrInvalid marks a site or file that breaks the rules Validate checks.
var ErrInvalid = errors.New("invalid bookmark")

// CheckName reports whether name can be used as a bookmark name: it must
// survive in `name:path` on a command line, so it holds no colon, slash,
// backslash, at-sign or bracket, no control characters, no leading dash and
// no surrounding spaces.
func CheckName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty name", ErrInvalid)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("%w: name %q has leading or trailing spaces", ErrInvalid, name)
	case strings.HasPrefix(name, "-"):
		return fmt.Errorf("%w: name %q starts with a dash", ErrInvalid, name)
	}
	for _, r := range name {
		if unicode.IsControl(r) || strings.ContainsRune(`:/\@[]`, r) {
			return fmt.Errorf("%w: name %q contains %q", ErrInvalid, name, r)
		}
	}
	return nil
}

// SanitizeName turns an arbitrary label (a FileZilla site name, an lftp
// bookmark) into a valid bookmark name.
func SanitizeName(label string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(label) {
		if unicode.IsControl(r) || strings.ContainsRune(`:/\@[]`, r) {
			r = '-'
		}
		b.WriteRune(r)
	}
	name := strings.TrimLeft(b.String(), "-")
	if name == "" {
		name = "site"
	}
	return name
}

// Validate checks every field; the error names the site and the field.
func (s Site) Validate() error {
	if err := CheckName(s.Name); err != nil {
		return err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: site %q: %s", ErrInvalid, s.Name, fmt.Sprintf(format, args...))
	}
	switch s.Protocol {
	case protocol.SchemeSFTP, protocol.SchemeFTP, protocol.SchemeFTPS, protocol.SchemeFTPES:
	default:
		return bad("protocol %q is not sftp, ftp, ftps or ftpes", s.Protocol)
	}
	if s.Host == "" {
		return bad("no host")
	}
	for _, r := range s.Host {
		if unicode.IsControl(r) || unicode.IsSpace(r) || strings.ContainsRune(`/\@?#[]`, r) {
			return bad("host %q contains %q", s.Host, r)
		}
	}
	if s.Port < 0 || s.Port > 65535 {
		return bad("port %d is out of range 1-65535", s.Port)
	}
	for field, v := range map[string]string{"user": s.User, "remote_dir": s.RemoteDir, "local_dir": s.LocalDir, "key_file": s.KeyFile, "folder": s.Folder} {
		if strings.ContainsFunc(v, unicode.IsControl) {
			return bad("%s contains a control character", field)
		}
	}
	for _, m := range s.AuthOrder {
		switch m {
		case AuthAgent, AuthPublicKey, AuthKeyboard, AuthPassword:
		default:
			return bad("auth method %q is not one of %s", m, authMethodsList)
		}
	}
	if s.Proxy != "" && s.Proxy != "none" {
		p, err := proxy.Parse(s.Proxy)
		if err != nil {
			return bad("%v", err)
		}
		if p.HasPassword() {
			return bad("proxy %s holds a password, which bookmarks.toml would keep in plain text; give it with --proxy or ALL_PROXY", p)
		}
	}
	if err := s.FTP.Validate(); err != nil {
		return bad("%v", err)
	}
	if err := s.Transfer.Validate(); err != nil {
		return bad("%v", err)
	}
	if _, err := filter.Compile(filter.Spec{Rules: filter.Exclude(s.Exclude...)}); err != nil {
		return bad("exclude: %v", err)
	}
	return nil
}

// Validate checks the FTP options.
func (o FTPOptions) Validate() error {
	switch o.Mode {
	case "", FTPPassive, FTPActive:
	default:
		return fmt.Errorf("ftp mode %q is not passive or active", o.Mode)
	}
	switch o.Type {
	case "", TransferAuto, TransferBinary, TransferASCII:
	default:
		return fmt.Errorf("ftp type %q is not auto, binary or ascii", o.Type)
	}
	for _, e := range o.ASCIIExtensions {
		if e == "" || strings.ContainsAny(e, "./\\ ") {
			return fmt.Errorf("ascii extension %q should be a bare extension like \"txt\"", e)
		}
	}
	if strings.ContainsFunc(o.Encoding, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return fmt.Errorf("encoding %q contains spaces", o.Encoding)
	}
	return nil
}

// Validate checks the transfer options.
func (o TransferOptions) Validate() error {
	if o.Parallel < 0 || o.Parallel > 64 {
		return fmt.Errorf("parallel %d is out of range 0-64", o.Parallel)
	}
	if o.RateLimit != "" {
		if _, err := ParseRate(o.RateLimit); err != nil {
			return err
		}
	}
	if o.Conflict != "" && !slices.Contains(ConflictPolicies, o.Conflict) {
		return fmt.Errorf("conflict policy %q is not one of %s", o.Conflict, strings.Join(ConflictPolicies, ", "))
	}
	return nil
}

// IsASCII reports whether a file should go as ASCII under these options;
// defaults lists the extensions used when the site names none.
func (o FTPOptions) IsASCII(name string, defaults []string) bool {
	switch o.Type {
	case TransferASCII:
		return true
	case TransferBinary:
		return false
	}
	ext := strings.TrimPrefix(path.Ext(name), ".")
	if ext == "" {
		return false
	}
	list := o.ASCIIExtensions
	if len(list) == 0 {
		list = defaults
	}
	for _, e := range list {
		if strings.EqualFold(e, ext) {
			return true
		}
	}
	return false
}

// ParseRate reads a bandwidth such as "500", "500K", "2M", "1.5MiB", "1G"
// (bytes per second, binary multiples; a trailing "B", "iB" or "/s" is
// allowed) and returns bytes per second. "0" means unlimited.
func ParseRate(s string) (int64, error) {
	orig := s
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "/s"))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "B"), "i")
	mult := 1.0
	if n := len(s); n > 0 {
		switch unicode.ToUpper(rune(s[n-1])) {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		}
		if mult != 1 {
			s = s[:n-1]
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f*mult > 1<<50 || f != f {
		return 0, fmt.Errorf("rate limit %q is not a size per second like 500K or 2M", orig)
	}
	return int64(f * mult), nil
}
