package perm

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"sync"

	"github.com/ferryhq/ferry/protocol"
)

// Chmod sets mode on p through c, or says that the backend cannot.
func Chmod(ctx context.Context, c protocol.Client, p string, mode fs.FileMode) error {
	ch, ok := c.(protocol.Chmoder)
	if !ok {
		return protocol.NewError("chmod", p, protocol.ErrUnsupported, "", nil)
	}
	return ch.Chmod(ctx, p, mode&Bits)
}

// Target says what mode an entry gets; ok false leaves it as it is.
type Target func(e protocol.Entry) (mode fs.FileMode, ok bool)

// Tree gives dir (described by ent) and everything under it the modes to
// says, depth first, holding one listing per level, so memory stays
// bounded however big the tree. A directory whose new mode still lets its
// owner list and enter it changes before its contents; one that would not
// changes after them, so the walk gets in either way. Links are not
// followed. Each failure goes to report, which returns nil to go on; an
// interrupt, a lost connection or a server that cannot chmod at all ends
// the walk. Tree returns how many entries it changed.
//
// On a session that carries several requests at once (SFTP: a
// protocol.Multiplexer), a directory's files change with as many chmods in
// flight as it takes, so a tree of thousands of files costs round trips
// by the dozen rather than one after another; FTP's one command at a time
// goes file by file.
func Tree(ctx context.Context, c protocol.Client, dir string, ent protocol.Entry, to Target, report func(error) error) (int, error) {
	w := &walker{c: c, to: to, report: report, inFlight: 1}
	if m, ok := c.(protocol.Multiplexer); ok {
		w.inFlight = max(m.Streams(), 1)
	}
	err := w.tree(ctx, dir, ent)
	return w.n, err
}

// walker is one Tree: its counts and its report are shared by the chmods
// in flight, under mu.
type walker struct {
	c        protocol.Client
	to       Target
	report   func(error) error
	inFlight int

	mu sync.Mutex
	n  int
}

// fail passes a failure to report, or returns it when it ends the walk.
func (w *walker) fail(err error) error {
	if Fatal(err) {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.report(err)
}

func (w *walker) changed() {
	w.mu.Lock()
	w.n++
	w.mu.Unlock()
}

func (w *walker) tree(ctx context.Context, dir string, ent protocol.Entry) error {
	mode, change := w.to(ent)
	before := change && mode&0o500 == 0o500
	if before {
		if err := Chmod(ctx, w.c, dir, mode); err != nil {
			if err := w.fail(err); err != nil {
				return err
			}
		} else {
			w.changed()
		}
	}
	entries, err := w.c.List(ctx, dir)
	if err != nil {
		if err := w.fail(err); err != nil {
			return err
		}
	}
	var files []protocol.Entry
	for _, en := range entries {
		if !protocol.IsBaseName(en.Name) || en.IsLink() {
			continue // an unsafe listing line is never acted on; links are not followed
		}
		if en.IsDir() {
			if err := w.tree(ctx, path.Join(dir, en.Name), en); err != nil {
				if err := w.fail(err); err != nil {
					return err
				}
			}
			continue
		}
		files = append(files, en)
	}
	if err := w.files(ctx, dir, files); err != nil {
		return err
	}
	if change && !before {
		if err := Chmod(ctx, w.c, dir, mode); err != nil {
			return w.fail(err)
		}
		w.changed()
	}
	return nil
}

// files changes the files of dir, up to inFlight at once; the first error
// that ends the walk stops the rest and is returned.
func (w *walker) files(ctx context.Context, dir string, files []protocol.Entry) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		fatal error
	)
	slots := make(chan struct{}, w.inFlight)
	for _, en := range files {
		m, ok := w.to(en)
		if !ok {
			continue
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			err := Chmod(ctx, w.c, path.Join(dir, en.Name), m)
			if err == nil {
				w.changed()
				return
			}
			if err := w.fail(err); err != nil {
				once.Do(func() { fatal = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if fatal == nil && ctx.Err() != nil {
		fatal = ctx.Err()
	}
	return fatal
}

// Fatal reports whether err ends a walk of chmods: an interrupt, a lost
// connection, or a server that does not do chmod at all, where every other
// file would fail the same way.
func Fatal(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, protocol.ErrUnsupported) || errors.Is(err, protocol.ErrTransient)
}
