package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
	"github.com/ferryhq/ferry/transfer"
)

// screen is what fills the window besides the panes.
type screen int

const (
	screenPanes screen = iota
	screenHelp
	screenLog
	screenPager
)

// App is the root model: two panes, the queue, the log, at most one dialog.
type App struct {
	opts   Options
	ctx    context.Context
	cancel context.CancelFunc
	keys   KeyMap
	th     theme
	now    func() time.Time

	w, h      int
	panes     [2]*pane
	io        [2]*paneIO
	focus     int  // 0 left, 1 right
	qFocus    bool // the queue panel has the keys
	showQueue bool
	screen    screen

	dialog  dialog
	pending []dialog // dialogs waiting for the current one to close

	status    string
	statusErr bool

	// Key state: a sequence prefix ("g" of "g g"), jump-by-typing, filter.
	seqKey    string
	jumping   bool
	jumpText  string
	jumpAt    time.Time
	filtering bool

	syncBrowse bool
	compareOn  bool
	watch      *watching // "keep remote up to date", while on
	watchSeq   int
	recent     []string // addresses connected in this run
	first      tea.Cmd  // an extra command for Init (tests)
	quitting   bool

	queue    queueState
	log      logView
	pager    *pager
	helpOff  int
	mouse    mouseState
	prompter *Prompter
	logSink  *LogSink
	paneKeys map[string]bool
	seqFirst map[string]bool
}

// New builds the App. It does no I/O; Init starts connecting.
func New(opts Options) *App {
	ctx, cancel := context.WithCancel(context.Background())
	a := &App{
		opts:   opts,
		ctx:    ctx,
		cancel: cancel,
		keys:   DefaultKeyMap(),
		th:     themeFor(opts, true),
		now:    time.Now,
		w:      80,
		h:      24,
	}
	if err := a.keys.Remap(opts.Keys); err != nil {
		a.setErr(err)
	}
	a.paneKeys = a.keys.allKeys()
	a.seqFirst = a.keys.seqPrefixes()
	a.prompter = opts.Prompter
	if a.prompter == nil {
		a.prompter = NewPrompter()
	}
	a.logSink = opts.Log
	if a.logSink == nil {
		a.logSink = NewLogSink()
	}
	a.log = newLogView()
	a.queue = newQueueState()
	for i, ep := range [2]Endpoint{opts.Left, opts.Right} {
		if ep.Local && ep.Dial == nil {
			// The local filesystem needs no connection; the queue still
			// wants its own Client.
			ep.Dial = func(context.Context) (protocol.Client, error) { return local.New(), nil }
		}
		a.panes[i] = newPane(ep)
		a.panes[i].hidden = opts.ShowHidden
		a.io[i] = &paneIO{}
		if ep.Client == nil && ep.Dial == nil {
			a.panes[i].err = "not connected — ctrl+o connects"
		}
	}
	if opts.Banner != "" {
		a.status = opts.Banner
	}
	a.layout()
	return a
}

// Prompter is the bridge the backends must use for secrets and trust.
func (a *App) Prompter() *Prompter { return a.prompter }

// LogSink collects protocol conversation lines for the log view.
func (a *App) LogSink() *LogSink { return a.logSink }

// Close stops the App's background waits and closes the panes' sessions.
func (a *App) Close() {
	a.cancel()
	for _, p := range a.panes {
		if p.client != nil {
			_ = p.client.Close()
		}
	}
}

// Init connects both panes and starts listening for prompts, log lines and
// transfer events.
func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{a.prompter.wait(a.ctx), a.logSink.wait(a.ctx), a.first, tea.RequestBackgroundColor}
	for i := range a.panes {
		if c := a.connect(i); c != nil {
			cmds = append(cmds, c)
		}
	}
	if q := a.opts.Queue; q != nil {
		// Jobs saved by an earlier run show up at once, not at their first
		// event.
		cmds = append(cmds, waitQueue(a.ctx, q.Events()), func() tea.Msg { return queueSeedMsg(q.Jobs()) })
	}
	return tea.Batch(cmds...)
}

// connect (re)opens pane i's session in a Cmd.
func (a *App) connect(i int) tea.Cmd {
	p := a.panes[i]
	if p.client == nil && p.ep.Dial == nil {
		return nil
	}
	p.seq++
	p.busy = "connecting…"
	if p.client != nil {
		p.busy = "listing…"
	}
	return connectCmd(a.busyCtx(i), a.io[i], i, p.seq, p.ep, p.client, p.sort, p.desc)
}

// busyCtx is the context of pane i's next connect or listing: a new one,
// which Esc cancels (stopBusy); the one before it is done with.
func (a *App) busyCtx(i int) context.Context {
	p := a.panes[i]
	if p.stop != nil {
		p.stop()
	}
	ctx, cancel := context.WithCancel(a.ctx)
	p.stop = cancel
	return ctx
}

// stopBusy gives up pane i's connect or listing under way: its answer, if
// it ever comes, is ignored (the sequence moves on), and the pane keeps
// what it showed. A connect given up leaves the pane to ctrl+r.
func (a *App) stopBusy(i int) tea.Cmd {
	p := a.panes[i]
	if p.stop != nil {
		p.stop()
		p.stop = nil
	}
	what := p.busy
	p.seq++
	p.busy, p.stale = "", false
	if p.client == nil {
		p.err = "connecting stopped — ctrl+r tries again"
		p.lost = p.ep.Dial != nil
	}
	a.setStatus(sanitize(p.ep.Name) + ": stopped " + strings.TrimSuffix(what, "…"))
	return nil
}

// list reads dir into pane i in a Cmd.
func (a *App) list(i int, dir string) tea.Cmd {
	p := a.panes[i]
	if p.client == nil || p.lost {
		a.setErr(fmt.Errorf("%s is not connected — ctrl+r reconnects", p.ep.Name))
		return nil
	}
	p.seq++
	p.busy = "listing…"
	return listCmd(a.busyCtx(i), a.io[i], p.client, i, p.seq, dir, p.sort, p.desc)
}

func (a *App) refresh(i int) tea.Cmd {
	p := a.panes[i]
	if p.lost || p.client == nil {
		return a.reconnect(i)
	}
	return a.list(i, p.dir)
}

// reconnect drops a lost session and dials a new one.
func (a *App) reconnect(i int) tea.Cmd {
	p := a.panes[i]
	if p.ep.Dial == nil {
		if p.client == nil {
			a.setErr(fmt.Errorf("%s has no connection — ctrl+o connects", p.ep.Name))
		} else {
			a.setErr(fmt.Errorf("%s cannot reconnect by itself — ctrl+o connects anew", p.ep.Name))
		}
		return nil
	}
	old := p.client
	p.client, p.connected, p.lost = nil, false, false
	p.err = ""
	if p.ep.Path == "" && p.dir != "" {
		p.ep.Path = p.dir
	}
	cmd := a.connect(i)
	if old != nil {
		closeCmd := func() tea.Msg { _ = old.Close(); return nil }
		return tea.Batch(closeCmd, cmd)
	}
	return cmd
}

func (a *App) setStatus(s string) { a.status, a.statusErr = oneLine(s), false }

func (a *App) setErr(err error) {
	if err == nil {
		return
	}
	a.status, a.statusErr = oneLine(err.Error()), true
	a.log.add(a.now(), "! "+err.Error())
}

// openDialog shows d now, or after the current dialog closes.
func (a *App) openDialog(d dialog) {
	if a.dialog == nil {
		a.dialog = d
		return
	}
	a.pending = append(a.pending, d)
}

// dialogDone closes d when it said it is done and is still the one open.
func (a *App) dialogDone(d dialog, done bool) {
	if done && a.dialog == d {
		a.closeDialog()
		a.askNextConflict()
	}
}

func (a *App) closeDialog() {
	a.dialog = nil
	if len(a.pending) > 0 {
		a.dialog = a.pending[0]
		a.pending = a.pending[1:]
	}
}

// Update is the single place state changes.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if msg.Width <= 0 || msg.Height <= 0 {
			return a, nil // no terminal to measure (output is not a tty): keep 80×24
		}
		a.w, a.h = msg.Width, msg.Height
		a.layout()
		return a, nil
	case tea.KeyPressMsg:
		return a, a.handleKey(msg)
	case tea.PasteMsg:
		if d, ok := a.dialog.(paster); ok {
			return a, d.paste(msg)
		}
		return a, nil
	case tea.MouseClickMsg:
		return a, a.mouseClick(msg.Mouse())
	case tea.MouseReleaseMsg:
		return a, a.mouseRelease(msg.Mouse())
	case tea.MouseWheelMsg:
		return a, a.mouseWheel(msg.Mouse())
	case connectedMsg:
		return a, a.onConnected(msg)
	case listedMsg:
		return a, a.onListed(msg)
	case opDoneMsg:
		return a, a.onOpDone(msg)
	case syncMsg:
		return a, a.onSync(msg)
	case statusMsg:
		if msg.err {
			a.status, a.statusErr = oneLine(msg.text), true
			a.log.add(a.now(), "! "+msg.text)
		} else {
			a.setStatus(msg.text)
		}
		return a, nil
	case promptMsg:
		a.openDialog(a.promptDialog(msg.req))
		return a, a.prompter.wait(a.ctx)
	case logMsg:
		a.log.addProtocol(a.now(), msg)
		return a, a.logSink.wait(a.ctx)
	case queueEventMsg:
		cmd := a.onQueueEvent(transfer.Event(msg))
		wcmd := a.onWatchQueueEvent(transfer.Event(msg))
		return a, tea.Batch(cmd, wcmd, waitQueue(a.ctx, a.opts.Queue.Events()))
	case queueClosedMsg:
		return a, nil
	case tea.BackgroundColorMsg:
		a.th = a.th.withBackground(msg.IsDark())
		return a, nil
	case progress.FrameMsg:
		return a, a.queue.animate(msg)
	case queueSeedMsg:
		a.seedQueue(msg)
		return a, nil
	case queueOpMsg:
		if msg.err != nil {
			a.setErr(msg.err)
		} else if msg.text != "" {
			a.setStatus(msg.text)
		}
		return a, nil
	case pagerChunkMsg:
		return a, a.onPagerChunk(msg)
	case editReadyMsg:
		return a, a.onEditReady(msg)
	case editExitMsg:
		return a, a.onEditExit(msg)
	case editCheckedMsg:
		return a, a.onEditChecked(msg)
	case taskMsg:
		return a, a.onTaskMsg(msg)
	case connectSiteMsg:
		return a, a.onSiteConnected(msg)
	case sitesMsg:
		return a, a.onSites(msg)
	case linkFileMsg:
		return a, a.onLinkFile(msg)
	case watchReportMsg:
		return a, a.onWatchReport(msg)
	case watchEndedMsg:
		return a, a.onWatchEnded(msg)
	case watchRefreshMsg:
		return a, a.onWatchRefresh(msg)
	}
	return a, nil
}

// transfersRunning reports whether quitting would interrupt transfers.
func (a *App) transfersRunning() bool {
	t := a.queue.totals
	return t.Active > 0 || t.Queued > 0
}

// quit asks first when transfers are running.
func (a *App) quit() tea.Cmd {
	if a.transfersRunning() {
		a.openDialog(&choiceDialog{
			heading: "Quit ferry?",
			lines:   []string{quitNote(a.queue.totals.Active + a.queue.totals.Queued)},
			choices: []choice{{"y", "Quit"}, {"n", "Stay"}},
			onChoose: func(a *App, idx int, _ bool) tea.Cmd {
				if idx == 0 {
					a.quitting = true
					return tea.Quit
				}
				return nil
			},
		})
		return nil
	}
	a.quitting = true
	return tea.Quit
}

// otherEndpointID is how panes and queue jobs name a site.
func (p *pane) siteID() string { return p.ep.transferEndpoint().ID }

var _ tea.Model = (*App)(nil)
var _ protocol.Prompter = (*Prompter)(nil)

// quitNote says what becomes of the transfers still running when ferry quits.
func quitNote(n int) string {
	if n == 1 {
		return "1 transfer is running or queued. It is kept in the saved queue and resumes at the next start."
	}
	return fmt.Sprintf("%d transfers are running or queued. They are kept in the saved queue and resume at the next start.", n)
}
