package sftp

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// resolveText resolves alias (with an explicit user, "" for none) under
// config text written as ~/.ssh/config of a fresh home.
func resolveText(t *testing.T, text, alias, userName string) (target, error) {
	t.Helper()
	cfg := Config{HomeDir: t.TempDir()}
	writeSSHConfig(t, cfg.HomeDir, text)
	sc, err := loadSSHConfig(cfg)
	if err != nil {
		return target{}, err
	}
	return sc.resolve(context.Background(), cfg, alias, 0, userName)
}

func TestMatch(t *testing.T) {
	me := localUser()
	for _, tc := range []struct {
		name, config, alias, user string
		wantPort                  int
		wantWarning               string // a substring of the one warning
	}{
		{"Match all applies", "Match all\n Port 2001\n", "box", "", 2001, ""},
		{"Match host sees the HostName set above it", "Host box\n HostName real.example\nMatch host real.example\n Port 2002\n", "box", "", 2002, ""},
		{"Match host without a HostName sees the name given", "Match host BOX\n Port 2003\n", "box", "", 2003, ""},
		{"Match originalhost sees the name given, not HostName", "Host box\n HostName real.example\nMatch originalhost box\n Port 2004\n", "box", "", 2004, ""},
		{"Match originalhost does not see HostName", "Host box\n HostName real.example\nMatch originalhost real.example\n Port 2005\n", "box", "", 22, ""},
		{"Match user sees the explicit user", "Match user alice\n Port 2006\n", "box", "alice", 2006, ""},
		{"Match user sees User from the file", "Host box\n User bob\nMatch user bob\n Port 2007\n", "box", "", 2007, ""},
		{"Match user does not match another", "Match user alice\n Port 2008\n", "box", "bob", 22, ""},
		{"Match localuser", "Match localuser " + me + "\n Port 2009\n", "box", "", 2009, ""},
		{"Match exec true", "Match exec \"test 1 = 1\"\n Port 2010\n", "box", "", 2010, ""},
		{"Match exec false", "Match exec false\n Port 2011\n", "box", "", 22, ""},
		{"Match exec expands %h and %r", "Match exec \"test %h.%r = box.carol\"\n Port 2012\n", "box", "carol", 2012, ""},
		{"Match !exec false applies", "Match !exec false\n Port 2013\n", "box", "", 2013, ""},
		{"Match !host negates", "Match !host box\n Port 2014\nMatch all\n Port 2015\n", "box", "", 2015, ""},
		{"Match host list with a negated pattern", "Match host *.example,!bad.example\n Port 2016\n", "bad.example", "", 22, ""},
		{"Match host list with a pattern", "Match host a,b*,c\n Port 2017\n", "bee", "", 2017, ""},
		{"Match host=pattern form", "Match host=box user=carol\n Port 2018\n", "box", "carol", 2018, ""},
		{"every criterion must hold", "Match host box user alice\n Port 2019\n", "box", "carol", 22, ""},
		{"Match final applies in the final pass", "Host box\n HostName real.example\nMatch final host real.example\n Port 2020\n", "box", "", 2020, ""},
		{"Match canonical holds only in the final pass", "Match canonical\n Port 2021\n", "box", "", 22, ""},
		{"Match canonical with final", "Match canonical all\n Port 2022\nMatch final\n User x\n", "box", "", 2022, ""},
		{"unsupported localnetwork is skipped with a warning", "Match localnetwork 10.0.0.0/8\n Port 2023\n", "box", "", 22, "Match localnetwork is not supported"},
		{"unsupported version is skipped with a warning", "Match version OpenSSH_9*\n Port 2024\n", "box", "", 22, "Match version is not supported"},
		{"Match tagged reads Tag", "Tag prod\nMatch tagged prod\n Port 2025\n", "box", "", 2025, ""},
		{"Match sessiontype subsystem", "Match sessiontype subsystem\n Port 2026\n", "box", "", 2026, ""},
		{"Host block ends at Match", "Host other\nMatch all\n Port 2027\n", "box", "", 2027, ""},
		{"a comment ends the Match line", "Match all # all of them\n Port 2028\n", "box", "", 2028, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveText(t, tc.config, tc.alias, tc.user)
			if err != nil {
				t.Fatalf("resolve %q under %q: %v", tc.alias, tc.config, err)
			}
			if got.port != tc.wantPort {
				t.Errorf("port = %d, want %d; config %q", got.port, tc.wantPort, tc.config)
			}
			switch {
			case tc.wantWarning == "" && len(got.warnings) > 0:
				t.Errorf("warnings %q, want none", got.warnings)
			case tc.wantWarning != "" && (len(got.warnings) != 1 || !strings.Contains(got.warnings[0], tc.wantWarning)):
				t.Errorf("warnings %q, want one with %q", got.warnings, tc.wantWarning)
			}
		})
	}
}

func TestMatchErrors(t *testing.T) {
	for _, tc := range []struct{ config, want string }{
		{"Match\n", "no criteria"},
		{"Match host\n", "missing argument"},
		{"Match host box user me all\n", "cannot be combined"},
		{"Match all host box\n", "cannot be combined"},
		{"Match hots box\n", `unsupported criterion "hots"`},
		{"Match exec \"echo %z\"\n", "unknown token %z"},
		{"Host\n", "Host without patterns"},
		{"Host a\n HostName \"unclosed\n", "unterminated quote"},
		{"Host *\n ProxyJump hop\n ProxyCommand nc %h %p\n", "ProxyCommand conflicts with ProxyJump"},
		{"Port 99999\n", `bad port "99999"`},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, err := resolveText(t, tc.config, "box", "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("config %q: got %v, want an error with %q", tc.config, err, tc.want)
			}
			if !strings.Contains(err.Error(), "line ") {
				t.Errorf("error %q names no line", err)
			}
		})
	}
}

func TestMatchExecSkippedAfterFailure(t *testing.T) {
	cfg := Config{HomeDir: t.TempDir()}
	writeSSHConfig(t, cfg.HomeDir, "Match host other exec \"touch ran\"\n Port 2\nMatch exec \"exit 3\"\n Port 3\n")
	sc, err := loadSSHConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ran []string
	sc.exec = func(_ context.Context, cmd string) (bool, error) {
		ran = append(ran, cmd)
		return false, nil
	}
	if _, err := sc.resolve(context.Background(), cfg, "box", 0, ""); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ran, []string{"exit 3"}) {
		t.Errorf("ran %q, want only %q: an exec after a failed criterion must not run", ran, "exit 3")
	}
}

func TestHostPatterns(t *testing.T) {
	for _, tc := range []struct {
		patterns []string
		host     string
		want     bool
	}{
		{[]string{"*"}, "box", true},
		{[]string{"b?x"}, "box", true},
		{[]string{"b?x"}, "boox", false},
		{[]string{"*.example.com"}, "a.example.com", true},
		{[]string{"*.example.com"}, "example.com", false},
		{[]string{"* !box"}, "box", false},
		{[]string{"*", "!box"}, "box", false},
		{[]string{"*", "!box"}, "other", true},
		{[]string{"!box"}, "other", false}, // a negation alone selects nothing
		{[]string{"BOX"}, "box", true},
		{[]string{"a*b*c"}, "aXbYc", true},
		{[]string{"a*b*c"}, "aXbYd", false},
	} {
		pats := tc.patterns
		if len(pats) == 1 {
			pats = strings.Fields(pats[0])
		}
		if got := matchHost(tc.host, pats); got != tc.want {
			t.Errorf("Host %q against %q = %v, want %v", tc.patterns, tc.host, got, tc.want)
		}
	}
}

func TestFirstValueWins(t *testing.T) {
	got, err := resolveText(t, `
Host box
    Port 2201
    User first
    IdentityFile ~/.ssh/one
    CertificateFile ~/.ssh/one-cert.pub
Host b*
    Port 2202
    User second
    IdentityFile ~/.ssh/two
    CertificateFile %d/two-cert.pub
    ProxyCommand none
Host *
    ProxyCommand nc %h %p
    Compression yes
`, "box", "")
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Dir(filepath.Dir(got.identityFiles[0]))
	if got.port != 2201 || got.user != "first" {
		t.Errorf("port, user = %d, %q; want the first values 2201, first", got.port, got.user)
	}
	wantIDs := []string{filepath.Join(home, ".ssh/one"), filepath.Join(home, ".ssh/two")}
	if !slices.Equal(got.identityFiles, wantIDs) {
		t.Errorf("identity files %q, want both in order %q", got.identityFiles, wantIDs)
	}
	wantCerts := []string{filepath.Join(home, ".ssh/one-cert.pub"), home + "/two-cert.pub"}
	if !slices.Equal(got.certificateFiles, wantCerts) {
		t.Errorf("certificate files %q, want %q", got.certificateFiles, wantCerts)
	}
	if got.proxyCommand != "" {
		t.Errorf("proxyCommand %q, want none: the first ProxyCommand says none", got.proxyCommand)
	}
	if len(got.warnings) != 1 || !strings.Contains(got.warnings[0], "Compression yes is ignored") {
		t.Errorf("warnings %q, want one about Compression", got.warnings)
	}

	got, err = resolveText(t, "Host *\n ProxyCommand ssh -W %h:%p bastion\n ProxyJump other\n", "box", "")
	if err != nil || got.proxyCommand != "ssh -W %h:%p bastion" || got.proxyJump != "" {
		t.Errorf("ProxyCommand before ProxyJump: got %q, %q, %v; want the command and no jump", got.proxyCommand, got.proxyJump, err)
	}
}

func TestSSHConfigKeywords(t *testing.T) {
	t.Setenv("FERRY_TEST_AGENT", "/run/agent.sock")
	for _, tc := range []struct {
		config string
		check  func(target) bool
	}{
		{"HostName %h.example.com\n", func(t target) bool { return t.host == "box.example.com" }},
		{"HostKeyAlias NAS\n", func(t target) bool { return t.hostKeyAlias == "nas" && t.hostKeyAddr() == "nas:22" }},
		{"IdentityAgent none\n", func(t target) bool { return t.agentSocket() == "" }},
		{"IdentityAgent $FERRY_TEST_AGENT\n", func(t target) bool { return t.agentSocket() == "/run/agent.sock" }},
		{"IdentityAgent ${FERRY_TEST_AGENT}.%h\n", func(t target) bool { return t.agentSocket() == "/run/agent.sock.box" }},
		{"IdentityAgent ~/agent\n", func(t target) bool {
			return strings.HasSuffix(t.agentSocket(), "/agent") && !strings.HasPrefix(t.agentSocket(), "~")
		}},
		{"ServerAliveInterval 5\nServerAliveCountMax 2\n", func(t target) bool { return t.aliveInterval.Seconds() == 5 && t.aliveCountMax == 2 }},
		{"ConnectTimeout 7\n", func(t target) bool { return t.timeout.Seconds() == 7 }},
		{"UserKnownHostsFile ~/a %d/b\nUserKnownHostsFile ~/c\n", func(t target) bool { return len(t.knownHosts) == 2 }},
		{"PubkeyAcceptedKeyTypes +ssh-rsa\n", func(t target) bool { return t.algos.pubkeys.spec == "+ssh-rsa" }},
	} {
		t.Run(strings.TrimSpace(tc.config), func(t *testing.T) {
			got, err := resolveText(t, tc.config, "box", "")
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(got) {
				t.Errorf("config %q gave %+v", tc.config, got)
			}
		})
	}
}

func TestInclude(t *testing.T) {
	cfg := Config{HomeDir: t.TempDir()}
	dir := filepath.Join(cfg.HomeDir, ".ssh", "conf.d")
	os.MkdirAll(dir, 0o700)
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("10-box.conf", "Host box\n Port 2301\n Include conf.d/nested/*.conf\n")
	os.MkdirAll(filepath.Join(dir, "nested"), 0o700)
	write("nested/a.conf", "User nested\n")
	write("20-other.conf", "Host other\n Port 2302\n")
	write("skip.txt", "Host box\n Port 9\n")
	writeSSHConfig(t, cfg.HomeDir, `
Include conf.d/*.conf
Host box other
    HostName after.example
Host elsewhere
    Include conf.d/10-box.conf
`)
	resolve := func(alias string) target {
		t.Helper()
		sc, err := loadSSHConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sc.resolve(context.Background(), cfg, alias, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := resolve("box"); got.port != 2301 || got.user != "nested" || got.host != "after.example" {
		t.Errorf("box: port %d, user %q, host %q; want 2301 from conf.d, nested from the nested include, after.example from after the include",
			got.port, got.user, got.host)
	}
	if got := resolve("other"); got.port != 2302 || got.user == "nested" {
		t.Errorf("other: port %d, user %q; want 2302 and no user from box's block", got.port, got.user)
	}
	// Included inside an inactive block, a Host in the file must not match.
	if got := resolve("zzz"); got.port != 22 {
		t.Errorf("zzz: port %d, want 22", got.port)
	}

	t.Run("an Include loop stops at the depth bound", func(t *testing.T) {
		cfg := Config{HomeDir: t.TempDir()}
		writeSSHConfig(t, cfg.HomeDir, "Include config\n")
		_, err := resolveTextCfg(t, cfg, "box")
		if err == nil || !strings.Contains(err.Error(), "nested more than 16 deep") {
			t.Fatalf("got %v, want the depth error", err)
		}
	})
	t.Run("an Include of a missing file is nothing", func(t *testing.T) {
		cfg := Config{HomeDir: t.TempDir()}
		writeSSHConfig(t, cfg.HomeDir, "Include nothing/* ~/absent\nPort 2303\n")
		got, err := resolveTextCfg(t, cfg, "box")
		if err != nil || got.port != 2303 {
			t.Fatalf("got %d, %v; want 2303", got.port, err)
		}
	})
}

func resolveTextCfg(t *testing.T, cfg Config, alias string) (target, error) {
	t.Helper()
	sc, err := loadSSHConfig(cfg)
	if err != nil {
		return target{}, err
	}
	return sc.resolve(context.Background(), cfg, alias, 0, "")
}

func FuzzSSHConfig(f *testing.F) {
	for _, s := range []string{
		"Host box\n HostName %h.example\n Port 22\n",
		"Match host a,!b user c exec \"true\"\n Port 1\nMatch final all\n",
		"Include x*\nHost *\n Ciphers +aes128-cbc\n KexAlgorithms -*sha1\n",
		"Host \"a b\" 'c'\n ProxyCommand nc %h %p\n IdentityAgent ${HOME}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 4096 {
			return
		}
		lines, err := parseSSHConfig("fuzz", []byte(text))
		if err != nil {
			return
		}
		calls := 0
		sc := &sshConfig{
			lines: lines, files: map[string][]cfgLine{},
			// An Include reads the text again: the depth bound must hold.
			readFile: func(string) ([]byte, error) { calls++; return []byte(text), nil },
			glob:     func(p string) ([]string, error) { return []string{p, p}, nil },
			exec:     func(context.Context, string) (bool, error) { return true, nil },
		}
		cfg := Config{HomeDir: "/nonexistent-ferry-fuzz"}
		sc.resolve(context.Background(), cfg, "box", 0, "")
		if calls > maxIncludes {
			t.Fatalf("%d reads", calls)
		}
	})
}
