// Package config reads ferry's defaults from $XDG_CONFIG_HOME/ferry/config.toml:
// workers, conflict policy, trust mode, theme, key bindings, editor, pager,
// where secrets are kept and FTP defaults. Every setting has a default, so
// a missing file is a valid configuration; a key ferry does not know is
// reported rather than ignored, since it is usually a typo that would
// otherwise silently change nothing.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/adrg/xdg"
	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/protocol"
)

// Config is ferry's configuration. The zero value of a field means "not
// set"; Default fills every field.
type Config struct {
	// Workers is how many transfers run at once (1-64).
	Workers int `toml:"workers"`
	// Conflict settles a target that exists: ask, overwrite, skip, resume,
	// rename, newer or size-differs (see transfer.ParsePolicy).
	Conflict string `toml:"conflict"`
	// Trust handles unknown host keys and certificates: ask, accept-new or
	// strict. Empty means ask on a terminal and strict without one.
	Trust string `toml:"trust"`
	// Theme is the built-in theme and, as a [theme] table, colour
	// overrides (see Theme).
	Theme Theme `toml:"theme"`
	// Icons is "none" or "nerd" (Nerd Font file-type glyphs before names).
	Icons string `toml:"icons"`
	// Keymap remaps TUI actions: action name → keys ("copy" = ["f5", "c"]).
	// The TUI reports unknown action names.
	Keymap map[string][]string `toml:"keymap"`
	// Editor and Pager are commands for F4 and F3; empty falls back to
	// $VISUAL/$EDITOR/vi and $PAGER/ferry's own viewer.
	Editor string `toml:"editor"`
	Pager  string `toml:"pager"`
	// Secrets is where passwords are kept: "auto" (the OS keyring when it
	// answers, else ask each time), "keyring", "file" (encrypted with a
	// master password) or "ask" (never stored).
	Secrets string `toml:"secrets"`
	// FTP holds defaults for FTP sites; a bookmark's own options win.
	FTP bookmarks.FTPOptions `toml:"ftp"`
	// RecentSites is how many recent connections the connect dialog offers
	// (0 to keep none).
	RecentSites *int `toml:"recent_sites"`
}

// SecretStores are the accepted values of Config.Secrets.
var SecretStores = []string{"auto", "keyring", "file", "ask"}

// DefaultASCIIExtensions are the files FTP "auto" type sends as ASCII.
var DefaultASCIIExtensions = []string{"txt", "text", "csv", "htm", "html", "css", "js", "json", "xml", "md", "ini", "conf", "cfg", "php", "pl", "py", "sh", "sql", "svg"}

// Default is the configuration without a file.
func Default() Config {
	recent := bookmarks.RecentMax
	return Config{
		Workers:     4,
		Conflict:    "ask",
		Theme:       Theme{Name: "default"},
		Icons:       "none",
		Secrets:     "auto",
		Keymap:      map[string][]string{},
		RecentSites: &recent,
		FTP: bookmarks.FTPOptions{
			Mode:            bookmarks.FTPPassive,
			Type:            bookmarks.TransferBinary,
			ASCIIExtensions: slices.Clone(DefaultASCIIExtensions),
		},
	}
}

// Path is config.toml's place: $XDG_CONFIG_HOME/ferry/config.toml, the
// platform's config directory elsewhere. getenv is os.Getenv outside tests.
func Path(getenv func(string) string) string {
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "ferry", "config.toml")
	}
	return filepath.Join(xdg.ConfigHome, "ferry", "config.toml")
}

// Load reads path over the defaults. A missing file gives Default() and no
// error. Otherwise the error (a *bookmarks.FileError naming the line and
// column of a syntax error, or listing unknown keys, or an invalid value)
// comes with the best configuration that could be had: the defaults after a
// syntax error, the file's known values otherwise. ferry reports the error
// and starts anyway.
func Load(path string) (Config, error) {
	cfg := Default()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("read %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse reads config.toml content; see Load.
func Parse(name string, data []byte) (Config, error) {
	cfg := Default()
	if err := bookmarks.DecodeTOML(name, data, &cfg); err != nil {
		var fe *bookmarks.FileError
		if errors.As(err, &fe) && fe.Line > 0 {
			return Default(), err
		}
		return fill(cfg), err
	}
	cfg = fill(cfg)
	if err := cfg.Validate(); err != nil {
		return cfg, &bookmarks.FileError{Path: name, Msg: err.Error()}
	}
	return cfg, nil
}

// fill puts back defaults the file cleared (an empty list or string).
func fill(c Config) Config {
	d := Default()
	if c.Keymap == nil {
		c.Keymap = d.Keymap
	}
	if c.Theme.Name == "" {
		c.Theme.Name = d.Theme.Name
	}
	if c.Icons == "" {
		c.Icons = d.Icons
	}
	if c.FTP.Mode == "" {
		c.FTP.Mode = d.FTP.Mode
	}
	if c.FTP.Type == "" {
		c.FTP.Type = d.FTP.Type
	}
	if len(c.FTP.ASCIIExtensions) == 0 {
		c.FTP.ASCIIExtensions = d.FTP.ASCIIExtensions
	}
	return c
}

// Validate checks every value; the message names the key.
func (c Config) Validate() error {
	var errs []error
	if c.Workers < 1 || c.Workers > 64 {
		errs = append(errs, fmt.Errorf("workers = %d: must be 1-64", c.Workers))
	}
	if !slices.Contains(bookmarks.ConflictPolicies, c.Conflict) {
		errs = append(errs, fmt.Errorf("conflict = %q: must be one of %s", c.Conflict, strings.Join(bookmarks.ConflictPolicies, ", ")))
	}
	if c.Trust != "" {
		if _, err := protocol.ParseTrustMode(c.Trust); err != nil {
			errs = append(errs, fmt.Errorf("trust: %w", err))
		}
	}
	errs = append(errs, c.Theme.validate()...)
	if !slices.Contains(IconSets, c.Icons) {
		errs = append(errs, fmt.Errorf("icons = %q: must be one of %s", c.Icons, strings.Join(IconSets, ", ")))
	}
	if !slices.Contains(SecretStores, c.Secrets) {
		errs = append(errs, fmt.Errorf("secrets = %q: must be one of %s", c.Secrets, strings.Join(SecretStores, ", ")))
	}
	for action, keys := range c.Keymap {
		if len(keys) == 0 {
			errs = append(errs, fmt.Errorf("[keymap] %s: no keys given", action))
		}
		for _, k := range keys {
			if strings.TrimSpace(k) == "" {
				errs = append(errs, fmt.Errorf("[keymap] %s: empty key", action))
			}
		}
	}
	if err := c.FTP.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("ftp: %w", err))
	}
	if c.RecentSites != nil && (*c.RecentSites < 0 || *c.RecentSites > 1000) {
		errs = append(errs, fmt.Errorf("recent_sites = %d: must be 0-1000", *c.RecentSites))
	}
	return errors.Join(errs...)
}

// TrustMode is the configured trust mode for a session on a terminal or
// not, the way --trust's default works.
func (c Config) TrustMode(terminal bool) protocol.TrustMode {
	if m, err := protocol.ParseTrustMode(c.Trust); c.Trust != "" && err == nil {
		return m
	}
	if terminal {
		return protocol.TrustAsk
	}
	return protocol.TrustStrict
}

// EditorCommand is the editor to run: the config's, $VISUAL, $EDITOR, vi.
func (c Config) EditorCommand(getenv func(string) string) string {
	for _, e := range []string{c.Editor, getenv("VISUAL"), getenv("EDITOR")} {
		if strings.TrimSpace(e) != "" {
			return e
		}
	}
	return "vi"
}

// PagerCommand is the pager to run: the config's, then $PAGER; empty means
// ferry's built-in viewer.
func (c Config) PagerCommand(getenv func(string) string) string {
	if c.Pager != "" {
		return c.Pager
	}
	return getenv("PAGER")
}
