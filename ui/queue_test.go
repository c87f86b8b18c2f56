package ui

import (
	"errors"
	"github.com/charmbracelet/x/ansi"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/transfer"
)

func TestQueueShowsHowFinishedJobsWent(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) { o.Queue = newQueue(t) })
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	const mib = 1 << 20
	file := func(id transfer.JobID, name string, size int64) transfer.JobInfo {
		return transfer.JobInfo{ID: id, SrcSite: "local", SrcPath: "/src/" + name, DstSite: "demo", DstPath: "/dst/" + name, Size: size, Files: 1, ETA: -1}
	}
	running := func(j transfer.JobInfo, bytes int64) transfer.JobInfo {
		j.State, j.Bytes, j.Started, j.Rate, j.ETA = transfer.StateRunning, bytes, t0, 10*mib, 2*time.Second
		return j
	}
	ended := func(j transfer.JobInfo, st transfer.State, bytes int64, took time.Duration, err error) transfer.JobInfo {
		j.State, j.Bytes, j.Started, j.Finished, j.Active, j.Rate, j.ETA, j.Err = st, bytes, t0, t0.Add(took), took, 0, -1, err
		j.Moved = bytes
		return j
	}
	fast, slow, kept, broken, busy := file(1, "fast.iso", 48*mib), file(2, "slow.tar", 130*mib), file(3, "kept.txt", 5*mib), file(4, "broken.bin", 8*mib), file(5, "busy.img", 40*mib)
	// retried failed, sat an hour until the user retried it, then finished:
	// its time and rate are those of the copying alone.
	retried := ended(file(7, "retried.iso", 48*mib), transfer.StateDone, 48*mib, 4*time.Second, nil)
	retried.Finished = t0.Add(time.Hour + 4*time.Second)
	// resumed found 40M of its 48M in a part: its rate is of the 8M moved.
	resumed := ended(file(8, "resumed.iso", 48*mib), transfer.StateDone, 48*mib, 4*time.Second, nil)
	resumed.Moved = 8 * mib
	dir := transfer.JobInfo{ID: 6, SrcSite: "local", SrcPath: "/src/photos", DstSite: "demo", DstPath: "/dst/photos", Dir: true, Size: 30 * mib, Files: 3, ETA: -1}

	// Every job is first seen running, then (but one) finishes.
	a.Update(queueEventMsg(transfer.Event{Jobs: []transfer.JobInfo{running(fast, mib), running(slow, mib), running(kept, 0), running(broken, mib), running(busy, 20*mib), running(dir, mib), retried, resumed}}))
	dirDone := ended(dir, transfer.StateDone, 30*mib, 3*time.Second, nil)
	dirDone.FilesDone = 3
	a.Update(queueEventMsg(transfer.Event{Jobs: []transfer.JobInfo{
		ended(fast, transfer.StateDone, 48*mib, 4*time.Second, nil),
		ended(slow, transfer.StateDone, 130*mib, 65*time.Second, nil),
		ended(kept, transfer.StateSkipped, 0, 10*time.Millisecond, nil),
		ended(broken, transfer.StateFailed, mib, time.Second, errors.New("550 Permission denied")),
		dirDone,
	}}))
	a.showQueue = true
	a.layout()

	lines := map[string]string{}
	for _, l := range strings.Split(screenText(a), "\n") {
		for _, name := range []string{"fast.iso", "slow.tar", "kept.txt", "broken.bin", "busy.img", "photos/", "retried.iso", "resumed.iso"} {
			if strings.Contains(l, name+" →") {
				lines[name] = strings.Join(strings.Fields(l), " ")
			}
		}
	}
	for name, want := range map[string][]string{
		"fast.iso":    {"done", "48M/48M 12M/s 4s"},
		"slow.tar":    {"done", "130M/130M 2.0M/s 1m05s"},
		"kept.txt":    {"skipped", " 5.0M"},
		"broken.bin":  {"failed", "1.0M/8.0M", "550 Permission denied"},
		"busy.img":    {"running", "20M/40M 10M/s 0:02"},
		"photos/":     {"done 3/3", "30M/30M 10M/s 3s"},
		"retried.iso": {"done", "48M/48M 12M/s 4s"},
		"resumed.iso": {"done", "48M/48M 2.0M/s 4s"},
	} {
		line, ok := lines[name]
		if !ok {
			t.Errorf("no queue line for %s in\n%s", name, screenText(a))
			continue
		}
		for _, w := range want {
			if !strings.Contains(line, w) {
				t.Errorf("queue line %q, want it to show %q", line, w)
			}
		}
		if name != "busy.img" && (strings.Contains(line, " - ") || strings.HasSuffix(line, " -")) {
			t.Errorf("finished job's line %q still shows a dash for its rate or time", line)
		}
	}
}

func TestElapsed(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{300 * time.Millisecond, "<1s"},
		{4 * time.Second, "4s"},
		{4600 * time.Millisecond, "5s"},
		{65 * time.Second, "1m05s"},
		{59*time.Minute + 59*time.Second, "59m59s"},
		{time.Hour + 2*time.Minute + 10*time.Second, "1h02m"},
	} {
		if got := elapsed(tc.d); got != tc.want {
			t.Errorf("elapsed(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestQueueSummaryOfAFinishedQueueHasNoDashes: once nothing runs, the
// summary line shows the totals, not a dash for the rate and the ETA.
func TestQueueSummaryOfAFinishedQueueHasNoDashes(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) { o.Queue = newQueue(t) })
	const mib = 1 << 20
	a.Update(queueEventMsg(transfer.Event{Totals: transfer.Totals{Jobs: 2, Done: 2, Bytes: 200 * mib, Size: 200 * mib}}))
	got := strings.Join(strings.Fields(ansi.Strip(a.queueSummary(100))), " ")
	if !strings.Contains(got, "2 done 200M/200M") || strings.Contains(got, "ETA") || strings.Contains(got, " - ") {
		t.Errorf("summary of a finished queue: %q", got)
	}
	a.Update(queueEventMsg(transfer.Event{Totals: transfer.Totals{Jobs: 2, Active: 1, Done: 1, Bytes: 100 * mib, Size: 200 * mib, Rate: 10 * mib, ETA: 10 * time.Second}}))
	if got := ansi.Strip(a.queueSummary(100)); !strings.Contains(got, "10M/s ETA 0:10") {
		t.Errorf("summary of a running queue: %q", got)
	}
}
