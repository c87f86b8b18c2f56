package ui

import (
	"context"
	"errors"
	"fmt"
	"path"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// linkFileMsg says a symbolic link the user opened points to a file.
type linkFileMsg struct {
	pane int
	seq  int
	path string
	size int64
}

// openLink follows a symbolic link: a link to a directory is listed, a link
// to a file is viewed. Listings report links without their target's type
// (SFTP and FTP list with lstat semantics), so this asks the server first.
func (a *App) openLink(i int, p string, size int64) tea.Cmd {
	pn := a.panes[i]
	if pn.client == nil || pn.lost {
		a.setErr(fmt.Errorf("%s is not connected — ctrl+r reconnects", pn.ep.Name))
		return nil
	}
	pn.seq++
	pn.busy = "following link…"
	c, lk, ctx, seq := pn.client, a.io[i], a.ctx, pn.seq
	mode, desc := pn.sort, pn.desc
	return func() tea.Msg {
		var msg tea.Msg
		lk.do(func() {
			lctx, cancel := context.WithTimeout(ctx, listTimeout)
			defer cancel()
			e, err := c.Stat(lctx, p)
			switch {
			case errors.Is(err, protocol.ErrNotExist):
				msg = listedMsg{pane: i, seq: seq, err: fmt.Errorf("open %s: the link's target does not exist: %w", p, err)}
				return
			case isConnLost(err):
				msg = listedMsg{pane: i, seq: seq, err: err}
				return
			case err == nil && e.Mode.IsRegular():
				msg = linkFileMsg{pane: i, seq: seq, path: p, size: e.Size}
				return
			}
			// A directory, or a server that could not tell: try listing.
			entries, lerr := c.List(lctx, p)
			if lerr == nil && !(err == nil && !e.IsDir() && listsItself(entries, p)) {
				msg = listedMsg{pane: i, seq: seq, dir: p, listing: prepare(entries, mode, desc), entered: path.Base(p)}
				return
			}
			if errors.Is(lerr, protocol.ErrNotExist) {
				msg = listedMsg{pane: i, seq: seq, err: fmt.Errorf("open %s: the link's target does not exist: %w", p, lerr)}
				return
			}
			if isConnLost(lerr) {
				msg = listedMsg{pane: i, seq: seq, err: lerr}
				return
			}
			// Not listable: treat it as a file; the viewer reports a real
			// failure in its own words.
			msg = linkFileMsg{pane: i, seq: seq, path: p, size: size}
		})
		return msg
	}
}

func (a *App) onLinkFile(msg linkFileMsg) tea.Cmd {
	p := a.panes[msg.pane]
	if msg.seq != p.seq {
		return nil
	}
	p.busy = ""
	return a.viewPath(msg.pane, msg.path, msg.size)
}

// listsItself reports a listing of p that is just p: FTP's LIST of a file
// answers with that file.
func listsItself(entries []protocol.Entry, p string) bool {
	return len(entries) == 1 && entries[0].Name == path.Base(p) && !entries[0].IsDir()
}
