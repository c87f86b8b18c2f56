package cli

import (
	"runtime"
	"runtime/debug"

	"github.com/ferryhq/ferry/transfer"
)

// tuneRuntimeForTransfers trades a little memory for CPU in the copy
// commands, where ferry's own CPU decides throughput on a fast link. It
// returns the pacer that sets the collector's pace as the work goes, or
// nil when the environment sets GOGC or GOMEMLIMIT.
//
// The scheduler: a transfer is a few goroutines that mostly wait on
// sockets and disks, and Go's idle processors spin looking for work before
// they sleep. With every core a processor, that spinning took CPU from
// whatever else the machine was doing for the same transfer (the kernel's
// network stack, a local server, the disk): on a 2-core machine one
// processor fewer than cores made a 1 GiB SFTP download about 10% faster
// and a 2,000-file tree 10-15% faster, with less CPU in all. One core is
// left to the rest; crypto for parallel sessions still spreads over the
// others.
//
// The collector runs under a 48 MiB soft limit, at a pace gcPacer picks.
//
// GOGC, GOMEMLIMIT and GOMAXPROCS in the environment win.
func tuneRuntimeForTransfers(e *env) *gcPacer {
	if e.getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(max(1, runtime.NumCPU()-1))
	}
	if e.getenv("GOGC") != "" || e.getenv("GOMEMLIMIT") != "" {
		return nil
	}
	debug.SetMemoryLimit(48 << 20)
	p := &gcPacer{set: debug.SetGCPercent, big: map[transfer.JobID]bool{}}
	p.apply()
	return p
}

const (
	// streamPace is the collector's pace while a big file streams. SSH
	// decryption allocates every 32 KiB packet afresh, and each collection
	// costs the stream more than the memory it frees: a 1 GiB SFTP
	// download took 3.14 s collecting at the default pace and 2.44 s at
	// 5× the live heap (median of 6 alternating runs each); at 17× it
	// took 2.67 s against 2.96 s at 5×, with 2.02 against 2.31
	// CPU-seconds (9 alternating runs). The live heap is a few MiB, so at
	// this pace the 48 MiB limit is what starts a collection: peak RSS
	// 53 MiB for one stream, 55 MiB for four (40 and 55 at 5×).
	streamPace = 1600
	// treePace is the pace otherwise: a tree of small files is over in a
	// moment, and a heap let grow to 5× paid a page fault for every fresh
	// page — 2,000 files over SFTP took 0.57 s at the default pace and 0.62
	// s at 5×, with 0.36 vs 0.43 CPU-seconds and half the faults.
	treePace = 100
	// streamSize is the file size from which a transfer counts as a
	// stream.
	streamSize = 8 << 20
)

// gcPacer follows the queue's events and collects at streamPace while a
// file of streamSize or more is being copied, at treePace otherwise.
type gcPacer struct {
	set     func(int) int
	big     map[transfer.JobID]bool // running files of streamSize or more
	current int
}

func (p *gcPacer) update(ev transfer.Event) {
	if p == nil {
		return
	}
	for _, j := range ev.Jobs {
		if !j.Dir && j.State == transfer.StateRunning && j.Size >= streamSize {
			p.big[j.ID] = true
		} else {
			delete(p.big, j.ID)
		}
	}
	p.apply()
}

func (p *gcPacer) apply() {
	pace := treePace
	if len(p.big) > 0 {
		pace = streamPace
	}
	if pace != p.current {
		p.current = pace
		p.set(pace)
	}
}
