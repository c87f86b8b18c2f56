package ui

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/transfer"
	"github.com/ferryhq/ferry/watch"
)

// watchRefreshEvery is the least time between two refreshes of a pane
// the watch changed: a burst of saves, or a catch-up of thousands of
// files, relists each pane a few times a second rather than per file.
const watchRefreshEvery = 250 * time.Millisecond

// watching is the "keep remote up to date" toggle while it is on: a
// watch.Keeper running in a Cmd of its own, uploading through the App's
// queue, its reports read from a channel by another Cmd.
type watching struct {
	id      int
	label   string // "./site → host:/www"
	keeper  *watch.Keeper
	cancel  context.CancelFunc
	reports chan watch.Report

	// Where the changes land, to know which pane shows them: slash
	// paths, and the remote pane's transfer site.
	localRoot, remoteRoot, remoteSite string

	// jobs are the uploads the watch queued that have not finished; the
	// watch, not the queue's own refresh, relists the remote pane for them.
	jobs map[transfer.JobID]bool
	// What the status line tells: uploads done and failed, remote
	// removals, and the last thing that went wrong.
	uploaded, failed, deleted int
	lastErr                   string

	caughtUp bool    // the first catch-up is over: uploads now mean local changes
	dirty    [2]bool // panes to relist at the next tick
	ticking  bool    // a watchRefreshMsg is on its way
}

// watchReportMsg is one report of the watch id.
type watchReportMsg struct {
	id int
	r  watch.Report
}

// watchEndedMsg says the watch id stopped, by the toggle (err nil) or
// because it failed (the watch limit, a refused login).
type watchEndedMsg struct {
	id  int
	err error
}

// watchRefreshMsg is the tick that relists the panes the watch id changed.
type watchRefreshMsg struct{ id int }

// toggleWatch asks how to keep the remote pane's directory up to date
// with the local pane's (watchDialog), or stops the watch under way.
func (a *App) toggleWatch() tea.Cmd {
	if w := a.watch; w != nil {
		w.cancel()
		a.setStatus("stopped watching " + w.label + a.watchTotals(", "))
		a.log.add(a.now(), "watch: stopped"+a.watchTotals(", "))
		a.watch = nil
		return nil
	}
	li, ri, ok := a.watchPanes()
	if !ok {
		return nil
	}
	a.openDialog(a.watchDialog(li, ri))
	return nil
}

// watchPanes finds the local and the remote pane, or says why a watch
// cannot start; the focused pane is taken as the local one if it is.
func (a *App) watchPanes() (li, ri int, ok bool) {
	li, ri = a.focus, 1-a.focus
	if !a.panes[li].ep.Local {
		li, ri = ri, li
	}
	lp, rp := a.panes[li], a.panes[ri]
	if !lp.ep.Local || rp.ep.Local {
		a.setErr(errors.New("keep remote up to date needs a local pane and a remote pane"))
		return 0, 0, false
	}
	if a.opts.Queue == nil {
		a.setErr(errors.New("transfers are not available"))
		return 0, 0, false
	}
	if !a.usable(li) || !a.usable(ri) {
		return 0, 0, false
	}
	if lp.ep.transferEndpoint().Dial == nil || rp.ep.transferEndpoint().Dial == nil {
		a.setErr(fmt.Errorf("cannot open transfer connections for %s", rp.ep.Name))
		return 0, 0, false
	}
	return li, ri, true
}

// startWatch starts keeping pane ri's directory up to date with pane
// li's, leaving out what rules exclude, removing there what is removed
// here only with del.
func (a *App) startWatch(li, ri int, rules *filter.Rules, del bool) tea.Cmd {
	if a.watch != nil {
		return nil
	}
	// The panes were checked when the dialog opened; a connection may
	// have been lost since.
	if !a.usable(li) || !a.usable(ri) {
		return nil
	}
	lp, rp := a.panes[li], a.panes[ri]
	src, dst := lp.ep.transferEndpoint(), rp.ep.transferEndpoint()
	ctx, cancel := context.WithCancel(a.ctx)
	a.watchSeq++
	w := &watching{
		id:         a.watchSeq,
		label:      sanitize(lp.dir) + " → " + sanitize(rp.ep.Name) + ":" + sanitize(rp.dir),
		cancel:     cancel,
		reports:    make(chan watch.Report, 16),
		localRoot:  lp.dir,
		remoteRoot: rp.dir,
		remoteSite: dst.ID,
		jobs:       map[transfer.JobID]bool{},
	}
	w.keeper = &watch.Keeper{
		Queue: a.opts.Queue, Local: src, Remote: dst,
		LocalRoot: filepath.FromSlash(lp.dir), RemoteRoot: rp.dir,
		Delete:  del,
		Exclude: watch.Rules(filepath.FromSlash(lp.dir), rules),
		Report: func(r watch.Report) {
			select {
			case w.reports <- r:
			case <-ctx.Done():
			}
		},
	}
	a.watch = w
	a.setStatus("catching up…")
	mode := "removals kept there"
	if del {
		mode = "removals made there"
	}
	a.log.add(a.now(), "watch: "+w.label+" ("+mode+")")
	k, id := w.keeper, w.id
	run := func() tea.Msg { return watchEndedMsg{id: id, err: k.Run(ctx)} }
	return tea.Batch(run, waitWatch(ctx, id, w.reports))
}

// waitWatch reads the next report of the watch id.
func waitWatch(ctx context.Context, id int, ch <-chan watch.Report) tea.Cmd {
	return func() tea.Msg {
		select {
		case r := <-ch:
			return watchReportMsg{id: id, r: r}
		case <-ctx.Done():
			return nil
		}
	}
}

// onWatchReport logs a report, notes which panes it changed, and re-arms
// the reader.
func (a *App) onWatchReport(msg watchReportMsg) tea.Cmd {
	w := a.watch
	if w == nil || msg.id != w.id {
		return nil // from a watch since stopped
	}
	r := msg.r
	switch r.Kind {
	case watch.KindError, watch.KindLost:
		w.lastErr = r.String()
		a.setErr(fmt.Errorf("watch: %s", r))
	case watch.KindWatching, watch.KindCatchUp:
		a.log.add(a.now(), "watch: "+r.String())
		if r.Kind == watch.KindWatching {
			w.caughtUp = true
		}
		a.setStatus("watching")
	case watch.KindQueued:
		// Its line in the log comes when it is done (logResult).
		w.jobs[r.Job] = true
		if j, ok := a.queue.jobs[r.Job]; ok && j.State.Finished() {
			a.watchJobDone(j) // the queue's news came first
		}
	case watch.KindKept:
		// The report's own text names the CLI's --delete; here it was the
		// dialog's box.
		p := r.Path
		if r.Dir {
			p += "/"
		}
		a.log.add(a.now(), "watch: kept "+p+" on the remote (removed here; deletion was not ticked)")
	default:
		a.log.add(a.now(), "watch: "+r.String())
	}

	// A report names the change: the local pane shows it when it is in
	// or below its directory, the remote pane when it is in its directory.
	local := w.caughtUp || (r.Kind != watch.KindQueued && r.Kind != watch.KindMkdir)
	switch r.Kind {
	case watch.KindQueued, watch.KindKept:
		if local {
			a.watchChanged(r.Path, true, false)
		}
	case watch.KindMkdir:
		a.watchChanged(r.Path, local, true)
	case watch.KindRemoved:
		a.watchChanged(r.Path, true, true)
		w.deleted++
	case watch.KindRenamed:
		a.watchChanged(r.From, true, true)
		a.watchChanged(r.Path, true, true)
	}
	return tea.Batch(waitWatch(a.ctx, w.id, w.reports), a.watchTick())
}

// onWatchQueueEvent passes the queue's news to the Keeper and settles the
// watch's finished uploads. It runs after onQueueEvent, which leaves the
// watch's uploads to it (watchOwns).
func (a *App) onWatchQueueEvent(ev transfer.Event) tea.Cmd {
	w := a.watch
	if w == nil {
		return nil
	}
	w.keeper.Observe(ev) // does not block
	for _, j := range ev.Jobs {
		if w.jobs[j.ID] && j.State.Finished() {
			a.watchJobDone(j)
		}
	}
	return a.watchTick()
}

// watchOwns says whether job id is an upload of the watch under way,
// whose remote pane the watch refreshes at its own pace.
func (a *App) watchOwns(id transfer.JobID) bool {
	return a.watch != nil && a.watch.jobs[id]
}

// watchJobDone counts a finished upload of the watch and marks the remote
// pane showing its directory.
func (a *App) watchJobDone(j transfer.JobInfo) {
	w := a.watch
	delete(w.jobs, j.ID)
	switch j.State {
	case transfer.StateDone:
		w.uploaded++
	case transfer.StateFailed:
		w.failed++
		w.lastErr = "upload " + path.Base(j.DstPath) + " failed"
		if j.Err != nil {
			w.lastErr += ": " + j.Err.Error()
		}
	default:
		return // canceled: a newer save replaced it
	}
	for i, p := range a.panes {
		if !p.ep.Local && p.siteID() == w.remoteSite && p.dir == path.Dir(j.DstPath) {
			w.dirty[i] = true
		}
	}
}

// watchChanged marks the panes that show rel (relative to the watched
// roots): on the local side in or below the pane's directory, since a
// subdirectory's size and time change with its content; on the remote
// side only in it, which is the listing a change there alters.
func (a *App) watchChanged(rel string, local, remote bool) {
	w := a.watch
	for i, p := range a.panes {
		switch {
		case local && p.ep.Local:
			dir := path.Dir(path.Join(w.localRoot, rel))
			if p.dir == dir || strings.HasPrefix(dir, strings.TrimSuffix(p.dir, "/")+"/") {
				w.dirty[i] = true
			}
		case remote && !p.ep.Local && p.siteID() == w.remoteSite:
			if p.dir == path.Dir(path.Join(w.remoteRoot, rel)) {
				w.dirty[i] = true
			}
		}
	}
}

// watchTick arms the refresh tick when a pane waits for one and no tick
// is on its way.
func (a *App) watchTick() tea.Cmd {
	w := a.watch
	if w == nil || w.ticking || !w.dirty[0] && !w.dirty[1] {
		return nil
	}
	w.ticking = true
	id := w.id
	return tea.Tick(watchRefreshEvery, func(time.Time) tea.Msg { return watchRefreshMsg{id: id} })
}

// onWatchRefresh relists the panes the watch changed since the last tick.
// A pane busy listing is marked stale, so it lists again when that
// listing comes; relisting keeps the cursor's entry and the marks.
func (a *App) onWatchRefresh(msg watchRefreshMsg) tea.Cmd {
	w := a.watch
	if w == nil || msg.id != w.id {
		return nil
	}
	w.ticking = false
	var cmds []tea.Cmd
	for i, p := range a.panes {
		if !w.dirty[i] {
			continue
		}
		w.dirty[i] = false
		switch {
		case p.lost || p.client == nil || p.dir == "":
		case p.busy != "":
			p.stale = true
		default:
			cmds = append(cmds, a.list(i, p.dir))
		}
	}
	return tea.Batch(cmds...)
}

func (a *App) onWatchEnded(msg watchEndedMsg) tea.Cmd {
	if a.watch == nil || msg.id != a.watch.id {
		return nil
	}
	a.watch.cancel()
	totals := a.watchTotals(", ")
	a.watch = nil
	if msg.err != nil {
		a.setErr(fmt.Errorf("watch stopped%s: %w", totals, msg.err))
	}
	return nil
}

// watchTotals is what the watch did so far, for the end of a sentence:
// ": 3 uploaded, 1 deleted", or "" while it has done nothing.
func (a *App) watchTotals(sep string) string {
	if s := a.watchCounts(sep); s != "" {
		return ": " + s
	}
	return ""
}

// watchCounts is what the watch did and has still to do, the zeros left
// out: "3 uploaded · 2 queued · 1 deleted · 1 failed".
func (a *App) watchCounts(sep string) string {
	w := a.watch
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(w.uploaded, "uploaded")
	add(len(w.jobs), "queued")
	add(w.deleted, "deleted")
	add(w.failed, "failed")
	return strings.Join(parts, sep)
}

// watchStatus is the status line's prefix while the watch runs: where
// from and to, the counts, and the last error unless the status line
// says it already.
func (a *App) watchStatus() string {
	w := a.watch
	s := w.label
	if c := a.watchCounts(" · "); c != "" {
		s += " │ " + c
	}
	if w.lastErr != "" && !strings.Contains(a.status, w.lastErr) {
		s += " │ last error: " + w.lastErr
	}
	return s
}
