// Package transfer is ferry's transfer engine: a background queue of jobs
// that copy files and directory trees between any two protocol.Clients, with
// parallel workers, per-site connection pools, resumable .ferry-part writes,
// conflict policies, retries, verification, bandwidth limits, throttled
// progress events, a persisted queue and a transfer log.
//
// The engine never uses a connection a caller browses with: every Endpoint
// carries a Dialer and the engine opens (and pools) its own connections.
// It knows nothing of the UI; callers watch Queue.Events.
package transfer

import (
	"context"
	"time"

	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
)

// Dialer opens a fresh session with one site. The engine calls it for every
// pooled connection and again after a transient failure.
type Dialer func(ctx context.Context) (protocol.Client, error)

// Endpoint is one site the engine may read from or write to.
type Endpoint struct {
	// ID names the site: protocol.Site.ID() ("local", "sftp://u@h:22").
	// Jobs with the same ID share one connection pool.
	ID string
	// Dial opens a new connection for the pool.
	Dial Dialer
	// MaxConns caps the pool; 0 means no cap beyond the queue's workers.
	// FTP runs one transfer per connection, so this bounds its parallelism.
	MaxConns int
}

// IsLocal reports whether the endpoint is the local filesystem.
func (e Endpoint) IsLocal() bool { return e.ID == "local" }

// EndpointResolver finds the Endpoint for an ID when a job reloaded from the
// saved queue needs one that was not added in this run. An error fails the
// job (the user may Retry it once the site is connected).
type EndpointResolver func(ctx context.Context, id string) (Endpoint, error)

// JobID identifies a job for the lifetime of the saved queue. File jobs that
// a directory job expands into have their own IDs and name it as Parent.
type JobID uint64

// Policy settles a target that already exists.
type Policy int

const (
	PolicyDefault     Policy = iota // use the queue's policy (in JobOptions)
	PolicyAsk                       // pause that job and ask (Conflict in JobInfo)
	PolicyOverwrite                 // replace the target
	PolicySkip                      // keep the target, skip the file
	PolicyResume                    // append to a shorter target; equal size skips
	PolicyRename                    // write "name (1).ext" beside the target
	PolicyNewer                     // overwrite when the source is newer, else skip
	PolicySizeDiffers               // overwrite when sizes differ, else skip
	PolicyMirror                    // overwrite when size or mtime differ, else skip
)

// ParsePolicy reads a policy name as the CLI and config spell it: ask,
// overwrite, skip, resume, rename, newer, size-differs, mirror.
func ParsePolicy(s string) (Policy, error) { return parsePolicy(s) }

// String is the policy's name as ParsePolicy reads it.
func (p Policy) String() string { return policyString(p) }

// State is where a job is in its life.
type State int

const (
	StateQueued   State = iota // waiting for a worker
	StateRunning               // copying (or, for a directory, walking and copying)
	StateAsking                // waiting for a Resolve on a conflict
	StateRetrying              // waiting out a backoff before the next attempt
	StatePaused                // held by Pause; the part is kept
	StateDone                  // finished and verified
	StateSkipped               // the conflict policy kept the target
	StateFailed                // gave up; Err says why; the part is kept
	StateCanceled              // stopped by Cancel; the part is kept
)

// String names the state for lists and logs.
func (s State) String() string { return stateString(s) }

// Finished reports whether the job will not run again without Retry.
func (s State) Finished() bool { return s >= StateDone }

// JobOptions tune one job. Zero values take the queue's defaults.
type JobOptions struct {
	Conflict Policy // PolicyDefault: the queue's Options.Conflict
	// Limit caps this job's rate in bytes per second (0: only the global limit).
	Limit int64
	// Segments downloads one big file over this many connections (range
	// reads) when the destination is local; 0 or 1 streams it once.
	Segments int
	// Verify compares checksums after the copy (server-side hashes when both
	// ends have a common one, else reading both back with sha256). Sizes are
	// always compared.
	Verify bool
	// InPlace writes the target directly instead of NAME.ferry-part plus a
	// rename, for servers that forbid rename.
	InPlace bool
	// NoTimes leaves the target's modification time as the server sets it.
	NoTimes bool
	// PreservePerms gives the target the source's permission bits (scp
	// -p); off, the target has whatever the server gives new files.
	PreservePerms bool
	// DeleteSource removes each source file after it was copied and verified
	// (a move).
	DeleteSource bool
	// Filter leaves paths of a directory job out (see package filter): an
	// excluded directory is not listed at all. It does not apply to a file
	// job, whose source was named.
	Filter filter.Spec `json:",omitzero"`
}

// Spec describes a job to add: copy Src:SrcPath to Dst:DstPath. DstPath is
// the exact target (not a directory to copy into): the caller applies cp -r
// destination rules before adding.
type Spec struct {
	Src     Endpoint
	SrcPath string
	Dst     Endpoint
	DstPath string
	// Dir copies a directory tree recursively; false copies one file.
	Dir     bool
	Options JobOptions
	// Source is, for a file, the source as the caller has just found it
	// (cp's rules make it look): the first attempt takes it instead of
	// asking the server again, which over FTP is SIZE and MDTM. A retry
	// asks.
	Source *protocol.Entry
	// TargetAbsent says the caller has just found nothing at DstPath: the
	// first attempt of a file job does not look again. It still looks for
	// a part to resume.
	TargetAbsent bool
}

// Conflict is the question a job in StateAsking waits on.
type Conflict struct {
	Src protocol.Entry // the source file
	Dst protocol.Entry // the existing target
	// Path is the target path, so the dialog can say which file it is.
	Path string
}

// JobInfo is a snapshot of one job.
type JobInfo struct {
	ID      JobID
	Parent  JobID // 0 for jobs added with Add
	SrcSite string
	SrcPath string
	DstSite string
	DstPath string
	Dir     bool
	Options JobOptions
	State   State
	Bytes   int64 // bytes transferred so far (counting a resumed prefix)
	// Size is the total bytes; for a directory it grows as the walk finds
	// files, and Walking is true until the walk is complete.
	Size    int64
	Walking bool
	// Files counts files found, FilesDone those finished (done or skipped),
	// FilesFailed those that failed; for a file job they are 1/0-1/0-1.
	Files, FilesDone, FilesFailed int
	Rate                          float64       // bytes moved per second, smoothed
	ETA                           time.Duration // -1 when unknown
	Attempt                       int           // 1 for the first try
	Err                           error         // why it failed (or last retry reason)
	Conflict                      *Conflict     // set in StateAsking
	// Started is when the first attempt began and Finished when the job
	// ended: wall-clock times, which span any wait in between.
	Started, Finished time.Time
	// Active is the time spent transferring, which a finished job's
	// duration and average rate are taken from: the sum of a file's
	// attempts, or for a directory the stretches while any of its files
	// was in one. Time spent queued, paused, failed until retried by
	// hand, backing off or asking is left out.
	Active time.Duration
	// Moved is the bytes moved in that time, which the average rate is
	// Moved/Active of. Bytes counts a resumed part's prefix, Moved does
	// not: it was there before.
	Moved int64
}

// Totals sums the queue for a status line.
type Totals struct {
	Jobs, Active, Queued, Done, Failed int
	Bytes, Size                        int64
	Rate                               float64
	ETA                                time.Duration // -1 when unknown
}

// Event reports what changed since the previous event. Events come at most
// about ten times a second (Options.EventInterval), so watching a queue of a
// million files costs little.
type Event struct {
	// Jobs holds the latest snapshot of every job that changed, top-level
	// jobs and the file jobs of directories alike (see JobInfo.Parent).
	Jobs   []JobInfo
	Totals Totals
	// Log holds engine messages since the last event: refused names,
	// retries, failures. The same lines go to Options.Log.
	Log []string
}

// Clock is the engine's source of time, replaceable in tests.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Options configure a Queue. Zero values take the defaults named.
type Options struct {
	// Workers is how many file transfers run at once (default 4). Small
	// files (see smallJob) between sites that share sessions (SFTP, local)
	// run up to smallBoost times as many, since they wait on round trips,
	// not bandwidth.
	Workers  int
	Conflict Policy // default for jobs; default PolicyAsk
	Limit    int64  // global bytes per second; 0 is unlimited
	// StateDir holds queue.json and transfer.log, normally
	// $XDG_STATE_HOME/ferry (see DefaultStateDir). Empty: neither is written.
	StateDir string
	// Ephemeral keeps the queue out of queue.json (the CLI's one-shot runs)
	// while still appending to transfer.log.
	Ephemeral bool
	// Log receives one line per notable engine event (refused names,
	// retries, failures), in order, from a goroutine of its own; may be nil.
	Log func(line string)
	// Resolve finds endpoints for jobs reloaded from queue.json.
	Resolve EndpointResolver
	Clock   Clock // default: the system clock
	// Retries is how many attempts in a row may fail transiently without
	// moving a byte before the job fails; an attempt that made progress
	// restarts the count. Default 5. Backoff starts at RetryDelay (default
	// 500ms) and doubles with each such failure, capped at 30s.
	Retries    int
	RetryDelay time.Duration
	// StallTimeout fails an attempt (transiently) when no byte moves for
	// this long; default 60s.
	StallTimeout time.Duration
	// IdleTimeout closes pooled connections unused this long; default 60s.
	IdleTimeout time.Duration
	// EventInterval spaces events; default 100ms.
	EventInterval time.Duration
}

// Queue runs jobs in the background. Its methods are safe for concurrent use.
type Queue struct{ e *engine }

// New starts a queue and its workers. With a StateDir and not Ephemeral, the
// jobs saved there come back: unfinished ones queued again (directory walks
// start over, skipping files already copied; file jobs resume their part).
func New(opts Options) (*Queue, error) {
	e, err := newEngine(opts)
	if err != nil {
		return nil, err
	}
	return &Queue{e: e}, nil
}

// Add queues a job and returns its ID. Its endpoints are remembered by ID
// for later jobs and for reloads.
func (q *Queue) Add(s Spec) (JobID, error) { return q.e.add(s) }

// AddEndpoint makes an endpoint known without adding a job, so jobs reloaded
// from the saved queue can run.
func (q *Queue) AddEndpoint(ep Endpoint) { q.e.addEndpoint(ep) }

// Events returns the channel of throttled progress events. It is the same
// channel every call; it is closed by Close. Events are only gathered once
// Events has been called, and a slow reader only delays them.
func (q *Queue) Events() <-chan Event { return q.e.events() }

// Resolve answers the conflict of a job in StateAsking (a file job ID, or a
// directory job whose one file is asking). With forAll the decision also
// becomes the queue's policy: every job asking now and every later conflict
// is settled the same way.
func (q *Queue) Resolve(id JobID, decision Policy, forAll bool) error {
	return q.e.resolve(id, decision, forAll)
}

// Pause holds a job; a running copy stops and keeps its part.
func (q *Queue) Pause(id JobID) error { return q.e.pause(id) }

// Resume releases a paused job.
func (q *Queue) Resume(id JobID) error { return q.e.resume(id) }

// Cancel stops a job for good; its part is kept for a later Retry.
func (q *Queue) Cancel(id JobID) error { return q.e.cancel(id) }

// Retry queues a failed or canceled job again (a directory retries its
// failed files and finishes its walk).
func (q *Queue) Retry(id JobID) error { return q.e.retry(id) }

// MoveTo moves a top-level job to position index in the queue order (0 is
// first; an index past the end moves it last). Order decides which queued
// job a free worker takes next.
func (q *Queue) MoveTo(id JobID, index int) error { return q.e.moveTo(id, index) }

// PauseAll, ResumeAll, CancelAll and RetryAll act on every top-level job the
// action applies to.
func (q *Queue) PauseAll()  { q.e.all(q.e.pause) }
func (q *Queue) ResumeAll() { q.e.all(q.e.resume) }
func (q *Queue) CancelAll() { q.e.all(q.e.cancel) }
func (q *Queue) RetryAll()  { q.e.all(q.e.retry) }

// Remove drops a finished job from the list (and the saved queue).
func (q *Queue) Remove(id JobID) error { return q.e.remove(id) }

// ClearFinished removes every finished job.
func (q *Queue) ClearFinished() { q.e.clearFinished() }

// Jobs returns a snapshot of the top-level jobs in queue order.
func (q *Queue) Jobs() []JobInfo { return q.e.snapshot() }

// Job returns a snapshot of one job (top-level or a running file of a
// directory job).
func (q *Queue) Job(id JobID) (JobInfo, bool) { return q.e.job(id) }

// SetLimit changes the global bandwidth limit (0: unlimited).
func (q *Queue) SetLimit(bytesPerSecond int64) { q.e.setLimit(bytesPerSecond) }

// Wait blocks until every job is finished (done, skipped, failed or
// canceled) or ctx ends. Jobs asking or paused keep it waiting.
func (q *Queue) Wait(ctx context.Context) error { return q.e.wait(ctx) }

// Close stops the workers (running copies keep their parts and are queued
// again in the saved queue), saves the queue, closes pooled connections and
// the Events channel.
func (q *Queue) Close() error { return q.e.close() }
