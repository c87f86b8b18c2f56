package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/progress"
	"github.com/charmbracelet/x/ansi"

	"github.com/ferryhq/ferry/transfer"
)

// progressView shows a queue's events: on a terminal, a bar per file in
// flight and a total line, redrawn in place (like rsync and lftp); otherwise
// one plain line per finished file, so logs and pipes stay readable.
type progressView struct {
	out      io.Writer
	errw     io.Writer
	terminal bool
	quiet    bool
	bar      progress.Model

	mu      sync.Mutex
	active  map[transfer.JobID]transfer.JobInfo
	totals  transfer.Totals
	drawn   int // lines of the last frame, to redraw over them
	start   time.Time
	failed  int
	done    int
	skipped int
}

// maxBars bounds the bars drawn at once; the rest show in the total.
const maxBars = 8

func newProgress(e *env, quiet bool) *progressView {
	return &progressView{
		out: e.Out, errw: e.Err, terminal: e.Terminal, quiet: quiet,
		bar:    progress.New(progress.WithWidth(24), progress.WithoutPercentage(), progress.WithDefaultBlend()),
		active: map[transfer.JobID]transfer.JobInfo{},
		start:  time.Now(),
	}
}

// log prints an engine message (refusals, retries, failures) on stderr,
// above the bars.
func (p *progressView) log(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quiet && !isErrorLine(line) {
		return
	}
	p.clear()
	fmt.Fprintln(p.errw, "ferry: "+ansi.Strip(line))
}

// println prints a line of news (a watch's rename or removal) on stdout,
// above the bars; --quiet hides it.
func (p *progressView) println(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quiet {
		return
	}
	p.clear()
	fmt.Fprintln(p.out, ansi.Strip(line))
	if p.terminal {
		p.draw()
	}
}

// isErrorLine tells the engine's error lines (a failed file, a refused
// name, a walk that failed, a directory a move could not remove) from its
// notes (retries, resumes refused and started over), which --quiet hides.
func isErrorLine(line string) bool {
	for _, prefix := range []string{"failed ", "refused ", "walk ", "remove emptied directories "} {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}

// update folds one event in and redraws.
func (p *progressView) update(ev transfer.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.totals = ev.Totals
	for _, j := range ev.Jobs {
		if j.Dir {
			continue // its files come as their own jobs
		}
		switch {
		case j.State == transfer.StateRunning:
			p.active[j.ID] = j
		case j.State.Finished():
			delete(p.active, j.ID)
			p.finished(j)
		default:
			delete(p.active, j.ID)
		}
	}
	if p.terminal && !p.quiet {
		p.draw()
	}
}

// finished reports one file; callers hold p.mu.
func (p *progressView) finished(j transfer.JobInfo) {
	switch j.State {
	case transfer.StateDone:
		p.done++
	case transfer.StateSkipped:
		p.skipped++
	case transfer.StateFailed, transfer.StateCanceled:
		p.failed++
	}
	// Failures reach stderr through log; a terminal shows the rest in bars;
	// skipped files (a mirror's unchanged ones) only count in the summary.
	if p.quiet || p.terminal || j.State != transfer.StateDone {
		return
	}
	fmt.Fprintln(p.out, ansi.Strip(fmt.Sprintf("%-8s %s -> %s  %s", j.State, j.SrcPath, j.DstPath, humanBytes(j.Bytes))))
}

// clear erases the last frame; callers hold p.mu.
func (p *progressView) clear() {
	if p.drawn == 0 {
		return
	}
	fmt.Fprintf(p.out, "\x1b[%dF\x1b[J", p.drawn)
	p.drawn = 0
}

// draw renders the bars and the total line; callers hold p.mu.
func (p *progressView) draw() {
	p.clear()
	jobs := make([]transfer.JobInfo, 0, len(p.active))
	for _, j := range p.active {
		jobs = append(jobs, j)
	}
	sort.Slice(jobs, func(a, b int) bool { return jobs[a].ID < jobs[b].ID })
	var b strings.Builder
	lines := 0
	for i, j := range jobs {
		if i == maxBars {
			fmt.Fprintf(&b, "  … and %d more\n", len(jobs)-maxBars)
			lines++
			break
		}
		fmt.Fprintf(&b, "%s %5.1f%% %9s %10s/s %s\n", p.bar.ViewAs(frac(j.Bytes, j.Size)), 100*frac(j.Bytes, j.Size),
			humanBytes(j.Bytes), humanBytes(int64(j.Rate)), shorten(ansi.Strip(j.SrcPath), 40))
		lines++
	}
	t := p.totals
	eta := "--:--"
	if t.ETA >= 0 {
		eta = t.ETA.Round(time.Second).String()
	}
	fmt.Fprintf(&b, "total %s of %s  %s/s  ETA %s  %d done, %d failed\n",
		humanBytes(t.Bytes), humanBytes(t.Size), humanBytes(int64(t.Rate)), eta, p.done, p.failed)
	lines++
	io.WriteString(p.out, b.String())
	p.drawn = lines
}

// finish prints the summary line.
func (p *progressView) finish(jobs []transfer.JobInfo) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	if p.quiet {
		return
	}
	var files, failed int
	var bytes, moved int64
	for _, j := range jobs {
		files += j.Files
		failed += j.FilesFailed // counts names a walk refused, too
		bytes += j.Bytes
		moved += j.Moved // the rate leaves out resumed prefixes, there before
	}
	failed = max(failed, p.failed)
	skipped := p.skipped
	took := time.Since(p.start)
	fmt.Fprintf(p.out, "%d of %d files copied, %s in %s (%s/s)", p.done, files, humanBytes(bytes), took.Round(time.Millisecond), humanBytes(int64(float64(moved)/max(took.Seconds(), 0.001))))
	if resumed := bytes - moved; resumed > 0 {
		// Say what was there already, so the size and the rate add up.
		fmt.Fprintf(p.out, ", %s of it resumed", humanBytes(resumed))
	}
	if skipped > 0 {
		fmt.Fprintf(p.out, ", %d skipped", skipped)
	}
	if failed > 0 {
		fmt.Fprintf(p.out, ", %d failed", failed)
	}
	fmt.Fprintln(p.out)
}

func frac(a, b int64) float64 {
	if b <= 0 {
		return 1
	}
	return min(1, float64(a)/float64(b))
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}

// humanBytes prints 1536 as "1.5 KiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
