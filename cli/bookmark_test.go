package cli

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/config"
)

type bookmarkHarness struct {
	t    *testing.T
	deps bookmarkDeps
	sec  *bookmarks.MemSecrets
}

func newBookmarkHarness(t *testing.T) *bookmarkHarness {
	root := t.TempDir()
	home := filepath.Join(root, "home")
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	os.WriteFile(filepath.Join(home, ".ssh", "config"), []byte("Host web1\n  HostName web1.example.com\n  User deploy\nHost *\n  Port 22\n"), 0o600)
	sec := &bookmarks.MemSecrets{}
	deps := bookmarkDeps{
		paths: bookmarks.Paths{
			ConfigDir: filepath.Join(root, "config", "ferry"),
			StateDir:  filepath.Join(root, "state", "ferry"),
			SSHConfig: filepath.Join(home, ".ssh", "config"),
			Home:      home,
		},
		cfg:     config.Default(),
		secrets: sec,
	}
	return &bookmarkHarness{t: t, deps: deps, sec: sec}
}

func (h *bookmarkHarness) run(stdin string, args ...string) (int, string, string) {
	h.t.Helper()
	var out, errb bytes.Buffer
	e := &env{Stdio: Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb}, getenv: func(string) string { return "" }, version: "test"}
	code := runBookmarkWith(context.Background(), e, h.deps, args)
	return code, out.String(), errb.String()
}

func (h *bookmarkHarness) must(stdin string, args ...string) string {
	h.t.Helper()
	code, out, errs := h.run(stdin, args...)
	if code != 0 {
		h.t.Fatalf("ferry bookmark %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

func TestBookmarkLifecycle(t *testing.T) {
	h := newBookmarkHarness(t)
	const pw = "Tr0ub4dor-secret"
	h.must(pw+"\n", "add", "prod", "ftpes://bob@ftp.example.com:2121/%2Fwww", "--folder", "Clients", "--ftp-mode", "active", "--rate", "1M", "--password-stdin")
	h.must("", "add", "web1", "sftp://other.example.com") // shadows the ssh alias

	if got, err := h.sec.Get(t.Context(), "prod", bookmarks.KindPassword); err != nil || got != pw {
		t.Fatalf("keyring holds %q, %v; want the password", got, err)
	}
	t.Run("ls shows bookmarks and ssh aliases by kind", func(t *testing.T) {
		var lines []string
		for l := range strings.Lines(h.must("", "ls")) {
			lines = append(lines, strings.Join(strings.Fields(l), " "))
		}
		want := []string{
			"KIND NAME URL FOLDER",
			"bookmark prod ftpes://bob@ftp.example.com:2121/%2Fwww Clients",
			"bookmark web1 sftp://other.example.com",
			"ssh-config web1 sftp://deploy@web1.example.com (hidden by the bookmark web1)",
		}
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Errorf("ls printed\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		if out := h.must("", "ls", "--json"); !strings.Contains(out, `{"kind":"ssh-config","name":"web1","url":"sftp://deploy@web1.example.com","shadowed":true}`) {
			t.Errorf("ls --json:\n%s", out)
		}
	})
	t.Run("show prints the site and whether a password is saved", func(t *testing.T) {
		out := h.must("", "show", "prod")
		for _, want := range []string{`mode = "active"`, `rate_limit = "1M"`, "# password: saved", "# passphrase: not saved"} {
			if !strings.Contains(out, want) {
				t.Errorf("show lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, pw) {
			t.Error("show printed the password")
		}
	})
	t.Run("export never includes secrets", func(t *testing.T) {
		toml := h.must("", "export")
		urls := h.must("", "export", "--format", "urls", "prod")
		if !strings.Contains(toml, `name = "prod"`) || urls != "prod\tftpes://bob@ftp.example.com:2121/%2Fwww\n" {
			t.Errorf("export:\n%s\nurls: %q", toml, urls)
		}
		if strings.Contains(toml+urls, pw) {
			t.Error("export contains the password")
		}
	})
	t.Run("rename moves the password", func(t *testing.T) {
		h.must("", "rename", "prod", "production")
		if got, _ := h.sec.Get(t.Context(), "production", bookmarks.KindPassword); got != pw {
			t.Errorf("password under the new name: %q", got)
		}
		if code, _, _ := h.run("", "rename", "production", "web1"); code == 0 {
			t.Error("rename onto an existing bookmark succeeded")
		}
	})
	assertNoSecretInDir(t, h.deps.paths.ConfigDir, pw)
	t.Run("rm removes the bookmark and its password", func(t *testing.T) {
		h.must("", "rm", "production")
		if _, err := h.sec.Get(t.Context(), "production", bookmarks.KindPassword); !errors.Is(err, bookmarks.ErrNoSecret) {
			t.Errorf("password left behind: %v", err)
		}
		code, _, errs := h.run("", "rm", "production")
		if code == 0 || !strings.Contains(errs, "no such bookmark") {
			t.Errorf("second rm: exit %d, %q", code, errs)
		}
	})
	t.Run("bad input is a usage error", func(t *testing.T) {
		for _, args := range [][]string{
			{"add", "x"}, {"add", "a:b", "sftp://h"}, {"add", "x", "./local"}, {"add", "x", "ftp://h", "--ftp-mode", "sideways"},
			{"frobnicate"}, {"import", "winscp", "f"},
		} {
			if code, _, _ := h.run("", args...); code != exitUsage {
				t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
			}
		}
	})
}

func TestBookmarkAddTakesTheKeyAsOtherCommandsDo(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"--key after the URL", []string{"add", "web", "sftp://deploy@web.example.com", "--key", "/keys/deploy"}},
		{"-i before the name, as ferry get takes it", []string{"add", "-i", "/keys/deploy", "web", "sftp://deploy@web.example.com"}},
		{"-i after the URL", []string{"add", "web", "sftp://deploy@web.example.com", "-i", "/keys/deploy"}},
		{"--identity", []string{"add", "--identity", "/keys/deploy", "web", "sftp://deploy@web.example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newBookmarkHarness(t)
			h.must("", tc.args...)
			st, err := bookmarks.Open(h.deps.paths)
			if err != nil {
				t.Fatal(err)
			}
			site, ok := st.Lookup("web")
			if !ok || site.KeyFile != "/keys/deploy" {
				t.Errorf("ferry bookmark %s saved key file %q (found %v), want /keys/deploy", strings.Join(tc.args, " "), site.KeyFile, ok)
			}
		})
	}
}

func assertNoSecretInDir(t *testing.T, dir, secret string) {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		if data, _ := os.ReadFile(p); bytes.Contains(data, []byte(secret)) {
			t.Errorf("%s contains the password", p)
		}
		return nil
	})
	if n == 0 {
		t.Fatalf("no files under %s", dir)
	}
}

func TestBookmarkEdit(t *testing.T) {
	h := newBookmarkHarness(t)
	h.must("", "add", "a", "sftp://a.example.com")
	dir := t.TempDir()
	script := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o700)
		return p
	}
	t.Run("a valid edit is saved", func(t *testing.T) {
		h.deps.cfg.Editor = script("good.sh", `printf '[[site]]\nname = "b"\nprotocol = "ftp"\nhost = "b.example.com"\n' >> "$1"`)
		out := h.must("", "edit")
		if !strings.Contains(out, "2 sites") {
			t.Errorf("edit: %q", out)
		}
	})
	t.Run("a broken edit keeps the old file", func(t *testing.T) {
		path := filepath.Join(h.deps.paths.ConfigDir, "bookmarks.toml")
		before, _ := os.ReadFile(path)
		h.deps.cfg.Editor = script("bad.sh", `printf 'name = "unterminated\n' >> "$1"`)
		code, _, errs := h.run("", "edit")
		if code == 0 || !strings.Contains(errs, "line") || !strings.Contains(errs, "the old file is kept") {
			t.Errorf("broken edit: exit %d, %q", code, errs)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Error("the file changed after a broken edit")
		}
	})
	t.Run("edit repairs a broken file that other commands refuse to touch", func(t *testing.T) {
		path := filepath.Join(h.deps.paths.ConfigDir, "bookmarks.toml")
		os.WriteFile(path, []byte("[[site]\n"), 0o600)
		if code, _, errs := h.run("", "add", "c", "sftp://c.example.com"); code == 0 || !strings.Contains(errs, "line 2, column") || strings.Count(errs, "line 2") != 1 {
			t.Errorf("add on a broken file: exit %d, %q", code, errs)
		}
		h.deps.cfg.Editor = script("fix.sh", `printf '[[site]]\nname = "fixed"\nprotocol = "sftp"\nhost = "f.example.com"\n' > "$1"`)
		h.must("", "edit")
		if out := h.must("", "export", "--format", "urls"); out != "fixed\tsftp://f.example.com\n" {
			t.Errorf("after the repair: %q", out)
		}
	})
	t.Run("an editor that fails changes nothing", func(t *testing.T) {
		h.deps.cfg.Editor = script("fail.sh", `echo junk >> "$1"; exit 3`)
		if code, _, _ := h.run("", "edit"); code == 0 {
			t.Error("a failing editor was taken as success")
		}
		if n := len(h.must("", "export", "--format", "urls")); n == 0 {
			t.Error("bookmarks lost")
		}
	})
}

func TestBookmarkImport(t *testing.T) {
	h := newBookmarkHarness(t)
	fixture, _ := filepath.Abs("../bookmarks/testdata/import/sitemanager.xml")
	out := h.must("", "import", "filezilla", fixture, "--dry-run")
	if !strings.Contains(out, "My Site") || strings.Contains(out, "filezilla-secret") {
		t.Errorf("dry run:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(h.deps.paths.ConfigDir, "bookmarks.toml")); err == nil {
		t.Error("a dry run wrote the file")
	}
	code, out, errs := h.run("", "import", "filezilla", fixture)
	if code != 0 || !strings.Contains(out, "imported 4 sites, 1 passwords") || !strings.Contains(errs, "master password") {
		t.Errorf("import: exit %d\n%s\n%s", code, out, errs)
	}
	assertNoSecretInDir(t, h.deps.paths.ConfigDir, "filezilla-secret")
}

// TestBookmarkThroughRun goes through the real entry point: paths from the
// environment, config.toml choosing "ask" so no keyring is touched.
func TestBookmarkThroughRun(t *testing.T) {
	root := t.TempDir()
	cfgDir := filepath.Join(root, "config")
	os.MkdirAll(filepath.Join(cfgDir, "ferry"), 0o700)
	os.WriteFile(filepath.Join(cfgDir, "ferry", "config.toml"), []byte("secrets = \"ask\"\n"), 0o600)
	vars := map[string]string{"XDG_CONFIG_HOME": cfgDir, "XDG_STATE_HOME": filepath.Join(root, "state"), "HOME": root}
	if code, _, errs := run(t, vars, "bookmark", "add", "site", "sftp://u@h.example.com/srv"); code != 0 {
		t.Fatalf("add: exit %d: %s", code, errs)
	}
	code, out, _ := run(t, vars, "bookmark", "ls")
	if code != 0 || !strings.Contains(out, "sftp://u@h.example.com/srv") {
		t.Errorf("ls: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(cfgDir, "ferry", "bookmarks.toml")); err != nil {
		t.Errorf("bookmarks.toml not under XDG_CONFIG_HOME: %v", err)
	}
	var out2, errb bytes.Buffer
	e := &env{Stdio: Stdio{In: strings.NewReader(""), Out: &out2, Err: &errb}, getenv: func(k string) string { return vars[k] }}
	r, err := newAddressResolver(t.Context(), e)
	if err != nil {
		t.Fatal(err)
	}
	ps, bm, err := r.resolve("site", true)
	if err != nil || bm == nil || ps.ID() != "sftp://u@h.example.com:22" || ps.Path != "/srv" {
		t.Errorf("resolve(site) = %+v, %+v, %v", ps, bm, err)
	}
	// A password cannot be saved without a keyring: the bookmark is kept,
	// the password is not written anywhere, and the user is told.
	code, _, errs := run(t, vars, "bookmark", "add", "p", "ftp://u:hunter22@h.example.com")
	if code == 0 || !strings.Contains(errs, "ask each time") {
		t.Errorf("password without keyring: exit %d, %q", code, errs)
	}
	assertNoSecretInDir(t, cfgDir, "hunter22")
}
