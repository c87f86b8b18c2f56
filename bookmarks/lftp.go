package bookmarks

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/protocol"
)

// ImportLftp reads lftp's bookmarks file (~/.local/share/lftp/bookmarks):
// one "NAME URL" per line, NAME with backslash-escaped spaces. A password
// in the URL comes back in Imported.Password for Secrets. Schemes ferry
// does not speak (http, fish, ...) are skipped with a warning.
func ImportLftp(data []byte) ([]Imported, []string, error) {
	var out []Imported
	var warnings []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, rest := splitLftpName(text)
		addr := strings.TrimSpace(rest)
		if addr == "" {
			warnings = append(warnings, fmt.Sprintf("line %d: bookmark %q has no URL", line, name))
			continue
		}
		if !strings.Contains(addr, "://") {
			addr = "ftp://" + addr // lftp's default scheme
		}
		ps, err := protocol.Parse(addr)
		if err != nil || ps.IsLocal() {
			warnings = append(warnings, fmt.Sprintf("line %d: bookmark %q skipped: %v", line, name, errOrLocal(err)))
			continue
		}
		site := Site{Name: SanitizeName(name), Protocol: ps.Scheme, Host: ps.Host, Port: ps.Port, User: ps.User, RemoteDir: ps.Path}
		if err := site.Validate(); err != nil {
			warnings = append(warnings, fmt.Sprintf("line %d: bookmark %q skipped: %v", line, name, err))
			continue
		}
		out = append(out, Imported{Site: site, Password: ps.Password})
	}
	if err := sc.Err(); err != nil {
		return out, warnings, fmt.Errorf("lftp bookmarks: %w", err)
	}
	return out, warnings, nil
}

func errOrLocal(err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("not a server address")
}

// splitLftpName splits at the first unescaped space or tab.
func splitLftpName(s string) (string, string) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == ' ' || c == '\t':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}
