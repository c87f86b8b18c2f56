package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// editBookmarks is an in-memory store with the editor ability: Save
// replaces by name, as the real adapter does.
type editBookmarks struct {
	mu    sync.Mutex
	sites []Bookmark
	ops   []string
}

var _ BookmarkEditor = (*editBookmarks)(nil)

func (m *editBookmarks) List(context.Context) ([]Bookmark, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sites), nil
}

func (m *editBookmarks) index(name string) int {
	return slices.IndexFunc(m.sites, func(b Bookmark) bool { return b.Name == name && b.Kind == KindSaved })
}

func (m *editBookmarks) Save(_ context.Context, b Bookmark) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ops = append(m.ops, "save "+b.Name)
	if i := m.index(b.Name); i >= 0 {
		m.sites[i] = b
		return nil
	}
	m.sites = append(m.sites, b)
	return nil
}

func (m *editBookmarks) Remove(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ops = append(m.ops, "remove "+name)
	i := m.index(name)
	if i < 0 {
		return fmt.Errorf("remove %s: no such bookmark", name)
	}
	m.sites = slices.Delete(m.sites, i, i+1)
	return nil
}

func (m *editBookmarks) Rename(_ context.Context, from, to string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ops = append(m.ops, "rename "+from+" "+to)
	i := m.index(from)
	if i < 0 {
		return fmt.Errorf("rename %s: no such bookmark", from)
	}
	m.sites[i].Name = to
	return nil
}

func (m *editBookmarks) get(name string) (Bookmark, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i := m.index(name); i >= 0 {
		return m.sites[i], true
	}
	return Bookmark{}, false
}

func newSitesApp(t *testing.T, bm *editBookmarks, connected *[]string) *App {
	t.Helper()
	target := t.TempDir()
	return newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) {
		o.Bookmarks = bm
		o.Connect = func(_ context.Context, addr string) (Endpoint, error) {
			*connected = append(*connected, addr)
			return localEndpoint(addr, target), nil
		}
	})
}

func sampleSites() *editBookmarks {
	return &editBookmarks{sites: []Bookmark{
		{Name: "zeta", URL: "sftp://zeta.example.com"},
		{Name: "acme-prod", URL: "ftpes://bob@ftp.acme.example:2121", Folder: "Clients/Acme", Note: "live shop"},
		{Name: "acme-test", URL: "sftp://test.acme.example", Folder: "Clients/Acme"},
		{Name: "web1", URL: "sftp://deploy@web1.example.com", Kind: KindSSHAlias},
		{Name: "sftp://old.example.org", URL: "sftp://old.example.org", Kind: KindRecent},
	}}
}

// selectSite moves the manager's cursor to the site named name.
func selectSite(t *testing.T, a *App, name string) {
	t.Helper()
	d, ok := a.dialog.(*sitesDialog)
	if !ok {
		t.Fatalf("the site manager is not open (dialog %T)", a.dialog)
	}
	for i, s := range d.visible() {
		if s.Name == name {
			press(t, a, "home")
			for range i {
				press(t, a, "down")
			}
			if cur, _ := d.current(); cur.Name != name {
				t.Fatalf("cursor on %q, want %q", cur.Name, name)
			}
			return
		}
	}
	t.Fatalf("site %q is not listed", name)
}

func TestSiteManagerGroupsFoldersAndFilters(t *testing.T) {
	var connected []string
	a := newSitesApp(t, sampleSites(), &connected)
	press(t, a, "b")
	mustContain(t, a, "Site manager", "▸ bookmarks", "▸ Clients/Acme", "▸ ssh config", "▸ recent", "live shop")
	s := screenText(a)
	order := []string{"▸ bookmarks", "zeta", "▸ Clients/Acme", "acme-prod", "acme-test", "▸ ssh config", "web1", "▸ recent", "old.example.org"}
	at := -1
	for _, w := range order {
		i := strings.Index(s, w)
		if i <= at {
			t.Fatalf("%q is out of order (at %d, previous at %d):\n%s", w, i, at, s)
		}
		at = i
	}

	// A tiny window still draws the manager without panicking.
	a.Update(tea.WindowSizeMsg{Width: 24, Height: 8})
	_ = screenText(a)
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 40})

	typeText(t, a, "acme")
	mustContain(t, a, "filter: acme", "acme-prod", "acme-test")
	mustNotContain(t, a, "zeta", "web1", "old.example.org")
	press(t, a, "down", "enter")
	if len(connected) != 1 || connected[0] != "acme-test" {
		t.Fatalf("connected to %q, want the second filtered site acme-test", connected)
	}
	if a.dialog != nil {
		t.Fatalf("the manager stayed open after connecting: %T", a.dialog)
	}
}

func TestSiteManagerDeleteAsksFirst(t *testing.T) {
	bm := sampleSites()
	var connected []string
	a := newSitesApp(t, bm, &connected)
	press(t, a, "ctrl+b")
	selectSite(t, a, "zeta")
	press(t, a, "delete")
	mustContain(t, a, "Delete bookmark?", "zeta")
	press(t, a, "n")
	if _, ok := bm.get("zeta"); !ok {
		t.Fatal("answering no deleted the bookmark")
	}
	if _, ok := a.dialog.(*sitesDialog); !ok {
		t.Fatalf("after no, dialog is %T, want the site manager back", a.dialog)
	}
	selectSite(t, a, "zeta")
	press(t, a, "delete", "y")
	if _, ok := bm.get("zeta"); ok {
		t.Fatal("answering yes kept the bookmark")
	}
	if _, ok := a.dialog.(*sitesDialog); !ok {
		t.Fatalf("after deleting, dialog is %T, want the site manager", a.dialog)
	}
	mustContain(t, a, "deleted bookmark zeta")
	mustNotContain(t, a, "sftp://zeta.example.com")

	// An ssh alias is not the manager's to delete.
	selectSite(t, a, "web1")
	press(t, a, "delete")
	mustContain(t, a, "~/.ssh/config")
	if slices.Contains(bm.ops, "remove web1") {
		t.Fatalf("the ssh alias was removed: %v", bm.ops)
	}
}

func TestSiteManagerEditRenamesAndMoves(t *testing.T) {
	bm := sampleSites()
	var connected []string
	a := newSitesApp(t, bm, &connected)
	press(t, a, "ctrl+b")
	selectSite(t, a, "zeta")
	press(t, a, "ctrl+e")
	mustContain(t, a, "Edit bookmark zeta", "Name", "Folder", "URL", "Notes")
	for range len("zeta") {
		press(t, a, "backspace")
	}
	typeText(t, a, "omega")
	press(t, a, "tab")
	typeText(t, a, "Personal")
	press(t, a, "tab", "tab")
	typeText(t, a, "my box")
	press(t, a, "enter")

	got, ok := bm.get("omega")
	want := Bookmark{Name: "omega", URL: "sftp://zeta.example.com", Folder: "Personal", Note: "my box"}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("after editing: %+v (found %v), want %+v; ops %v", got, ok, want, bm.ops)
	}
	if _, ok := bm.get("zeta"); ok {
		t.Fatal("the old name is still saved")
	}
	if !slices.Contains(bm.ops, "rename zeta omega") {
		t.Fatalf("the edit did not rename (secrets would not follow): %v", bm.ops)
	}
	mustContain(t, a, "Site manager", "▸ Personal", "omega", "saved bookmark omega")
}

func TestSiteManagerSavesCurrentConnection(t *testing.T) {
	bm := &editBookmarks{}
	var connected []string
	target := t.TempDir()
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) {
		o.Bookmarks = bm
		o.Connect = func(_ context.Context, addr string) (Endpoint, error) {
			connected = append(connected, addr)
			return localEndpoint(addr, target), nil
		}
		ep := localEndpoint("alice@files.example.com", target)
		ep.Local = false
		ep.Site = protocol.Site{Scheme: protocol.SchemeSFTP, Host: "files.example.com", User: "alice", Password: "hunter2", Path: "/srv"}
		o.Right = ep
	})
	press(t, a, "ctrl+b", "ctrl+n") // focus is on the local left pane: the right pane's site is saved
	mustContain(t, a, "Save site as bookmark", "sftp://alice@files.example.com")
	mustNotContain(t, a, "hunter2")
	for range len("files.example.com") {
		press(t, a, "backspace")
	}
	typeText(t, a, "files")
	press(t, a, "enter")
	got, ok := bm.get("files")
	if !ok || got.URL != "sftp://alice@files.example.com/srv" {
		t.Fatalf("saved %+v (found %v), want files → sftp://alice@files.example.com/srv", got, ok)
	}
	mustContain(t, a, "Site manager", "files", "saved bookmark files")

	// With no server in either pane there is nothing to save.
	b := newSitesApp(t, &editBookmarks{}, &connected)
	press(t, b, "ctrl+b", "ctrl+n")
	mustContain(t, b, "neither pane is connected")
}

func TestSiteManagerFromConnectDialog(t *testing.T) {
	var connected []string
	a := newSitesApp(t, sampleSites(), &connected)
	press(t, a, "ctrl+o")
	mustContain(t, a, "ctrl+b opens the site manager")
	press(t, a, "ctrl+b")
	mustContain(t, a, "Site manager", "acme-prod")
	press(t, a, "ctrl+o")
	mustContain(t, a, "Connect (left pane)")
}

func TestEnterFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"real.txt": "hello through a link\n", "sub/inner": "x"})
	for link, target := range map[string]string{"to-file": "real.txt", "to-dir": "sub", "dangling": "missing"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skipf("symlinks unavailable: %v", err)
		}
	}
	a := newTestApp(t, dir, t.TempDir(), nil)
	p := a.panes[0]

	p.selectName("to-file")
	press(t, a, "enter")
	if a.screen != screenPager || a.pager == nil {
		t.Fatalf("enter on a link to a file: screen %v, status %q", a.screen, a.status)
	}
	if got := strings.Join(a.pager.lines, "\n"); !strings.Contains(got, "hello through a link") || a.pager.err != nil {
		t.Fatalf("viewer shows %q, err %v", got, a.pager.err)
	}
	press(t, a, "esc")

	p.selectName("dangling")
	press(t, a, "enter")
	if a.screen == screenPager || !a.statusErr || !strings.Contains(a.status, "does not exist") {
		t.Fatalf("dangling link: screen %v, status %q", a.screen, a.status)
	}

	p.selectName("to-dir")
	press(t, a, "enter")
	if p.dir != filepath.ToSlash(filepath.Join(dir, "to-dir")) || p.lookup("inner") == nil {
		t.Fatalf("enter on a link to a directory: pane in %q with %d items", p.dir, len(p.items))
	}
}

// TestSiteManagerEditsSettings: the store's settings appear as fields after
// the fixed ones, and what is typed there goes back to the store under the
// setting's key; the others go back unchanged.
func TestSiteManagerEditsSettings(t *testing.T) {
	bm := sampleSites()
	bm.sites[1].Settings = []Setting{
		{Key: "key_file", Label: "SSH key file", Value: "~/.ssh/acme"},
		{Key: "ftp_mode", Label: "FTP mode (passive|active)", Value: ""},
	}
	var connected []string
	a := newSitesApp(t, bm, &connected)
	press(t, a, "ctrl+b")
	selectSite(t, a, "acme-prod")
	press(t, a, "ctrl+e")
	mustContain(t, a, "SSH key file", "~/.ssh/acme", "FTP mode (passive|active)")
	press(t, a, "tab", "tab", "tab", "tab", "tab") // Name → … → Notes → key → mode
	typeText(t, a, "active")
	press(t, a, "enter")
	got, ok := bm.get("acme-prod")
	want := []Setting{
		{Key: "key_file", Label: "SSH key file", Value: "~/.ssh/acme"},
		{Key: "ftp_mode", Label: "FTP mode (passive|active)", Value: "active"},
	}
	if !ok || !reflect.DeepEqual(got.Settings, want) {
		t.Fatalf("saved settings %+v, want %+v", got.Settings, want)
	}
}
