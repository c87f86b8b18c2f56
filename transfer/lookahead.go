package transfer

import (
	"context"
	"sync"

	"github.com/ferryhq/ferry/protocol"
)

// walkAhead is how many directory listings a walk runs ahead of the one
// it is expanding. Listing one directory at a time made a tree of small
// files wait on listings: each costs a few round trips, queued at the
// server behind the transfers' requests, and the workers ran dry.
const walkAhead = 4

// listing is one directory listing, done or on its way.
type listing struct {
	done    chan struct{}
	entries []protocol.Entry
	err     error
}

// lookahead lists the directories a walk will expand next while the walk
// expands the current one. It holds at most walkAhead listings that the
// walk has not taken yet, so a wide tree does not fill memory.
type lookahead struct {
	e     *engine
	ctx   context.Context
	j     *job
	limit int
	held  int // listings started and not yet taken
	wg    sync.WaitGroup
}

func newLookahead(ctx context.Context, e *engine, j *job, limit int) *lookahead {
	return &lookahead{e: e, ctx: ctx, j: j, limit: limit}
}

// start begins listing the directories on top of the stack, the next the
// walk pops, up to the bound.
func (l *lookahead) start(stack []walkDir) {
	for i := len(stack) - 1; i >= 0 && l.held < l.limit; i-- {
		if stack[i].listed != nil {
			continue
		}
		r := &listing{done: make(chan struct{})}
		stack[i].listed = r
		l.held++
		l.wg.Add(1)
		go func(dir string) {
			defer l.wg.Done()
			defer close(r.done)
			r.entries, r.err = l.e.list(l.ctx, l.j, dir)
		}(stack[i].src)
	}
}

// take returns d's listing, waiting for one started ahead or listing now.
func (l *lookahead) take(d walkDir) ([]protocol.Entry, error) {
	if d.listed == nil {
		return l.e.list(l.ctx, l.j, d.src)
	}
	l.held--
	select {
	case <-d.listed.done:
		return d.listed.entries, d.listed.err
	case <-l.ctx.Done():
		return nil, l.ctx.Err()
	}
}

// wait returns when no listing runs; the walk's context ends them early.
func (l *lookahead) wait() { l.wg.Wait() }
