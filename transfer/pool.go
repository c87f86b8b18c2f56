package transfer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// dialTimeout bounds one pooled dial; backends have their own handshake
// deadlines, this is the engine's backstop.
const dialTimeout = 60 * time.Second

// pool keeps connections to one site, the way net/http.Transport keeps idle
// connections per host: at most max in use, idle ones closed after a while.
type pool struct {
	ep    Endpoint
	max   int // 0: no cap
	clock Clock

	mu     sync.Mutex
	inUse  int
	idle   []idleConn
	notify chan struct{} // closed when a slot frees
	closed bool
}

type idleConn struct {
	c     protocol.Client
	since time.Time
}

func newPool(ep Endpoint, clock Clock) *pool {
	max := ep.MaxConns
	if max == 1 {
		// A copy between two paths of one site needs two sessions at once.
		max = 2
	}
	return &pool{ep: ep, max: max, clock: clock, notify: make(chan struct{})}
}

// get reserves n connections, waiting for free slots, reusing idle ones and
// dialing the rest.
func (p *pool) get(ctx context.Context, n int) ([]protocol.Client, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, fmt.Errorf("connect %s: queue closed", p.ep.ID)
		}
		if p.max == 0 || p.inUse+n <= p.max {
			p.inUse += n
			conns := p.takeIdle(n)
			p.mu.Unlock()
			return p.fill(ctx, conns, n)
		}
		ch := p.notify
		p.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-ch:
		}
	}
}

// tryGet reserves one connection only when a slot is free now.
func (p *pool) tryGet(ctx context.Context) (protocol.Client, bool) {
	p.mu.Lock()
	if p.closed || (p.max != 0 && p.inUse >= p.max) {
		p.mu.Unlock()
		return nil, false
	}
	p.inUse++
	conns := p.takeIdle(1)
	p.mu.Unlock()
	cs, err := p.fill(ctx, conns, 1)
	if err != nil {
		return nil, false
	}
	return cs[0], true
}

func (p *pool) takeIdle(n int) []protocol.Client {
	var conns []protocol.Client
	for len(conns) < n && len(p.idle) > 0 {
		last := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		conns = append(conns, last.c)
	}
	return conns
}

func (p *pool) fill(ctx context.Context, conns []protocol.Client, n int) ([]protocol.Client, error) {
	for len(conns) < n {
		dctx, cancel := context.WithTimeout(ctx, dialTimeout)
		c, err := p.ep.Dial(dctx)
		cancel()
		if err != nil {
			for _, c := range conns {
				p.put(c, false)
			}
			p.release(n - len(conns))
			return nil, dialError(p.ep.ID, err)
		}
		conns = append(conns, c)
	}
	return conns, nil
}

// put returns a connection; a broken one (after any error) is closed so the
// next user dials afresh.
func (p *pool) put(c protocol.Client, broken bool) {
	p.mu.Lock()
	if broken || p.closed {
		p.mu.Unlock()
		go c.Close() //nolint:errcheck // a broken session's close error says nothing new
		p.release(1)
		return
	}
	p.idle = append(p.idle, idleConn{c: c, since: p.clock.Now()})
	p.mu.Unlock()
	p.release(1)
}

func (p *pool) release(n int) {
	p.mu.Lock()
	p.inUse -= n
	close(p.notify)
	p.notify = make(chan struct{})
	p.mu.Unlock()
}

// reap closes connections idle for longer than d.
func (p *pool) reap(d time.Duration) {
	now := p.clock.Now()
	p.mu.Lock()
	var keep []idleConn
	var stale []protocol.Client
	for _, ic := range p.idle {
		if now.Sub(ic.since) >= d {
			stale = append(stale, ic.c)
		} else {
			keep = append(keep, ic)
		}
	}
	p.idle = keep
	p.mu.Unlock()
	for _, c := range stale {
		c.Close()
	}
}

// close closes every idle connection and refuses new gets; connections in
// use are closed as they come back.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, ic := range idle {
		ic.c.Close()
	}
}

// dialError marks a failed dial as transient unless it is about who we are
// or who the server is: a refused or reset connection may work next time, a
// wrong password or a changed host key will not.
func dialError(id string, err error) error {
	for _, kind := range []error{protocol.ErrAuth, protocol.ErrHostKey, protocol.ErrTLS, protocol.ErrPermission, protocol.ErrNoPrompt} {
		if errors.Is(err, kind) {
			return fmt.Errorf("connect %s: %w", id, err)
		}
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("connect %s: %w", id, err)
	}
	return protocol.NewError("connect", id, protocol.ErrTransient, "", err)
}

// pool returns the pool of an endpoint ID, resolving unknown IDs (from a
// reloaded queue) through Options.Resolve.
func (e *engine) pool(ctx context.Context, id string) (*pool, error) {
	e.mu.Lock()
	if p, ok := e.pools[id]; ok {
		e.mu.Unlock()
		return p, nil
	}
	ep, ok := e.endpoints[id]
	e.mu.Unlock()
	if !ok {
		if e.opts.Resolve == nil {
			return nil, fmt.Errorf("site %s is not connected", id)
		}
		var err error
		ep, err = e.opts.Resolve(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("site %s: %w", id, err)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p, ok := e.pools[id]; ok {
		return p, nil
	}
	if ep.MaxConns == 0 && !ep.IsLocal() {
		// One per worker and one for a directory walk: servers often cap
		// connections per client, so open no more than can be busy.
		ep.MaxConns = e.opts.Workers + 1
	}
	p := newPool(ep, e.clock)
	e.pools[id] = p
	return p, nil
}
