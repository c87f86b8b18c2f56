package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/transfer"
)

// Kind is what a Report tells.
type Kind int

const (
	KindQueued   Kind = iota // an upload was queued (Job)
	KindMkdir                // a remote directory was created
	KindRenamed              // a remote rename
	KindRemoved              // a remote removal (only with Delete)
	KindKept                 // a local removal left on the remote (no Delete)
	KindCatchUp              // a rescan compared the trees (N uploads queued)
	KindWatching             // caught up; watching for changes (N directories)
	KindLost                 // the connection was lost; reconnecting (Err)
	KindError                // one change failed (Err); the rest go on
)

// Report is one line of what a Keeper did, or in a dry run would do.
type Report struct {
	Kind       Kind
	Path, From string // slash paths relative to the roots
	Dir        bool
	Job        transfer.JobID
	N          int
	Dry        bool
	Err        error
}

// String is the report as the CLI prints it.
func (r Report) String() string {
	p := quote(r.Path)
	switch {
	case r.Path == "":
		p = "." // the root
	case r.Dir:
		p += "/"
	}
	would := ""
	if r.Dry {
		would = "would "
	}
	switch r.Kind {
	case KindQueued:
		return would + "upload " + p
	case KindMkdir:
		return would + "mkdir  " + p
	case KindRenamed:
		return would + "rename " + quote(r.From) + " -> " + p
	case KindRemoved:
		return would + "delete " + p
	case KindKept:
		return "kept   " + p + " on the remote (removed here; --delete removes it there)"
	case KindCatchUp:
		return fmt.Sprintf("%scaught up: %d to upload", would, r.N)
	case KindWatching:
		return fmt.Sprintf("watching %d directories", r.N)
	case KindLost:
		return fmt.Sprintf("connection lost (%v); reconnecting", r.Err)
	default:
		if r.Path == "" {
			return fmt.Sprintf("error: %v", r.Err)
		}
		return fmt.Sprintf("error: %s: %v", p, r.Err)
	}
}

func quote(s string) string {
	if q := strconv.Quote(s); q[1:len(q)-1] != s {
		return q
	}
	return s
}

// Keeper keeps RemoteRoot up to date with LocalRoot: it first uploads
// what differs (size or time, as mirror compares), then applies each
// change the Watcher reports. Uploads go through Queue, so parts, resume
// and retries apply; directories, renames and removals use a connection
// of its own. A lost connection is redialled and followed by a rescan,
// which catches up whatever changed meanwhile.
type Keeper struct {
	Queue      *transfer.Queue
	Local      transfer.Endpoint // the local endpoint the queue reads from
	Remote     transfer.Endpoint
	LocalRoot  string // a local directory
	RemoteRoot string // an absolute remote path
	Delete     bool   // remove remotely what is removed locally
	DryRun     bool   // report, change nothing
	Exclude    Excluder
	Job        transfer.JobOptions
	Debounce   time.Duration
	// Report receives each report, from Run's goroutine; may be nil.
	Report func(Report)

	mu     sync.Mutex
	jobs   map[transfer.JobID]string // our unfinished uploads
	byPath map[string]transfer.JobID
	resync chan struct{}
}

// Observe takes the queue's events, so that an upload that failed for
// want of a connection leads to a reconnect and a rescan. It does not
// block.
func (k *Keeper) Observe(ev transfer.Event) {
	k.init()
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, j := range ev.Jobs {
		rel, ok := k.jobs[j.ID]
		if !ok || !j.State.Finished() {
			continue
		}
		delete(k.jobs, j.ID)
		if k.byPath[rel] == j.ID {
			delete(k.byPath, rel)
		}
		// A failure a new connection may cure calls for a rescan once the
		// server answers again; others (permission, disk full) are the
		// engine's to report.
		if j.State == transfer.StateFailed && protocol.IsTransient(j.Err) {
			select {
			case k.resync <- struct{}{}:
			default:
			}
		}
	}
}

func (k *Keeper) init() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.jobs == nil {
		k.jobs, k.byPath = map[transfer.JobID]string{}, map[string]transfer.JobID{}
		k.resync = make(chan struct{}, 1)
	}
}

func (k *Keeper) report(r Report) {
	r.Dry = k.DryRun
	if k.Report != nil {
		k.Report(r)
	}
}

// Run catches up, then keeps up until ctx ends (nil) or the watch fails
// (for instance at the system's watch limit, ErrWatchLimit).
func (k *Keeper) Run(ctx context.Context) error {
	k.init()
	w, err := New(k.LocalRoot, Options{Exclude: k.Exclude, Debounce: k.Debounce})
	if err != nil {
		return err
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	werr := make(chan error, 1)
	go func() { werr <- w.Run(wctx) }()

	c, err := k.dial(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	if err := k.heal(ctx, &c, k.catchUp(ctx, c), true); err != nil {
		return quiet(ctx, err)
	}
	k.report(Report{Kind: KindWatching, N: w.Watches()})
	backoff := time.Second
	calm := time.NewTimer(time.Minute)
	defer calm.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case err := <-werr:
			return quiet(ctx, err)
		case batch := <-w.Changes():
			err = k.apply(ctx, c, batch)
		case <-k.resync:
			// Wait a little, and longer each time in a row, so a server
			// that takes uploads and then drops them is not hammered.
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, time.Minute)
			calm.Reset(time.Minute) // a quiet minute resets the backoff
			err = errResync
		case <-calm.C:
			backoff = time.Second
		}
		if err := k.heal(ctx, &c, err, false); err != nil {
			return quiet(ctx, err)
		}
	}
}

// quiet is nil for the end of ctx, which is how a watch is stopped.
func quiet(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

var errResync = errors.New("an upload failed")

// heal deals with err from a batch or a catch-up: when the connection is
// in doubt it redials (waiting for the server as long as it takes) and
// catches up; an error the server gave on a sound connection is reported,
// or with initial returned.
func (k *Keeper) heal(ctx context.Context, c *protocol.Client, err error, initial bool) error {
	for err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != errResync {
			if !k.lost(ctx, *c, err) {
				if initial {
					return err
				}
				k.report(Report{Kind: KindError, Err: err})
				return nil
			}
			k.report(Report{Kind: KindLost, Err: err})
		}
		nc, derr := k.dial(ctx, *c)
		*c = nc
		if derr != nil {
			return derr
		}
		err = k.catchUp(ctx, nc)
	}
	return nil
}

// lost tells whether err may come from a broken connection: the backend
// says so, or the remote root no longer answers.
func (k *Keeper) lost(ctx context.Context, c protocol.Client, err error) bool {
	if protocol.IsTransient(err) {
		return true
	}
	_, perr := c.Stat(ctx, k.RemoteRoot)
	return perr != nil && !errors.Is(perr, protocol.ErrNotExist) && !errors.Is(perr, protocol.ErrPermission)
}

// dial opens the control connection, retrying with backoff while the
// server is away; a refusal to log in or to trust ends it.
func (k *Keeper) dial(ctx context.Context, old protocol.Client) (protocol.Client, error) {
	if old != nil {
		old.Close()
	}
	delay := 500 * time.Millisecond
	for {
		c, err := k.Remote.Dial(ctx)
		if err == nil {
			return c, nil
		}
		if errors.Is(err, protocol.ErrAuth) || errors.Is(err, protocol.ErrHostKey) || errors.Is(err, protocol.ErrTLS) || ctx.Err() != nil {
			return nil, err
		}
		k.report(Report{Kind: KindLost, Err: err})
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 30*time.Second)
	}
}

func (k *Keeper) local(rel string) string {
	return filepath.ToSlash(filepath.Join(k.LocalRoot, filepath.FromSlash(rel)))
}

func (k *Keeper) remote(rel string) string { return path.Join(k.RemoteRoot, rel) }

// upload queues rel, first canceling an upload of it still under way.
func (k *Keeper) upload(rel string, src *protocol.Entry, absent bool) error {
	if k.DryRun {
		k.report(Report{Kind: KindQueued, Path: rel})
		return nil
	}
	k.cancel(rel)
	opts := k.Job
	opts.Conflict = transfer.PolicyOverwrite
	id, err := k.Queue.Add(transfer.Spec{
		Src: k.Local, SrcPath: k.local(rel), Dst: k.Remote, DstPath: k.remote(rel),
		Options: opts, Source: src, TargetAbsent: absent,
	})
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.jobs[id], k.byPath[rel] = rel, id
	k.mu.Unlock()
	k.report(Report{Kind: KindQueued, Path: rel, Job: id})
	return nil
}

// cancel stops an unfinished upload of rel, which a newer change replaces.
func (k *Keeper) cancel(rel string) {
	k.mu.Lock()
	id, ok := k.byPath[rel]
	if ok {
		delete(k.byPath, rel)
		delete(k.jobs, id)
	}
	k.mu.Unlock()
	if ok {
		if j, found := k.Queue.Job(id); found && !j.State.Finished() {
			k.Queue.Cancel(id)
		}
	}
}

// apply carries out one batch; an error means the connection is in doubt.
func (k *Keeper) apply(ctx context.Context, c protocol.Client, batch []Change) error {
	for _, ch := range batch {
		var err error
		switch ch.Op {
		case OpRescan:
			err = k.catchUp(ctx, c)
		case OpMkdir:
			err = k.mkdir(ctx, c, ch.Path)
		case OpUpload:
			err = k.upload(ch.Path, nil, false)
		case OpRename:
			err = k.rename(ctx, c, ch)
		case OpRemove:
			err = k.remove(ctx, c, ch.Path, ch.Dir, false)
		}
		if err == nil || errors.Is(err, protocol.ErrNotExist) || errors.Is(err, protocol.ErrPermission) {
			if err != nil {
				k.report(Report{Kind: KindError, Path: ch.Path, Err: err})
			}
			continue
		}
		return err
	}
	return nil
}

func (k *Keeper) mkdir(ctx context.Context, c protocol.Client, rel string) error {
	if !k.DryRun {
		if err := c.Mkdir(ctx, k.remote(rel)); err != nil {
			if st, serr := c.Stat(ctx, k.remote(rel)); serr != nil || !st.IsDir() {
				return err
			}
			return nil
		}
	}
	k.report(Report{Kind: KindMkdir, Path: rel, Dir: true})
	return nil
}

// rename renames on the remote, replacing a file at the new name; where
// the server refuses, the new name is uploaded and the old one removed.
func (k *Keeper) rename(ctx context.Context, c protocol.Client, ch Change) error {
	if k.DryRun {
		k.report(Report{Kind: KindRenamed, From: ch.From, Path: ch.Path, Dir: ch.Dir})
		return nil
	}
	k.mu.Lock()
	_, busy := k.byPath[ch.From]
	k.mu.Unlock()
	from, to := k.remote(ch.From), k.remote(ch.Path)
	err := errors.New("its upload was still under way")
	if !busy {
		err = c.Rename(ctx, from, to)
		if err != nil && !ch.Dir {
			if st, serr := c.Stat(ctx, to); serr == nil && !st.IsDir() && c.Remove(ctx, to) == nil {
				err = c.Rename(ctx, from, to)
			}
		}
	}
	if err == nil {
		k.report(Report{Kind: KindRenamed, From: ch.From, Path: ch.Path, Dir: ch.Dir})
		return nil
	}
	if protocol.IsTransient(err) {
		return err
	}
	k.cancel(ch.From)
	if ch.Dir {
		if _, err := k.compare(ctx, c, ch.Path, true); err != nil {
			return err
		}
	} else if err := k.upload(ch.Path, nil, false); err != nil {
		return err
	}
	// The old name is gone locally whatever --delete says: it was renamed.
	return k.remove(ctx, c, ch.From, ch.Dir, true)
}

// remove removes rel on the remote; a removal the user made locally
// (force false) only with Delete.
func (k *Keeper) remove(ctx context.Context, c protocol.Client, rel string, dir, force bool) error {
	if !k.Delete && !force {
		k.report(Report{Kind: KindKept, Path: rel, Dir: dir})
		return nil
	}
	k.cancel(rel)
	if !k.DryRun {
		var err error
		if dir {
			err = removeTree(ctx, c, k.remote(rel))
		} else {
			err = c.Remove(ctx, k.remote(rel))
		}
		if errors.Is(err, protocol.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	k.report(Report{Kind: KindRemoved, Path: rel, Dir: dir})
	return nil
}

// removeTree removes a remote directory and everything in it.
func removeTree(ctx context.Context, c protocol.Client, dir string) error {
	ents, err := c.List(ctx, dir)
	if err != nil {
		return err
	}
	for _, en := range ents {
		if !protocol.IsBaseName(en.Name) {
			continue
		}
		p := path.Join(dir, en.Name)
		if en.IsDir() && !en.IsLink() {
			err = removeTree(ctx, c, p)
		} else {
			err = c.Remove(ctx, p)
		}
		if err != nil && !errors.Is(err, protocol.ErrNotExist) {
			return err
		}
	}
	return c.RemoveDir(ctx, dir)
}

// catchUp compares the whole trees and queues what differs.
func (k *Keeper) catchUp(ctx context.Context, c protocol.Client) error {
	st, err := c.Stat(ctx, k.RemoteRoot)
	switch {
	case errors.Is(err, protocol.ErrNotExist):
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s exists and is not a directory", k.RemoteRoot)
	}
	n, err := k.compare(ctx, c, "", err == nil)
	if err != nil {
		return err
	}
	k.report(Report{Kind: KindCatchUp, N: n})
	return nil
}

// compare brings the remote directory rel up to date with the local one:
// missing directories made, new or changed files (size, or time to the
// second where both sides tell it) queued, and with Delete what the
// remote has and the local side lacks removed. It returns the uploads.
func (k *Keeper) compare(ctx context.Context, c protocol.Client, rel string, remoteMayExist bool) (int, error) {
	ents, err := os.ReadDir(filepath.Join(k.LocalRoot, filepath.FromSlash(rel)))
	if err != nil {
		if os.IsNotExist(err) && rel != "" {
			return 0, nil // gone since; its removal comes as a change
		}
		return 0, err
	}
	remote := map[string]protocol.Entry{}
	if remoteMayExist {
		rents, err := c.List(ctx, k.remote(rel))
		switch {
		case errors.Is(err, protocol.ErrNotExist):
			remoteMayExist = false
		case err != nil:
			return 0, err
		}
		for _, en := range rents {
			remote[en.Name] = en
		}
	}
	if !remoteMayExist {
		if err := k.mkdir(ctx, c, rel); err != nil {
			return 0, err
		}
	}
	n := 0
	seen := map[string]bool{}
	for _, de := range ents {
		r := path.Join(rel, de.Name())
		fi, err := de.Info()
		if err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) || skip(k.Exclude, r, fi.IsDir()) {
			continue
		}
		seen[de.Name()] = true
		re, there := remote[de.Name()]
		if fi.IsDir() {
			if there && !re.IsDir() {
				if err := k.remove(ctx, c, r, false, true); err != nil {
					return n, err
				}
				there = false
			}
			m, err := k.compare(ctx, c, r, there)
			n += m
			if err != nil {
				return n, err
			}
			continue
		}
		src := protocol.Entry{Name: de.Name(), Size: fi.Size(), Mode: fi.Mode(), ModTime: fi.ModTime()}
		if there && same(src, re) {
			continue
		}
		n++
		if err := k.upload(r, &src, !there); err != nil {
			return n, err
		}
	}
	if !k.Delete {
		return n, nil
	}
	for name, en := range remote {
		r := path.Join(rel, name)
		if seen[name] || transfer.IsPartName(name) || name == "." || name == ".." || path.Base(name) != name ||
			skip(k.Exclude, r, en.IsDir()) {
			continue
		}
		if err := k.remove(ctx, c, r, en.IsDir(), false); err != nil {
			return n, err
		}
	}
	return n, nil
}

// same is mirror's test: equal size, and equal time to the second when
// both sides know it.
func same(a, b protocol.Entry) bool {
	if a.Size != b.Size || b.IsDir() {
		return false
	}
	if a.ModTime.IsZero() || b.ModTime.IsZero() {
		return true
	}
	return a.ModTime.Truncate(time.Second).Equal(b.ModTime.Truncate(time.Second))
}
