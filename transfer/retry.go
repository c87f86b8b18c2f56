package transfer

import "time"

// retryable counts a failed attempt. An attempt that could start further
// on than any before (progress) restarts the count (see progressed), so a
// long transfer over a flaky link goes on as long as it gets somewhere,
// while one that does not gives up after Options.Retries.
func (e *engine) retryable(j *job) bool {
	j.fails++
	return j.fails <= e.opts.Retries
}

// progressed notes where an attempt starts: past every earlier start means
// the bytes before it are kept, and the failure count starts over.
func (e *engine) progressed(j *job, offset int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if offset > j.mark {
		j.mark, j.fails = offset, 0
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
