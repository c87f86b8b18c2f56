package transfer

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// stallWatch is the engine's one stall watchdog. A copy registers while it
// runs, and every quarter of StallTimeout the watchdog cancels the copies
// whose job has moved no byte for StallTimeout. One goroutine for the
// engine rather than a goroutine and a timer per copy: a tree of small
// files starts thousands of copies a second.
type stallWatch struct {
	mu     sync.Mutex
	active map[*watched]struct{}
}

// watched is one running copy.
type watched struct {
	j      *job
	cancel context.CancelCauseFunc
}

// add registers a copy of j that cancel stops; the returned func
// unregisters it.
func (s *stallWatch) add(j *job, cancel context.CancelCauseFunc) (done func()) {
	w := &watched{j: j, cancel: cancel}
	s.mu.Lock()
	if s.active == nil {
		s.active = map[*watched]struct{}{}
	}
	s.active[w] = struct{}{}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.active, w)
		s.mu.Unlock()
	}
}

// stalled removes and returns the copies idle since before cutoff.
func (s *stallWatch) stalled(cutoff time.Time) []*watched {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*watched
	for w := range s.active {
		if !time.Unix(0, w.j.moved.Load()).After(cutoff) {
			out = append(out, w)
			delete(s.active, w)
		}
	}
	return out
}

// watchStalls runs the watchdog until the engine stops.
func (e *engine) watchStalls() {
	defer e.wg.Done()
	tick := max(e.opts.StallTimeout/4, time.Millisecond)
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-e.clock.After(tick):
		}
		for _, w := range e.stalls.stalled(e.clock.Now().Add(-e.opts.StallTimeout)) {
			w.cancel(fmt.Errorf("%w: no data for %s %s (stall timeout)", errStalled, e.opts.StallTimeout, between(w.j)))
		}
	}
}

// between names the sites a stalled copy was waiting on, so the message
// says where the silence is: "from sftp://u@host:22" for a download,
// "to ..." for an upload, both for a copy between two servers.
func between(j *job) string {
	switch {
	case j.srcID == "local":
		return "to " + j.dstID
	case j.dstID == "local":
		return "from " + j.srcID
	}
	return "between " + j.srcID + " and " + j.dstID
}
