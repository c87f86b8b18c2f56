package transfer

// The controls behind Queue's methods: answers to conflicts, pause,
// resume, cancel, retry, order, and snapshots.

import (
	"context"
	"fmt"
	"time"
)

func (e *engine) resolve(id JobID, d Policy, all bool) error {
	if d == PolicyDefault || d == PolicyAsk {
		return fmt.Errorf("resolve job %d: %s is not an answer", id, d)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	j, err := e.lookup(id)
	if err != nil {
		return err
	}
	if j.dir {
		j = firstAsking(j)
	}
	if j == nil || j.state != StateAsking {
		return fmt.Errorf("resolve job %d: it is not asking", id)
	}
	e.answer(j, d)
	if all {
		e.forAll = d
		for _, t := range e.jobs {
			if !t.dir && t.state == StateAsking {
				e.answer(t, d)
			}
			for t.dir {
				c := firstAsking(t)
				if c == nil {
					break
				}
				e.answer(c, d)
			}
		}
	}
	return nil
}

func firstAsking(d *job) *job {
	var best *job
	for _, c := range d.children {
		if c.state == StateAsking && (best == nil || c.id < best.id) {
			best = c
		}
	}
	return best
}

func (e *engine) answer(j *job, d Policy) {
	j.decision = d
	j.conflict = nil
	e.requeue(j, StateQueued)
}

func (e *engine) pause(id JobID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, err := e.lookup(id)
	if err != nil {
		return err
	}
	if j.parent != nil {
		return fmt.Errorf("pause job %d: pause its directory job %d", id, j.parent.id)
	}
	switch j.state {
	case StateQueued, StateRetrying, StateAsking:
		j.state = StatePaused
	case StateRunning:
		if j.dir {
			j.state = StatePaused
			for _, c := range j.children {
				if c.cancel != nil {
					c.cancel(errPaused)
				}
			}
		} else if j.cancel != nil {
			if j.stop == nil {
				j.stop = errPaused
			}
			j.cancel(errPaused) // run sets StatePaused when the copy stops
		}
	default:
		return nil
	}
	e.touch(j)
	return nil
}

func (e *engine) resume(id JobID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, err := e.lookup(id)
	if err != nil {
		return err
	}
	if j.state != StatePaused {
		return nil
	}
	j.state = StateQueued
	if j.dir && !j.started.IsZero() {
		j.state = StateRunning
	}
	e.touch(j)
	if j.dir {
		e.checkDir(j)
	}
	return nil
}

func (e *engine) cancel(id JobID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, err := e.lookup(id)
	if err != nil {
		return err
	}
	if j.state.Finished() {
		return nil
	}
	now := e.clock.Now()
	if j.dir {
		if j.walkCancel != nil {
			j.walkCancel()
		}
		for _, c := range j.children {
			if c.cancel != nil {
				c.cancel(errCanceled)
			}
		}
		j.pending = nil
		j.state, j.err, j.finished = StateCanceled, errCanceled, now
		e.touch(j)
		return nil
	}
	if j.state == StateRunning && j.cancel != nil {
		j.stop = errCanceled
		j.cancel(errCanceled)
		return nil
	}
	if j.parent != nil && j.state == StateQueued {
		p := j.parent
		for i, c := range p.pending {
			if c == j {
				p.pending = append(p.pending[:i], p.pending[i+1:]...)
				break
			}
		}
		j.state = StateAsking // counted as active by finish
		p.active++
	}
	e.finish(j, StateCanceled, errCanceled, now)
	return nil
}

func (e *engine) retry(id JobID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, err := e.lookup(id)
	if err != nil {
		return err
	}
	if j.state != StateFailed && j.state != StateCanceled {
		return nil
	}
	j.err, j.attempt, j.mark, j.finished = nil, 0, 0, time.Time{}
	j.tries.reset()
	j.decision = PolicyDefault // a retry by hand asks again
	if j.parent != nil {
		p := j.parent
		p.filesFailed--
		j.state = StateRetrying
		p.active++
		e.requeue(j, StateQueued)
		if p.state.Finished() {
			p.state = StateRunning
		}
		e.touch(p)
		return nil
	}
	if j.dir {
		// Walk again from the top: identical targets are skipped and failed
		// files resume from their parts.
		for cid := range j.children {
			delete(j.children, cid)
			delete(e.byID, cid)
		}
		j.gen++
		j.active, j.pending = 0, nil
		j.walkDone, j.walkErr, j.resumeWalk, j.pruned = false, nil, true, false
		j.files, j.filesDone, j.filesFailed, j.size, j.bytesDone = 0, 0, 0, 0, 0
	}
	j.state = StateQueued
	e.touch(j)
	return nil
}

func (e *engine) moveTo(id JobID, index int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	from := -1
	for i, j := range e.jobs {
		if j.id == id {
			from = i
		}
	}
	if from < 0 {
		return fmt.Errorf("move job %d: no such top-level job", id)
	}
	j := e.jobs[from]
	e.jobs = append(e.jobs[:from], e.jobs[from+1:]...)
	index = max(0, min(index, len(e.jobs)))
	e.jobs = append(e.jobs[:index], append([]*job{j}, e.jobs[index:]...)...)
	e.touch(j)
	return nil
}

func (e *engine) all(f func(JobID) error) {
	e.mu.Lock()
	ids := make([]JobID, len(e.jobs))
	for i, j := range e.jobs {
		ids[i] = j.id
	}
	e.mu.Unlock()
	for _, id := range ids {
		_ = f(id) // a job finished meanwhile is not an error worth reporting
	}
}

func (e *engine) remove(id JobID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, err := e.lookup(id)
	if err != nil {
		return err
	}
	if j.parent != nil || !j.state.Finished() {
		return fmt.Errorf("remove job %d: only finished top-level jobs can be removed", id)
	}
	e.drop(j)
	return nil
}

func (e *engine) drop(j *job) {
	for i, t := range e.jobs {
		if t == j {
			e.jobs = append(e.jobs[:i], e.jobs[i+1:]...)
			break
		}
	}
	delete(e.byID, j.id)
	for cid := range j.children {
		delete(e.byID, cid)
	}
	e.touch(j)
}

func (e *engine) clearFinished() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range append([]*job(nil), e.jobs...) {
		if j.state.Finished() {
			e.drop(j)
		}
	}
}

func (e *engine) snapshot() []JobInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]JobInfo, len(e.jobs))
	now := e.clock.Now()
	for i, j := range e.jobs {
		out[i] = j.info(now)
	}
	return out
}

func (e *engine) job(id JobID) (JobInfo, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, ok := e.byID[id]
	if !ok {
		return JobInfo{}, false
	}
	return j.info(e.clock.Now()), true
}

func (e *engine) setLimit(n int64) {
	setLimit(e.global, n)
}

func (e *engine) wait(ctx context.Context) error {
	for {
		e.mu.Lock()
		busy := false
		for _, j := range e.jobs {
			if !j.state.Finished() {
				busy = true
				break
			}
		}
		ch := e.changed
		e.mu.Unlock()
		if !busy {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

func (e *engine) lookup(id JobID) (*job, error) {
	j, ok := e.byID[id]
	if !ok {
		return nil, fmt.Errorf("job %d: no such job", id)
	}
	return j, nil
}
