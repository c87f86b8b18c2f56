package cli

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/ui"
)

// newSiteListHarness is the TUI's adapter over a real store in a temporary
// XDG tree, with an ssh config alias and an in-memory keyring.
func newSiteListHarness(t *testing.T) (siteList, *bookmarks.Store, *bookmarks.MemSecrets, string) {
	t.Helper()
	root := t.TempDir()
	env := map[string]string{
		"HOME":            filepath.Join(root, "home"),
		"XDG_CONFIG_HOME": filepath.Join(root, "config"),
		"XDG_STATE_HOME":  filepath.Join(root, "state"),
	}
	if err := os.MkdirAll(filepath.Join(env["HOME"], ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(env["HOME"], ".ssh", "config"), []byte("Host web1\n  HostName web1.example.com\n  User deploy\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	paths, err := bookmarks.DefaultPaths(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	st, err := bookmarks.Open(paths)
	if err != nil {
		t.Fatal(err)
	}
	sec := &bookmarks.MemSecrets{}
	conn := &connector{resolver: &addressResolver{store: st, secrets: sec}}
	return siteList{conn: conn}, st, sec, env["XDG_CONFIG_HOME"]
}

func TestSiteListAdapter(t *testing.T) {
	l, st, sec, configDir := newSiteListHarness(t)
	ctx := t.Context()
	const pw = "correct-horse-battery"

	// Adding from the current connection: the password goes to the keyring.
	if err := l.Save(ctx, ui.Bookmark{Name: "prod", URL: "ftpes://bob:" + pw + "@ftp.example.com:2121/www", Folder: "Clients/Acme", Note: "live"}); err != nil {
		t.Fatal(err)
	}
	if got, err := sec.Get(ctx, "prod", bookmarks.KindPassword); err != nil || got != pw {
		t.Fatalf("keyring holds %q, %v; want the password", got, err)
	}
	// Settings the site manager does not show survive an edit.
	if err := st.Update(ctx, func(s []bookmarks.Site) ([]bookmarks.Site, error) {
		s[0].KeyFile = "~/.ssh/prod_key"
		return s, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddRecent(ctx, bookmarks.RecentFor(protocol.Site{Scheme: protocol.SchemeSFTP, Host: "old.example.org"}, nil, time.Now())); err != nil {
		t.Fatal(err)
	}

	list, err := l.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []ui.Bookmark{
		{Name: "prod", URL: "ftpes://bob@ftp.example.com:2121/www", Folder: "Clients/Acme", Note: "live", Kind: ui.KindSaved},
		{Name: "web1", URL: "sftp://deploy@web1.example.com", Kind: ui.KindSSHAlias},
	}
	bare := func(b ui.Bookmark) ui.Bookmark { b.Settings = nil; return b }
	if len(list) != 3 || !reflect.DeepEqual(bare(list[0]), want[0]) || !reflect.DeepEqual(bare(list[1]), want[1]) || list[2].Kind != ui.KindRecent || list[2].Name != "sftp://old.example.org" {
		t.Fatalf("List gave\n%+v\nwant\n%+v and the recent sftp://old.example.org", list, want)
	}
	if got := settingValue(list[0].Settings, "key_file"); got != "~/.ssh/prod_key" {
		t.Fatalf("prod's key file setting %q, want ~/.ssh/prod_key", got)
	}
	if list[1].Settings != nil {
		t.Fatalf("an ssh config alias offers settings: %+v", list[1].Settings)
	}

	t.Run("edit keeps the settings it does not show", func(t *testing.T) {
		if err := l.Save(ctx, ui.Bookmark{Name: "prod", URL: "ftpes://bob@ftp2.example.com", Folder: "Clients", Note: "moved"}); err != nil {
			t.Fatal(err)
		}
		site, ok := st.Get("prod")
		if !ok || site.Host != "ftp2.example.com" || site.Port != 0 || site.Folder != "Clients" || site.Notes != "moved" || site.KeyFile != "~/.ssh/prod_key" {
			t.Fatalf("after edit: %+v", site)
		}
	})

	t.Run("edit changes the settings it shows, and checks them", func(t *testing.T) {
		list, err := l.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b := list[0]
		set := func(key, v string) {
			for i := range b.Settings {
				if b.Settings[i].Key == key {
					b.Settings[i].Value = v
				}
			}
		}
		set("ftp_mode", "active")
		set("parallel", "3")
		set("rate", "2M")
		set("proxy", "socks5h://ann@127.0.0.1:1080")
		if err := l.Save(ctx, b); err != nil {
			t.Fatal(err)
		}
		site, _ := st.Get("prod")
		if site.FTP.Mode != "active" || site.Transfer.Parallel != 3 || site.Transfer.RateLimit != "2M" || site.KeyFile != "~/.ssh/prod_key" ||
			site.Proxy != "socks5h://ann@127.0.0.1:1080" {
			t.Fatalf("after editing settings: %+v", site)
		}
		for _, bad := range [][2]string{{"ftp_mode", "sideways"}, {"parallel", "-1"}, {"rate", "fast"}, {"conflict", "maybe"},
			{"proxy", "gopher://127.0.0.1:70"}, {"proxy", "http://ann:secret@127.0.0.1:3128"}} {
			b2 := b
			b2.Settings = slices.Clone(b.Settings)
			b = b2
			set(bad[0], bad[1])
			if err := l.Save(ctx, b); err == nil {
				t.Errorf("saving %s=%q succeeded", bad[0], bad[1])
			}
			set(bad[0], map[string]string{"ftp_mode": "active", "parallel": "3", "rate": "2M", "conflict": "", "proxy": "socks5h://ann@127.0.0.1:1080"}[bad[0]])
		}
		if after, _ := st.Get("prod"); after.FTP.Mode != "active" || after.Transfer.Parallel != 3 {
			t.Fatalf("a refused edit changed the bookmark: %+v", after)
		}
		if err := l.Save(ctx, ui.Bookmark{Name: "prod", URL: b.URL, Settings: []ui.Setting{{Key: "colour", Value: "red"}}}); err == nil {
			t.Error("an unknown setting was accepted")
		}
	})

	t.Run("rename moves the saved password", func(t *testing.T) {
		if err := l.Rename(ctx, "prod", "production"); err != nil {
			t.Fatal(err)
		}
		if _, ok := st.Get("prod"); ok {
			t.Fatal("the old name is still saved")
		}
		if got, err := sec.Get(ctx, "production", bookmarks.KindPassword); err != nil || got != pw {
			t.Fatalf("password under the new name: %q, %v", got, err)
		}
		if _, err := sec.Get(ctx, "prod", bookmarks.KindPassword); !errors.Is(err, bookmarks.ErrNoSecret) {
			t.Fatalf("password under the old name: %v, want ErrNoSecret", err)
		}
		if err := l.Rename(ctx, "production", "web:1"); err == nil {
			t.Fatal("a name with a colon was accepted")
		}
	})

	t.Run("ssh aliases cannot be removed here", func(t *testing.T) {
		err := l.Remove(ctx, "web1")
		if err == nil || !strings.Contains(err.Error(), "~/.ssh/config") {
			t.Fatalf("removing an ssh alias: %v", err)
		}
	})

	t.Run("remove deletes the bookmark and its password", func(t *testing.T) {
		if err := l.Remove(ctx, "production"); err != nil {
			t.Fatal(err)
		}
		if _, ok := st.Get("production"); ok {
			t.Fatal("the bookmark is still saved")
		}
		if _, err := sec.Get(ctx, "production", bookmarks.KindPassword); !errors.Is(err, bookmarks.ErrNoSecret) {
			t.Fatalf("the password outlived the bookmark: %v", err)
		}
		if err := l.Remove(ctx, "production"); !errors.Is(err, bookmarks.ErrNotFound) {
			t.Fatalf("removing twice: %v, want ErrNotFound", err)
		}
	})

	// The password never reached a file under the config dir.
	err = filepath.WalkDir(configDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(data), pw) {
			t.Errorf("%s holds the password", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

var _ ui.Bookmarks = siteList{}

func settingValue(settings []ui.Setting, key string) string {
	for _, s := range settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}
