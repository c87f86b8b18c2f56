package bookmarks

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/protocol"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "import", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestNetrc(t *testing.T) {
	n, err := ParseNetrc(readFixture(t, "netrc"))
	if err != nil {
		t.Fatal(err)
	}
	want := []NetrcEntry{
		{Machine: "ftp.example.com", Login: "alice", Password: "s3cret pass"},
		{Machine: "files.example.org", Login: "bob", Password: "hunter2", Account: "acct9"},
		{Machine: "mirror.example.net", Login: "anonymous", Password: "guest@"},
		{Default: true, Login: "anonymous", Password: "me@example.com"},
	}
	if !reflect.DeepEqual(n.Entries, want) {
		t.Errorf("entries\n got %+v\nwant %+v (a macdef body must not be read as machines)", n.Entries, want)
	}
	cases := []struct{ host, user, login string }{
		{"FTP.example.com", "", "alice"},
		{"files.example.org", "bob", "bob"},
		{"files.example.org", "someone-else", "anonymous"},
		{"unknown.test", "", "anonymous"},
	}
	for _, c := range cases {
		e, ok := n.Lookup(c.host, c.user)
		if !ok || e.Login != c.login {
			t.Errorf("Lookup(%q, %q) = %q, %v; want %q", c.host, c.user, e.Login, ok, c.login)
		}
	}
	for _, bad := range []string{"machine", "login x", "machine a login", "machine a frobnicate b"} {
		if _, err := ParseNetrc([]byte(bad)); err == nil {
			t.Errorf("ParseNetrc(%q) accepted", bad)
		}
	}
}

func TestStoreNetrcLogin(t *testing.T) {
	p := testPaths(t)
	p.Netrc, _ = filepath.Abs("testdata/import/netrc")
	st, _ := Open(p)
	login, pw, ok := st.NetrcLogin(protocol.Site{Scheme: protocol.SchemeFTP, Host: "ftp.example.com"})
	if !ok || login != "alice" || pw != "s3cret pass" {
		t.Errorf("NetrcLogin = %q, %v", login, ok)
	}
}

func TestImportNetrc(t *testing.T) {
	items, _, err := ImportNetrc(readFixture(t, "netrc"))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 || items[0].Site.Host != "ftp.example.com" || items[0].Password != "s3cret pass" || items[0].Site.Protocol != protocol.SchemeFTP {
		t.Errorf("got %+v", items)
	}
}

func TestImportFileZilla(t *testing.T) {
	items, warnings, err := ImportFileZilla(readFixture(t, "sitemanager.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Imported{
		{Site: Site{Name: "My Site", Protocol: protocol.SchemeFTPES, Host: "ftp.example.com", User: "alice",
			RemoteDir: "/var/www", LocalDir: "/home/alice/site", Notes: "Main site",
			FTP: FTPOptions{Mode: FTPActive, Encoding: "ISO-8859-1"}}, Password: "filezilla-secret"},
		{Site: Site{Name: "acme- prod", Folder: "Clients", Protocol: protocol.SchemeSFTP, Host: "sftp.acme.test", Port: 2222,
			User: "deploy", KeyFile: "/home/alice/.ssh/acme"}},
		{Site: Site{Name: "old", Folder: "Clients/Legacy", Protocol: protocol.SchemeFTPS, Host: "old.acme.test", User: "anonymous"}},
		{Site: Site{Name: "old", Folder: "Clients/Legacy", Protocol: protocol.SchemeFTP, Host: "crypt.acme.test", User: "carol"}},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("imported\n got %+v\nwant %+v", items, want)
	}
	joined := strings.Join(warnings, "\n")
	for _, w := range []string{"master password", "protocol 5"} {
		if !strings.Contains(joined, w) {
			t.Errorf("warnings %q do not mention %q", joined, w)
		}
	}
}

func TestParseFZPath(t *testing.T) {
	for in, want := range map[string]string{
		"1 0 3 var 3 www":     "/var/www",
		"1 0":                 "/",
		"1 0 8 my files 2 ok": "/my files/ok",
		"1 0 4 dóçs":          "/dóçs",
	} {
		got, err := parseFZPath(in)
		if err != nil || got != want {
			t.Errorf("parseFZPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "1 0 9 short", "1 0 3 a/b"} {
		if _, err := parseFZPath(bad); err == nil {
			t.Errorf("parseFZPath(%q) accepted", bad)
		}
	}
}

func TestImportLftp(t *testing.T) {
	items, warnings, err := ImportLftp(readFixture(t, "lftp-bookmarks"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Imported{
		{Site: Site{Name: "mirror", Protocol: protocol.SchemeFTP, Host: "ftp.mirror.test", RemoteDir: "pub/linux"}},
		{Site: Site{Name: "secure box", Protocol: protocol.SchemeSFTP, Host: "box.test", Port: 2200, User: "user", RemoteDir: "data"}, Password: "p@ss"},
		{Site: Site{Name: "plain", Protocol: protocol.SchemeFTP, Host: "files.example.com"}},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("imported\n got %+v\nwant %+v", items, want)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "web") {
		t.Errorf("warnings %q, want one about the http bookmark", warnings)
	}
	for _, w := range warnings {
		if strings.Contains(w, "p@ss") || strings.Contains(w, "p%40ss") {
			t.Errorf("a warning shows a password: %q", w)
		}
	}
}

// TestImportMovesPasswordsOnlyToSecrets imports every fixture and then
// walks the config dir: no password may appear in any file there.
func TestImportMovesPasswordsOnlyToSecrets(t *testing.T) {
	p := testPaths(t)
	st, _ := Open(p)
	sec := &MemSecrets{}
	var all []Imported
	for name, parse := range map[string]func([]byte) ([]Imported, []string, error){
		"sitemanager.xml": ImportFileZilla, "lftp-bookmarks": ImportLftp, "netrc": ImportNetrc,
	} {
		items, _, err := parse(readFixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, items...)
	}
	res, err := Import(t.Context(), st, sec, all)
	if err != nil {
		t.Fatal(err)
	}
	var passwords []string
	for _, it := range all {
		if it.Password != "" {
			passwords = append(passwords, it.Password)
		}
	}
	if res.Secrets != len(passwords) || sec.Len() != len(passwords) {
		t.Errorf("%d secrets saved (%d in the fake keyring), want %d", res.Secrets, sec.Len(), len(passwords))
	}
	if got, err := sec.Get(t.Context(), "My Site", KindPassword); err != nil || got != "filezilla-secret" {
		t.Errorf("keyring holds %q, %v for My Site", got, err)
	}
	if len(res.Added) != len(all) || !strings.Contains(strings.Join(res.Added, " "), "old-2") {
		t.Errorf("added %q: a duplicate name was not made unique", res.Added)
	}
	// Importing again keeps the first ones and adds renamed copies.
	fz, _, _ := ImportFileZilla(readFixture(t, "sitemanager.xml"))
	if _, err := Import(t.Context(), st, sec, fz[:1]); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Get("My Site-2"); !ok {
		t.Error("a second import overwrote instead of adding My Site-2")
	}
	assertNoSecretsUnder(t, p.ConfigDir, passwords)
}

func assertNoSecretsUnder(t *testing.T, dir string, secrets []string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if strings.Contains(string(data), s) {
				t.Errorf("%s contains the secret %q", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no files under %s: the check proves nothing", dir)
	}
}

func TestCredentials(t *testing.T) {
	p := testPaths(t)
	p.Netrc, _ = filepath.Abs("testdata/import/netrc")
	st, _ := Open(p)
	sec := &MemSecrets{}
	ctx := t.Context()
	bm := &Site{Name: "saved", Protocol: protocol.SchemeFTP, Host: "ftp.example.com", User: "alice"}
	sec.Set(ctx, "saved", KindPassword, "from-keyring")
	cases := []struct {
		name     string
		ps       protocol.Site
		bm       *Site
		user, pw string
	}{
		{"the address's own password wins", protocol.Site{Scheme: protocol.SchemeFTP, Host: "ftp.example.com", User: "alice", Password: "typed"}, bm, "alice", "typed"},
		{"a saved password comes next", protocol.Site{Scheme: protocol.SchemeFTP, Host: "ftp.example.com", User: "alice"}, bm, "alice", "from-keyring"},
		{"netrc supplies an FTP login", protocol.Site{Scheme: protocol.SchemeFTP, Host: "ftp.example.com"}, nil, "alice", "s3cret pass"},
		{"netrc with another user falls to the default", protocol.Site{Scheme: protocol.SchemeFTP, Host: "files.example.org", User: "zed"}, nil, "zed", ""},
		{"netrc is not used for SFTP", protocol.Site{Scheme: protocol.SchemeSFTP, Host: "ftp.example.com"}, nil, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			user, pw := st.Credentials(ctx, sec, c.ps, c.bm)
			if user != c.user || pw != c.pw {
				t.Errorf("got %q/%q, want %q/%q", user, pw, c.user, c.pw)
			}
		})
	}
}
