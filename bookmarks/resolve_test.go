package bookmarks

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/ferryhq/ferry/protocol"
)

func fixtureHome(t *testing.T) string {
	t.Helper()
	home, err := filepath.Abs("testdata/home")
	if err != nil {
		t.Fatal(err)
	}
	return home
}

func TestSSHConfigAliases(t *testing.T) {
	home := fixtureHome(t)
	cfg, err := ReadSSHConfig(filepath.Join(home, ".ssh", "config"), home)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("only concrete names become sites, in file order, includes in place", func(t *testing.T) {
		want := []string{"gitbox", "web1", "web2", "backup", "mysite"}
		if got := cfg.Names(); !slices.Equal(got, want) {
			t.Errorf("names %q, want %q", got, want)
		}
	})
	cases := []struct {
		alias string
		want  Site
	}{
		{"web2", Site{Name: "web2", Protocol: protocol.SchemeSFTP, Host: "web2.example.com", Port: 2222, User: "deploy", KeyFile: filepath.Join(home, ".ssh/id_deploy"), Source: SourceSSHConfig}},
		{"gitbox", Site{Name: "gitbox", Protocol: protocol.SchemeSFTP, Host: "git.work.example", Port: 2200, User: "fallback", Source: SourceSSHConfig}},
		{"backup", Site{Name: "backup", Protocol: protocol.SchemeSFTP, Host: "10.0.0.5", Port: 2022, User: "backup-user", Source: SourceSSHConfig}},
	}
	for _, c := range cases {
		t.Run(c.alias+" takes its values first-match-wins", func(t *testing.T) {
			got, ok := cfg.Site(c.alias)
			if !ok {
				t.Fatalf("alias %q not found", c.alias)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %#v\nwant %#v", got, c.want)
			}
		})
	}
	t.Run("a pattern is not a site", func(t *testing.T) {
		for _, name := range []string{"*.internal", "ci-1", "x.internal", "*"} {
			if _, ok := cfg.Site(name); ok {
				t.Errorf("%q became a site", name)
			}
		}
	})
}

func resolveStore(t *testing.T) *Store {
	t.Helper()
	home := fixtureHome(t)
	p := testPaths(t)
	p.SSHConfig = filepath.Join(home, ".ssh", "config")
	p.Home = home
	st, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	sites := []Site{
		{Name: "mysite", Protocol: protocol.SchemeFTPES, Host: "ftp.example.com", Port: 2121, User: "bob", RemoteDir: "/www"},
		{Name: "homeless", Protocol: protocol.SchemeSFTP, Host: "h.example.com"},
		{Name: "rel", Protocol: protocol.SchemeSFTP, Host: "r.example.com", RemoteDir: "logs"},
		{Name: "My Server", Protocol: protocol.SchemeFTP, Host: "m.example.com", RemoteDir: "/pub"},
	}
	for _, s := range sites {
		if err := st.Add(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func TestResolve(t *testing.T) {
	st := resolveStore(t)
	cases := []struct {
		name, addr string
		want       protocol.Site
		bookmark   string // "" when no bookmark or alias is expected
		source     Source
	}{
		{"absolute path stands alone", "mysite:/var/log/app.log",
			protocol.Site{Scheme: protocol.SchemeFTPES, Host: "ftp.example.com", Port: 2121, User: "bob", Path: "/var/log/app.log"}, "mysite", SourceBookmark},
		{"relative path is under the start directory", "mysite:img/a.png",
			protocol.Site{Scheme: protocol.SchemeFTPES, Host: "ftp.example.com", Port: 2121, User: "bob", Path: "/www/img/a.png"}, "mysite", SourceBookmark},
		{"empty path is the start directory", "mysite:",
			protocol.Site{Scheme: protocol.SchemeFTPES, Host: "ftp.example.com", Port: 2121, User: "bob", Path: "/www"}, "mysite", SourceBookmark},
		{"trailing slash is kept", "mysite:up/",
			protocol.Site{Scheme: protocol.SchemeFTPES, Host: "ftp.example.com", Port: 2121, User: "bob", Path: "/www/up/"}, "mysite", SourceBookmark},
		{"user before @ overrides the saved one", "alice@mysite:x",
			protocol.Site{Scheme: protocol.SchemeFTPES, Host: "ftp.example.com", Port: 2121, User: "alice", Path: "/www/x"}, "mysite", SourceBookmark},
		{"no start directory means the login directory", "homeless:data",
			protocol.Site{Scheme: protocol.SchemeSFTP, Host: "h.example.com", Path: "data"}, "homeless", SourceBookmark},
		{"relative start directory stays relative", "rel:app",
			protocol.Site{Scheme: protocol.SchemeSFTP, Host: "r.example.com", Path: "logs/app"}, "rel", SourceBookmark},
		{"a name with a space works", "My Server:x",
			protocol.Site{Scheme: protocol.SchemeFTP, Host: "m.example.com", Path: "/pub/x"}, "My Server", SourceBookmark},
		{"an ssh alias resolves", "web1:/srv",
			protocol.Site{Scheme: protocol.SchemeSFTP, Host: "web1", Path: "/srv", Short: true}, "web1", SourceSSHConfig},
		{"an unknown host stays a host", "example.net:f",
			protocol.Site{Scheme: protocol.SchemeSFTP, Host: "example.net", Path: "f", Short: true}, "", 0},
		{"a URL is not a bookmark", "sftp://mysite/x",
			protocol.Site{Scheme: protocol.SchemeSFTP, Host: "mysite", Path: "/x"}, "", 0},
		{"a bare name is a local path", "mysite",
			protocol.Site{Scheme: protocol.SchemeLocal, Path: "mysite"}, "", 0},
		{"a slash before the colon is local", "./mysite:x",
			protocol.Site{Scheme: protocol.SchemeLocal, Path: "./mysite:x"}, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, bm, err := st.Resolve(c.addr)
			if err != nil {
				t.Fatal(err)
			}
			if ps != c.want {
				t.Errorf("Resolve(%q) = %#v, want %#v", c.addr, ps, c.want)
			}
			switch {
			case c.bookmark == "" && bm != nil:
				t.Errorf("Resolve(%q) matched %q, want no bookmark", c.addr, bm.Name)
			case c.bookmark != "" && bm == nil:
				t.Errorf("Resolve(%q) matched nothing, want %q", c.addr, c.bookmark)
			case bm != nil && (bm.Name != c.bookmark || bm.Source != c.source):
				t.Errorf("Resolve(%q) matched %q (%v), want %q (%v)", c.addr, bm.Name, bm.Source, c.bookmark, c.source)
			}
		})
	}
	t.Run("a bookmark wins over an ssh alias of the same name", func(t *testing.T) {
		_, bm, err := st.Resolve("mysite:")
		if err != nil || bm == nil || bm.Source != SourceBookmark || bm.Host != "ftp.example.com" {
			t.Errorf("got %+v, %v; want the bookmark", bm, err)
		}
		entries, err := st.Entries()
		if err != nil {
			t.Fatal(err)
		}
		var shadowed []string
		for _, e := range entries {
			if e.Shadowed {
				shadowed = append(shadowed, e.Name)
			}
		}
		if !slices.Equal(shadowed, []string{"mysite"}) {
			t.Errorf("shadowed entries %q, want [mysite]", shadowed)
		}
	})
	t.Run("a bare name connects in the connect position", func(t *testing.T) {
		ps, bm, err := st.ResolveConnect("mysite")
		if err != nil || bm == nil || ps.Path != "/www" || ps.Host != "ftp.example.com" {
			t.Errorf("ResolveConnect(mysite) = %+v, %+v, %v", ps, bm, err)
		}
		ps, bm, err = st.ResolveConnect("gitbox")
		if err != nil || bm == nil || bm.Source != SourceSSHConfig || ps.Host != "gitbox" || bm.Host != "git.work.example" {
			t.Errorf("ResolveConnect(gitbox) = %+v, %+v, %v", ps, bm, err)
		}
		ps, bm, err = st.ResolveConnect("nothing-here")
		if err != nil || bm != nil || !ps.IsLocal() {
			t.Errorf("ResolveConnect(nothing-here) = %+v, %+v, %v; want a local path", ps, bm, err)
		}
	})
	t.Run("bad addresses are errors", func(t *testing.T) {
		for _, addr := range []string{"", "@mysite:x", "mysite:a\nb", "ftp://h/?q"} {
			if _, _, err := st.Resolve(addr); err == nil {
				t.Errorf("Resolve(%q) accepted", addr)
			}
		}
	})
}
