package ui

import (
	"fmt"
	"path"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/ferryhq/ferry/transfer"
)

// queueSummary is the always visible line: counts, totals, rate and a bar.
func (a *App) queueSummary(w int) string {
	t := a.queue.totals
	if t.Jobs == 0 && len(a.queue.order) == 0 {
		return a.th.dim.render(fit(" queue empty", w))
	}
	pct := 0.0
	if t.Size > 0 {
		pct = float64(t.Bytes) / float64(t.Size)
	}
	text := fmt.Sprintf(" %d active %d queued %d done", t.Active, t.Queued, t.Done)
	if t.Failed > 0 {
		text += fmt.Sprintf(" %d failed", t.Failed)
	}
	if n := len(a.queue.asking); n > 0 {
		text += fmt.Sprintf(" %d asking", n)
	}
	if t.Active == 0 && t.Queued == 0 && len(a.queue.asking) == 0 {
		// Nothing moves: a rate and an ETA would only be dashes.
		text += fmt.Sprintf("  %s/%s ", humanSize(t.Bytes), humanSize(t.Size))
	} else {
		text += fmt.Sprintf("  %s/%s %s ETA %s ", humanSize(t.Bytes), humanSize(t.Size), rate(t.Rate), eta(t.ETA))
	}
	barW := min(20, w-visibleWidth(text)-1)
	if barW < 5 {
		return fit(text, w)
	}
	return fit(text+a.queue.jobBar(0, barW, pct, a.th.noColor), w)
}

// queuePanel lists jobs with progress bars; rows includes its title line.
func (a *App) queuePanel(w, rows int) []string {
	qs := &a.queue
	out := make([]string, 0, rows)
	title := fmt.Sprintf(" Transfers (%d) — p pause/resume · x cancel · r retry · K/J reorder · C clear", len(qs.order))
	st := a.th.header
	if a.qFocus {
		st = a.th.headerFocus
	}
	out = append(out, st.render(fit(title, w)))
	body := rows - 1
	if qs.sel < qs.offset {
		qs.offset = qs.sel
	}
	if qs.sel >= qs.offset+body {
		qs.offset = qs.sel - body + 1
	}
	// The selected job's failure gets the panel's last row, whole, in
	// the error colour: its own row has only the room its name leaves.
	var reason string
	if a.qFocus && qs.sel >= 0 && qs.sel < len(qs.order) && body >= 2 {
		if j := qs.jobs[qs.order[qs.sel]]; j.Err != nil && j.State.Finished() {
			reason = a.th.errStyle.render(fit(" ✗ "+path.Base(j.SrcPath)+": "+oneLine(j.Err.Error()), w))
			body--
			if qs.sel >= qs.offset+body {
				qs.offset = qs.sel - body + 1
			}
		}
	}
	for r := 0; r < body; r++ {
		i := qs.offset + r
		if i >= len(qs.order) {
			out = append(out, strings.Repeat(" ", w))
			continue
		}
		j := qs.jobs[qs.order[i]]
		out = append(out, a.jobLine(j, w, i == qs.sel && a.qFocus))
	}
	if reason != "" {
		out = append(out, reason)
	}
	return out
}

// Cells of a queue line's columns: state, bar, bytes done/total, rate
// (average once done) and time left (time taken once done). The numbers
// are right-aligned, so the rows line up whatever the values.
const (
	jobStateW = 14
	jobBarW   = 12
	jobBytesW = 11
	jobRateW  = 7
	jobTimeW  = 6
	jobStatsW = jobBytesW + jobRateW + jobTimeW + 3
)

// jobLine draws one job; the selected one has the cursor's colours on its
// text, around a bar that keeps its own.
func (a *App) jobLine(j transfer.JobInfo, w int, selected bool) string {
	pct := 0.0
	if j.Size > 0 {
		pct = float64(j.Bytes) / float64(j.Size)
	}
	if j.State == transfer.StateDone {
		pct = 1
	}
	state := j.State.String()
	if j.Dir {
		state += fmt.Sprintf(" %d/%d", j.FilesDone, j.Files)
		if j.Walking {
			state += "+"
		}
	}
	name := path.Base(j.SrcPath)
	if j.Dir {
		name += "/"
	}
	bytes, rt, tm := jobStats(j)
	stats := " " + fitLeft(bytes, jobBytesW) + " " + fitLeft(rt, jobRateW) + " " + fitLeft(tm, jobTimeW)
	barW := jobBarW
	nameW := w - barW - jobStatsW - jobStateW - 3
	if nameW < 8 {
		barW, stats = 0, ""
		nameW = w - jobStateW - 2
	}
	dst := j.DstSite
	if dst == "local" {
		dst = path.Dir(j.DstPath)
	} else {
		dst += ":" + path.Dir(j.DstPath)
	}
	// Finished jobs fade; failed ones are in the error colour.
	var rowStyle style
	switch j.State {
	case transfer.StateDone, transfer.StateSkipped:
		rowStyle = a.th.dim
	case transfer.StateFailed, transfer.StateCanceled:
		rowStyle = a.th.errStyle
	}
	what := rowStyle.render(sanitize(name) + " → " + sanitize(dst))
	// A failure's reason follows in the room the name leaves, so the
	// columns stay aligned; the selected job shows it whole below.
	if room := nameW - visibleWidth(what) - 2; room >= 4 && j.Err != nil && j.State == transfer.StateFailed {
		what += "  " + a.th.errStyle.render(ansi.Truncate(oneLine(j.Err.Error()), room, "…"))
	}
	s := " " + fit(what, max(nameW, 1)) + " "
	var stStyle style
	switch j.State {
	case transfer.StateFailed, transfer.StateCanceled:
		stStyle = a.th.errStyle
	case transfer.StateAsking:
		stStyle = a.th.warn
	case transfer.StateDone:
		stStyle = a.th.ok
	case transfer.StateSkipped:
		stStyle = a.th.dim
	}
	s += stStyle.render(fit(state, jobStateW))
	if selected {
		if barW == 0 {
			return a.th.cursor.render(fit(ansi.Strip(s), w))
		}
		return fit(a.th.cursor.render(ansi.Strip(s)+" ")+a.queue.jobBar(j.ID, barW, pct, a.th.noColor)+a.th.cursor.render(stats), w)
	}
	if barW > 0 {
		s += " " + a.queue.jobBar(j.ID, barW, pct, a.th.noColor) + rowStyle.render(stats)
	}
	return fit(s, w)
}

// jobStats is a job's progress, rate and time left while it runs. Once it
// is done they become its average rate and how long it took, from the
// time the engine spent transferring it and the bytes moved meanwhile (as
// FileZilla shows them), so neither the hours a job sat failed before a
// retry nor a resumed part's prefix count; a failed or canceled job keeps
// how far it got, a skipped one its size.
func jobStats(j transfer.JobInfo) (bytes, rt, tm string) {
	sizes := humanSize(j.Bytes) + "/" + humanSize(j.Size)
	switch j.State {
	case transfer.StateDone:
		took := j.Active
		if took <= 0 {
			return sizes, "", ""
		}
		if j.Moved > 0 {
			rt = rate(float64(j.Moved) / took.Seconds())
		}
		return sizes, rt, elapsed(took)
	case transfer.StateSkipped:
		return humanSize(j.Size), "", "" // the state column says skipped
	case transfer.StateFailed, transfer.StateCanceled:
		return sizes, "", ""
	}
	return sizes, rate(j.Rate), eta(j.ETA)
}
