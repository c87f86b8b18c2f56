package cli

import (
	"testing"

	"github.com/ferryhq/ferry/transfer"
)

// TestGCPacerFollowsBigFiles: the collector runs at treePace until a file
// of streamSize or more is being copied, at streamPace while any is, and
// back at treePace when the last one ends. Directories and small files do
// not count.
func TestGCPacerFollowsBigFiles(t *testing.T) {
	var got []int
	p := &gcPacer{set: func(v int) int { got = append(got, v); return 0 }, big: map[transfer.JobID]bool{}}
	p.apply()
	ev := func(jobs ...transfer.JobInfo) { p.update(transfer.Event{Jobs: jobs}) }
	run := transfer.StateRunning
	ev(transfer.JobInfo{ID: 1, Dir: true, State: run, Size: 10 * streamSize},
		transfer.JobInfo{ID: 2, State: run, Size: 4 << 10})
	ev(transfer.JobInfo{ID: 3, State: run, Size: streamSize})
	ev(transfer.JobInfo{ID: 4, State: run, Size: 2 * streamSize})
	ev(transfer.JobInfo{ID: 3, State: transfer.StateDone, Size: streamSize})
	ev(transfer.JobInfo{ID: 4, State: transfer.StateFailed, Size: 2 * streamSize})
	ev(transfer.JobInfo{ID: 2, State: transfer.StateDone, Size: 4 << 10})
	want := []int{treePace, streamPace, treePace}
	if len(got) != len(want) {
		t.Fatalf("paces set %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("paces set %v, want %v", got, want)
		}
	}
	var nilPacer *gcPacer
	nilPacer.update(transfer.Event{Jobs: []transfer.JobInfo{{ID: 5, State: run, Size: streamSize}}})
}
