package bookmarks

import (
	"errors"
	"path"
	"strings"

	"github.com/ferryhq/ferry/protocol"
)

// Resolve reads an address in a path position (`ferry get ADDR .`, `ferry
// cp -r ./site ADDR`) the way scp does, with bookmark names allowed where a
// host goes:
//
//	sftp://..., ftp://..., ftps://..., ftpes://...   a URL: returned as protocol.Parse reads it, bm nil
//	./x, /x, x, C:\x                                 a local path (no colon before the first slash), bm nil
//	NAME:path, NAME:, user@NAME:path                 bookmark NAME, else ssh config Host NAME
//	host:path, user@host:path                        an SFTP host (ps.Short), bm nil
//
// For a bookmark, ps is the site to dial: its scheme, host, port and user
// (a user before @ overrides the saved one), and Path is the remote path
// joined onto the bookmark's remote start directory. For an ssh config
// alias, ps is what protocol.Parse gives for "alias:path" (Host is the
// alias, Short set) because the SFTP backend applies ssh config itself;
// bm then holds the alias's HostName, Port, User and IdentityFile for
// display. A path
// without a leading slash is relative to that start directory (to the login
// directory when the bookmark has none), and an empty path is the start
// directory itself; a trailing slash is kept. bm is the bookmark with every
// option the dial needs (KeyFile, AuthOrder, FTP, Transfer) and
// bm.SecretKey() for Secrets; bm.Source tells a bookmark from an ssh alias.
//
// ps never carries a password unless the user typed one in a URL.
func (s *Store) Resolve(addr string) (ps protocol.Site, bm *Site, err error) {
	parsed, perr := protocol.Parse(addr)
	if perr == nil && !parsed.Short {
		return parsed, nil, nil // a URL or a local path
	}
	if strings.HasPrefix(addr, "[") {
		return parsed, nil, perr // an IPv6 literal is never a name
	}
	colon := strings.IndexByte(addr, ':')
	if colon < 0 || strings.ContainsAny(addr[:colon], `/\`) {
		return parsed, nil, perr
	}
	userHost, rest := addr[:colon], addr[colon+1:]
	user, name := "", userHost
	if at := strings.LastIndexByte(userHost, '@'); at >= 0 {
		user, name = userHost[:at], userHost[at+1:]
	}
	site, ok := s.Lookup(name)
	if !ok {
		return parsed, nil, perr
	}
	if user == "" && at(userHost) {
		return protocol.Site{}, nil, errors.New("address " + addr + ": empty user name before @")
	}
	ps = bookmarkTarget(site, rest)
	if user != "" {
		ps.User = user
	}
	if strings.ContainsAny(ps.Path, "\r\n\x00") || strings.ContainsFunc(ps.User, isControl) {
		return protocol.Site{}, nil, errors.New("address " + addr + ": control character in user or path")
	}
	return ps, &site, nil
}

// ResolveConnect is Resolve for the connect position (`ferry ADDR`, the
// connect dialog), where a bare NAME without a colon also names a bookmark
// or ssh alias and means its start directory. A bare word that names
// neither is read as Resolve reads it (a local path).
func (s *Store) ResolveConnect(addr string) (protocol.Site, *Site, error) {
	if !strings.ContainsAny(addr, `:/\`) {
		if site, ok := s.Lookup(addr); ok {
			return bookmarkTarget(site, ""), &site, nil
		}
	}
	return s.Resolve(addr)
}

func at(s string) bool { return strings.Contains(s, "@") }

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// bookmarkTarget is the site's address with p taken relative to its remote
// start directory. An ssh config alias stays an alias (Host is the alias,
// Short is set, as protocol.Parse reads "alias:path"): the SFTP backend
// applies the ssh config itself, keyed by the alias as OpenSSH does, so
// settings for patterns that match the alias but not its HostName apply.
func bookmarkTarget(site Site, p string) protocol.Site {
	if site.Source == SourceSSHConfig {
		return protocol.Site{Scheme: protocol.SchemeSFTP, Host: site.Name, Path: p, Short: true}
	}
	ps := site.ProtocolSite()
	ps.Path = JoinStart(site.RemoteDir, p)
	return ps
}

// JoinStart joins a remote path typed after NAME: onto a start directory:
// absolute paths stand alone, relative ones go under start, and an empty
// one is start itself. A trailing slash (a directory target for cp) is
// kept.
func JoinStart(start, p string) string {
	switch {
	case p == "":
		return start
	case strings.HasPrefix(p, "/"), start == "":
		return p
	}
	j := path.Join(start, p)
	if strings.HasSuffix(p, "/") && !strings.HasSuffix(j, "/") {
		j += "/"
	}
	return j
}
