package ui

import (
	"fmt"
	"path"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/ferryhq/ferry/transfer"
)

// queueSummary is the always visible line: counts, totals, rate and a bar,
// in the key bar's manner: the numbers stand out, the words are dimmed,
// failures and questions in their own colours.
func (a *App) queueSummary(w int) string {
	th := &a.th
	t := a.queue.totals
	if t.Jobs == 0 && len(a.queue.order) == 0 {
		return th.dim.render(fit(" queue empty", w))
	}
	pct := 0.0
	if t.Size > 0 {
		pct = float64(t.Bytes) / float64(t.Size)
	}
	var b strings.Builder
	n := 0
	add := func(num string, numSt style, word string) {
		b.WriteString(" ")
		b.WriteString(numSt.render(num))
		b.WriteString(th.dim.render(" " + word))
		n += 2 + len(num) + len(word)
	}
	add(itoa(t.Active), th.frameTitle, "active")
	add(itoa(t.Queued), th.frameTitle, "queued")
	add(itoa(t.Done), th.frameTitle, "done")
	if t.Failed > 0 {
		add(itoa(t.Failed), th.errStyle, "failed")
	}
	if k := len(a.queue.asking); k > 0 {
		add(itoa(k), th.warn, "asking")
	}
	sizes := "  " + humanSize(t.Bytes) + "/" + humanSize(t.Size) + " "
	b.WriteString(sizes)
	n += visibleWidth(sizes)
	if t.Active > 0 || t.Queued > 0 || len(a.queue.asking) > 0 {
		// Something moves: its rate and when it ends. (Still, a rate and
		// an ETA would only be dashes.)
		b.WriteString(th.frameTitle.render(rate(t.Rate)))
		b.WriteString(th.dim.render(" ETA "))
		b.WriteString(th.frameTitle.render(eta(t.ETA)))
		b.WriteString(" ")
		n += visibleWidth(rate(t.Rate)) + 5 + visibleWidth(eta(t.ETA)) + 1
	}
	text := b.String()
	barW := min(20, w-n-1)
	if barW < 5 {
		return fit(text, w)
	}
	return fit(text+a.queue.jobBar(0, barW, pct, th.noColor), w)
}

// queuePanel lists jobs with progress bars in a frame like the panes':
// the title and the job count in the top border, the queue keys on its
// right while there is room, and the rows shown out of how many at the
// bottom when they do not all fit. rows includes both borders.
func (a *App) queuePanel(w, rows int) []string {
	qs := &a.queue
	th := &a.th
	fs := th.frameStyle(a.qFocus)
	side := fs.render(frameV)
	iw := max(w-2, 0)
	out := make([]string, 0, rows)

	title := fmt.Sprintf("Transfers (%d)", len(qs.order))
	room := labelRoom(w, 2) - 1
	hints := ""
	for _, h := range []string{
		"p pause · x cancel · r retry · K/J reorder · C clear",
		"p pause · x cancel · r retry",
	} {
		if visibleWidth(title)+visibleWidth(h) <= room {
			hints = h
			break
		}
	}
	title = fit(title, min(visibleWidth(title), labelRoom(w, 1)))
	hw := visibleWidth(hints)
	out = append(out, borderLine(fs, frameTL, frameTR, th.frameTitle.render(title), visibleWidth(title), th.dim.render(hints), hw, w))

	body := max(rows-2, 0)
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
			reason = th.errStyle.render(fit(" ✗ "+path.Base(j.SrcPath)+": "+oneLine(j.Err.Error()), iw))
			body--
			if qs.sel >= qs.offset+body {
				qs.offset = qs.sel - body + 1
			}
		}
	}
	blank := strings.Repeat(" ", iw)
	for r := 0; r < body; r++ {
		i := qs.offset + r
		if i >= len(qs.order) {
			if r == 0 && len(qs.order) == 0 {
				out = append(out, framed(side, th.dim.render(fit(" nothing queued: "+a.keys.Copy.Help().Key+" copies the marked entries to the other pane, "+a.keys.Move.Help().Key+" moves them", iw))))
				continue
			}
			out = append(out, framed(side, blank))
			continue
		}
		j := qs.jobs[qs.order[i]]
		out = append(out, framed(side, a.jobLine(j, iw-1, i == qs.sel && a.qFocus)+" "))
	}
	if reason != "" {
		out = append(out, framed(side, reason))
	}
	if rows >= 2 {
		pos := ""
		if n := len(qs.order); n > body && body > 0 {
			pos = fmt.Sprintf("%d–%d of %d", qs.offset+1, min(qs.offset+body, n), n)
		}
		out = append(out, borderLine(fs, frameBL, frameBR, th.dim.render(pos), visibleWidth(pos), "", 0, w))
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
