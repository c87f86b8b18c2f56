package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/watch"
)

// watching is the "keep remote up to date" toggle while it is on: a
// watch.Keeper running in a Cmd of its own, uploading through the App's
// queue, its reports read from a channel by another Cmd.
type watching struct {
	id      int
	label   string // "./site → host:/www"
	keeper  *watch.Keeper
	cancel  context.CancelFunc
	reports chan watch.Report
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

// toggleWatch starts keeping the remote pane's directory up to date with
// the local pane's, or stops it.
func (a *App) toggleWatch() tea.Cmd {
	if a.watch != nil {
		a.watch.cancel()
		a.setStatus("stopped watching " + a.watch.label)
		a.watch = nil
		return nil
	}
	li, ri := a.focus, 1-a.focus
	if !a.panes[li].ep.Local {
		li, ri = ri, li
	}
	lp, rp := a.panes[li], a.panes[ri]
	if !lp.ep.Local || rp.ep.Local {
		a.setErr(errors.New("keep remote up to date needs a local pane and a remote pane"))
		return nil
	}
	if a.opts.Queue == nil {
		a.setErr(errors.New("transfers are not available"))
		return nil
	}
	if !a.usable(li) || !a.usable(ri) {
		return nil
	}
	src, dst := lp.ep.transferEndpoint(), rp.ep.transferEndpoint()
	if src.Dial == nil || dst.Dial == nil {
		a.setErr(fmt.Errorf("cannot open transfer connections for %s", rp.ep.Name))
		return nil
	}
	// A bookmark's default excludes hold here as they do for F5.
	rules, err := filter.Compile(filter.Spec{Rules: filter.Exclude(append(append([]string(nil), lp.ep.Exclude...), rp.ep.Exclude...)...)})
	if err != nil {
		a.setErr(fmt.Errorf("the bookmark's excludes: %w", err))
		return nil
	}
	ctx, cancel := context.WithCancel(a.ctx)
	a.watchSeq++
	w := &watching{
		id:      a.watchSeq,
		label:   sanitize(lp.dir) + " → " + sanitize(rp.ep.Name) + ":" + sanitize(rp.dir),
		cancel:  cancel,
		reports: make(chan watch.Report, 16),
	}
	w.keeper = &watch.Keeper{
		Queue: a.opts.Queue, Local: src, Remote: dst,
		LocalRoot: filepath.FromSlash(lp.dir), RemoteRoot: rp.dir,
		Exclude: watch.Rules(filepath.FromSlash(lp.dir), rules),
		Report: func(r watch.Report) {
			select {
			case w.reports <- r:
			case <-ctx.Done():
			}
		},
	}
	a.watch = w
	a.setStatus("⟳ catching up " + w.label + "…")
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

// onWatchReport logs a report and re-arms the reader.
func (a *App) onWatchReport(msg watchReportMsg) tea.Cmd {
	w := a.watch
	if w == nil || msg.id != w.id {
		return nil // from a watch since stopped
	}
	r := msg.r
	switch r.Kind {
	case watch.KindError, watch.KindLost:
		a.setErr(fmt.Errorf("watch: %s", r))
	case watch.KindWatching, watch.KindCatchUp:
		a.log.add(a.now(), "watch: "+r.String())
		a.setStatus("watching " + w.label)
	default:
		a.log.add(a.now(), "watch: "+r.String())
	}
	return waitWatch(a.ctx, w.id, w.reports)
}

func (a *App) onWatchEnded(msg watchEndedMsg) tea.Cmd {
	if a.watch == nil || msg.id != a.watch.id {
		return nil
	}
	a.watch.cancel()
	a.watch = nil
	if msg.err != nil {
		a.setErr(fmt.Errorf("watch stopped: %w", msg.err))
	}
	return nil
}
