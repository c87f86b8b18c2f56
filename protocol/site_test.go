package protocol

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Site
	}{
		{"sftp://alice@example.com:2222/var/log", Site{Scheme: SchemeSFTP, User: "alice", Host: "example.com", Port: 2222, Path: "/var/log"}},
		{"sftp://example.com/~/logs", Site{Scheme: SchemeSFTP, Host: "example.com", Path: "logs"}},
		{"sftp://example.com/~", Site{Scheme: SchemeSFTP, Host: "example.com"}},
		{"sftp://example.com", Site{Scheme: SchemeSFTP, Host: "example.com"}},
		{"sftp://example.com/", Site{Scheme: SchemeSFTP, Host: "example.com", Path: "/"}},
		{"sftp://example.com/%7E/x", Site{Scheme: SchemeSFTP, Host: "example.com", Path: "/~/x"}},
		{"SFTP://Example.com/a%20b", Site{Scheme: SchemeSFTP, Host: "Example.com", Path: "/a b"}},
		{"ftp://example.com/pub/x", Site{Scheme: SchemeFTP, Host: "example.com", Path: "pub/x"}},
		{"ftp://example.com/%2Fpub/x", Site{Scheme: SchemeFTP, Host: "example.com", Path: "/pub/x"}},
		{"ftp://example.com/%2fpub", Site{Scheme: SchemeFTP, Host: "example.com", Path: "/pub"}},
		{"ftps://example.com", Site{Scheme: SchemeFTPS, Host: "example.com"}},
		{"ftpes://bob@example.com:2121/", Site{Scheme: SchemeFTPES, User: "bob", Host: "example.com", Port: 2121}},
		{"sftp://user%40corp@example.com/", Site{Scheme: SchemeSFTP, User: "user@corp", Host: "example.com", Path: "/"}},
		{"sftp://u:secret@example.com/", Site{Scheme: SchemeSFTP, User: "u", Password: "secret", Host: "example.com", Path: "/"}},
		{"sftp://[::1]:2222/tmp", Site{Scheme: SchemeSFTP, Host: "::1", Port: 2222, Path: "/tmp"}},
		{"alice@example.com:logs", Site{Scheme: SchemeSFTP, User: "alice", Host: "example.com", Path: "logs", Short: true}},
		{"example.com:/etc", Site{Scheme: SchemeSFTP, Host: "example.com", Path: "/etc", Short: true}},
		{"example.com:", Site{Scheme: SchemeSFTP, Host: "example.com", Short: true}},
		{"me@corp@host:x", Site{Scheme: SchemeSFTP, User: "me@corp", Host: "host", Path: "x", Short: true}},
		{"alice@[::1]:up/x", Site{Scheme: SchemeSFTP, User: "alice", Host: "::1", Path: "up/x", Short: true}},
		{"[fe80::1%eth0]:x", Site{Scheme: SchemeSFTP, Host: "fe80::1%eth0", Path: "x", Short: true}},
		{"./a:b", Site{Scheme: SchemeLocal, Path: "./a:b"}},
		{"/tmp/x", Site{Scheme: SchemeLocal, Path: "/tmp/x"}},
		{"dir/file:with:colons", Site{Scheme: SchemeLocal, Path: "dir/file:with:colons"}},
		{"notes.txt", Site{Scheme: SchemeLocal, Path: "notes.txt"}},
		{`C:\Users\x`, Site{Scheme: SchemeLocal, Path: `C:\Users\x`}},
		{"file:///tmp/x", Site{Scheme: SchemeLocal, Path: "/tmp/x"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("Parse(%q):\n got %+v\nwant %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseErrorsNameTheProblem(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "empty address"},
		{"sftp://", "empty host"},
		{"sftp://host:0/", "port 0 is out of range"},
		{"sftp://host:65536/", "port 65536 is out of range"},
		{"gopher://host/", `unknown scheme "gopher"`},
		{"sftp://u:hunter2@host:99999/", "out of range"},
		{":path", "empty host"},
		{"@host:x", "empty user name"},
		{"[::1:x", "unclosed ["},
		{"[zz]:x", "not a valid IPv6"},
		{"sftp://host/a%0D%0ADELE%20x", "line break"},
		{"u%0d%0aDELE@host:x", "control character"},
		{"sftp://host/?x=1", "query or fragment"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			_, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q): no error, want one mentioning %q", tc.in, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse(%q): error %q does not mention %q", tc.in, err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("Parse(%q): error %q leaks the password", tc.in, err)
			}
		})
	}
}

func TestPasswordIsFlaggedAndNeverPrinted(t *testing.T) {
	s, err := Parse("ftp://bob:hunter2@example.com/pub")
	if err != nil {
		t.Fatal(err)
	}
	if !s.HasPassword() {
		t.Fatal("HasPassword: got false for an address with a password")
	}
	for _, out := range []string{s.String(), s.ID()} {
		if strings.Contains(out, "hunter2") {
			t.Fatalf("%q leaks the password", out)
		}
	}
}

func TestStringRoundTrips(t *testing.T) {
	for _, in := range []string{
		"sftp://alice@example.com:2222/var/log", "sftp://h/~/logs", "sftp://h/%7E/x",
		"ftp://h/%2Fpub/a%20b", "ftp://h/pub", "ftps://[::1]:990", "sftp://user%40corp@h/",
	} {
		s, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		back, err := Parse(s.String())
		if err != nil || back != s {
			t.Fatalf("round trip of %q via %q: got %+v, %v; want %+v", in, s.String(), back, err, s)
		}
	}
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct{ home, p, want string }{
		{"/home/a", "", "/home/a"},
		{"/home/a", "logs", "/home/a/logs"},
		{"/home/a", "/var/../etc", "/etc"},
	} {
		if got := Resolve(tc.home, tc.p); got != tc.want {
			t.Errorf("Resolve(%q, %q) = %q, want %q", tc.home, tc.p, got, tc.want)
		}
	}
}

// FuzzParse checks that Parse never panics, never lets a line break into a
// remote path or user, and that what it prints parses back to the same site.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"sftp://a@b:22/c", "ftp://h/%2Fx", "u@[::1]:p", "h:", "/local", "ftps://u:p@h/~/x", "C:\\x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Parse(in)
		if err != nil {
			return
		}
		if s.IsLocal() {
			return
		}
		if strings.ContainsAny(s.Path+s.User, "\r\n\x00") {
			t.Fatalf("Parse(%q) let a line break through: %+v", in, s)
		}
		if s.Port < 0 || s.Port > 65535 || s.Host == "" {
			t.Fatalf("Parse(%q) gave a bad host or port: %+v", in, s)
		}
		if s.Short {
			return // the short form prints as a URL, which is a different spelling
		}
		back, err := Parse(s.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", in, s.String(), err)
		}
		s.Password = ""
		if back != s {
			t.Fatalf("round trip of %q via %q: got %+v, want %+v", in, s.String(), back, s)
		}
	})
}
