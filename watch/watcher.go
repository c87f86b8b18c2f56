// Package watch keeps a remote directory up to date with a local one: a
// Watcher turns file-system notifications (fsnotify: inotify on Linux)
// into settled changes — one upload per saved file however the editor
// wrote it — and a Keeper applies them to the remote through the transfer
// engine, catching up with a rescan after a lost connection.
package watch

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Op is what a Change asks of the remote.
type Op int

const (
	OpMkdir  Op = iota // create the directory Path
	OpUpload           // upload the file Path
	OpRename           // rename From to Path (a file or a directory)
	OpRemove           // remove Path (a file, or a directory and its content)
	OpRescan           // events were lost: compare the whole tree
)

// String names the op for output lines.
func (o Op) String() string {
	return [...]string{"mkdir", "upload", "rename", "remove", "rescan"}[o]
}

// Change is one settled change below the watched root. Paths are slash
// paths relative to the root.
type Change struct {
	Op   Op
	Path string
	From string // OpRename: the old path
	Dir  bool
	Size int64 // OpUpload: the size found stable
}

// DefaultDebounce is how long a path must stay quiet, with its size and
// time unchanged, before its change is reported.
const DefaultDebounce = 200 * time.Millisecond

// Options configure a Watcher.
type Options struct {
	Exclude  Excluder      // paths left out (nil: none)
	Debounce time.Duration // default DefaultDebounce
}

// node is what the watcher knows of one path.
type node struct {
	id    uint64
	size  int64
	mtime int64
	dir   bool
}

func nodeOf(fi os.FileInfo) node {
	return node{id: fileID(fi), size: fi.Size(), mtime: fi.ModTime().UnixNano(), dir: fi.IsDir()}
}

// pend is a path with events not yet settled.
type pend struct {
	due    time.Time
	last   node
	exists bool
	away   *node // what was known here when it was renamed or removed
	waited bool  // a vanished path waited one more debounce for its pair
}

// Watcher reports settled changes below a local directory.
type Watcher struct {
	root string
	opts Options
	fsw  *fsnotify.Watcher
	out  chan []Change

	// Owned by Run's goroutine (and New, before it).
	index   map[string]node
	pending map[string]*pend
	away    map[uint64]string // file ID → the pending path it vanished from
	ready   []Change
}

// New watches root and every directory below it that is not excluded.
// An error tells why a directory could not be watched; ErrWatchLimit
// wraps the system's limit, with the sysctl that raises it.
func New(root string, opts Options) (*Watcher, error) {
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	fsw, err := fsnotify.NewBufferedWatcher(1024)
	if err != nil {
		return nil, mapAddError(abs, err)
	}
	w := &Watcher{root: abs, opts: opts, fsw: fsw, out: make(chan []Change),
		index: map[string]node{}, pending: map[string]*pend{}, away: map[uint64]string{}}
	if err := w.addTree("", nil); err != nil {
		fsw.Close()
		return nil, err
	}
	return w, nil
}

// Changes delivers settled changes in batches, parents before children.
func (w *Watcher) Changes() <-chan []Change { return w.out }

// Watches is how many directories are watched.
func (w *Watcher) Watches() int { return len(w.fsw.WatchList()) }

// Close stops watching.
func (w *Watcher) Close() error { return w.fsw.Close() }

// addTree watches the directory rel and indexes what is below it, watching
// before listing so nothing that lands in between is missed. With found
// set, the content is new to the watcher and each entry becomes pending.
func (w *Watcher) addTree(rel string, found func(rel string, n node)) error {
	dir := w.abs(rel)
	if err := w.fsw.Add(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return mapAddError(dir, err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, de := range ents {
		r := path.Join(rel, de.Name())
		fi, err := de.Info()
		if err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) || skip(w.opts.Exclude, r, fi.IsDir()) {
			continue
		}
		n := nodeOf(fi)
		if found != nil {
			found(r, n)
			if !n.dir {
				continue
			}
		} else {
			w.index[r] = n
		}
		if n.dir {
			if err := w.addTree(r, found); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *Watcher) abs(rel string) string {
	if rel == "" {
		return w.root
	}
	return filepath.Join(w.root, filepath.FromSlash(rel))
}

func (w *Watcher) rel(name string) (string, bool) {
	r, err := filepath.Rel(w.root, name)
	if err != nil || r == "." || strings.HasPrefix(r, "..") {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// Run turns events into changes until ctx ends or the watcher fails; a
// watch that cannot be added (the system's limit) ends it with that error.
func (w *Watcher) Run(ctx context.Context) error {
	defer w.fsw.Close()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := time.Time{}
	for {
		var out chan []Change
		if len(w.ready) > 0 {
			out = w.out
		}
		// A path's due time only moves later, and a new one is later than
		// any armed: the timer needs arming only when it is not, so a
		// burst of events costs no scan of the pending paths each.
		if armed.IsZero() {
			if next, ok := w.nextDue(); ok {
				timer.Reset(time.Until(next))
				armed = next
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return nil
			}
			w.event(ev)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.ready = append(w.ready, Change{Op: OpRescan})
				continue
			}
			return err
		case <-timer.C:
			armed = time.Time{}
			if err := w.settle(time.Now()); err != nil {
				return err
			}
		case out <- w.ready:
			w.ready = nil
		}
	}
}

func (w *Watcher) nextDue() (time.Time, bool) {
	var first time.Time
	for _, p := range w.pending {
		if first.IsZero() || p.due.Before(first) {
			first = p.due
		}
	}
	return first, !first.IsZero()
}

// event notes one notification; the path settles a debounce later.
func (w *Watcher) event(ev fsnotify.Event) {
	rel, ok := w.rel(ev.Name)
	if !ok || ev.Op == fsnotify.Chmod {
		return
	}
	fi, err := os.Lstat(ev.Name)
	dir := err == nil && fi.IsDir()
	if n, known := w.index[rel]; known {
		dir = dir || n.dir
	}
	if skip(w.opts.Exclude, rel, dir) {
		return
	}
	w.touch(rel, fi, err == nil, time.Now().Add(w.opts.Debounce))
	if ev.Has(fsnotify.Rename) || ev.Has(fsnotify.Remove) {
		if n, known := w.index[rel]; known {
			w.pending[rel].away = &n
			if n.id != 0 {
				w.away[n.id] = rel
			}
		}
	}
}

func (w *Watcher) touch(rel string, fi os.FileInfo, exists bool, due time.Time) {
	p := w.pending[rel]
	if p == nil {
		p = &pend{}
		w.pending[rel] = p
	}
	p.due, p.exists = due, exists
	if exists {
		p.last = nodeOf(fi)
	}
}

// settle reports the pending paths that stayed quiet and stable.
func (w *Watcher) settle(now time.Time) error {
	var due []string
	for rel, p := range w.pending {
		if !p.due.After(now) {
			due = append(due, rel)
		}
	}
	sort.Strings(due) // parents first
	var gone []string
	var changes []Change
	for _, rel := range due {
		p := w.pending[rel]
		if p == nil {
			continue // claimed by a rename earlier in this pass
		}
		fi, err := os.Lstat(w.abs(rel))
		if err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) {
			gone = append(gone, rel)
			continue
		}
		cur := nodeOf(fi)
		if !cur.dir && (!p.exists || cur != p.last) {
			// Still being written: wait until size and time hold still.
			p.last, p.exists, p.due = cur, true, now.Add(w.opts.Debounce)
			continue
		}
		w.forget(rel)
		if old, known := w.index[rel]; known && old == cur {
			continue
		}
		if from, ok := w.renamedFrom(cur); ok {
			w.forget(from)
			w.move(from, rel)
			w.index[rel] = cur
			changes = append(changes, Change{Op: OpRename, From: from, Path: rel, Dir: cur.dir})
			if cur.dir {
				// Watches below a moved directory keep their old names;
				// watch it afresh under the new one.
				if err := w.rewatch(from, rel); err != nil {
					return err
				}
			}
			continue
		}
		if cur.dir {
			if old, known := w.index[rel]; known && old.dir {
				continue // a directory's own time changed: its entries report themselves
			}
			w.index[rel] = cur
			changes = append(changes, Change{Op: OpMkdir, Path: rel, Dir: true})
			// Files can land before the watch is added: list it after.
			err := w.addTree(rel, func(r string, n node) {
				if n.dir {
					w.index[r] = n
					changes = append(changes, Change{Op: OpMkdir, Path: r, Dir: true})
					return
				}
				w.touch(r, nil, false, now.Add(w.opts.Debounce))
				w.pending[r].last = n
				w.pending[r].exists = true
			})
			if err != nil {
				return err
			}
			continue
		}
		w.index[rel] = cur
		changes = append(changes, Change{Op: OpUpload, Path: rel, Size: cur.size})
	}
	var removed []string
	for _, rel := range gone {
		p := w.pending[rel]
		if p == nil {
			continue
		}
		if p.away != nil && !p.waited {
			// A rename's other half may settle a little later.
			p.waited, p.due = true, now.Add(w.opts.Debounce)
			continue
		}
		w.forget(rel)
		n, known := w.index[rel]
		if !known {
			continue // a temporary file that came and went
		}
		covered := false
		for _, r := range removed {
			if strings.HasPrefix(rel, r+"/") {
				covered = true
			}
		}
		w.move(rel, "")
		if n.dir {
			w.unwatch(rel)
		}
		if !covered {
			removed = append(removed, rel)
			changes = append(changes, Change{Op: OpRemove, Path: rel, Dir: n.dir})
		}
	}
	w.ready = append(w.ready, changes...)
	return nil
}

// renamedFrom finds a path that vanished (renamed or removed) whose node
// is cur: the place a rename came from.
func (w *Watcher) renamedFrom(cur node) (string, bool) {
	if cur.id == 0 {
		return "", false
	}
	rel, ok := w.away[cur.id]
	if !ok {
		return "", false
	}
	p := w.pending[rel]
	if p == nil || p.away == nil || p.away.id != cur.id || p.away.dir != cur.dir || (!cur.dir && p.away.size != cur.size) {
		return "", false
	}
	if _, err := os.Lstat(w.abs(rel)); err == nil {
		return "", false
	}
	return rel, true
}

// forget drops the pending path rel.
func (w *Watcher) forget(rel string) {
	if p := w.pending[rel]; p != nil && p.away != nil && w.away[p.away.id] == rel {
		delete(w.away, p.away.id)
	}
	delete(w.pending, rel)
}

// move renames from (and all below it) to to in the index; to "" drops.
func (w *Watcher) move(from, to string) {
	for rel, n := range w.index {
		if rel != from && !strings.HasPrefix(rel, from+"/") {
			continue
		}
		delete(w.index, rel)
		if to != "" {
			w.index[to+strings.TrimPrefix(rel, from)] = n
		}
	}
}

// unwatch drops the watches of dir and below (they may be gone already).
func (w *Watcher) unwatch(dir string) {
	prefix := w.abs(dir)
	for _, p := range w.fsw.WatchList() {
		if p == prefix || strings.HasPrefix(p, prefix+string(filepath.Separator)) {
			w.fsw.Remove(p)
		}
	}
}

func (w *Watcher) rewatch(from, to string) error {
	w.unwatch(from)
	return w.addTree(to, func(r string, n node) {
		if _, known := w.index[r]; !known {
			w.touch(r, nil, false, time.Now().Add(w.opts.Debounce))
			w.pending[r].last, w.pending[r].exists = n, true
		}
	})
}
