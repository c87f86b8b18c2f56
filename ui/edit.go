package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// editSession is one F4 edit: the remote file, its temp copy and what the
// remote looked like when downloaded, to notice changes made meanwhile.
type editSession struct {
	pane    int
	remote  string
	local   string
	size    int64
	modTime time.Time
	sum     []byte
	client  protocol.Client
	lk      *paneIO
	// viewOnly is an F3 with an external pager: the copy is shown, then
	// removed, never uploaded.
	viewOnly bool
}

type (
	editReadyMsg struct {
		s   *editSession
		err error
	}
	editExitMsg struct {
		s   *editSession
		err error
	}
	editCheckedMsg struct {
		s         *editSession
		unchanged bool
		conflict  string // what changed on the remote side
		uploaded  bool
		err       error
	}
)

// editor returns the command for F4: Options.Editor, $VISUAL, $EDITOR, vi.
func (a *App) editor() []string {
	for _, e := range []string{a.opts.Editor, os.Getenv("VISUAL"), os.Getenv("EDITOR")} {
		if f := strings.Fields(e); len(f) > 0 {
			return f
		}
	}
	return []string{"vi"}
}

// editFile downloads the file under the cursor to a temp file in a Cmd.
func (a *App) editFile(i int) tea.Cmd { return a.fetchForCommand(i, false) }

// fetchForCommand downloads the file under the cursor to a temp file in a
// Cmd, for the editor (F4) or, with viewOnly, an external pager (F3).
func (a *App) fetchForCommand(i int, viewOnly bool) tea.Cmd {
	p := a.panes[i]
	it := p.current()
	if it == nil || it.e.IsDir() || !a.usable(i) {
		return nil
	}
	s := &editSession{pane: i, remote: p.join(it.e.Name), client: p.client, lk: a.io[i], viewOnly: viewOnly}
	tmpDir, ctx := a.opts.TempDir, a.ctx
	a.setStatus("downloading " + s.remote + "…")
	return func() tea.Msg {
		var err error
		s.lk.do(func() { err = s.download(ctx, tmpDir) })
		return editReadyMsg{s: s, err: err}
	}
}

func (s *editSession) download(ctx context.Context, tmpDir string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	st, err := s.client.Stat(ctx, s.remote)
	if err != nil {
		return fmt.Errorf("stat %s: %w", s.remote, err)
	}
	s.size, s.modTime = st.Size, st.ModTime
	f, err := os.CreateTemp(tmpDir, "ferry-*-"+sanitizeFileName(path.Base(s.remote)))
	if err != nil {
		return fmt.Errorf("temp file: %w", err)
	}
	s.local = f.Name()
	r, err := s.client.Open(ctx, s.remote, 0)
	if err != nil {
		f.Close()
		os.Remove(s.local)
		return fmt.Errorf("open %s: %w", s.remote, err)
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(s.local)
		return fmt.Errorf("download %s: %w", s.remote, err)
	}
	s.sum = h.Sum(nil)
	return nil
}

func sanitizeFileName(n string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == '/' || r == '\\' || r == '*' {
			return '_'
		}
		return r
	}, n)
}

func (a *App) onEditReady(msg editReadyMsg) tea.Cmd {
	if msg.err != nil {
		a.setErr(msg.err)
		return nil
	}
	ed := a.editor()
	if msg.s.viewOnly {
		ed = strings.Fields(a.opts.Pager)
	}
	cmd := exec.Command(ed[0], append(ed[1:], msg.s.local)...)
	a.setStatus("opening " + msg.s.remote)
	s := msg.s
	return tea.ExecProcess(cmd, func(err error) tea.Msg { return editExitMsg{s: s, err: err} })
}

func (a *App) onEditExit(msg editExitMsg) tea.Cmd {
	s := msg.s
	if s.viewOnly {
		os.Remove(s.local)
		if msg.err != nil {
			a.setErr(fmt.Errorf("pager: %w", msg.err))
		}
		return nil
	}
	if msg.err != nil {
		a.setErr(fmt.Errorf("editor: %w (your copy stays at %s)", msg.err, s.local))
		return nil
	}
	ctx := a.ctx
	return func() tea.Msg { return s.check(ctx, false) }
}

// check compares the edited copy with what was downloaded and, when it
// changed, uploads it — unless the remote changed meanwhile and force is
// false.
func (s *editSession) check(ctx context.Context, force bool) editCheckedMsg {
	m := editCheckedMsg{s: s}
	sum, err := fileSum(s.local)
	if err != nil {
		m.err = err
		return m
	}
	if bytes.Equal(sum, s.sum) && !force {
		m.unchanged = true
		os.Remove(s.local)
		return m
	}
	s.lk.do(func() {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
		if !force {
			st, err := s.client.Stat(ctx, s.remote)
			switch {
			case errors.Is(err, protocol.ErrNotExist):
				m.conflict = "it was deleted"
				return
			case err != nil:
				m.err = fmt.Errorf("stat %s: %w", s.remote, err)
				return
			case st.Size != s.size || !st.ModTime.Equal(s.modTime):
				m.conflict = fmt.Sprintf("now %s, modified %s", humanSize(st.Size), st.ModTime.Local().Format("15:04:05"))
				return
			}
		}
		m.err = s.upload(ctx)
		m.uploaded = m.err == nil
	})
	return m
}

func (s *editSession) upload(ctx context.Context) error {
	f, err := os.Open(s.local)
	if err != nil {
		return fmt.Errorf("edited copy: %w", err)
	}
	defer f.Close()
	w, err := s.client.Create(ctx, s.remote, 0)
	if err != nil {
		return fmt.Errorf("upload %s: %w", s.remote, err)
	}
	_, err = io.Copy(w, f)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("upload %s: %w (your copy stays at %s)", s.remote, err, s.local)
	}
	os.Remove(s.local)
	return nil
}

func fileSum(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("edited copy: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("edited copy: %w", err)
	}
	return h.Sum(nil), nil
}

func (a *App) onEditChecked(msg editCheckedMsg) tea.Cmd {
	s := msg.s
	switch {
	case msg.err != nil:
		a.setErr(msg.err)
	case msg.unchanged:
		a.setStatus("not changed; nothing uploaded")
	case msg.conflict != "":
		a.openDialog(&choiceDialog{
			heading: "Remote file changed",
			isAlarm: true,
			lines: []string{
				sanitize(s.remote) + " changed on the server while you edited it (" + msg.conflict + ").",
				"Your copy: " + s.local,
			},
			choices: []choice{{"u", "Upload mine anyway"}, {"k", "Keep my copy only"}},
			sel:     1,
			onChoose: func(a *App, idx int, _ bool) tea.Cmd {
				if idx != 0 {
					a.setStatus("kept your copy at " + s.local)
					return nil
				}
				ctx := a.ctx
				return func() tea.Msg { return s.check(ctx, true) }
			},
		})
	case msg.uploaded:
		a.setStatus("uploaded " + s.remote)
		a.log.add(a.now(), "* uploaded edited "+s.remote)
		if p := a.panes[s.pane]; p.dir == path.Dir(s.remote) {
			return a.refresh(s.pane)
		}
	}
	return nil
}
