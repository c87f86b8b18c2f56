package bookmarks

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/adrg/xdg"
)

// Paths are the files the package reads and writes. Tests and the CLI's
// flags build their own; DefaultPaths gives the user's.
type Paths struct {
	// ConfigDir holds bookmarks.toml (and the opt-in encrypted secrets
	// file); created with mode 0700 on first write.
	ConfigDir string
	// StateDir holds recent.json.
	StateDir string
	// SSHConfig is the ssh client config read for aliases; empty disables
	// ssh config aliases.
	SSHConfig string
	// Netrc supplies FTP logins; empty disables it.
	Netrc string
	// Home expands ~ in ssh config (IdentityFile, Include); empty leaves ~
	// as it is.
	Home string
}

// BookmarksFile is the path of bookmarks.toml.
func (p Paths) BookmarksFile() string { return filepath.Join(p.ConfigDir, "bookmarks.toml") }

// RecentFile is the path of recent.json.
func (p Paths) RecentFile() string { return filepath.Join(p.StateDir, "recent.json") }

// SecretsFile is the path of the opt-in encrypted secrets file.
func (p Paths) SecretsFile() string { return filepath.Join(p.ConfigDir, "secrets.enc") }

// DefaultPaths are the user's: $XDG_CONFIG_HOME/ferry, $XDG_STATE_HOME/ferry
// (the platform's equivalents elsewhere), ~/.ssh/config and ~/.netrc
// ($NETRC when set, as curl does). getenv is os.Getenv outside tests, which
// pass their own environment.
func DefaultPaths(getenv func(string) string) (Paths, error) {
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return Paths{}, fmt.Errorf("find home directory: %w", err)
		}
	}
	dir := func(env, fallback string) string {
		if d := getenv(env); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, "ferry")
		}
		return filepath.Join(fallback, "ferry")
	}
	netrc := getenv("NETRC")
	if netrc == "" {
		netrc = filepath.Join(home, ".netrc")
	}
	return Paths{
		ConfigDir: dir("XDG_CONFIG_HOME", xdg.ConfigHome),
		StateDir:  dir("XDG_STATE_HOME", xdg.StateHome),
		SSHConfig: filepath.Join(home, ".ssh", "config"),
		Netrc:     netrc,
		Home:      home,
	}, nil
}
