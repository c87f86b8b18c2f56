package sftp

import (
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestKnownHostsName(t *testing.T) {
	for addr, want := range map[string]string{
		"example.com:22":   "example.com",
		"Example.COM:2222": "[example.com]:2222",
		"127.0.0.1:3225":   "[127.0.0.1]:3225",
		"[::1]:22":         "::1",
		"[::1]:2222":       "[::1]:2222",
	} {
		if got := knownHostsName(addr); got != want {
			t.Errorf("knownHostsName(%q) = %q, want %q", addr, got, want)
		}
	}
}

// The cases follow OpenSSH's match_hostname over the name it looks up.
func TestHostLineMatches(t *testing.T) {
	cases := []struct {
		patterns, name string
		want           bool
	}{
		{"example.com", "example.com", true},
		{"EXAMPLE.com", "example.com", true},
		{"example.com", "[example.com]:2222", false},
		{"[example.com]:2222", "[example.com]:2222", true},
		{"[example.com]:2222", "example.com", false},
		{"*", "[example.com]:2222", true},
		{"*.example.com", "files.example.com", true},
		{"*.example.com", "example.com", false},
		{"files?.example.com", "files1.example.com", true},
		{"[*.example.com]:*", "[a.example.com]:2222", true},
		{"[*.example.com]:*", "a.example.com", false},
		{"a.com,b.com", "b.com", true},
		{"*.example.com,!bad.example.com", "bad.example.com", false},
		{"!bad.example.com,*.example.com", "bad.example.com", false},
		{"!bad.example.com", "good.example.com", false},
		{"192.168.1.*", "192.168.1.9", true},
		{"::1", "::1", true},
	}
	_, pub := newKey(t)
	keyText := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
	for _, tc := range cases {
		l, ok := parseHostLine([]byte(tc.patterns + " " + keyText))
		if !ok {
			t.Fatalf("line %q did not parse", tc.patterns)
		}
		if got := l.matches(tc.name); got != tc.want {
			t.Errorf("pattern %q against %q: got %v, want %v", tc.patterns, tc.name, got, tc.want)
		}
	}
	t.Run("hashed names hash the bracketed form", func(t *testing.T) {
		l, ok := parseHostLine([]byte(knownhosts.HashHostname("[example.com]:2222") + " " + keyText))
		if !ok {
			t.Fatal("hashed line did not parse")
		}
		if !l.matches("[example.com]:2222") || l.matches("example.com") {
			t.Error("hashed [example.com]:2222 matched wrongly")
		}
	})
}

func TestParseHostLine(t *testing.T) {
	_, pub := newKey(t)
	keyText := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
	cases := []struct {
		line   string
		ok     bool
		marker string
	}{
		{"example.com " + keyText + " comment here", true, ""},
		{"@cert-authority *.example.com " + keyText, true, markerCA},
		{"@revoked * " + keyText, true, markerRevoked},
		{"@unknown * " + keyText, false, ""},
		{"# a comment", false, ""},
		{"", false, ""},
		{"example.com ssh-rsa " + strings.Fields(keyText)[1], false, ""},
		{"|2|abc|def " + keyText, false, ""},
		{"example.com", false, ""},
	}
	for _, tc := range cases {
		l, ok := parseHostLine([]byte(tc.line))
		if ok != tc.ok || l.marker != tc.marker {
			t.Errorf("parseHostLine(%q) = %v, marker %q; want %v, %q", tc.line, ok, l.marker, tc.ok, tc.marker)
		}
	}
}

func FuzzGlobMatch(f *testing.F) {
	f.Add("*.example.com", "a.example.com")
	f.Add("**?*", "")
	f.Fuzz(func(t *testing.T, pat, s string) {
		if globMatch(pat, s) && !strings.ContainsAny(pat, "*?") && pat != s {
			t.Errorf("pattern %q without wildcards matched %q", pat, s)
		}
		if !globMatch(s, s) && !strings.ContainsAny(s, "*?") {
			t.Errorf("%q does not match itself", s)
		}
	})
}
