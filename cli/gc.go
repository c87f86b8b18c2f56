package cli

import (
	"runtime"
	"runtime/debug"
)

// tuneRuntimeForTransfers sets the Go runtime up for the copy commands,
// where ferry's own CPU decides throughput on a fast link.
//
// The collector keeps its default pace, under a 48 MiB soft limit so that
// four big SFTP downloads at once (each with 8 MiB of reads in flight) stay
// under 64 MiB of RSS. A laxer pace (GOGC=400) helped while the collector
// had a core of its own; with the processor count below it made every
// allocation land in colder memory: a 2,000-file tree took 5% longer and
// 75% more memory, a 1 GiB download no less time and 70% more memory.
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
// GOGC, GOMEMLIMIT and GOMAXPROCS in the environment win.
func tuneRuntimeForTransfers(e *env) {
	if e.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(48 << 20)
	}
	if e.getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(max(1, runtime.NumCPU()-1))
	}
}
