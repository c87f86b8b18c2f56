package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/protocol"
)

func TestMissingFileIsTheDefaults(t *testing.T) {
	cfg, err := Load(filepath.Join(t.TempDir(), "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Errorf("got %+v, want the defaults", cfg)
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("the defaults do not validate: %v", err)
	}
}

func TestExampleLoadsCleanly(t *testing.T) {
	cfg, err := Parse("example", []byte(Example))
	if err != nil {
		t.Fatalf("the example config has an error: %v", err)
	}
	if cfg.Workers != 4 || cfg.FTP.Mode != bookmarks.FTPPassive || *cfg.RecentSites != 20 {
		t.Errorf("example read as %+v", cfg)
	}
}

func TestEverySettingIsRead(t *testing.T) {
	data := `workers = 8
conflict = "newer"
trust = "accept-new"
theme = "no-color"
editor = "nvim"
pager = "less -R"
secrets = "file"
recent_sites = 5
[ftp]
mode = "active"
type = "auto"
ascii_extensions = ["txt"]
encoding = "cp1251"
[keymap]
copy = ["f5", "c"]
`
	cfg, err := Parse("config.toml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	five := 5
	want := Config{
		Workers: 8, Conflict: "newer", Trust: "accept-new", Theme: Theme{Name: "no-color"}, Icons: "none",
		Editor: "nvim", Pager: "less -R", Secrets: "file", RecentSites: &five,
		Keymap: map[string][]string{"copy": {"f5", "c"}},
		FTP:    bookmarks.FTPOptions{Mode: bookmarks.FTPActive, Type: bookmarks.TransferAuto, ASCIIExtensions: []string{"txt"}, Encoding: "cp1251"},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
	if cfg.TrustMode(false) != protocol.TrustAcceptNew {
		t.Errorf("trust mode %v, want accept-new", cfg.TrustMode(false))
	}
}

func TestUnknownKeysAreReported(t *testing.T) {
	cfg, err := Parse("config.toml", []byte("workers = 2\nworkres = 3\n[ftp]\npassive = true\n"))
	if err == nil {
		t.Fatal("unknown keys were accepted silently")
	}
	for _, key := range []string{"workres", "ftp.passive"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error %q does not name %s", err, key)
		}
	}
	if cfg.Workers != 2 {
		t.Errorf("known keys were dropped: workers = %d, want 2", cfg.Workers)
	}
}

func TestSyntaxErrorNamesLineAndColumn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	os.WriteFile(path, []byte("workers = 2\ntheme = \"dark\n"), 0o600)
	cfg, err := Load(path)
	var fe *bookmarks.FileError
	if !errors.As(err, &fe) || fe.Line != 2 || fe.Col == 0 {
		t.Fatalf("got %v, want a FileError at line 2 with a column", err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Errorf("after a syntax error got %+v, want the defaults", cfg)
	}
}

func TestInvalidValues(t *testing.T) {
	for _, data := range []string{
		"workers = 0", "workers = 1000", `conflict = "maybe"`, `trust = "yolo"`, `theme = "neon"`,
		`secrets = "plaintext"`, "[ftp]\nmode = \"sideways\"", "[keymap]\ncopy = []", "recent_sites = -1",
		`workers = "four"`,
	} {
		if _, err := Parse("config.toml", []byte(data)); err == nil {
			t.Errorf("%q was accepted", data)
		}
	}
}

func TestKeymapErrorsNameTheSection(t *testing.T) {
	for _, data := range []string{"[keymap]\ncopy = []", "[keymap]\ncopy = [\" \"]"} {
		_, err := Parse("config.toml", []byte(data))
		if err == nil || !strings.Contains(err.Error(), "[keymap] copy") {
			t.Errorf("%q: got %v, want an error naming [keymap] copy", data, err)
		}
	}
}

func TestEditorAndPagerFallBack(t *testing.T) {
	env := map[string]string{"EDITOR": "nano", "PAGER": "more"}
	getenv := func(k string) string { return env[k] }
	if got := Default().EditorCommand(getenv); got != "nano" {
		t.Errorf("editor %q, want nano", got)
	}
	if got := (Config{Editor: "hx"}).EditorCommand(getenv); got != "hx" {
		t.Errorf("editor %q, want hx", got)
	}
	if got := Default().EditorCommand(func(string) string { return "" }); got != "vi" {
		t.Errorf("editor %q, want vi", got)
	}
	if got := Default().PagerCommand(getenv); got != "more" {
		t.Errorf("pager %q, want more", got)
	}
	if got := Path(func(k string) string { return map[string]string{"XDG_CONFIG_HOME": "/x"}[k] }); got != "/x/ferry/config.toml" {
		t.Errorf("path %q", got)
	}
}
