// Package treewalk walks a directory tree on any protocol.Client with
// several listings in flight, for du, find and the TUI's properties and
// find views. It keeps only the directories still to be listed (a stack),
// never the entries already seen, so a tree of a million entries costs the
// memory of its pending directories and of one listing per worker.
//
// Links are reported and never followed, so a link loop cannot trap the
// walk. Entries come to the caller's function one at a time, from the
// goroutine that called Walk.
package treewalk

import (
	"context"
	"errors"
	"path"
	"sync"

	"github.com/ferryhq/ferry/protocol"
)

// DefaultWorkers is how many listings are in flight unless Options say.
const DefaultWorkers = 8

// Item is one entry below the root, or a directory that could not be listed.
type Item struct {
	Path  string         // the entry's full slash path
	Entry protocol.Entry // as the listing gave it (Name is the base name)
	// Err is set when the directory at Path could not be listed; Entry is
	// then zero. The walk carries on with the rest of the tree.
	Err error
}

// Options tune a walk.
type Options struct {
	// Workers is how many listings may be in flight (DefaultWorkers if 0).
	Workers int
	// Dial opens another session for one more listing in flight, for a
	// backend that runs one command at a time (FTP). A Client that is a
	// protocol.Multiplexer is shared by every worker instead. Without
	// either, one listing is in flight. Sessions dialed here are closed
	// when the walk ends; one that fails to dial just means fewer workers.
	Dial func(ctx context.Context) (protocol.Client, error)
}

// ErrStop is the error a walk function returns to stop early; Walk then
// returns nil.
var ErrStop = errors.New("stop the walk")

// Walk lists root and every directory below it and calls fn with each
// entry below root, in no particular order. It returns fn's first error
// (other than ErrStop), or ctx's error when canceled. Listing errors go to
// fn as Items with Err set, the root's included.
func Walk(ctx context.Context, c protocol.Client, root string, opts Options, fn func(Item) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := opts.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	_, shared := c.(protocol.Multiplexer)
	if !shared && opts.Dial == nil {
		workers = 1
	}
	// A session still being dialed when the last listing is done is not
	// waited for: a server that accepts the connection and never answers
	// the login (pyftpdlib in active mode loses a session now and then)
	// would hold the finished walk for the whole dial timeout.
	dialCtx, stopDials := context.WithCancel(ctx)
	defer stopDials()
	w := &walker{pending: []string{root}, results: make(chan batch, workers), finished: stopDials}
	w.cond = sync.NewCond(&w.mu)
	var wg sync.WaitGroup
	start := func(cl protocol.Client, owned bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if owned {
				defer cl.Close()
			}
			w.work(ctx, cl, false)
		}()
	}
	// More workers join as soon as there is more than one directory to
	// list; each one that needs a session dials it on its own goroutine.
	w.grow = func() {
		for !w.lost && w.workers < workers && len(w.pending) > w.busy {
			w.workers++
			if shared {
				start(c, false)
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				cl, err := opts.Dial(dialCtx)
				if err != nil {
					w.mu.Lock()
					w.workers--
					w.mu.Unlock()
					return
				}
				defer cl.Close()
				w.work(ctx, cl, true)
			}()
		}
	}
	w.workers = 1
	start(c, false)
	go func() {
		wg.Wait()
		close(w.results)
	}()
	stop := func() {
		cancel()
		w.mu.Lock()
		w.done = true
		w.cond.Broadcast()
		w.mu.Unlock()
		for range w.results {
		}
	}
	go func() {
		<-ctx.Done()
		w.mu.Lock()
		w.done = true
		w.cond.Broadcast()
		w.mu.Unlock()
	}()
	for b := range w.results {
		if b.err != nil {
			if ctx.Err() != nil {
				continue
			}
			if err := fn(Item{Path: b.dir, Err: b.err}); err != nil {
				stop()
				return ignoreSkip(err)
			}
			continue
		}
		for _, en := range b.entries {
			if !protocol.IsBaseName(en.Name) {
				continue
			}
			if err := fn(Item{Path: path.Join(b.dir, en.Name), Entry: en}); err != nil {
				stop()
				return ignoreSkip(err)
			}
		}
	}
	return ctx.Err()
}

func ignoreSkip(err error) error {
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

// batch is one listing's result, handed from a worker to the caller.
type batch struct {
	dir     string
	entries []protocol.Entry
	err     error
}

type walker struct {
	mu      sync.Mutex
	cond    *sync.Cond
	pending []string // directories still to list: a stack, so the walk goes deep first and stays small
	busy    int      // listings in flight
	workers int
	done    bool
	grow    func() // called with mu held
	// finished is called, with mu held, once nothing is left to list.
	finished func()
	// lost is set when a dialed session failed: no more are dialed.
	lost    bool
	results chan batch
}

// work lists directories until none are pending and none are being listed
// (nothing more can appear), or the walk is stopped. On a dialed session
// (spare), a listing that fails with ErrTransient goes back to the
// pending directories and the session is given up: a server that stalls
// one of several sessions (pyftpdlib in active mode drops one now and
// then) must not fail a directory the other sessions can list.
func (w *walker) work(ctx context.Context, c protocol.Client, spare bool) {
	for {
		w.mu.Lock()
		for len(w.pending) == 0 && w.busy > 0 && !w.done {
			w.cond.Wait()
		}
		if w.done || len(w.pending) == 0 {
			w.done = true
			if w.finished != nil {
				w.finished()
			}
			w.cond.Broadcast()
			w.mu.Unlock()
			return
		}
		dir := w.pending[len(w.pending)-1]
		w.pending = w.pending[:len(w.pending)-1]
		w.busy++
		w.mu.Unlock()

		entries, err := c.List(ctx, dir)
		if err != nil && spare && errors.Is(err, protocol.ErrTransient) && ctx.Err() == nil {
			w.mu.Lock()
			w.busy--
			w.workers--
			w.lost = true
			w.pending = append(w.pending, dir)
			w.cond.Broadcast()
			w.mu.Unlock()
			return
		}
		var subdirs []string
		for _, en := range entries {
			if en.IsDir() && !en.IsLink() && protocol.IsBaseName(en.Name) {
				subdirs = append(subdirs, path.Join(dir, en.Name))
			}
		}
		select {
		case w.results <- batch{dir: dir, entries: entries, err: err}:
		case <-ctx.Done():
		}

		w.mu.Lock()
		w.busy--
		w.pending = append(w.pending, subdirs...)
		if w.grow != nil && !w.done {
			w.grow()
		}
		w.cond.Broadcast()
		w.mu.Unlock()
	}
}
