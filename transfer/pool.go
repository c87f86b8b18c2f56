package transfer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// dialTimeout bounds one pooled dial; backends have their own handshake
// deadlines, this is the engine's backstop.
const dialTimeout = 60 * time.Second

// pool keeps connections to one site, the way net/http.Transport keeps idle
// connections per host: at most max open, idle ones closed after a while.
// A connection whose backend multiplexes (protocol.Multiplexer, i.e. SFTP)
// is lent to several shared users at once; exclusive users (a big file, a
// segment) have one to themselves.
type pool struct {
	ep    Endpoint
	max   int // 0: no cap
	clock Clock

	mu      sync.Mutex
	conns   []*pooled
	dialing int           // dials in progress, counted against max
	streams int           // users one connection carries, learned at the first dial
	notify  chan struct{} // closed when a connection frees up
	closed  bool

	// progress counts what finished on this site (files, listings,
	// directories made): a failure while it grows is a flaky link, not a
	// server that is gone (see tries).
	progress atomic.Uint64
}

// pooled is one open connection and who holds it.
type pooled struct {
	c         protocol.Client
	users     int
	exclusive bool
	draining  bool      // failed once: no new users, closed when the last leaves
	since     time.Time // idle since, when users is 0
}

func newPool(ep Endpoint, clock Clock) *pool {
	max := ep.MaxConns
	if max == 1 {
		// A copy between two paths of one site needs two sessions at once.
		max = 2
	}
	return &pool{ep: ep, max: max, clock: clock, notify: make(chan struct{})}
}

// shareable reports whether small transfers may share connections here:
// always for the local filesystem, for a remote site once a dial showed it
// multiplexes.
func (p *pool) shareable() bool {
	if p.ep.IsLocal() {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.streams > 1
}

// get reserves n connections for exclusive use, waiting for room, reusing
// idle ones and dialing the rest.
func (p *pool) get(ctx context.Context, n int) ([]protocol.Client, error) {
	return p.acquire(ctx, n, false)
}

// share reserves n connections that other shared users may use at the same
// time, where the backend allows it; otherwise it is get.
func (p *pool) share(ctx context.Context, n int) ([]protocol.Client, error) {
	return p.acquire(ctx, n, true)
}

func (p *pool) acquire(ctx context.Context, n int, shared bool) ([]protocol.Client, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, fmt.Errorf("connect %s: queue closed", p.ep.ID)
		}
		if conns, dial, ok := p.reserve(n, shared); ok {
			p.mu.Unlock()
			return p.fill(ctx, conns, dial, shared)
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

// reserve takes n connections now if it can: shared users join a connection
// with room first, then anyone takes an idle one, then dials count against
// max; shared users wait for room rather than dial past a full shared
// session. It takes nothing unless it can take all n. Callers hold p.mu.
func (p *pool) reserve(n int, shared bool) (taken []protocol.Client, dial int, ok bool) {
	var picked []*pooled
	pickedOnce := func(pc *pooled) bool { return slices.Contains(picked, pc) }
	if shared && p.streams > 1 {
		for _, pc := range p.conns {
			for len(picked) < n && pc.users > 0 && !pc.exclusive && !pc.draining && pc.users+count(picked, pc) < p.streams {
				picked = append(picked, pc)
			}
		}
	}
	for _, pc := range p.conns {
		if len(picked) < n && pc.users == 0 && !pc.draining && !pickedOnce(pc) {
			picked = append(picked, pc)
		}
	}
	dial = n - len(picked)
	if dial > 0 && shared && p.streams > 1 && p.sharing() {
		// Every shared session is full. Its users are small files, each
		// done in a few round trips, so a slot frees in moments; a new
		// session costs a key exchange, a login and a server process.
		// (With -P 8 the engine runs 32 small files at once: dialing past
		// a full session opened seven more and took a 2,000-file tree
		// from 0.63 s to 1.25 s.)
		return nil, 0, false
	}
	if dial > 0 && p.max != 0 && len(p.conns)+p.dialing+dial > p.max {
		return nil, 0, false
	}
	for _, pc := range picked {
		pc.users++
		pc.exclusive = !shared || p.streams <= 1
		taken = append(taken, pc.c)
	}
	p.dialing += dial
	return taken, dial, true
}

// sharing reports whether a session is carrying shared users, one they
// may join once a stream frees. Callers hold p.mu.
func (p *pool) sharing() bool {
	return slices.ContainsFunc(p.conns, func(pc *pooled) bool {
		return pc.users > 0 && !pc.exclusive && !pc.draining
	})
}

func count(ps []*pooled, pc *pooled) int {
	k := 0
	for _, q := range ps {
		if q == pc {
			k++
		}
	}
	return k
}

// tryGet reserves one exclusive connection only when one is free now.
func (p *pool) tryGet(ctx context.Context) (protocol.Client, bool) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, false
	}
	conns, dial, ok := p.reserve(1, false)
	p.mu.Unlock()
	if !ok {
		return nil, false
	}
	cs, err := p.fill(ctx, conns, dial, false)
	if err != nil {
		return nil, false
	}
	return cs[0], true
}

// fill dials the connections reserve counted, adding them to the pool.
func (p *pool) fill(ctx context.Context, conns []protocol.Client, dial int, shared bool) ([]protocol.Client, error) {
	for i := 0; i < dial; i++ {
		dctx, cancel := context.WithTimeout(ctx, dialTimeout)
		c, err := p.ep.Dial(dctx)
		cancel()
		p.mu.Lock()
		p.dialing--
		if err != nil {
			p.dialing -= dial - i - 1
			p.mu.Unlock()
			for _, c := range conns {
				p.put(c, false)
			}
			p.wake()
			return nil, dialError(p.ep.ID, err)
		}
		if m, ok := c.(protocol.Multiplexer); ok && p.streams == 0 {
			p.streams = max(m.Streams(), 1)
		} else if p.streams == 0 {
			p.streams = 1
		}
		p.conns = append(p.conns, &pooled{c: c, users: 1, exclusive: !shared || p.streams <= 1})
		p.mu.Unlock()
		conns = append(conns, c)
	}
	if dial > 0 {
		p.wake() // room may have opened on the new connections
	}
	return conns, nil
}

// put returns a connection; a broken one (after any error) takes no new
// users and is closed once the last one leaves, so retries dial afresh.
func (p *pool) put(c protocol.Client, broken bool) {
	p.mu.Lock()
	i := slices.IndexFunc(p.conns, func(pc *pooled) bool { return pc.c == c })
	if i < 0 {
		p.mu.Unlock()
		go c.Close() //nolint:errcheck // not ours any more
		return
	}
	pc := p.conns[i]
	pc.users--
	if broken {
		pc.draining = true
	}
	var closeIt bool
	if pc.users == 0 {
		pc.exclusive = false
		pc.since = p.clock.Now()
		if pc.draining || p.closed {
			p.conns = slices.Delete(p.conns, i, i+1)
			closeIt = true
		}
	}
	p.mu.Unlock()
	if closeIt {
		go c.Close() //nolint:errcheck // a broken session's close error says nothing new
	}
	p.wake()
}

// wake tells waiting getters to look again.
func (p *pool) wake() {
	p.mu.Lock()
	close(p.notify)
	p.notify = make(chan struct{})
	p.mu.Unlock()
}

// reap closes connections idle for longer than d.
func (p *pool) reap(d time.Duration) {
	now := p.clock.Now()
	p.mu.Lock()
	var stale []protocol.Client
	p.conns = slices.DeleteFunc(p.conns, func(pc *pooled) bool {
		if pc.users == 0 && now.Sub(pc.since) >= d {
			stale = append(stale, pc.c)
			return true
		}
		return false
	})
	p.mu.Unlock()
	for _, c := range stale {
		c.Close()
	}
	if len(stale) > 0 {
		p.wake()
	}
}

// close closes every idle connection and refuses new gets; connections in
// use are closed as they come back.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	var idle []protocol.Client
	p.conns = slices.DeleteFunc(p.conns, func(pc *pooled) bool {
		if pc.users == 0 {
			idle = append(idle, pc.c)
			return true
		}
		return false
	})
	p.mu.Unlock()
	for _, c := range idle {
		c.Close()
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
		// One per worker; a directory walk borrows one between files (or
		// shares one, over SFTP). Servers often cap connections per
		// client, and each session costs the server a process: with a
		// fifth FTP session for the walk, a 2,000-file tree took longer
		// than with four.
		ep.MaxConns = e.opts.Workers
	}
	p := newPool(ep, e.clock)
	e.pools[id] = p
	return p, nil
}
