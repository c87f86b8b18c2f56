package syncer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sync"

	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/transfer"
)

// Entry is what a sync remembers of a file: its size and its modification
// time in whole seconds since the epoch (0 when the server does not say).
type Entry struct {
	Size  int64
	MTime int64
}

func entryOf(e protocol.Entry) Entry {
	var t int64
	if !e.ModTime.IsZero() {
		t = e.ModTime.Unix()
	}
	return Entry{Size: e.Size, MTime: t}
}

// Node is one path of a listing.
type Node struct {
	Dir bool
	Entry
}

// Listing is a whole tree: every path below the root, slash-separated and
// relative to it.
type Listing map[string]Node

// Files counts the listing's files.
func (l Listing) Files() int {
	n := 0
	for _, nd := range l {
		if !nd.Dir {
			n++
		}
	}
	return n
}

// WalkOptions tune a Walk.
type WalkOptions struct {
	// Local says the tree is on the local disk, where several listings at
	// once cost nothing.
	Local bool
	// Rules leave paths out (nil: none).
	Rules *filter.Rules
	// Dial opens more sessions for a server that runs one command at a
	// time (FTP), so that up to ftpSessions directories are listed at
	// once; nil lists one at a time there. Sessions dialed are closed when
	// the walk ends; one that fails to dial just means fewer in flight.
	Dial func(ctx context.Context) (protocol.Client, error)
}

// ftpSessions is how many sessions a walk over FTP may use, the first
// being the caller's.
const ftpSessions = 4

// sessions is the pool a walk lists with: the caller's session, several
// times over when it multiplexes (SFTP) or is the local disk, else the
// caller's and up to ftpSessions-1 more, dialed in the background.
func sessions(ctx context.Context, c protocol.Client, opts WalkOptions) (pool chan protocol.Client, closeAll func()) {
	n := 1
	shared := opts.Local
	if m, ok := c.(protocol.Multiplexer); ok && m.Streams() > 1 {
		n, shared = min(m.Streams(), 16), true
	}
	if opts.Local {
		n = 8
	}
	if !shared && opts.Dial != nil {
		n = ftpSessions
	}
	pool = make(chan protocol.Client, n)
	pool <- c
	if shared {
		for range n - 1 {
			pool <- c
		}
		return pool, func() {}
	}
	var mu sync.Mutex
	var dialed []protocol.Client
	done := make(chan struct{})
	dctx, cancel := context.WithCancel(ctx)
	go func() {
		defer close(done)
		for range n - 1 {
			extra, err := opts.Dial(dctx)
			if err != nil {
				return
			}
			mu.Lock()
			dialed = append(dialed, extra)
			mu.Unlock()
			pool <- extra
		}
	}()
	return pool, func() {
		cancel()
		<-done
		for _, extra := range dialed {
			extra.Close()
		}
	}
}

// Walk lists the tree below root on c, several directories at once where
// the session allows (or opts.Dial adds sessions), leaving out ferry's
// parts and what the rules exclude (with .gitignore files read as the
// walk meets them, when the rules say so). Symbolic links to files count
// as the files; links to directories are not followed. Any listing that
// fails fails the walk: a directory that could not be read must never
// look like a deleted one.
func Walk(ctx context.Context, c protocol.Client, root string, opts WalkOptions) (Listing, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu      sync.Mutex
		out     = Listing{}
		firstEr error
		wg      sync.WaitGroup
	)
	pool, closeAll := sessions(ctx, c, opts)
	defer closeAll()
	fail := func(err error) {
		mu.Lock()
		if firstEr == nil {
			firstEr = err
		}
		mu.Unlock()
		cancel()
	}
	var visit func(rel string, rules *filter.Rules)
	visit = func(rel string, rules *filter.Rules) {
		defer wg.Done()
		var c protocol.Client
		select {
		case c = <-pool:
		case <-ctx.Done():
			return
		}
		defer func() { pool <- c }()
		ents, err := c.List(ctx, path.Join(root, rel))
		if err == nil && rules.Gitignore() {
			rules, err = withGitignore(ctx, c, root, rel, ents, rules)
		}
		if err != nil {
			fail(fmt.Errorf("list %s: %w", path.Join(root, rel), err))
			return
		}
		var dirs []string
		found := make([]struct {
			rel string
			n   Node
		}, 0, len(ents))
		for _, e := range ents {
			if !protocol.SafeName(e.Name) {
				fail(fmt.Errorf("list %s: refused unsafe name %q", path.Join(root, rel), e.Name))
				return
			}
			if transfer.IsPartName(e.Name) {
				continue
			}
			r := path.Join(rel, e.Name)
			if e.IsLink() {
				st, err := c.Stat(ctx, path.Join(root, r))
				if errors.Is(err, protocol.ErrNotExist) || (err == nil && st.IsDir()) {
					continue // dangling, or a directory: not followed
				}
				if err != nil {
					fail(fmt.Errorf("stat %s: %w", path.Join(root, r), err))
					return
				}
				e = st
			}
			dir := e.IsDir()
			if rules.ExcludedEntry(r, dir) {
				continue
			}
			found = append(found, struct {
				rel string
				n   Node
			}{r, Node{Dir: dir, Entry: entryOf(e)}})
			if dir {
				dirs = append(dirs, r)
			}
		}
		mu.Lock()
		for _, f := range found {
			if f.n.Dir {
				f.n.Entry = Entry{}
			}
			out[f.rel] = f.n
		}
		mu.Unlock()
		wg.Add(len(dirs))
		for _, d := range dirs {
			go visit(d, rules)
		}
	}
	wg.Add(1)
	visit("", opts.Rules)
	wg.Wait()
	if firstEr != nil {
		return nil, firstEr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// withGitignore reads the .gitignore among ents, if any, into rules.
func withGitignore(ctx context.Context, c protocol.Client, root, rel string, ents []protocol.Entry, rules *filter.Rules) (*filter.Rules, error) {
	for _, e := range ents {
		if e.Name != ".gitignore" || e.IsDir() {
			continue
		}
		rc, err := c.Open(ctx, path.Join(root, rel, e.Name), 0)
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(rc, 1<<20))
		rc.Close()
		if err != nil {
			return nil, err
		}
		return rules.WithGitignore(rel, data), nil
	}
	return rules, nil
}
