package ui

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/treewalk"
)

// propsDialog shows what is known of one entry. For a directory it adds up
// the tree below in the background with a live count; for a file it
// computes a checksum on request ("c"). Esc cancels what runs and closes.
type propsDialog struct {
	pane  int
	entry protocol.Entry
	full  string // the entry's full path on its site
	url   string // an address ferry reads back, "" for the local disk

	size      *task
	usage     treewalk.Usage
	sizeDone  bool
	sizeErr   error
	sizeSince time.Time

	sum     *task
	sumDone int64
	sumRes  protocol.Checksum
	sumErr  error
}

// Messages of the two tasks.
type (
	sizeMsg struct {
		t    *task
		u    treewalk.Usage
		done bool
		err  error
	}
	sumMsg struct {
		t    *task
		read int64
		ck   protocol.Checksum
		done bool
		err  error
	}
)

func (m sizeMsg) from() *task { return m.t }
func (m sumMsg) from() *task  { return m.t }

// entryURL is the address of full on pane p's site, or "" for the local disk.
func entryURL(p *pane, full string) string {
	if p.ep.Local || p.ep.Site.Host == "" {
		return ""
	}
	s := p.ep.Site
	s.Password = ""
	s.Path = full
	return s.String()
}

// propsOpen opens the properties of the entry under pane i's cursor.
func (a *App) propsOpen(i int) tea.Cmd {
	p := a.panes[i]
	if !a.usable(i) {
		return nil
	}
	it := p.current()
	if it == nil || it.e.Name == "" {
		return nil
	}
	full := p.join(it.e.Name)
	d := &propsDialog{pane: i, entry: it.e, full: full, url: entryURL(p, full)}
	a.openDialog(d)
	if !it.e.IsDir() || it.e.IsLink() {
		return nil
	}
	lk := a.io[i]
	d.sizeSince = a.now()
	var cmd tea.Cmd
	d.size, cmd = a.startTask(func(ctx context.Context, t *task, send func(tea.Msg, bool)) {
		c, opts, release, err := session(ctx, p, lk)
		if err != nil {
			send(sizeMsg{t: t, done: true, err: err}, true)
			return
		}
		defer release()
		u, err := treewalk.Measure(ctx, c, full, opts, func(u treewalk.Usage) {
			send(sizeMsg{t: t, u: u}, false)
		})
		send(sizeMsg{t: t, u: u, done: true, err: err}, true)
	})
	return cmd
}

func (d *propsDialog) title() string { return "Properties of " + d.entry.Name }

func (d *propsDialog) stop() {
	d.size.stop()
	d.sum.stop()
}

func (d *propsDialog) update(a *App, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "esc", "q", "enter", "ctrl+c":
		d.stop()
		return true, nil
	case "c":
		return false, d.startSum(a)
	case "y":
		return false, a.copyText(d.full)
	case "Y":
		if d.url != "" {
			return false, a.copyText(d.url)
		}
	}
	return false, nil
}

// startSum computes the file's checksum: on the server when it can, else
// by reading the file with a running count.
func (d *propsDialog) startSum(a *App) tea.Cmd {
	if d.entry.IsDir() || d.sum != nil && d.sumErr == nil && d.sumRes.Sum == "" {
		return nil // a directory, or one is running
	}
	p, lk, full := a.panes[d.pane], a.io[d.pane], d.full
	d.sumDone, d.sumRes, d.sumErr = 0, protocol.Checksum{}, nil
	var cmd tea.Cmd
	d.sum, cmd = a.startTask(func(ctx context.Context, t *task, send func(tea.Msg, bool)) {
		c, _, release, err := session(ctx, p, lk)
		if err != nil {
			send(sumMsg{t: t, done: true, err: err}, true)
			return
		}
		defer release()
		ck, err := protocol.Sum(ctx, c, full, func(n int64) { send(sumMsg{t: t, read: n}, false) })
		send(sumMsg{t: t, ck: ck, done: true, err: err}, true)
	})
	return cmd
}

func (d *propsDialog) taskMsg(a *App, msg taskMsg) tea.Cmd {
	switch m := msg.(type) {
	case sizeMsg:
		if m.t != d.size {
			return nil
		}
		d.usage, d.sizeDone, d.sizeErr = m.u, m.done, m.err
		if m.done {
			return nil
		}
		return m.t.wait()
	case sumMsg:
		if m.t != d.sum {
			return nil
		}
		if !m.done {
			d.sumDone = m.read
			return m.t.wait()
		}
		d.sumRes, d.sumErr = m.ck, m.err
		if m.err != nil {
			a.setErr(fmt.Errorf("checksum %s: %w", d.full, m.err))
		}
	}
	return nil
}

func (d *propsDialog) body(a *App, width int) []string {
	e := d.entry
	row := func(k, v string) []string { return wrap(fmt.Sprintf("%-10s%s", k, v), width) }
	var out []string
	out = append(out, row("Name", sanitize(e.Name))...)
	out = append(out, row("Path", sanitize(d.full))...)
	if d.url != "" {
		out = append(out, row("URL", sanitize(d.url))...)
	}
	kind := "file"
	switch {
	case e.IsLink():
		kind = "symbolic link"
	case e.IsDir():
		kind = "directory"
	case e.Raw != "":
		kind = "unknown (the server's line: " + sanitize(e.Raw) + ")"
	}
	out = append(out, row("Type", kind)...)
	if e.Target != "" {
		out = append(out, row("Target", sanitize(e.Target))...)
	}
	if !e.IsDir() {
		out = append(out, row("Size", fmt.Sprintf("%s (%d bytes)", humanSize(e.Size), e.Size))...)
	}
	if !e.ModTime.IsZero() {
		out = append(out, row("Modified", e.ModTime.Local().Format("2006-01-02 15:04:05 MST"))...)
	}
	if e.Mode.Perm() != 0 || e.Mode&^0o777 != 0 {
		out = append(out, row("Mode", fmt.Sprintf("%s (%04o)", e.Mode, e.Mode.Perm()))...)
	}
	if e.Owner != "" || e.Group != "" {
		out = append(out, row("Owner", sanitize(strings.TrimSuffix(e.Owner+":"+e.Group, ":")))...)
	}
	if d.size != nil {
		u := d.usage
		v := fmt.Sprintf("%s (%d bytes) in %s, %s", humanSize(u.Bytes), u.Bytes, counted(int(u.Files), "file", "files"), counted(int(u.Dirs), "directory", "directories"))
		if u.Links > 0 {
			v += fmt.Sprintf(", %d links (not followed)", u.Links)
		}
		switch {
		case d.sizeErr != nil:
			v += " — stopped: " + d.sizeErr.Error()
		case !d.sizeDone:
			v += fmt.Sprintf(" — counting… %s", a.now().Sub(d.sizeSince).Round(time.Second))
		}
		if u.Errors > 0 {
			v += " (" + counted(int(u.Errors), "directory", "directories") + " could not be read)"
		}
		out = append(out, row("Contents", v)...)
	}
	if !e.IsDir() {
		var v, digest string
		switch {
		case d.sum == nil:
			v = "press c to compute"
		case d.sumErr != nil:
			v = "failed: " + d.sumErr.Error()
		case d.sumRes.Sum != "":
			where := "read back"
			if d.sumRes.Server {
				where = "computed by the server"
			}
			v = fmt.Sprintf("%s, %s:", d.sumRes.Algorithm, where)
			digest = d.sumRes.Sum
		case e.Size > 0:
			v = fmt.Sprintf("computing… %d%%", min(d.sumDone*100/e.Size, 100))
		default:
			v = "computing…"
		}
		out = append(out, row("Checksum", v)...)
		if digest != "" {
			out = append(out, row("", digest)...)
		}
	}
	help := "esc: close · y: copy path"
	if d.url != "" {
		help += " · Y: copy URL"
	}
	if !e.IsDir() {
		help += " · c: checksum"
	}
	return append(out, "", a.th.dim.render(help))
}

// copyText puts s on the terminal's clipboard (OSC 52, which works over
// ssh and, with set-clipboard on, in tmux).
func (a *App) copyText(s string) tea.Cmd {
	a.setStatus("copied to the clipboard: " + sanitize(s))
	return tea.SetClipboard(s)
}

// copyPath copies the full path (or, with url, the address) of the entry
// under pane i's cursor, or of the pane's directory on "..".
func (a *App) copyPath(i int, url bool) tea.Cmd {
	p := a.panes[i]
	if p.dir == "" {
		return nil
	}
	full := p.dir
	if it := p.current(); it != nil && it.e.Name != "" {
		full = path.Join(p.dir, it.e.Name)
	}
	if url {
		if u := entryURL(p, full); u != "" {
			return a.copyText(u)
		}
	}
	return a.copyText(full)
}
