package ui

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// touchDialog asks for a name and creates an empty file in pane i; a
// name that exists is refused rather than truncated.
func (a *App) touchDialog(i int) tea.Cmd {
	return a.createDialog(i, "New file in ", func(ctx context.Context, c protocol.Client, target string) error {
		if _, err := c.Stat(ctx, target); err == nil {
			return fmt.Errorf("new file %s: %w", target, protocol.ErrExist)
		} else if !errors.Is(err, protocol.ErrNotExist) {
			return fmt.Errorf("new file %s: %w", target, err)
		}
		w, err := c.Create(ctx, target, 0)
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			return fmt.Errorf("new file %s: %w", target, err)
		}
		return nil
	})
}

// symlinkDialog asks for a link name and makes a symbolic link to the
// entry under pane i's cursor, beside it (SFTP and the local disk).
func (a *App) symlinkDialog(i int) tea.Cmd {
	p := a.panes[i]
	if !a.usable(i) {
		return nil
	}
	sl, ok := p.client.(protocol.Symlinker)
	if !ok {
		a.setErr(fmt.Errorf("%s cannot make symbolic links (FTP has no command for it)", p.ep.Name))
		return nil
	}
	it := p.current()
	if it == nil || it.e.Name == "" {
		return nil
	}
	target := it.e.Name
	d := newInputDialog("Symbolic link to "+sanitize(target), "link name: ", target+".link", false, func(a *App, v string) tea.Cmd {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil
		}
		link := v
		if !strings.HasPrefix(v, "/") {
			link = p.join(v)
		}
		// A link beside its target points at it by name, so the pair can
		// move together; elsewhere it gets the full path.
		to := target
		if path.Dir(link) != p.dir {
			to = p.join(target)
		}
		p.selectAfter = path.Base(link)
		return opCmd(a.ctx, a.io[i], refreshList(i, a, p.dir), "linked "+link+" → "+to, func(ctx context.Context) error {
			if err := sl.Symlink(ctx, to, link); err != nil {
				return fmt.Errorf("symlink %s: %w", link, err)
			}
			return nil
		})
	})
	d.lines = []string{"The link is made in " + sanitize(p.dir) + " unless the name starts with /."}
	a.openDialog(d)
	return nil
}
