package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/ui"
)

// siteList lets the TUI's site manager and connect dialog read and save
// bookmarks; ssh config aliases are listed too, marked in their note.
type siteList struct{ conn *connector }

func (l siteList) store() (*bookmarks.Store, error) {
	r, err := l.conn.addressResolver()
	if err != nil {
		return nil, err
	}
	return r.store, nil
}

func (l siteList) List(context.Context) ([]ui.Bookmark, error) {
	st, err := l.store()
	if err != nil {
		return nil, err
	}
	if err := st.Reload(); err != nil {
		return nil, err
	}
	entries, err := st.Entries()
	var out []ui.Bookmark
	for _, en := range entries {
		if en.Shadowed {
			continue
		}
		note := en.Notes
		if en.Source == bookmarks.SourceSSHConfig {
			note = strings.TrimSpace("ssh config alias " + note)
		}
		if en.Folder != "" {
			note = strings.TrimSpace(en.Folder + " · " + note)
		}
		out = append(out, ui.Bookmark{Name: en.Name, URL: en.Name, Note: note})
	}
	recent, rerr := st.Recent()
	for _, r := range recent {
		out = append(out, ui.Bookmark{Name: r.Address(), URL: r.Address(), Note: "recent · " + r.At.Local().Format("2006-01-02 15:04")})
	}
	return out, errors.Join(err, rerr)
}

func (l siteList) Save(ctx context.Context, b ui.Bookmark) error {
	st, err := l.store()
	if err != nil {
		return err
	}
	site, password, err := bookmarks.FromURL(b.Name, b.URL)
	if err != nil {
		return err
	}
	site.Notes = b.Note
	if err := st.Put(ctx, site); err != nil {
		return err
	}
	if password != "" {
		return l.conn.resolver.secrets.Set(ctx, site.SecretKey(), bookmarks.KindPassword, password)
	}
	return nil
}
