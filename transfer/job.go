package transfer

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// job is the engine's record of one job: a top-level file or directory job,
// or a file job a directory walk produced (parent != nil). Fields other than
// the atomics are guarded by engine.mu.
type job struct {
	id      JobID
	parent  *job
	srcID   string
	srcPath string
	dstID   string
	dstPath string
	dir     bool
	opts    JobOptions

	state    State
	attempt  int
	tries    tries // failed attempts, and whether another may follow
	mark     int64 // the furthest any attempt started from (bytes kept)
	err      error
	conflict *Conflict
	decision Policy // the answer from Resolve, for this run's attempts
	started  time.Time
	finished time.Time
	// busy is the time the job spent transferring, which its duration and
	// average rate are taken from: a file's attempts, a directory's
	// stretches with at least one of its files in an attempt. Waiting
	// (queued, paused, failed until retried by hand, backing off, asking)
	// is left out, as it moves nothing. busySince is when the running
	// attempt or stretch began, zero between them.
	busy      time.Duration
	busySince time.Time

	bytes atomic.Int64 // bytes of this file written so far (file jobs)
	size  int64        // source size (file jobs), files found so far (dirs)
	moved atomic.Int64 // unix nanos of the last byte moved, for the stall watchdog
	// copied counts the bytes the job's attempts moved (a directory's:
	// its files'), which its rates are taken from. Unlike bytes it leaves
	// out a resumed part's prefix, already there when the attempt began.
	copied atomic.Int64

	rate      float64
	lastBytes int64
	lastTick  time.Time

	// File jobs.
	entry       *protocol.Entry // the source entry, known from the walk
	newDir      bool            // the walk created the target's directory: no target or part to look for
	dstAbsent   bool            // the caller saw no target: the first attempt does not look for one
	looked      bool            // an attempt has begun: later ones (retried, resumed) ask again
	cancel      context.CancelCauseFunc
	stop        error     // errPaused or errCanceled asked while running
	partSrcSize int64     // source size when the part was written
	partSrcTime time.Time // source mtime when the part was written
	partSegs    []segment // segmented progress; a part with holes
	resumeWalk  bool      // skip targets identical to the source (reload, retry)

	// Directory jobs.
	pending     []*job // walked files waiting for a worker, in order
	active      int    // children running, asking or retrying
	children    map[JobID]*job
	walkCancel  context.CancelFunc
	walkRunning bool
	walkDone    bool
	pruning     bool // removing the emptied source directories of a move
	pruned      bool // that is done; checkDir may finish the job
	walkErr     error
	bytesDone   int64 // bytes of finished children
	attempts    int   // children in an attempt now: the directory is busy
	// gen counts Retry restarts of a directory; files of an older run that
	// finish late no longer count.
	gen         int
	files       int
	filesDone   int
	filesFailed int
}

// info builds the snapshot at now; callers hold engine.mu.
func (j *job) info(now time.Time) JobInfo {
	ji := JobInfo{
		ID: j.id, SrcSite: j.srcID, SrcPath: j.srcPath, DstSite: j.dstID, DstPath: j.dstPath,
		Dir: j.dir, Options: j.opts, State: j.state, Attempt: j.attempt, Err: j.err,
		Conflict: j.conflict, Started: j.started, Finished: j.finished, Active: j.busyFor(now),
		Moved: j.copied.Load(), Rate: j.rate, ETA: -1,
	}
	if j.parent != nil {
		ji.Parent = j.parent.id
	}
	if !j.dir {
		ji.Bytes, ji.Size, ji.Files = j.bytes.Load(), j.size, 1
		switch j.state {
		case StateDone, StateSkipped:
			ji.FilesDone = 1
		case StateFailed, StateCanceled:
			ji.FilesFailed = 1
		}
	} else {
		ji.Bytes = j.bytesDone
		for _, c := range j.children {
			if c.state == StateRunning || c.state == StateRetrying || c.state == StateAsking {
				ji.Bytes += c.bytes.Load()
			}
			if c.state == StateAsking && ji.Conflict == nil && j.state == StateRunning {
				ji.State, ji.Conflict = StateAsking, c.conflict
			}
		}
		ji.Size, ji.Files, ji.FilesDone, ji.FilesFailed = j.size, j.files, j.filesDone, j.filesFailed
		ji.Walking = !j.walkDone && !j.state.Finished()
		if ji.Err == nil && j.walkErr != nil {
			ji.Err = j.walkErr
		}
	}
	if j.rate > 0 && ji.Size >= ji.Bytes && !ji.Walking {
		ji.ETA = time.Duration(float64(ji.Size-ji.Bytes) / j.rate * float64(time.Second))
	}
	return ji
}

// count adds n bytes just moved for file job j, at now.
func (j *job) count(n int64, now time.Time) {
	j.bytes.Add(n)
	j.copied.Add(n)
	if j.parent != nil {
		j.parent.copied.Add(n)
	}
	j.moved.Store(now.UnixNano())
}

// beginAttempt and endAttempt bracket one attempt at file job j, adding
// its time to j's busy time and to its directory's; callers hold
// engine.mu.
func (j *job) beginAttempt(now time.Time) {
	j.busySince = now
	if p := j.parent; p != nil {
		if p.attempts == 0 {
			p.busySince = now
		}
		p.attempts++
	}
}

func (j *job) endAttempt(now time.Time) {
	j.busy += now.Sub(j.busySince)
	j.busySince = time.Time{}
	if p := j.parent; p != nil {
		p.attempts--
		if p.attempts == 0 {
			p.busy += now.Sub(p.busySince)
			p.busySince = time.Time{}
		}
	}
}

// busyFor is the busy time up to now, the running attempt's so far
// included; callers hold engine.mu.
func (j *job) busyFor(now time.Time) time.Duration {
	if j.busySince.IsZero() {
		return j.busy
	}
	return j.busy + now.Sub(j.busySince)
}

// policy is the conflict policy for this job's next decision.
func (e *engine) policyFor(j *job) Policy {
	if j.decision != PolicyDefault {
		return j.decision
	}
	if e.forAll != PolicyDefault {
		return e.forAll
	}
	if j.opts.Conflict != PolicyDefault {
		return j.opts.Conflict
	}
	return e.policy
}
