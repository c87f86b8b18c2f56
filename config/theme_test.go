package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestThemeTableOverridesColours(t *testing.T) {
	data := "workers = 2\nicons = \"nerd\"\n[theme]\nname = \"light\"\ndir = \"#005fd7\"\ncursor_bg = \"31\"\n"
	cfg, err := Parse("config.toml", []byte(data))
	if err != nil {
		t.Fatalf("%q: %v", data, err)
	}
	want := Theme{Name: "light", Colors: map[string]string{"dir": "#005fd7", "cursor_bg": "31"}}
	if !reflect.DeepEqual(cfg.Theme, want) {
		t.Errorf("got %+v, want %+v", cfg.Theme, want)
	}
	if cfg.Icons != "nerd" {
		t.Errorf("icons = %q, want nerd", cfg.Icons)
	}
}

func TestThemeTableWithoutNameIsTheDefault(t *testing.T) {
	cfg, err := Parse("config.toml", []byte("[theme]\nlink = \"80\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Theme.Name != "default" || cfg.Theme.Colors["link"] != "80" {
		t.Errorf("got %+v, want the default theme with link = 80", cfg.Theme)
	}
}

func TestThemeNames(t *testing.T) {
	for _, name := range Themes {
		cfg, err := Parse("config.toml", []byte("theme = \""+name+"\"\n"))
		if err != nil || cfg.Theme.Name != name {
			t.Errorf("theme = %q: got %+v, %v", name, cfg.Theme, err)
		}
	}
}

func TestThemeErrorsNameTheBadKey(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{"[theme]\ndri = \"#fff\"\n", "[theme] dri: unknown colour"},
		{"[theme]\ndir = \"blue\"\n", `[theme] dir = "blue": not a colour`},
		{"[theme]\ncursor_bg = \"256\"\n", `[theme] cursor_bg = "256": not a colour`},
		{"[theme]\nexec = \"#12345\"\n", `[theme] exec = "#12345": not a colour`},
		{"[theme]\nmarked = 3\n", "[theme] marked: must be a string"},
		{"[theme]\nname = \"neon\"\n", `theme = "neon": must be one of`},
		{"icons = \"emoji\"\n", `icons = "emoji": must be one of none, nerd`},
	} {
		_, err := Parse("config.toml", []byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error containing %q", tc.data, err, tc.want)
		}
	}
}

func TestThemeGoodKeysAreKeptBesideABadOne(t *testing.T) {
	cfg, err := Parse("config.toml", []byte("[theme]\ndir = \"75\"\nbogus = \"1\"\n"))
	if err == nil || !strings.Contains(err.Error(), "bogus") || strings.Contains(err.Error(), "[theme] dir") {
		t.Errorf("got %v, want an error naming bogus alone", err)
	}
	if cfg.Theme.Colors["dir"] != "75" {
		t.Errorf("dir was dropped: %+v", cfg.Theme)
	}
}

func TestIsColor(t *testing.T) {
	for v, want := range map[string]bool{
		"#fff": true, "#7D56F4": true, "0": true, "255": true, "75": true,
		"": false, "#ffff": false, "#ggg": false, "256": false, "-1": false, "blue": false, "1234": false,
	} {
		if got := IsColor(v); got != want {
			t.Errorf("IsColor(%q) = %v, want %v", v, got, want)
		}
	}
}
