package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/syncer"
)

// syncMsg carries a synchronize plan (or why there is none) to its dialog,
// and later the outcome of carrying it out.
type syncMsg struct {
	d       *syncDialog // the dialog that asked
	plan    *syncer.Plan
	runner  *syncer.Runner
	release func() // closes the sessions the plan and run use
	err     error
	// ran is set on the message that ends a run, with a line per step
	// done (or failed) for the message log.
	ran   bool
	res   syncer.Result
	lines []string
}

// syncDialog shows the plan of synchronizing the two panes' directories
// (the same planner and rules as `ferry sync LEFT RIGHT`): one line per
// step, each ticked; space unticks, Enter queues the ticked steps.
type syncDialog struct {
	roots   [2]string
	plan    *syncer.Plan
	runner  *syncer.Runner
	release func()
	err     error
	skip    []bool
	cur     int
	unsafe  string
}

func (d *syncDialog) title() string { return "Synchronize" }

// openSync starts planning a synchronization of the two panes' directories
// in a Cmd and opens the dialog that shows the plan.
func (a *App) openSync() tea.Cmd {
	var eps [2]syncer.Endpoint
	var dials [2]func(context.Context) (protocol.Client, error)
	var local [2]bool
	slack := time.Duration(0)
	for i, p := range a.panes {
		if p.client == nil || p.lost || p.dir == "" {
			a.setErr(fmt.Errorf("synchronize needs both panes connected; %s is not", p.ep.Name))
			return nil
		}
		if p.ep.Dial == nil {
			a.setErr(fmt.Errorf("synchronize needs a session of its own on %s; reconnect with ctrl+o", p.ep.Name))
			return nil
		}
		dials[i], local[i] = p.ep.Dial, p.ep.Local
		eps[i] = syncer.Endpoint{Root: p.dir, Transfer: p.ep.transferEndpoint()}
		switch p.ep.Site.Scheme {
		case protocol.SchemeFTP, protocol.SchemeFTPS, protocol.SchemeFTPES:
			slack = 2 * time.Second
		}
	}
	if a.opts.Queue == nil {
		a.setErr(errors.New("synchronize needs the transfer queue"))
		return nil
	}
	// Both bookmarks' excludes leave paths out of both trees, as ferry sync
	// does with them.
	rules, err := filter.Compile(filter.Spec{Rules: filter.Exclude(a.defaultExcludes(0)...)})
	if err != nil {
		a.setErr(fmt.Errorf("synchronize: a bookmark's excludes: %w", err))
		return nil
	}
	d := &syncDialog{roots: [2]string{eps[0].Root, eps[1].Root}}
	a.openDialog(d)
	ctx, q, stateDir, now := a.ctx, a.opts.Queue, a.opts.SyncStateDir, a.now()
	return func() tea.Msg {
		msg := syncMsg{d: d}
		var clients [2]protocol.Client
		msg.release = func() {
			for _, c := range clients {
				if c != nil {
					c.Close()
				}
			}
		}
		for i := range dials {
			c, err := dials[i](ctx)
			if err != nil {
				msg.err = err
				return msg
			}
			clients[i] = c
			eps[i].Client = c
		}
		pair := syncer.Pair{AID: eps[0].Transfer.ID, APath: eps[0].Root, BID: eps[1].Transfer.ID, BPath: eps[1].Root}
		var old *syncer.State
		stateFile := ""
		if stateDir != "" {
			stateFile = syncer.StatePath(stateDir, pair)
			if old, msg.err = syncer.LoadState(stateFile); msg.err != nil {
				return msg
			}
		}
		var lists [2]syncer.Listing
		var errs [2]error
		done := make(chan struct{}, 2)
		for i := range eps {
			go func() {
				lists[i], errs[i] = syncer.Walk(ctx, clients[i], eps[i].Root, syncer.WalkOptions{Local: local[i], Dial: dials[i], Rules: rules})
				done <- struct{}{}
			}()
		}
		<-done
		<-done
		if msg.err = errors.Join(errs[0], errs[1]); msg.err != nil {
			return msg
		}
		plan := syncer.NewPlan(lists[0], lists[1], old, syncer.Options{Slack: slack, Now: now})
		if _, msg.err = plan.SettleSameContent(ctx, clients[0], clients[1], eps[0].Root, eps[1].Root); msg.err != nil {
			return msg
		}
		msg.plan = plan
		msg.runner = &syncer.Runner{A: eps[0], B: eps[1], Queue: q, StateFile: stateFile}
		return msg
	}
}

// onSync takes a plan into its dialog, or a finished run into the status
// line; a plan whose dialog was closed meanwhile lets its sessions go.
func (a *App) onSync(msg syncMsg) tea.Cmd {
	if msg.ran {
		for _, l := range msg.lines {
			a.log.add(a.now(), l)
		}
		r := msg.res
		switch {
		case msg.err != nil && r.Failed > 0:
			a.setErr(fmt.Errorf("synchronize: %d steps failed; the next synchronize carries on (%w)", r.Failed, msg.err))
		case msg.err != nil:
			a.setErr(fmt.Errorf("synchronize: %w", msg.err))
		default:
			a.setStatus(fmt.Sprintf("synchronized: %d copied, %d deleted, %d conflicts kept both ways", r.Copied, r.Deleted, r.Conflicts))
		}
		cmds := []tea.Cmd{a.refresh(0), a.refresh(1)}
		if msg.release != nil {
			cmds = append(cmds, func() tea.Msg { msg.release(); return nil })
		}
		return tea.Batch(cmds...)
	}
	d := msg.d
	if a.dialog != dialog(d) {
		if msg.release != nil {
			return func() tea.Msg { msg.release(); return nil }
		}
		return nil
	}
	d.err, d.plan, d.runner, d.release = msg.err, msg.plan, msg.runner, msg.release
	if d.plan != nil {
		d.skip = make([]bool, len(d.plan.Items))
		if d.unsafe = d.plan.TooManyDeletes(); d.unsafe != "" {
			// The same stop as the CLI's: deletions start unticked.
			for i, it := range d.plan.Items {
				d.skip[i] = it.Action == syncer.DeleteA || it.Action == syncer.DeleteB
			}
		}
	}
	return nil
}

func (d *syncDialog) update(a *App, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	n := 0
	if d.plan != nil {
		n = len(d.plan.Items)
	}
	page := max(1, d.rows(a)-1)
	switch msg.String() {
	case "esc", "q", "ctrl+c":
		return true, d.letGo()
	case "up", "k":
		d.cur = max(0, d.cur-1)
	case "down", "j":
		d.cur = max(0, min(n-1, d.cur+1))
	case "pgup":
		d.cur = max(0, d.cur-page)
	case "pgdown":
		d.cur = max(0, min(n-1, d.cur+page))
	case "home":
		d.cur = 0
	case "end":
		d.cur = max(0, n-1)
	case "space", "insert":
		if d.cur < n && d.plan.Items[d.cur].Action != syncer.Skip {
			d.skip[d.cur] = !d.skip[d.cur]
		}
	case "a":
		all := true
		for _, s := range d.skip {
			all = all && !s
		}
		for i := range d.skip {
			d.skip[i] = all
		}
	case "enter":
		if d.plan == nil || d.runner == nil {
			return false, nil
		}
		return true, d.start(a)
	}
	return false, nil
}

// start carries the ticked steps out in a Cmd: copies go to the App's
// queue, where they show like any other job.
func (d *syncDialog) start(a *App) tea.Cmd {
	plan, runner, release, ctx := d.plan, d.runner, d.release, a.ctx
	skip := append([]bool(nil), d.skip...)
	d.release = nil
	ticked := 0
	for _, s := range skip {
		if !s {
			ticked++
		}
	}
	a.setStatus(fmt.Sprintf("synchronizing: %d steps…", ticked))
	return func() tea.Msg {
		var lines []string
		r := *runner
		r.Report = func(it syncer.Item, err error) {
			line := "sync: " + syncLabel(it)
			if err != nil {
				line = "! sync: " + syncLabel(it) + ": " + err.Error()
			}
			lines = append(lines, line)
		}
		res, err := r.Run(ctx, plan, func(i int) bool { return skip[i] })
		return syncMsg{ran: true, res: res, err: err, release: release, lines: lines}
	}
}

// letGo closes the dialog's sessions, off the UI goroutine.
func (d *syncDialog) letGo() tea.Cmd {
	release := d.release
	d.release = nil
	if release == nil {
		return nil
	}
	return func() tea.Msg { release(); return nil }
}

// rows is how many plan lines fit.
func (d *syncDialog) rows(a *App) int { return max(3, a.h-14) }

func (d *syncDialog) body(a *App, width int) []string {
	lines := []string{"left  " + d.roots[0], "right " + d.roots[1], ""}
	switch {
	case d.err != nil:
		return append(lines, "Could not plan: "+d.err.Error(), "", "[esc] close")
	case d.plan == nil:
		return append(lines, "Listing both sides…", "", "[esc] cancel")
	case len(d.plan.Items) == 0:
		return append(lines, "Both sides are the same: nothing to do.", "", "[enter] remember this state  [esc] close")
	}
	if d.unsafe != "" {
		lines = append(lines, a.th.warn.render("This would delete "+d.unsafe+", more than half: deletions are unticked."), "")
	}
	items := d.plan.Items
	h := d.rows(a)
	top := 0
	if d.cur >= h {
		top = d.cur - h + 1
	}
	for i := top; i < len(items) && i < top+h; i++ {
		box := "[x] "
		if d.skip[i] || items[i].Action == syncer.Skip {
			box = "[ ] "
		}
		line := box + syncLabel(items[i])
		if len(line) > width {
			line = line[:max(0, width-1)] + "…"
		}
		if i == d.cur {
			line = a.th.cursor.render(line)
		}
		lines = append(lines, line)
	}
	ticked := 0
	for i, s := range d.skip {
		if !s && items[i].Action != syncer.Skip {
			ticked++
		}
	}
	return append(lines, "", fmt.Sprintf("%d of %d steps ticked", ticked, len(items)),
		"[space] tick/untick  [a] all  [enter] queue them  [esc] cancel")
}

// syncLabel is one step of the plan, left and right named as the panes.
func syncLabel(it syncer.Item) string {
	name := it.Path
	if it.Dir {
		name += "/"
	}
	var s string
	switch it.Action {
	case syncer.CopyAToB:
		s = "copy →      " + name
	case syncer.CopyBToA:
		s = "copy ←      " + name
	case syncer.DeleteA:
		s = "delete left " + name
	case syncer.DeleteB:
		s = "delete right " + name
	case syncer.MkdirA:
		s = "mkdir left  " + name
	case syncer.MkdirB:
		s = "mkdir right " + name
	case syncer.Conflict:
		side := [2]string{"left", "right"}[1-it.Winner]
		return "conflict    " + name + " (" + it.Note + "; the " + side + " copy kept as " + it.ConflictName + ")"
	case syncer.Skip:
		s = "skip        " + name
	}
	if it.Note != "" {
		s += " (" + it.Note + ")"
	}
	return strings.TrimRight(s, " ")
}
