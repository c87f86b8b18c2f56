package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// ConnectRequest is the connect form's content, for callers that want more
// than an address (key file, FTP mode, transfer type).
type ConnectRequest struct {
	Addr     string // URL built from the form, without the password
	Password string
	KeyFile  string
	FTPMode  string // "passive" or "active"
	Type     string // "auto", "binary" or "ascii"
	// Proxy is a proxy URL, "none", or "" for the default (the bookmark's,
	// else ALL_PROXY).
	Proxy string
}

type (
	connectSiteMsg struct {
		pane   int
		ep     Endpoint
		err    error
		addr   string
		saveAs string
	}
	// sitesMsg carries a fresh site list, after an edit when op is set.
	sitesMsg struct {
		sites []Bookmark
		err   error
		op    string // "deleted x", for the status line
		opErr error
	}
)

// connectDialog shows the URL field and the form.
type connectDialog struct {
	form *form
	pane int
}

const (
	fURL = iota
	fProto
	fHost
	fPort
	fUser
	fPass
	fKey
	fFTPMode
	fType
	fSave
	fSaveName
	fProxy
)

func (a *App) connectDialog() tea.Cmd {
	if a.opts.Connect == nil && a.opts.ConnectWith == nil {
		a.setErr(errors.New("connecting is not available here"))
		return nil
	}
	f := &form{fields: []*field{
		textField("URL or bookmark", "", false),
		choiceField("Protocol", "sftp", "ftp", "ftpes", "ftps"),
		textField("Host", "", false),
		textField("Port", "", false),
		textField("User", "", false),
		textField("Password", "", true),
		textField("Key file", "", false),
		choiceField("FTP mode", "passive", "active"),
		choiceField("Transfer type", "auto", "binary", "ascii"),
		checkField("Save as bookmark"),
		textField("Bookmark name", "", false),
		textField("Proxy (URL or none)", "", false),
	}}
	cmd := f.setFocus(0)
	a.openDialog(&connectDialog{form: f, pane: a.focus})
	return cmd
}

func (d *connectDialog) title() string {
	return "Connect (" + []string{"left", "right"}[d.pane] + " pane)"
}

func (d *connectDialog) paste(msg tea.PasteMsg) tea.Cmd { return d.form.paste(msg) }

func (d *connectDialog) click(_ *App, _, line, col int) (bool, tea.Cmd) {
	_, cmd := d.form.click(line, col)
	return false, cmd
}

func (d *connectDialog) update(a *App, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if msg.String() == "ctrl+b" { // before the text field takes it as "cursor left"
		a.openDialog(a.newSitesDialog(d.pane, ""))
		return true, a.loadSites()
	}
	if used, cmd := d.form.key(msg); used {
		return false, cmd
	}
	switch msg.String() {
	case "esc", "ctrl+c":
		return true, nil
	case "enter":
		req, err := d.request()
		if err != nil {
			a.setErr(err)
			return false, nil
		}
		save := ""
		if d.form.fields[fSave].on {
			save = strings.TrimSpace(d.form.fields[fSaveName].value())
			if save == "" {
				save = d.form.fields[fHost].value()
			}
		}
		return true, a.connectSite(d.pane, req, save)
	}
	return false, nil
}

// request builds the address from the URL field, or else from the form.
func (d *connectDialog) request() (ConnectRequest, error) {
	v := func(i int) string { return strings.TrimSpace(d.form.fields[i].value()) }
	req := ConnectRequest{Password: d.form.fields[fPass].value(), KeyFile: v(fKey), FTPMode: v(fFTPMode), Type: v(fType), Proxy: v(fProxy)}
	if u := v(fURL); u != "" {
		req.Addr = u
		return req, nil
	}
	if v(fHost) == "" {
		return req, errors.New("enter a URL, a bookmark name, or a host")
	}
	host := v(fHost)
	if p := v(fPort); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return req, fmt.Errorf("port %q is not a number from 1 to 65535", p)
		}
		host = net.JoinHostPort(host, p)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u := url.URL{Scheme: v(fProto), Host: host}
	if user := v(fUser); user != "" {
		u.User = url.User(user)
	}
	req.Addr = u.String()
	return req, nil
}

func (d *connectDialog) body(a *App, width int) []string {
	out := wrap("Type a URL (sftp://user@host:22/path, ftpes://host) or a bookmark name, or fill in the form. Tab moves, ←/→ chooses, space ticks, Enter connects, ctrl+b opens the site manager.", width)
	out = append(out, "")
	out = d.form.appendLines(a, width, out)
	return out
}

// connectSite opens the site in a Cmd; the answer replaces pane i.
func (a *App) connectSite(i int, req ConnectRequest, saveAs string) tea.Cmd {
	ctx := a.ctx
	connect, with := a.opts.Connect, a.opts.ConnectWith
	a.panes[i].busy = "connecting to " + req.Addr + "…"
	a.setStatus("connecting to " + req.Addr + "…")
	return func() tea.Msg {
		cctx, cancel := context.WithTimeout(ctx, 3*time.Minute) // includes answering prompts
		defer cancel()
		var ep Endpoint
		var err error
		if with != nil {
			ep, err = with(cctx, req)
		} else {
			addr := req.Addr
			if req.Password != "" {
				addr, err = withPassword(addr, req.Password)
			}
			if err == nil {
				ep, err = connect(cctx, addr)
			}
		}
		return connectSiteMsg{pane: i, ep: ep, err: err, addr: req.Addr, saveAs: saveAs}
	}
}

// withPassword puts a password typed in the form into the URL, for a
// ConnectFunc that only takes an address.
func withPassword(addr, pw string) (string, error) {
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" {
		return "", errors.New("a password needs a URL with a user (sftp://user@host)")
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String(), nil
}

func (a *App) onSiteConnected(msg connectSiteMsg) tea.Cmd {
	p := a.panes[msg.pane]
	if msg.err != nil {
		p.busy = ""
		a.setErr(fmt.Errorf("connect %s: %w", msg.addr, msg.err))
		a.trustAlarm(msg.err)
		if errors.Is(msg.err, protocol.ErrAuth) {
			a.prompter.Forget()
		}
		return nil
	}
	a.recent = append([]string{msg.addr}, removeString(a.recent, msg.addr)...)
	old := p.client
	np := newPane(msg.ep)
	np.hidden, np.sort, np.desc = p.hidden, p.sort, p.desc
	np.height = p.height
	np.seq = p.seq + 1
	a.panes[msg.pane] = np
	a.io[msg.pane] = &paneIO{}
	a.compareOn = false
	var cmds []tea.Cmd
	if old != nil {
		cmds = append(cmds, func() tea.Msg { _ = old.Close(); return nil })
	}
	cmds = append(cmds, a.connect(msg.pane))
	if rr, ok := a.opts.Bookmarks.(RecentRecorder); ok {
		ctx, addr := a.ctx, msg.addr
		cmds = append(cmds, func() tea.Msg {
			if err := rr.AddRecent(ctx, addr); err != nil {
				return statusMsg{text: "recent sites: " + err.Error(), err: true}
			}
			return nil
		})
	}
	if msg.saveAs != "" && a.opts.Bookmarks != nil {
		bm, ctx := a.opts.Bookmarks, a.ctx
		b := Bookmark{Name: msg.saveAs, URL: msg.addr}
		cmds = append(cmds, func() tea.Msg {
			if err := bm.Save(ctx, b); err != nil {
				return statusMsg{text: "save bookmark: " + err.Error(), err: true}
			}
			return statusMsg{text: "saved bookmark " + b.Name}
		})
	}
	a.setStatus("connected to " + msg.addr)
	return tea.Batch(cmds...)
}

func removeString(list []string, s string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
