package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/ui"
)

// siteList lets the TUI's site manager and connect dialog read, save, rename
// and delete bookmarks; ssh config aliases and recent sites are listed too,
// as groups of their own that cannot be edited here.
type siteList struct{ conn *connector }

var _ ui.BookmarkEditor = siteList{}

func (l siteList) resolver() (*addressResolver, error) { return l.conn.addressResolver() }

func (l siteList) List(context.Context) ([]ui.Bookmark, error) {
	r, err := l.resolver()
	if err != nil {
		return nil, err
	}
	st := r.store
	if err := st.Reload(); err != nil {
		return nil, err
	}
	entries, err := st.Entries()
	var out []ui.Bookmark
	for _, en := range entries {
		if en.Shadowed {
			continue
		}
		b := ui.Bookmark{Name: en.Name, URL: en.URL(), Folder: en.Folder, Note: en.Notes}
		if en.Source == bookmarks.SourceSSHConfig {
			b.Kind = ui.KindSSHAlias
		} else {
			b.Settings = settingsOf(&en.Site)
		}
		out = append(out, b)
	}
	recent, rerr := st.Recent()
	for _, rc := range recent {
		out = append(out, ui.Bookmark{Name: rc.Address(), URL: rc.Address(), Note: rc.At.Local().Format("2006-01-02 15:04"), Kind: ui.KindRecent})
	}
	return out, errors.Join(err, rerr)
}

// Save adds b or updates the bookmark of that name: the address, folder,
// notes and the settings the site manager shows (sitesettings.go), checked
// as `ferry bookmark add` checks them; an invalid one saves nothing. A
// password in the URL goes to the secret store, never to the file.
func (l siteList) Save(ctx context.Context, b ui.Bookmark) error {
	r, err := l.resolver()
	if err != nil {
		return err
	}
	site, password, err := bookmarks.FromURL(b.Name, b.URL)
	if err != nil {
		return err
	}
	site.Folder, site.Notes = b.Folder, b.Note
	err = r.store.Update(ctx, func(sites []bookmarks.Site) ([]bookmarks.Site, error) {
		for i := range sites {
			if sites[i].Name == b.Name {
				s := sites[i]
				s.Protocol, s.Host, s.Port, s.User, s.RemoteDir = site.Protocol, site.Host, site.Port, site.User, site.RemoteDir
				s.Folder, s.Notes = site.Folder, site.Notes
				if err := applySettings(&s, b.Settings); err != nil {
					return nil, err
				}
				if err := s.Validate(); err != nil {
					return nil, err
				}
				sites[i] = s
				return sites, nil
			}
		}
		if err := applySettings(&site, b.Settings); err != nil {
			return nil, err
		}
		if err := site.Validate(); err != nil {
			return nil, err
		}
		return append(sites, site), nil
	})
	if err != nil {
		return fmt.Errorf("save %s: %w", b.Name, err)
	}
	if password != "" {
		return r.secrets.Set(ctx, site.SecretKey(), bookmarks.KindPassword, password)
	}
	return nil
}

// Remove deletes the bookmark and its saved secrets, as `ferry bookmark rm`.
func (l siteList) Remove(ctx context.Context, name string) error {
	r, err := l.resolver()
	if err != nil {
		return err
	}
	if err := r.store.Remove(ctx, name); err != nil {
		if site, ok := r.store.Lookup(name); ok && site.Source == bookmarks.SourceSSHConfig && errors.Is(err, bookmarks.ErrNotFound) {
			return fmt.Errorf("%q comes from ~/.ssh/config; edit that file to remove it", name)
		}
		return err
	}
	if err := bookmarks.DeleteSecrets(ctx, r.secrets, name); err != nil {
		return fmt.Errorf("removed %s, but its saved password stays: %w", name, err)
	}
	return nil
}

// Rename renames the bookmark and moves its secrets, as `ferry bookmark
// rename`.
func (l siteList) Rename(ctx context.Context, from, to string) error {
	r, err := l.resolver()
	if err != nil {
		return err
	}
	if err := r.store.Rename(ctx, from, to); err != nil {
		return err
	}
	if err := bookmarks.MoveSecrets(ctx, r.secrets, from, to); err != nil {
		return fmt.Errorf("renamed %s to %s, but the saved password did not follow: %w", from, to, err)
	}
	return nil
}
