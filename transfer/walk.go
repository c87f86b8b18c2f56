package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
)

// maxLinkDepth bounds how many directory symlinks one branch of a walk
// follows, a backstop when a server does not tell link targets.
const maxLinkDepth = 16

// walkDir is a directory still to list.
type walkDir struct {
	src, dst  string
	links     int           // directory symlinks followed to get here
	ancestors []string      // resolved source paths from the root down, for loop checks
	created   bool          // this walk made dst, so nothing in it predates the copy
	listed    *listing      // the listing started ahead, if any
	rel       string        // src relative to the walk's root, for the filter
	rules     *filter.Rules // the filter for src's entries; nil: none
}

// maxGitignore bounds the .gitignore a filtered walk reads.
const maxGitignore = 1 << 20

// startWalk launches the lazy walk of a directory job; callers hold e.mu.
func (e *engine) startWalk(j *job) {
	ctx, cancel := context.WithCancel(e.ctx)
	j.walkCancel = cancel
	j.walkRunning = true
	w := walker{gen: j.gen, resume: j.resumeWalk}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		err := e.walk(ctx, j, w)
		cancel()
		e.mu.Lock()
		defer e.mu.Unlock()
		j.walkRunning = false
		if ctx.Err() != nil && e.ctx.Err() != nil {
			return // closing: the walk starts over after reload
		}
		if j.gen != w.gen {
			e.touch(j) // Retry wants a new walk; next starts it
			return
		}
		j.walkDone = true
		if err != nil && !errors.Is(err, context.Canceled) {
			j.walkErr = err
			e.logLocked(fmt.Sprintf("walk %s: %v", j.srcPath, err))
		}
		e.touch(j)
		e.checkDir(j)
	}()
}

// walker is what one walk was started with: the directory's generation
// (a Retry starts a new one) and whether identical targets are skipped.
type walker struct {
	gen    int
	resume bool
}

// walk lists the source tree depth first, creating directories on the
// destination and handing files to the workers as it goes. Entries with
// unsafe names are refused and counted as failed; a listing that fails
// permanently fails that subtree only.
func (e *engine) walk(ctx context.Context, j *job, w walker) error {
	root := path.Clean(j.srcPath)
	created, err := e.mkdirAll(ctx, j, j.dstPath)
	if err != nil {
		return err
	}
	rules, err := filter.Compile(j.opts.Filter)
	if err != nil {
		return err
	}
	stack := []walkDir{{src: root, dst: j.dstPath, ancestors: []string{root}, created: created, rules: rules}}
	ahead := newLookahead(ctx, e, j, walkAhead)
	defer ahead.wait()
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		entries, err := ahead.take(d)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if d.src == root {
				return err
			}
			e.skip(j, w, d.src, err, refusedOrFailed(err))
			continue
		}
		rules, err := e.gitignore(ctx, j, d, entries)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if d.src == root {
				return err
			}
			// Copying the directory without its .gitignore could send
			// what it keeps out: skip it all.
			e.skip(j, w, d.src, err, refusedOrFailed(err))
			continue
		}
		var subdirs []walkDir
		for _, ent := range entries {
			if err := checkName(ent.Name); err != nil {
				e.refuse(j, w, d.src+"/"+ent.Name, err)
				continue
			}
			rel := path.Join(d.rel, ent.Name)
			if excluded(rules, rel, ent) {
				continue
			}
			sp, dp := path.Join(d.src, ent.Name), path.Join(d.dst, ent.Name)
			if !within(j.dstPath, dp) {
				e.refuse(j, w, sp, errors.New("target would be outside the destination"))
				continue
			}
			links := d.links
			resolved := sp
			if ent.IsLink() {
				st, err := e.stat(ctx, j, sp)
				if err != nil {
					e.skip(j, w, sp, fmt.Errorf("follow link: %w", err), refusedOrFailed(err))
					continue
				}
				if st.IsDir() {
					links++
					if ent.Target != "" {
						resolved = path.Clean(ent.Target)
						if !path.IsAbs(resolved) {
							resolved = path.Join(d.src, ent.Target)
						}
					}
					if loop(resolved, d.ancestors) || links > maxLinkDepth {
						e.refuse(j, w, sp, errors.New("symlink loop"))
						continue
					}
				}
				st.Name = ent.Name
				ent = st
				if rules.ExcludedEntry(rel, ent.IsDir()) {
					continue
				}
			}
			if ent.IsDir() {
				created, err := e.mkdir(ctx, j, dp)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					e.skip(j, w, dp, err, refusedOrFailed(err))
					continue
				}
				anc := append(append([]string(nil), d.ancestors...), resolved)
				subdirs = append(subdirs, walkDir{src: sp, dst: dp, links: links, ancestors: anc, created: created, rel: rel, rules: rules})
				continue
			}
			if ent.Mode&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeIrregular) != 0 {
				continue // devices, sockets, pipes: nothing to copy
			}
			entry := ent
			if err := e.push(ctx, j, w, &job{
				srcID: j.srcID, srcPath: sp, dstID: j.dstID, dstPath: dp,
				opts: j.opts, entry: &entry, resumeWalk: w.resume, size: ent.Size, newDir: d.created,
			}); err != nil {
				return err
			}
		}
		for i := len(subdirs) - 1; i >= 0; i-- { // keep listing order
			stack = append(stack, subdirs[i])
		}
		ahead.start(stack)
	}
	return nil
}

// excluded reports whether the filter leaves a listed entry out. A link
// is decided before it is followed only when the filter leaves it out as a
// file and as a directory alike; else the walk follows it and asks again.
func excluded(r *filter.Rules, rel string, ent protocol.Entry) bool {
	if ent.IsLink() {
		return r.ExcludedEntry(rel, false) && r.ExcludedEntry(rel, true)
	}
	return r.ExcludedEntry(rel, ent.IsDir())
}

// gitignore returns the filter for d's entries: d's own, plus d's
// .gitignore when the filter honours them and the listing shows one (no
// extra round trip otherwise).
func (e *engine) gitignore(ctx context.Context, j *job, d walkDir, entries []protocol.Entry) (*filter.Rules, error) {
	if !d.rules.Gitignore() {
		return d.rules, nil
	}
	for _, ent := range entries {
		if ent.Name != ".gitignore" || ent.IsDir() {
			continue
		}
		p := path.Join(d.src, ent.Name)
		var content []byte
		err := e.withConn(ctx, j.srcID, func(c protocol.Client) error {
			rc, err := c.Open(ctx, p, 0)
			if err != nil {
				return err
			}
			defer rc.Close()
			content, err = io.ReadAll(io.LimitReader(rc, maxGitignore+1))
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		if len(content) > maxGitignore {
			return nil, fmt.Errorf("read %s: larger than %d bytes", p, maxGitignore)
		}
		return d.rules.WithGitignore(d.rel, content), nil
	}
	return d.rules, nil
}

// push queues one walked file, waiting while the directory has maxPending
// files queued already.
func (e *engine) push(ctx context.Context, d *job, w walker, c *job) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for len(d.pending) >= maxPending && ctx.Err() == nil && !e.closed && d.gen == w.gen {
		e.cond.Wait()
	}
	if ctx.Err() != nil || e.closed || d.gen != w.gen {
		return context.Canceled
	}
	c.id = e.nextID
	e.nextID++
	c.parent = d
	c.gen = w.gen
	c.state = StateQueued
	d.children[c.id] = c
	e.byID[c.id] = c
	d.pending = append(d.pending, c)
	d.files++
	d.size += c.size
	e.touch(c)
	e.touch(d)
	return nil
}

// refuse records an entry the walk skips for safety (an unsafe name, a
// link loop) as a failed file.
func (e *engine) refuse(d *job, w walker, p string, err error) {
	e.skip(d, w, p, err, "refused")
}

// refusedOrFailed names how the walk reports an entry it could not expand:
// "refused" when the server's own answer says no (permission, no such
// file), "failed" when the connection or the server broke down (the retries
// ran out, or the reply was garbage), which a later Retry may cure.
func refusedOrFailed(err error) string {
	if errors.Is(err, protocol.ErrPermission) || errors.Is(err, protocol.ErrNotExist) {
		return "refused"
	}
	return "failed"
}

// skip records an entry the walk could not take as a failed file, with
// the reason (result: "refused" or "failed") in the engine log and the
// transfer log.
func (e *engine) skip(d *job, w walker, p string, err error, result string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d.gen != w.gen {
		return
	}
	d.files++
	d.filesFailed++
	e.logLocked(fmt.Sprintf("%s %s: %v", result, p, err))
	e.recordSkipped(d, p, result, err)
	e.touch(d)
}

// checkName refuses listing names that could escape the destination or
// confuse a terminal: separators, dot-dot, NUL and control characters.
func checkName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("unsafe name %q", name)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("unsafe name %q: holds a path separator", name)
	case filepath.VolumeName(name) != "": // "C:x" on Windows
		return fmt.Errorf("unsafe name %q: names a drive", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fmt.Errorf("unsafe name %q: holds a control character", name)
		}
	}
	return nil
}

// within reports whether p lies inside root (both slash paths).
func within(root, p string) bool {
	root, p = path.Clean(root), path.Clean(p)
	if root == "/" {
		return strings.HasPrefix(p, "/")
	}
	return p == root || strings.HasPrefix(p, root+"/")
}

// loop reports whether following a link to resolved revisits a directory on
// the current branch (or one of its ancestors).
func loop(resolved string, ancestors []string) bool {
	for _, a := range ancestors {
		if within(resolved, a) {
			return true
		}
	}
	return false
}

// list lists a source directory, retrying transient failures on fresh
// connections.
func (e *engine) list(ctx context.Context, j *job, dir string) ([]protocol.Entry, error) {
	var out []protocol.Entry
	err := e.withConn(ctx, j.srcID, func(c protocol.Client) error {
		var err error
		out, err = c.List(ctx, dir)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	return out, nil
}

func (e *engine) stat(ctx context.Context, j *job, p string) (protocol.Entry, error) {
	var out protocol.Entry
	err := e.withConn(ctx, j.srcID, func(c protocol.Client) error {
		var err error
		out, err = c.Stat(ctx, p)
		return err
	})
	return out, err
}

// mkdir creates a destination directory; one that exists is fine. created
// reports whether this call made it.
func (e *engine) mkdir(ctx context.Context, j *job, p string) (created bool, err error) {
	err = e.withConn(ctx, j.dstID, func(c protocol.Client) error {
		created = false
		err := c.Mkdir(ctx, p)
		if err == nil {
			created = true
			return nil
		}
		if errors.Is(err, protocol.ErrExist) {
			st, serr := c.Stat(ctx, p)
			switch {
			case serr == nil && st.IsDir():
				return nil
			case serr != nil && !errors.Is(serr, protocol.ErrNotExist):
				// Not an answer about the path (a lost connection): say
				// so, so a retry can ask again.
				return fmt.Errorf("mkdir %s: %w", p, serr)
			}
			return fmt.Errorf("mkdir %s: a file is in the way", p)
		}
		// Some servers answer 550 for an existing directory.
		if st, serr := c.Stat(ctx, p); serr == nil && st.IsDir() {
			return nil
		}
		return fmt.Errorf("mkdir %s: %w", p, err)
	})
	return created, err
}

// mkdirAll creates the destination root and any missing parents.
func (e *engine) mkdirAll(ctx context.Context, j *job, p string) (created bool, err error) {
	if created, err := e.mkdir(ctx, j, p); err == nil || ctx.Err() != nil {
		return created, err
	}
	if parent := path.Dir(p); parent != p && parent != "." && parent != "/" {
		if _, err := e.mkdirAll(ctx, j, parent); err != nil {
			return false, err
		}
	}
	return e.mkdir(ctx, j, p)
}

// withConn runs f on a pooled connection of site id, retrying transient
// failures with backoff on a fresh connection, for as long as a file job
// would (see tries).
func (e *engine) withConn(ctx context.Context, id string, f func(protocol.Client) error) error {
	p, err := e.pool(ctx, id)
	if err != nil {
		return err
	}
	var t tries
	t.begin(p.progress.Load())
	for {
		cs, err := p.share(ctx, 1)
		if err == nil {
			err = f(cs[0])
			p.put(cs[0], err != nil && !errors.Is(err, protocol.ErrNotExist))
		}
		switch {
		case err == nil:
			p.progress.Add(1)
			return nil
		case !protocol.IsTransient(err) || ctx.Err() != nil:
			return err
		case !t.again(p.progress.Load(), e.opts.Retries):
			return t.gaveUp(err)
		}
		delay := e.backoff(t.fails)
		e.logf("retry in %s: %v", delay.Round(time.Millisecond), err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-e.clock.After(delay):
		}
	}
}
