package sftp

import (
	"strings"
	"testing"
)

// FuzzParseJump checks that any ProxyJump text either fails or yields a
// non-empty host and a valid port, without panicking.
func FuzzParseJump(f *testing.F) {
	for _, s := range []string{"bastion", "me@bastion:2200", "ssh://me@[::1]:2200", "[::1]", "@:", "a@b@c:0", "ssh://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, port, user, err := parseJump(s)
		if err != nil {
			return
		}
		if host == "" {
			t.Fatalf("parseJump(%q): empty host without error", s)
		}
		if port < 0 || port > 65535 {
			t.Fatalf("parseJump(%q): port %d", s, port)
		}
		if strings.Contains(host, "@") && user == "" {
			t.Fatalf("parseJump(%q): host %q still holds a user", s, host)
		}
	})
}
