package ui

import (
	"context"
	"fmt"
	"path"
	"slices"

	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/transfer"
)

// queueState mirrors the transfer queue from its events; Update never asks
// the queue directly.
type queueState struct {
	jobs   map[transfer.JobID]transfer.JobInfo // top-level jobs
	order  []transfer.JobID
	asking map[transfer.JobID]transfer.JobInfo // any job waiting on a conflict
	asked  map[transfer.JobID]bool             // a dialog is open or was deferred
	totals transfer.Totals
	sel    int
	offset int
	bar    progress.Model
	// bars animate the running jobs' progress on a spring, one each,
	// driven by progress.FrameMsg; a job that is not running is drawn
	// at its value and loses its bar.
	bars map[transfer.JobID]progress.Model
}

func newQueueState() queueState {
	return queueState{
		jobs:   map[transfer.JobID]transfer.JobInfo{},
		asking: map[transfer.JobID]transfer.JobInfo{},
		asked:  map[transfer.JobID]bool{},
		bar:    newBar(),
		bars:   map[transfer.JobID]progress.Model{},
	}
}

func newBar() progress.Model {
	return progress.New(progress.WithWidth(20), progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'))
}

// animateJob moves a running job's bar toward its new value; the Cmd
// brings the frames that step the spring.
func (qs *queueState) animateJob(j transfer.JobInfo) tea.Cmd {
	if j.State != transfer.StateRunning || j.Size <= 0 {
		delete(qs.bars, j.ID)
		return nil
	}
	b, ok := qs.bars[j.ID]
	if !ok {
		b = newBar()
	}
	cmd := b.SetPercent(float64(j.Bytes) / float64(j.Size))
	qs.bars[j.ID] = b
	return cmd
}

// animate steps the bar a frame belongs to; the others ignore it.
func (qs *queueState) animate(msg progress.FrameMsg) tea.Cmd {
	var cmds []tea.Cmd
	for id, b := range qs.bars {
		nb, cmd := b.Update(msg)
		if cmd != nil {
			qs.bars[id] = nb
			cmds = append(cmds, cmd)
		}
	}
	return tea.Batch(cmds...)
}

// jobBar draws a job's bar: the animated one while it runs, else pct.
// Without colours (NO_COLOR) the bars are drawn in the terminal's own.
func (qs *queueState) jobBar(id transfer.JobID, w int, pct float64, noColor bool) string {
	b, ok := qs.bars[id]
	if !ok {
		b = qs.bar
	}
	b.SetWidth(w)
	if noColor {
		b.FullColor, b.EmptyColor = lipgloss.NoColor{}, lipgloss.NoColor{}
	}
	if ok {
		return b.View()
	}
	return b.ViewAs(pct)
}

type (
	queueEventMsg  transfer.Event
	queueClosedMsg struct{}
	queueSeedMsg   []transfer.JobInfo
	queueOpMsg     struct {
		text string
		err  error
	}
)

// waitQueue is the Cmd that reads one event; Update re-arms it.
func waitQueue(ctx context.Context, ch <-chan transfer.Event) tea.Cmd {
	return func() tea.Msg {
		select {
		case ev, ok := <-ch:
			if !ok {
				return queueClosedMsg{}
			}
			return queueEventMsg(ev)
		case <-ctx.Done():
			return nil
		}
	}
}

// queueCmd runs a queue call off the Update goroutine, since the queue may
// save itself to disk.
func (a *App) queueCmd(okText string, fn func(q *transfer.Queue) error) tea.Cmd {
	q := a.opts.Queue
	if q == nil {
		a.setStatus("no transfer queue")
		return nil
	}
	return func() tea.Msg {
		if err := fn(q); err != nil {
			return queueOpMsg{err: err}
		}
		return queueOpMsg{text: okText}
	}
}

func (a *App) onQueueEvent(ev transfer.Event) tea.Cmd {
	qs := &a.queue
	qs.totals = ev.Totals
	for _, l := range ev.Log {
		a.log.add(a.now(), "* "+l)
	}
	refresh := map[int]bool{}
	var cmds []tea.Cmd
	for _, j := range ev.Jobs {
		if j.State == transfer.StateAsking && j.Conflict != nil {
			qs.asking[j.ID] = j
		} else {
			delete(qs.asking, j.ID)
			delete(qs.asked, j.ID)
		}
		if j.Parent != 0 {
			continue
		}
		old, seen := qs.jobs[j.ID]
		if !seen {
			qs.order = append(qs.order, j.ID)
		}
		qs.jobs[j.ID] = j
		if c := qs.animateJob(j); c != nil {
			cmds = append(cmds, c)
		}
		if j.State.Finished() && (!seen || !old.State.Finished()) {
			a.logResult(j)
			if a.watchOwns(j.ID) {
				continue // the watch relists its remote pane, a few times a second at most
			}
			for i, p := range a.panes {
				if p.siteID() == j.DstSite && (p.dir == path.Dir(j.DstPath) || p.dir == j.DstPath) {
					refresh[i] = true
				}
				if j.Options.DeleteSource && p.siteID() == j.SrcSite && p.dir == path.Dir(j.SrcPath) {
					refresh[i] = true
				}
			}
		}
	}
	for i := range refresh {
		p := a.panes[i]
		switch {
		case p.lost || p.client == nil:
		case p.busy != "":
			p.stale = true // the listing under way may predate this file
		default:
			cmds = append(cmds, a.list(i, p.dir))
		}
	}
	a.askNextConflict()
	return tea.Batch(cmds...)
}

func (a *App) logResult(j transfer.JobInfo) {
	line := fmt.Sprintf("%s %s → %s %s", j.State, j.SrcPath, j.DstSite, j.DstPath)
	if j.Dir {
		line += fmt.Sprintf(" (%s, %d failed)", counted(j.FilesDone, "file", "files"), j.FilesFailed)
	}
	if j.Err != nil {
		line += ": " + j.Err.Error()
	}
	a.log.add(a.now(), "= "+line)
	if j.State == transfer.StateFailed {
		a.status, a.statusErr = oneLine("transfer failed: "+path.Base(j.SrcPath)+": "+errText(j.Err)), true
	}
}

func errText(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

// askNextConflict opens the conflict dialog for one waiting job when no
// other dialog is up. Only that job waits; the others keep running.
func (a *App) askNextConflict() {
	if a.dialog != nil {
		return
	}
	for id, j := range a.queue.asking {
		if a.queue.asked[id] {
			continue
		}
		a.queue.asked[id] = true
		a.openDialog(a.conflictDialog(j))
		return
	}
}

var conflictChoices = []struct {
	c      choice
	policy transfer.Policy
}{
	{choice{"o", "Overwrite"}, transfer.PolicyOverwrite},
	{choice{"s", "Skip"}, transfer.PolicySkip},
	{choice{"r", "Resume"}, transfer.PolicyResume},
	{choice{"n", "Rename"}, transfer.PolicyRename},
	{choice{"w", "If newer"}, transfer.PolicyNewer},
}

func (a *App) conflictDialog(j transfer.JobInfo) dialog {
	c := j.Conflict
	now := a.now()
	lines := []string{
		"The target exists: " + sanitize(c.Path),
		fmt.Sprintf("  source: %8s  %s", humanSize(c.Src.Size), shortTime(c.Src.ModTime, now)),
		fmt.Sprintf("  target: %8s  %s", humanSize(c.Dst.Size), shortTime(c.Dst.ModTime, now)),
		"Other transfers keep running. Esc decides later (queue panel, Enter).",
	}
	var chs []choice
	for _, cc := range conflictChoices {
		chs = append(chs, cc.c)
	}
	id := j.ID
	return &choiceDialog{
		heading: "File exists",
		lines:   lines,
		choices: chs,
		toggle:  "apply to all",
		toggleK: "a",
		onChoose: func(a *App, idx int, all bool) tea.Cmd {
			if idx < 0 {
				return nil // deferred: stays asking in the queue
			}
			pol := conflictChoices[idx].policy
			return a.queueCmd("", func(q *transfer.Queue) error { return q.Resolve(id, pol, all) })
		},
	}
}

// copySelection queues the marked entries (or the one under the cursor) of
// pane src for the other pane's directory; move deletes the sources after.
// A copy of directories asks first, offering a filter (copyDialog).
func (a *App) copySelection(src int, move bool) tea.Cmd {
	sel := a.panes[src].selection()
	if !move && slices.ContainsFunc(sel, protocol.Entry.IsDir) {
		if a.queueReady(src) {
			a.openDialog(a.copyDialog(src, sel))
		}
		return nil
	}
	return a.queueEntries(src, sel, move, filter.Spec{})
}

// queueReady reports whether pane src's entries can be queued for the
// other pane, saying why not in the status line.
func (a *App) queueReady(src int) bool {
	dp := a.panes[1-src]
	switch {
	case a.opts.Queue == nil:
		a.setErr(fmt.Errorf("transfers are not available"))
	case dp.client == nil || dp.dir == "" || dp.lost:
		a.setErr(fmt.Errorf("the other pane (%s) is not connected", dp.ep.Name))
	default:
		return true
	}
	return false
}

// queueEntries queues sel of pane src for the other pane's directory; the
// directories' walks apply filt.
func (a *App) queueEntries(src int, sel []protocol.Entry, move bool, filt filter.Spec) tea.Cmd {
	sp, dp := a.panes[src], a.panes[1-src]
	if a.opts.Queue == nil {
		a.setErr(fmt.Errorf("transfers are not available"))
		return nil
	}
	if len(sel) == 0 {
		return nil
	}
	if dp.client == nil || dp.dir == "" || dp.lost {
		a.setErr(fmt.Errorf("the other pane (%s) is not connected", dp.ep.Name))
		return nil
	}
	srcEP, dstEP := sp.ep.transferEndpoint(), dp.ep.transferEndpoint()
	if srcEP.Dial == nil || dstEP.Dial == nil {
		a.setErr(fmt.Errorf("cannot open transfer connections for %s", sp.ep.Name+" → "+dp.ep.Name))
		return nil
	}
	if srcEP.ID == dstEP.ID && sp.dir == dp.dir {
		a.setErr(fmt.Errorf("source and target directory are the same"))
		return nil
	}
	specs := make([]transfer.Spec, 0, len(sel))
	for _, e := range sel {
		specs = append(specs, transfer.Spec{
			Src: srcEP, SrcPath: sp.join(e.Name),
			Dst: dstEP, DstPath: dp.join(e.Name),
			Dir:     e.IsDir(),
			Options: transfer.JobOptions{DeleteSource: move, Filter: filt},
		})
	}
	sp.clearMarks()
	verb := "copy"
	if move {
		verb = "move"
	}
	a.setStatus(fmt.Sprintf("queued %d to %s %s", len(specs), verb, dp.dir))
	return a.queueCmd("", func(q *transfer.Queue) error {
		for _, s := range specs {
			if _, err := q.Add(s); err != nil {
				return fmt.Errorf("queue %s: %w", s.SrcPath, err)
			}
		}
		return nil
	})
}

// queueKey handles keys while the queue panel has focus.
func (a *App) queueKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	km := &a.keys
	qs := &a.queue
	m := func(b interface{ Keys() []string }) bool {
		for _, k := range b.Keys() {
			if k == msg.String() {
				return true
			}
		}
		return false
	}
	var sel transfer.JobInfo
	has := qs.sel >= 0 && qs.sel < len(qs.order)
	if has {
		sel = qs.jobs[qs.order[qs.sel]]
	}
	id := sel.ID
	switch {
	case m(km.Up):
		qs.sel = max(qs.sel-1, 0)
	case m(km.Down):
		qs.sel = min(qs.sel+1, max(len(qs.order)-1, 0))
	case m(km.Top):
		qs.sel = 0
	case m(km.Bottom):
		qs.sel = max(len(qs.order)-1, 0)
	case msg.String() == "esc" || m(km.Switch):
		a.qFocus = false
	case !has:
		return nil, m(km.QPause) || m(km.QCancel) || m(km.QRetry) || m(km.QUp) || m(km.QDown)
	case msg.String() == "enter":
		for aid, j := range qs.asking {
			if aid == id || j.Parent == id {
				a.openDialog(a.conflictDialog(j))
				return nil, true
			}
		}
	case m(km.QPause):
		if sel.State == transfer.StatePaused {
			return a.queueCmd("resumed", func(q *transfer.Queue) error { return q.Resume(id) }), true
		}
		return a.queueCmd("paused", func(q *transfer.Queue) error { return q.Pause(id) }), true
	case m(km.QCancel):
		if sel.State.Finished() {
			qs.remove(id)
			return a.queueCmd("removed", func(q *transfer.Queue) error { return q.Remove(id) }), true
		}
		return a.queueCmd("canceled", func(q *transfer.Queue) error { return q.Cancel(id) }), true
	case m(km.QRetry):
		return a.queueCmd("retrying", func(q *transfer.Queue) error { return q.Retry(id) }), true
	case m(km.QUp), m(km.QDown):
		to := qs.sel - 1
		if m(km.QDown) {
			to = qs.sel + 1
		}
		if to < 0 || to >= len(qs.order) {
			return nil, true
		}
		qs.order[qs.sel], qs.order[to] = qs.order[to], qs.order[qs.sel]
		qs.sel = to
		return a.queueCmd("", func(q *transfer.Queue) error { return q.MoveTo(id, to) }), true
	case m(km.QClear):
		for _, jid := range append([]transfer.JobID(nil), qs.order...) {
			if qs.jobs[jid].State.Finished() {
				qs.remove(jid)
			}
		}
		return a.queueCmd("cleared finished jobs", func(q *transfer.Queue) error { q.ClearFinished(); return nil }), true
	default:
		return nil, false
	}
	return nil, true
}

func (qs *queueState) remove(id transfer.JobID) {
	delete(qs.jobs, id)
	delete(qs.bars, id)
	for i, o := range qs.order {
		if o == id {
			qs.order = append(qs.order[:i], qs.order[i+1:]...)
			break
		}
	}
	if qs.sel >= len(qs.order) {
		qs.sel = max(len(qs.order)-1, 0)
	}
}

// seedQueue adds the jobs the queue already held when the App started.
func (a *App) seedQueue(jobs []transfer.JobInfo) {
	qs := &a.queue
	for _, j := range jobs {
		if _, seen := qs.jobs[j.ID]; seen {
			continue
		}
		qs.order = append(qs.order, j.ID)
		qs.jobs[j.ID] = j
		if j.State == transfer.StateAsking && j.Conflict != nil {
			qs.asking[j.ID] = j
		}
	}
}
