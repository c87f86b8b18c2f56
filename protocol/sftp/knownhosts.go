package sftp

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
)

// knownHosts is the host key database of known_hosts files, matched as
// OpenSSH matches it (hostfile.c, match.c) rather than as
// x/crypto/ssh/knownhosts does: a pattern is a glob over the whole name
// OpenSSH looks up, "host" on port 22 and "[host]:port" elsewhere, so `*`
// covers every port while `host` covers port 22 only; names compare
// without case; `!pattern` vetoes the line; `|1|salt|hash` hashes that
// same name.
type knownHosts struct {
	lines []hostLine
}

// hostLine is one entry of a known_hosts file.
type hostLine struct {
	marker   string   // "", markerCA or markerRevoked
	patterns []string // lower case; nil for a hashed name
	salt     []byte   // hashed name: HMAC-SHA1 key
	hash     []byte   // hashed name: HMAC-SHA1 of the name
	key      ssh.PublicKey
	file     string
	line     int
}

const (
	markerCA      = "@cert-authority"
	markerRevoked = "@revoked"
)

func (l hostLine) where() string { return fmt.Sprintf("%s:%d", l.file, l.line) }

// readKnownHosts reads files in order. Lines it cannot parse are skipped,
// as OpenSSH skips them.
func readKnownHosts(files ...string) (*knownHosts, error) {
	db := &knownHosts{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		err = db.read(fh, f)
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return db, nil
}

func (db *knownHosts) read(r io.Reader, file string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		if l, ok := parseHostLine(sc.Bytes()); ok {
			l.file, l.line = file, n
			db.lines = append(db.lines, l)
		}
	}
	return sc.Err()
}

// parseHostLine reads "[@marker] patterns keytype base64 [comment]".
func parseHostLine(b []byte) (hostLine, bool) {
	fields := strings.Fields(string(bytes.TrimSpace(b)))
	if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
		return hostLine{}, false
	}
	var l hostLine
	if strings.HasPrefix(fields[0], "@") {
		switch fields[0] {
		case markerCA, markerRevoked:
			l.marker = fields[0]
		default:
			return hostLine{}, false
		}
		fields = fields[1:]
	}
	if len(fields) < 3 {
		return hostLine{}, false
	}
	blob, err := base64.StdEncoding.DecodeString(fields[2])
	if err != nil {
		return hostLine{}, false
	}
	key, err := ssh.ParsePublicKey(blob)
	if err != nil || key.Type() != fields[1] {
		return hostLine{}, false
	}
	l.key = key
	hosts := fields[0]
	if strings.HasPrefix(hosts, "|") {
		parts := strings.Split(hosts, "|")
		if len(parts) != 4 || parts[1] != "1" {
			return hostLine{}, false
		}
		if l.salt, err = base64.StdEncoding.DecodeString(parts[2]); err != nil {
			return hostLine{}, false
		}
		if l.hash, err = base64.StdEncoding.DecodeString(parts[3]); err != nil {
			return hostLine{}, false
		}
		return l, true
	}
	for _, p := range strings.Split(strings.ToLower(hosts), ",") {
		if p != "" && p != "!" {
			l.patterns = append(l.patterns, p)
		}
	}
	return l, len(l.patterns) > 0
}

// knownHostsName is the name OpenSSH looks addr up by: the host in lower
// case, bracketed with its port when the port is not 22.
func knownHostsName(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return strings.ToLower(addr)
	}
	host = strings.ToLower(host)
	if port == "22" || port == "" {
		return host
	}
	return "[" + host + "]:" + port
}

// matches reports whether the line names host (a knownHostsName). A
// negated pattern that matches vetoes the line, whatever else matches.
func (l hostLine) matches(name string) bool {
	if l.hash != nil {
		mac := hmac.New(sha1.New, l.salt)
		mac.Write([]byte(name))
		return hmac.Equal(mac.Sum(nil), l.hash)
	}
	matched := false
	for _, p := range l.patterns {
		neg := strings.HasPrefix(p, "!")
		if !globMatch(strings.TrimPrefix(p, "!"), name) {
			continue
		}
		if neg {
			return false
		}
		matched = true
	}
	return matched
}

// globMatch is OpenSSH's match_pattern: `*` is any run of bytes, `?` any
// one byte; no character is special otherwise.
func globMatch(pat, s string) bool {
	// Iterative with backtracking to the last star: linear in practice.
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(pat) && (pat[pi] == '?' || pat[pi] == s[si]):
			pi++
			si++
		case pi < len(pat) && pat[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}

// plainBlob is the key a certificate certifies, or the key itself.
func plainBlob(k ssh.PublicKey) []byte {
	if c, ok := k.(*ssh.Certificate); ok {
		return c.Key.Marshal()
	}
	return k.Marshal()
}

// revoked finds an @revoked line for name that withdraws key, or the CA
// that signed it when key is a certificate. As in OpenSSH (hostfile.c
// loads only the lines whose patterns match the host), a line revokes
// the key for the hosts it names: "@revoked * KEY" for every host.
// RevokedHostKeys is the list that holds whatever the host.
func (db *knownHosts) revoked(name string, key ssh.PublicKey) *hostLine {
	blobs := [][]byte{plainBlob(key)}
	if c, ok := key.(*ssh.Certificate); ok {
		blobs = append(blobs, plainBlob(c.SignatureKey))
	}
	for i, l := range db.lines {
		if l.marker != markerRevoked || !l.matches(name) {
			continue
		}
		for _, b := range blobs {
			if bytes.Equal(plainBlob(l.key), b) {
				return &db.lines[i]
			}
		}
	}
	return nil
}

// authority finds the @cert-authority line for name that trusts ca.
func (db *knownHosts) authority(name string, ca ssh.PublicKey) *hostLine {
	for i, l := range db.lines {
		if l.marker == markerCA && bytes.Equal(l.key.Marshal(), ca.Marshal()) && l.matches(name) {
			return &db.lines[i]
		}
	}
	return nil
}

// hasAuthority reports whether any @cert-authority line covers name.
func (db *knownHosts) hasAuthority(name string) bool {
	for _, l := range db.lines {
		if l.marker == markerCA && l.matches(name) {
			return true
		}
	}
	return false
}

// hostKeys lists the plain (unmarked) lines for name.
func (db *knownHosts) hostKeys(name string) []hostLine {
	var out []hostLine
	for _, l := range db.lines {
		if l.marker == "" && l.matches(name) {
			out = append(out, l)
		}
	}
	return out
}
