package transfer

import "time"

func (e *engine) events() <-chan Event {
	e.mu.Lock()
	e.evOn = true
	e.mu.Unlock()
	return e.evCh
}

// ticker samples rates, sends the throttled event and saves the queue when
// it changed (at most once a second).
func (e *engine) ticker() {
	defer e.wg.Done()
	lastSave := e.clock.Now()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-e.clock.After(e.opts.EventInterval):
		}
		if e.tlog != nil {
			e.tlog.flush()
		}
		ev, send, save := e.tick()
		if save && e.clock.Now().Sub(lastSave) >= time.Second {
			lastSave = e.clock.Now()
			if err := e.save(); err != nil {
				e.logf("save queue: %v", err)
			}
		}
		if !send {
			continue
		}
		select {
		case e.evCh <- ev:
		case <-e.ctx.Done():
			return
		}
	}
}

// tick updates smoothed rates and gathers the event; callers do not hold
// e.mu.
func (e *engine) tick() (Event, bool, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	var tot Totals
	tot.ETA = -1
	for _, j := range e.jobs {
		if j.dir {
			for _, c := range j.children {
				if c.state == StateRunning {
					e.sample(c, c.copied.Load(), now)
				}
			}
		}
		ji := j.info(now)
		if j.state == StateRunning {
			e.sample(j, ji.Moved, now)
		} else {
			j.rate = 0
		}
		tot.Jobs++
		switch {
		case j.state == StateRunning || j.state == StateAsking || j.state == StateRetrying:
			tot.Active++
		case j.state == StateQueued || j.state == StatePaused:
			tot.Queued++
		case j.state == StateDone || j.state == StateSkipped:
			tot.Done++
		default:
			tot.Failed++
		}
		tot.Bytes += ji.Bytes
		tot.Size += ji.Size
		tot.Rate += j.rate
	}
	if tot.Rate > 0 && tot.Size >= tot.Bytes {
		tot.ETA = time.Duration(float64(tot.Size-tot.Bytes) / tot.Rate * float64(time.Second))
	}
	save := e.saveDirty && e.opts.StateDir != "" && !e.opts.Ephemeral
	if !e.evOn || (len(e.dirty) == 0 && len(e.logs) == 0) {
		return Event{}, false, save
	}
	ev := Event{Totals: tot, Log: e.logs, Jobs: make([]JobInfo, 0, len(e.dirty))}
	for _, j := range e.jobs { // top-level jobs first, in queue order
		if _, ok := e.dirty[j.id]; ok {
			ev.Jobs = append(ev.Jobs, j.info(now))
			delete(e.dirty, j.id)
		}
	}
	for _, j := range e.dirty {
		ev.Jobs = append(ev.Jobs, j.info(now))
	}
	clear(e.dirty)
	e.logs = nil
	return ev, true, save
}

// sample folds the bytes moved since the last tick into j's smoothed rate
// and marks j changed when it moved or its rate is still falling. bytes is
// what j's attempts moved, not how far its target got: an attempt resuming
// a part gets that far at once, and sampling that jump showed gigabytes
// per second. A job that stops moving (a stalled link) must be reported
// too: its rate falls to zero and its ETA becomes unknown, where the last
// event's 5 MB/s and "3 s left" stood still for the whole stall.
func (e *engine) sample(j *job, bytes int64, now time.Time) {
	if j.lastTick.IsZero() || bytes < j.lastBytes {
		j.lastTick, j.lastBytes = now, bytes
		return
	}
	dt := now.Sub(j.lastTick).Seconds()
	if dt <= 0 {
		return
	}
	inst := float64(bytes-j.lastBytes) / dt
	was := j.rate
	if j.rate == 0 {
		j.rate = inst
	} else {
		j.rate = 0.7*j.rate + 0.3*inst
	}
	if inst == 0 && (j.rate < 1 || e.idle(j, now) >= stalledAfter) {
		// What is left of the decay, or a copy that has moved nothing
		// for a while: its rate is zero and its ETA unknown, rather than
		// hours computed from the decay's tail. No more events follow.
		j.rate = 0
	}
	if (bytes != j.lastBytes || j.rate != was) && e.evOn {
		e.dirty[j.id] = j
	}
	j.lastTick, j.lastBytes = now, bytes
}

// stalledAfter is how long a running copy may move nothing before its
// rate is shown as zero: longer than the gaps of a slow link's bursts.
const stalledAfter = 2 * time.Second

// idle is how long a running file copy has moved no byte; 0 for a
// directory job and a copy not started.
func (e *engine) idle(j *job, now time.Time) time.Duration {
	m := j.moved.Load()
	if j.dir || m == 0 {
		return 0
	}
	return now.Sub(time.Unix(0, m))
}

// reaper closes idle pooled connections.
func (e *engine) reaper() {
	defer e.wg.Done()
	every := max(e.opts.IdleTimeout/2, 10*time.Millisecond)
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-e.clock.After(every):
		}
		e.mu.Lock()
		pools := make([]*pool, 0, len(e.pools))
		for _, p := range e.pools {
			pools = append(pools, p)
		}
		e.mu.Unlock()
		for _, p := range pools {
			p.reap(e.opts.IdleTimeout)
		}
	}
}
