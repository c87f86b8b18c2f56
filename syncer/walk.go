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

// listConcurrency is how many directories are listed at once on one
// session: several on a session that multiplexes (SFTP) or on the local
// disk, one where every listing takes the connection (FTP).
func listConcurrency(c protocol.Client, local bool) int {
	if local {
		return 8
	}
	if m, ok := c.(protocol.Multiplexer); ok && m.Streams() > 1 {
		return min(m.Streams(), 16)
	}
	return 1
}

// Walk lists the tree below root on c, several directories at once where
// the session allows, leaving out ferry's parts and what rules exclude
// (with .gitignore files read as the walk meets them, when the rules say
// so).
// Symbolic links to files count as the files; links to directories are
// not followed. Any listing that fails fails the walk: a directory that
// could not be read must never look like a deleted one.
func Walk(ctx context.Context, c protocol.Client, root string, local bool, rules *filter.Rules) (Listing, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu      sync.Mutex
		out     = Listing{}
		firstEr error
		wg      sync.WaitGroup
	)
	sem := make(chan struct{}, listConcurrency(c, local))
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
		sem <- struct{}{}
		ents, err := c.List(ctx, path.Join(root, rel))
		if err == nil && rules.Gitignore() {
			rules, err = withGitignore(ctx, c, root, rel, ents, rules)
		}
		<-sem
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
			if !safeName(e.Name) {
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
	visit("", rules)
	wg.Wait()
	if firstEr != nil {
		return nil, firstEr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// safeName refuses names a hostile listing could use to leave the tree.
func safeName(n string) bool {
	if n == "" || n == "." || n == ".." {
		return false
	}
	for _, r := range n {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
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
