// Package ui is ferry's dual-pane terminal interface on Bubble Tea v2: two
// panes that browse any two endpoints, a transfer queue panel, dialogs for
// operations, connections, trust and secrets, a message log and help.
//
// Update and View never touch the network or the disk: every call runs in a
// tea.Cmd and comes back as a message; transfer progress arrives through the
// queue's event channel, read by a Cmd.
package ui

import (
	"context"
	"io"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/transfer"
)

// Endpoint is what one pane browses.
type Endpoint struct {
	// Name is shown in the pane header: "local", "alice@example.com".
	Name string
	// Security is the header label ("SFTP · ssh-ed25519", "FTP ·
	// unencrypted") used until the connected client describes itself
	// (protocol.Describer).
	Security string
	// Encrypted says whether the session is protected when the client does
	// not tell; unencrypted sessions are shown in a warning colour.
	Encrypted bool
	// Local marks the local filesystem; its Dial defaults to local.New.
	Local bool
	// Client is an already open browsing session; nil means Dial opens one.
	Client protocol.Client
	// Dial opens a new session: the pane's browsing connection (when Client
	// is nil, and to reconnect) and, through Transfer, the queue's pooled
	// connections.
	Dial func(ctx context.Context) (protocol.Client, error)
	// Path is where the pane starts; empty means the session's Home.
	Path string
	// Transfer is the endpoint the queue copies with. A zero ID takes Name
	// and a nil Dial takes Dial.
	Transfer transfer.Endpoint
	// Site is the address the endpoint was opened from, for "save as
	// bookmark"; zero for the local pane.
	Site protocol.Site
	// Exclude are the default excludes of the bookmark the endpoint was
	// opened from; the copy dialog starts with them.
	Exclude []string
}

// transferEndpoint is the queue's view of the endpoint.
func (e Endpoint) transferEndpoint() transfer.Endpoint {
	t := e.Transfer
	if t.ID == "" {
		if e.Local {
			t.ID = "local"
		} else if e.Site.Host != "" {
			t.ID = e.Site.ID()
		} else {
			t.ID = e.Name
		}
	}
	if t.Dial == nil && e.Dial != nil {
		t.Dial = e.Dial
	}
	return t
}

// ConnectFunc opens an endpoint from what the user typed in the connect
// dialog: a URL, user@host:path, or a bookmark name. It runs in a Cmd and may
// ask the Prompter for secrets and trust.
type ConnectFunc func(ctx context.Context, addr string) (Endpoint, error)

// Bookmark is one saved site as the site manager lists it.
type Bookmark struct {
	Name   string
	URL    string // the site's address, shown and edited
	Folder string // group in the site manager; "A/B" nests
	Note   string
	Kind   BookmarkKind
	// Settings are the store's other fields (key file, FTP and transfer
	// options), edited as text; the store names, checks and keeps them.
	Settings []Setting
}

// Setting is one more field of a bookmark, edited as a line of text.
type Setting struct {
	Key   string // the store's name for it
	Label string // shown in the form
	Value string
}

// BookmarkKind says where a listed site comes from; only saved bookmarks
// can be edited or deleted.
type BookmarkKind int

const (
	KindSaved    BookmarkKind = iota // bookmarks.toml
	KindSSHAlias                     // ~/.ssh/config, read live
	KindRecent                       // a recent connection
)

// BookmarkEditor is an optional ability of a Bookmarks store: deleting and
// renaming saved sites, with their secrets. Save edits the other fields.
type BookmarkEditor interface {
	Remove(ctx context.Context, name string) error
	Rename(ctx context.Context, from, to string) error
}

// Bookmarks is what the site manager needs of the bookmark store. It is
// called only from Cmds.
type Bookmarks interface {
	List(ctx context.Context) ([]Bookmark, error)
	// Save adds b, or updates the bookmark of the same name keeping the
	// settings Bookmark does not carry.
	Save(ctx context.Context, b Bookmark) error
}

// RecentRecorder is an optional ability of a Bookmarks store: remembering
// the sites connected to, for the site manager's recent list.
type RecentRecorder interface {
	AddRecent(ctx context.Context, addr string) error
}

// Options configure the App.
type Options struct {
	Left, Right Endpoint
	// Queue runs transfers; nil disables F5/F6 across panes and drags.
	Queue *transfer.Queue
	// Prompter answers secrets and trust questions with dialogs; pass the
	// same one to the backends the Dial and Connect functions use. Nil makes
	// a fresh one (see App.Prompter).
	Prompter *Prompter
	// Log collects protocol conversation lines for the log view; pass its
	// Func to the backends as their protocol.LogFunc. Nil makes a fresh one.
	Log *LogSink
	// Connect opens a new site from the connect dialog and the site
	// manager; nil disables both.
	Connect ConnectFunc
	// ConnectWith, when set, opens sites from the connect form with all its
	// fields (key file, FTP mode, transfer type); Connect still serves the
	// site manager.
	ConnectWith func(ctx context.Context, req ConnectRequest) (Endpoint, error)
	// Bookmarks backs the site manager and "save as bookmark"; may be nil.
	Bookmarks Bookmarks
	// Keys remaps actions: action name → keys (see ActionNames).
	Keys map[string][]string
	// ShowHidden lists dotfiles from the start ("." toggles).
	ShowHidden bool
	// NoColor draws without colours (NO_COLOR), keeping bold and reverse.
	NoColor bool
	// Theme is the built-in theme: "default" (dark or light, as the
	// terminal's background), "light", "high-contrast" or "no-color".
	Theme string
	// ThemeColors override the theme's colours by key (config.toml's
	// [theme] table): "dir" = "#5fafff", "cursor_bg" = "31".
	ThemeColors map[string]string
	// LSColors is $LS_COLORS: when set, file names take its colours.
	LSColors string
	// Icons puts Nerd Font file-type glyphs before names.
	Icons bool
	// Banner is shown on the status line at start (e.g. the demo's
	// credentials).
	Banner string
	// Editor is the command for F4; empty uses $VISUAL, $EDITOR, then vi.
	Editor string
	// Pager, when set, is the command F3 runs on a downloaded copy instead
	// of ferry's own streamed viewer.
	Pager string
	// TempDir holds files downloaded for F4; empty uses os.TempDir.
	TempDir string
	// SyncStateDir keeps what each pair of directories had at its last
	// synchronize (see syncer.StatePath), as `ferry sync` does; empty:
	// every synchronize is a first one, which deletes nothing.
	SyncStateDir string
	// Input and Output replace the terminal (tests); nil uses stdin/stdout.
	Input  io.Reader
	Output io.Writer
}
