package transfer

import (
	"fmt"
	"time"
)

// forgivenPerRetry is how many failures a job may have forgiven, per
// Options.Retries, because its sites made progress in the meantime.
const forgivenPerRetry = 10

// tries counts the failed attempts of one job or one listing and decides
// whether another may follow.
//
// A failure counts against Options.Retries only when the sites it uses
// completed nothing since the failure before it (or since the first
// attempt began): a server that is gone or refuses for good fails the job
// after Retries attempts with backoff, as before. A failure while other
// work on the same sites keeps succeeding is a link that drops
// connections now and then (a burst of resets, a flaky NAT), and is
// forgiven, up to forgivenPerRetry × Retries times, so that a burst of
// cuts no longer fails the jobs that happened to be on the wire. lftp and
// rclone keep going far longer than five quick tries for the same reason.
type tries struct {
	fails    int    // failures in a row with no progress anywhere on the sites
	forgiven int    // failures forgiven because the sites made progress
	seen     uint64 // the sites' progress count at the last failure or start
	started  bool
}

// begin notes the sites' progress before a first attempt.
func (t *tries) begin(progress uint64) {
	if !t.started {
		t.started, t.seen = true, progress
	}
}

// again counts a failure and reports whether another attempt may follow.
func (t *tries) again(progress uint64, retries int) bool {
	moved := t.started && progress != t.seen
	t.started, t.seen = true, progress
	if moved && t.forgiven < forgivenPerRetry*retries {
		t.forgiven++
		return true
	}
	t.fails++
	return t.fails <= retries
}

// gaveUp wraps the last error of a job or listing that is out of tries,
// saying why ferry stopped.
func (t *tries) gaveUp(err error) error {
	return fmt.Errorf("gave up after %d attempts, the last %d with no progress on the site: %w",
		t.fails+t.forgiven, t.fails, err)
}

// reset forgets every failure (a Retry by hand).
func (t *tries) reset() { *t = tries{} }

// siteProgress sums how much the given sites have completed: files
// copied, listings and directories made. Callers hold e.mu.
func (e *engine) siteProgress(ids ...string) uint64 {
	var n uint64
	for _, id := range ids {
		if p, ok := e.pools[id]; ok {
			n += p.progress.Load()
		}
	}
	return n
}

// retryable counts a failed attempt of j; callers hold e.mu. An attempt
// that could start further on than any before (progress) restarts the
// count (see progressed), so a long transfer over a flaky link goes on as
// long as it gets somewhere; see tries for the rest.
func (e *engine) retryable(j *job) bool {
	return j.tries.again(e.siteProgress(j.srcID, j.dstID), e.opts.Retries)
}

// progressed notes where an attempt starts: past every earlier start means
// the bytes before it are kept, and the failure count starts over.
func (e *engine) progressed(j *job, offset int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if offset > j.mark {
		j.mark, j.tries.fails = offset, 0
	}
}

func (e *engine) backoff(attempt int) time.Duration {
	d := e.opts.RetryDelay
	for i := 1; i < attempt && d < 30*time.Second; i++ {
		d *= 2
	}
	return min(d, 30*time.Second)
}

func (e *engine) retryAfter(j *job, d time.Duration) {
	select {
	case <-e.clock.After(d):
	case <-e.ctx.Done():
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if j.state == StateRetrying {
		e.requeue(j, StateQueued)
	}
}
