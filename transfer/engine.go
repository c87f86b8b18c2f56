package transfer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
)

// Causes a running copy is stopped with; they decide the job's next state.
var (
	errPaused   = errors.New("paused")
	errCanceled = errors.New("canceled")
	errClosing  = errors.New("queue closing")
	errAsking   = errors.New("waiting for a conflict decision")
)

// maxPending bounds how far a directory walk runs ahead of the workers, so a
// huge tree never sits whole in memory.
const maxPending = 64

type engine struct {
	opts   Options
	clock  Clock
	policy Policy

	ctx    context.Context
	stop   context.CancelCauseFunc
	wg     sync.WaitGroup
	bufs   sync.Pool
	stalls stallWatch

	mu        sync.Mutex
	cond      *sync.Cond // work or room for walked files
	jobs      []*job     // top-level jobs in queue order
	byID      map[JobID]*job
	nextID    JobID
	forAll    Policy // a "for all" answer overrides every policy
	endpoints map[string]Endpoint
	pools     map[string]*pool
	global    *rate.Limiter
	changed   chan struct{} // closed and renewed on every state change
	closed    bool

	// Events and persistence.
	evCh      chan Event
	evOn      bool
	dirty     map[JobID]*job
	logs      []string
	saveDirty bool
	tlog      *transferLog
	logCh     chan string   // lines for Options.Log
	logDone   chan struct{} // closed when the logger has delivered them all
	// minSegment is the smallest segment a segmented download uses.
	minSegment int64
	// closeGrace is how long a stopped copy waits for the backend to notice
	// its context before the reader and writer are closed under it.
	closeGrace time.Duration
}

func newEngine(opts Options) (*engine, error) {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Conflict == PolicyDefault {
		opts.Conflict = PolicyAsk
	}
	if opts.Clock == nil {
		opts.Clock = systemClock{}
	}
	if opts.Retries == 0 {
		opts.Retries = 5
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = 500 * time.Millisecond
	}
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = 60 * time.Second
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 60 * time.Second
	}
	if opts.EventInterval <= 0 {
		opts.EventInterval = 100 * time.Millisecond
	}
	e := &engine{
		opts: opts, clock: opts.Clock, policy: opts.Conflict,
		byID: map[JobID]*job{}, nextID: 1,
		endpoints: map[string]Endpoint{}, pools: map[string]*pool{},
		global:     newLimiter(opts.Limit),
		changed:    make(chan struct{}),
		evCh:       make(chan Event, 16),
		dirty:      map[JobID]*job{},
		minSegment: 1 << 20,
		closeGrace: 10 * time.Second,
	}
	if opts.Log != nil {
		e.logCh, e.logDone = make(chan string, 1000), make(chan struct{})
		go e.logger(e.logCh, e.logDone)
	}
	e.bufs.New = func() any { b := make([]byte, copyBuffer); return &b }
	e.cond = sync.NewCond(&e.mu)
	e.ctx, e.stop = context.WithCancelCause(context.Background())
	if opts.StateDir != "" {
		tl, err := openTransferLog(opts.StateDir)
		if err != nil {
			return nil, err
		}
		e.tlog = tl
		if !opts.Ephemeral {
			if err := e.load(); err != nil {
				tl.close()
				return nil, err
			}
		}
	}
	for i := range opts.Workers * smallBoost {
		e.wg.Add(1)
		go e.worker(i >= opts.Workers)
	}
	e.wg.Add(3)
	go e.ticker()
	go e.reaper()
	go e.watchStalls()
	return e, nil
}

func (e *engine) addEndpoint(ep Endpoint) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.endpoints[ep.ID] = ep
	if p, ok := e.pools[ep.ID]; ok && p.ep.Dial == nil {
		p.ep = ep
	}
}

func (e *engine) add(s Spec) (JobID, error) {
	if s.Src.ID == "" || s.Dst.ID == "" || s.Src.Dial == nil || s.Dst.Dial == nil {
		return 0, errors.New("add job: both endpoints need an ID and a Dial")
	}
	if s.SrcPath == "" || s.DstPath == "" {
		return 0, errors.New("add job: source and destination paths are required")
	}
	if _, err := filter.Compile(s.Options.Filter); err != nil {
		return 0, fmt.Errorf("add job: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0, errors.New("add job: queue closed")
	}
	e.endpoints[s.Src.ID] = s.Src
	e.endpoints[s.Dst.ID] = s.Dst
	j := &job{
		id: e.nextID, srcID: s.Src.ID, srcPath: s.SrcPath, dstID: s.Dst.ID, dstPath: s.DstPath,
		dir: s.Dir, opts: s.Options, state: StateQueued,
	}
	if j.dir {
		j.children = map[JobID]*job{}
	} else {
		if s.Source != nil && !s.Source.IsDir() {
			se := *s.Source
			j.entry, j.size = &se, se.Size
		}
		j.dstAbsent = s.TargetAbsent
	}
	e.nextID++
	e.jobs = append(e.jobs, j)
	e.byID[j.id] = j
	e.touch(j)
	return j.id, nil
}

// touch records a change of j for events, the saved queue and waiters;
// callers hold e.mu.
func (e *engine) touch(j *job) {
	if e.evOn {
		e.dirty[j.id] = j
	}
	if j.parent == nil {
		e.saveDirty = true
	}
	close(e.changed)
	e.changed = make(chan struct{})
	e.cond.Broadcast()
}

// logf records an engine message for Options.Log and the next event.
func (e *engine) logf(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.logLocked(fmt.Sprintf(format, args...))
}

// logLocked is logf for callers holding e.mu. Options.Log gets the line
// from its own goroutine, so it may call back into the Queue; should it fall
// a thousand lines behind, lines are dropped rather than stall transfers.
func (e *engine) logLocked(line string) {
	if e.logCh != nil {
		select {
		case e.logCh <- line:
		default:
		}
	}
	if e.evOn && len(e.logs) < 1000 {
		e.logs = append(e.logs, line)
	}
}

func (e *engine) logger(lines <-chan string, done chan<- struct{}) {
	defer close(done)
	for line := range lines {
		e.opts.Log(line)
	}
}

// smallBoost is how many more small files than Options.Workers run at once
// where sessions are shared; smallJob is the size up to which a file counts
// as small. On loopback against OpenSSH, 8-16 small files in flight on one
// session copied a 2,000-file tree in half the time one at a time took,
// and 4 in flight fell well short of that.
const (
	smallBoost = 4
	smallJob   = 256 << 10
)

// worker runs jobs until the queue closes; a small-only worker takes just
// the small files that may share sessions.
func (e *engine) worker(smallOnly bool) {
	defer e.wg.Done()
	for {
		j := e.next(smallOnly)
		if j == nil {
			return
		}
		e.run(j)
	}
}

// small reports whether j is a small file whose two sites share sessions;
// callers hold e.mu.
func (e *engine) small(j *job) bool {
	if j.entry == nil || j.entry.Size > smallJob || j.attempt > 0 {
		return false
	}
	for _, id := range []string{j.srcID, j.dstID} {
		p, ok := e.pools[id]
		if !ok || !p.shareable() {
			return false
		}
	}
	return true
}

// next hands a worker the first runnable file job in queue order, starting
// directory walks as it passes them; nil once the queue closes. A
// small-only worker passes over everything but small walked files.
func (e *engine) next(smallOnly bool) *job {
	e.mu.Lock()
	defer e.mu.Unlock()
	for !e.closed {
		for _, j := range e.jobs {
			if !j.dir {
				if j.state == StateQueued && !smallOnly {
					j.state = StateRunning
					e.touch(j)
					return j
				}
				continue
			}
			if j.state != StateQueued && j.state != StateRunning {
				continue
			}
			if j.state == StateQueued {
				j.state = StateRunning
				if j.started.IsZero() {
					j.started = e.clock.Now()
				}
				e.touch(j)
			}
			if !j.walkRunning && !j.walkDone {
				e.startWalk(j)
			}
			if len(j.pending) > 0 && (!smallOnly || e.small(j.pending[0])) {
				c := j.pending[0]
				j.pending = j.pending[1:]
				c.state = StateRunning
				j.active++
				e.touch(c)
				e.cond.Broadcast() // room for the walk
				return c
			}
		}
		e.cond.Wait()
	}
	return nil
}

// run makes one attempt at a file job and settles its next state.
func (e *engine) run(j *job) {
	ctx, cancel := context.WithCancelCause(e.ctx)
	e.mu.Lock()
	j.cancel = cancel
	j.attempt++
	j.tries.begin(e.siteProgress(j.srcID, j.dstID))
	j.conflict = nil
	start := e.clock.Now()
	if j.started.IsZero() {
		j.started = start
	}
	j.beginAttempt(start)
	e.mu.Unlock()

	res, err := e.copyFile(ctx, j)
	cause := context.Cause(ctx)
	cancel(nil)

	e.mu.Lock()
	defer e.mu.Unlock()
	j.endAttempt(e.clock.Now())
	j.cancel = nil
	if j.stop != nil {
		// A pause or cancel asked while the copy ran names how it ended,
		// unless it completed anyway (then the target is there: done).
		if err != nil {
			err, cause = j.stop, j.stop
		}
		j.stop = nil
	}
	if err != nil && ctx.Err() != nil && cause != nil {
		switch {
		case errors.Is(cause, errPaused):
			err = errPaused
		case errors.Is(cause, errCanceled):
			err = errCanceled
		case errors.Is(cause, errClosing):
			err = errClosing
		}
	}
	switch {
	case errors.Is(err, errAsking):
		j.state = StateAsking
		e.touch(j)
		return
	case errors.Is(err, errPaused):
		j.attempt--
		e.requeue(j, StatePaused)
		return
	case errors.Is(err, errClosing):
		j.attempt--
		j.state = StateQueued
		e.touch(j)
		return
	case errors.Is(err, errCanceled):
		e.finish(j, StateCanceled, errCanceled, start)
		return
	case err == nil:
		j.err = nil
		e.finish(j, res, nil, start)
		return
	case protocol.IsTransient(err) && e.retryable(j):
		j.err = err
		j.state = StateRetrying
		e.touch(j)
		delay := e.backoff(j.tries.fails)
		e.logLocked(fmt.Sprintf("retry %s in %s (attempt %d): %v", j.srcPath, delay.Round(time.Millisecond), j.attempt, err))
		go e.retryAfter(j, delay)
		return
	case protocol.IsTransient(err):
		e.finish(j, StateFailed, j.tries.gaveUp(err), start)
	default:
		e.finish(j, StateFailed, err, start)
	}
}

// requeue puts a file job back to wait for a worker: a top-level job takes
// state top; a directory's file goes to the front of its pending list (the
// directory itself carries the paused state).
func (e *engine) requeue(j *job, top State) {
	if j.parent == nil {
		j.state = top
		e.touch(j)
		return
	}
	p := j.parent
	if j.gen != p.gen { // a file of a run that Retry replaced
		j.state = StateCanceled
		return
	}
	if j.state == StateRunning || j.state == StateRetrying || j.state == StateAsking {
		p.active--
	}
	j.state = StateQueued
	p.pending = append([]*job{j}, p.pending...)
	e.touch(j)
	e.touch(p)
}

// finish settles a file job for good, logs it and updates its directory.
func (e *engine) finish(j *job, st State, err error, start time.Time) {
	now := e.clock.Now()
	wasActive := j.state == StateRunning || j.state == StateRetrying || j.state == StateAsking
	j.state, j.err, j.finished = st, err, now
	j.conflict = nil
	e.touch(j)
	if err != nil && !errors.Is(err, errCanceled) {
		e.logLocked(fmt.Sprintf("%s %s: %v", st, j.srcPath, err))
	}
	if st == StateDone || st == StateSkipped {
		for _, id := range []string{j.srcID, j.dstID} {
			if p, ok := e.pools[id]; ok {
				p.progress.Add(1)
			}
		}
	}
	e.record(j, now.Sub(start))
	if p := j.parent; p != nil && j.gen == p.gen {
		if wasActive {
			p.active--
		}
		switch st {
		case StateDone, StateSkipped:
			p.filesDone++
			p.bytesDone += j.bytes.Load()
			delete(p.children, j.id)
			delete(e.byID, j.id)
		default:
			p.filesFailed++
		}
		e.touch(p)
		e.checkDir(p)
	}
}

// checkDir finishes a directory job once its walk is over and no file is
// left; callers hold e.mu.
func (e *engine) checkDir(p *job) {
	if p.state != StateRunning || !p.walkDone || p.walkRunning || len(p.pending) > 0 || p.active > 0 {
		return
	}
	p.finished = e.clock.Now()
	switch {
	case p.walkErr != nil:
		p.state, p.err = StateFailed, p.walkErr
	case p.filesFailed > 0:
		p.state, p.err = StateFailed, fmt.Errorf("%d of %d files failed", p.filesFailed, p.files)
	case p.opts.DeleteSource && !p.pruned:
		// A move: every file went over, so take the emptied source
		// directories away too before calling the job done.
		p.finished = time.Time{}
		e.startPrune(p)
		return
	default:
		p.state, p.err = StateDone, nil
	}
	e.touch(p)
}

func (e *engine) close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.cond.Broadcast()
	e.mu.Unlock()
	e.stop(errClosing)
	e.mu.Lock()
	e.cond.Broadcast()
	e.mu.Unlock()
	e.wg.Wait()
	var err error
	e.mu.Lock()
	for _, j := range e.jobs {
		if j.dir && j.state == StateRunning {
			j.state = StateQueued
		}
	}
	pools := e.pools
	e.mu.Unlock()
	if e.opts.StateDir != "" && !e.opts.Ephemeral {
		err = e.save()
	}
	for _, p := range pools {
		p.close()
	}
	if e.tlog != nil {
		if cerr := e.tlog.close(); err == nil {
			err = cerr
		}
	}
	if e.logCh != nil {
		e.mu.Lock()
		close(e.logCh)
		e.logCh = nil
		e.mu.Unlock()
		<-e.logDone
	}
	// The last changes, so a watcher sees every job's final state; nobody
	// reading within a second forfeits it.
	if ev, send, _ := e.tick(); send {
		select {
		case e.evCh <- ev:
		case <-time.After(time.Second):
		}
	}
	close(e.evCh)
	return err
}
