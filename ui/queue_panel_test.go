package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/ferryhq/ferry/transfer"
)

const mib = 1 << 20

// panelJobs is one job in each state the queue panel draws differently.
func panelJobs() []transfer.JobInfo {
	t0 := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	job := func(id transfer.JobID, name string, st transfer.State, bytes, size int64) transfer.JobInfo {
		j := transfer.JobInfo{ID: id, SrcSite: "local", SrcPath: "/src/" + name, DstSite: "demo", DstPath: "/dst/" + name,
			Size: size, Bytes: bytes, Files: 1, State: st, Started: t0, ETA: -1}
		switch st {
		case transfer.StateRunning:
			j.Rate, j.ETA = 3*mib, 95*time.Second
		case transfer.StateDone:
			j.Finished, j.Active, j.Moved = t0.Add(65*time.Second), 65*time.Second, bytes
		case transfer.StateFailed:
			j.Finished, j.Err = t0.Add(time.Second), errors.New("550 Permission denied on the server side of things")
		}
		return j
	}
	return []transfer.JobInfo{
		job(1, "big.iso", transfer.StateRunning, 37*mib, 200*mib),
		job(2, "a.txt", transfer.StateRunning, 900, 2000),
		job(3, "slow.tar", transfer.StateDone, 130*mib, 130*mib),
		job(4, "broken.bin", transfer.StateFailed, mib, 8*mib),
		job(5, "kept.txt", transfer.StateSkipped, 0, 5*mib),
	}
}

// queueRows finds each named job's row in the stripped screen.
func queueRows(t *testing.T, screen string, names ...string) map[string]string {
	t.Helper()
	rows := map[string]string{}
	for _, l := range strings.Split(screen, "\n") {
		for _, n := range names {
			if strings.Contains(l, n+" →") {
				rows[n] = l
			}
		}
	}
	for _, n := range names {
		if _, ok := rows[n]; !ok {
			t.Fatalf("no queue row for %s in\n%s", n, screen)
		}
	}
	return rows
}

// cellAfter is the cell just past the last occurrence of s in line.
func cellAfter(line, s string) int {
	i := strings.LastIndex(line, s)
	if i < 0 {
		return -1
	}
	return ansi.StringWidth(line[:i+len(s)])
}

func cellAt(line, s string) int {
	i := strings.Index(line, s)
	if i < 0 {
		return -1
	}
	return ansi.StringWidth(line[:i])
}

func TestQueuePanel_ColumnsLineUp(t *testing.T) {
	for _, w := range []int{80, 100, 120, 160} {
		t.Run(itoa(w)+" columns", func(t *testing.T) {
			a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) { o.Queue = newQueue(t) })
			a.Update(tea.WindowSizeMsg{Width: w, Height: 40})
			a.Update(queueEventMsg(transfer.Event{Jobs: panelJobs()}))
			a.showQueue = true
			a.layout()
			screen := screenText(a)
			rows := queueRows(t, screen, "big.iso", "a.txt", "slow.tar", "broken.bin", "kept.txt")
			// Each column's right edge, by the text each row has there.
			cols := map[string][]struct{ row, text string }{
				"bytes": {{"big.iso", "37M/200M"}, {"a.txt", "900/2.0K"}, {"slow.tar", "130M/130M"}, {"broken.bin", "1.0M/8.0M"}, {"kept.txt", "5.0M"}},
				"rate":  {{"big.iso", "3.0M/s"}, {"a.txt", "3.0M/s"}, {"slow.tar", "2.0M/s"}},
				"time":  {{"big.iso", "1:35"}, {"a.txt", "1:35"}, {"slow.tar", "1m05s"}},
			}
			for col, cells := range cols {
				want := -1
				for _, c := range cells {
					got := cellAfter(rows[c.row], c.text)
					if got < 0 {
						t.Fatalf("%s column: row %q lacks %q", col, rows[c.row], c.text)
					}
					if want < 0 {
						want = got
					} else if got != want {
						t.Errorf("%s column: %q ends at cell %d in %q, want %d like the row above", col, c.text, got, rows[c.row], want)
					}
				}
			}
			// The state column and the bars start at the same cell too.
			bar, state := -1, -1
			for name, row := range rows {
				b := cellAt(row, "█")
				if e := cellAt(row, "░"); b < 0 || (e >= 0 && e < b) {
					b = e
				}
				var s int
				for _, st := range []string{"running", "done", "failed", "skipped"} {
					if c := cellAt(row, " "+st+" "); c >= 0 {
						s = c
					}
				}
				if bar < 0 {
					bar, state = b, s
				}
				if b != bar || s != state {
					t.Errorf("row %s: bar at %d, state at %d; want %d and %d\n%s", name, b, s, bar, state, screen)
				}
				if n := ansi.StringWidth(row); n > w {
					t.Errorf("row %s is %d cells wide in a %d-column window", name, n, w)
				}
			}
		})
	}
}

// frames runs cmd and what it batches, for up to a moment each, and
// returns the progress frames they bring; the rest (the queue's event
// wait) is left behind.
func frames(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		switch msg := msg.(type) {
		case tea.BatchMsg:
			var out []tea.Msg
			for _, c := range msg {
				out = append(out, frames(c)...)
			}
			return out
		case progress.FrameMsg:
			return []tea.Msg{msg}
		}
	case <-time.After(200 * time.Millisecond):
	}
	return nil
}

func TestQueuePanel_RunningBarAnimatesByFrames(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) { o.Queue = newQueue(t) })
	a.showQueue = true
	a.layout()
	job := panelJobs()[0]
	job.Bytes = 0
	filled := func() int { return strings.Count(queueRows(t, screenText(a), "big.iso")["big.iso"], "█") }

	a.Update(queueEventMsg(transfer.Event{Jobs: []transfer.JobInfo{job}}))
	job.Bytes = job.Size * 3 / 4
	_, cmd := a.Update(queueEventMsg(transfer.Event{Jobs: []transfer.JobInfo{job}}))
	if got := filled(); got != 0 {
		t.Fatalf("the bar jumped to %d cells before any frame", got)
	}
	pending := frames(cmd)
	if len(pending) == 0 {
		t.Fatal("a job's progress brought no animation frame")
	}
	var seen []int
	for step := 0; step < 200 && len(pending) > 0; step++ {
		_, cmd := a.Update(pending[0])
		pending = append(pending[1:], frames(cmd)...)
		seen = append(seen, filled())
	}
	if len(pending) > 0 {
		t.Fatalf("the bar still animates after 200 frames: %v", seen)
	}
	want := jobBarW * 3 / 4
	if got := seen[len(seen)-1]; got != want {
		t.Errorf("the bar settled at %d cells, want %d (%v)", got, want, seen)
	}
	between := false
	for i, n := range seen {
		if n > 0 && n < want {
			between = true
		}
		if i > 0 && n < seen[i-1]-1 {
			t.Errorf("the bar went back from %d to %d cells: %v", seen[i-1], n, seen)
		}
	}
	if !between {
		t.Errorf("the bar jumped without steps in between: %v", seen)
	}

	// A finished job drops its animation and shows its final value.
	job.State, job.Bytes, job.Finished, job.Active, job.Moved = transfer.StateDone, job.Size, job.Started.Add(time.Minute), time.Minute, job.Size
	a.Update(queueEventMsg(transfer.Event{Jobs: []transfer.JobInfo{job}}))
	if len(a.queue.bars) != 0 {
		t.Errorf("a finished job keeps an animated bar")
	}
	if got := filled(); got != jobBarW {
		t.Errorf("a finished job's bar has %d cells filled, want %d", got, jobBarW)
	}
}

func TestQueuePanel_ColoursFailuresAndFadesFinished(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) { o.Queue = newQueue(t); o.NoColor = false })
	a.Update(queueEventMsg(transfer.Event{Jobs: panelJobs()}))
	a.showQueue, a.qFocus = true, true
	a.queue.sel = 3 // broken.bin
	a.layout()
	view := a.View().Content
	lines := strings.Split(view, "\n")
	find := func(s string) string {
		for _, l := range lines {
			if strings.Contains(ansi.Strip(l), s) {
				return l
			}
		}
		t.Fatalf("no line with %q in\n%s", s, ansi.Strip(view))
		return ""
	}
	reason := "550 Permission denied on the server side of things"
	// The selected failed job's reason: whole, on its own row, in red.
	whole := find("✗ broken.bin: " + reason)
	if !strings.Contains(whole, string(a.th.errStyle)) {
		t.Errorf("the failure's reason is not in the error colour: %q", whole)
	}
	// The selected row has the cursor's colours on its text and stats; its
	// bar between them keeps its own.
	if row := find("broken.bin →"); strings.Count(row, string(a.th.cursor)) != 2 || !strings.HasPrefix(ansi.Strip(row), frameV+" broken.bin →") {
		t.Errorf("selected row %q: want the cursor's style on its text and on its stats, not on its bar", row)
	}
	// Another failed job, not selected: its name in the error colour.
	a.queue.sel = 0
	view = a.View().Content
	lines = strings.Split(view, "\n")
	if strings.Contains(ansi.Strip(view), "✗ broken.bin") {
		t.Error("the reason row stays when the failed job is not selected")
	}
	if row := find("broken.bin →"); !strings.Contains(row, string(a.th.errStyle)+"broken.bin →") {
		t.Errorf("failed row not in the error colour: %q", row)
	}
	for _, name := range []string{"slow.tar →", "kept.txt →"} {
		if row := find(name); !strings.Contains(row, string(a.th.dim)+name) {
			t.Errorf("finished row %s does not fade: %q", name, row)
		}
	}
	if row := find("a.txt →"); strings.Contains(row, string(a.th.dim)+"a.txt") || strings.Contains(row, string(a.th.errStyle)+"a.txt") {
		t.Errorf("running row is dimmed or red: %q", row)
	}
}

func TestQueuePanel_NoColorBarsHaveNoColours(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) { o.Queue = newQueue(t) }) // NoColor
	a.Update(queueEventMsg(transfer.Event{Jobs: panelJobs(), Totals: transfer.Totals{Jobs: 5, Active: 2, Bytes: 40 * mib, Size: 300 * mib}}))
	a.showQueue = true
	a.layout()
	v := a.View().Content
	if !strings.Contains(v, "░") {
		t.Fatalf("no bars on the screen:\n%s", ansi.Strip(v))
	}
	for _, sgrColour := range []string{"38;5;", "48;5;", "38;2;", "48;2;"} {
		if strings.Contains(v, sgrColour) {
			t.Fatalf("NoColor queue holds colour sequence %q", sgrColour)
		}
	}
}
