package perm

import (
	"context"
	"errors"
	"io/fs"
	"path"

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
func Tree(ctx context.Context, c protocol.Client, dir string, ent protocol.Entry, to Target, report func(error) error) (int, error) {
	n := 0
	err := tree(ctx, c, dir, ent, to, report, &n)
	return n, err
}

func tree(ctx context.Context, c protocol.Client, dir string, ent protocol.Entry, to Target, report func(error) error, n *int) error {
	fail := func(err error) error {
		if Fatal(err) {
			return err
		}
		return report(err)
	}
	mode, change := to(ent)
	before := change && mode&0o500 == 0o500
	if before {
		if err := Chmod(ctx, c, dir, mode); err != nil {
			if err := fail(err); err != nil {
				return err
			}
		} else {
			*n++
		}
	}
	entries, err := c.List(ctx, dir)
	if err != nil {
		if err := fail(err); err != nil {
			return err
		}
	}
	for _, en := range entries {
		if en.Name == "" || en.Name == "." || en.Name == ".." || path.Base(en.Name) != en.Name || en.IsLink() {
			continue // an unsafe listing line is never acted on; links are not followed
		}
		p := path.Join(dir, en.Name)
		var err error
		if en.IsDir() {
			err = tree(ctx, c, p, en, to, report, n)
		} else if m, ok := to(en); ok {
			if err = Chmod(ctx, c, p, m); err == nil {
				*n++
			}
		}
		if err != nil {
			if err := fail(err); err != nil {
				return err
			}
		}
	}
	if change && !before {
		if err := Chmod(ctx, c, dir, mode); err != nil {
			return fail(err)
		}
		*n++
	}
	return nil
}

// Fatal reports whether err ends a walk of chmods: an interrupt, a lost
// connection, or a server that does not do chmod at all, where every other
// file would fail the same way.
func Fatal(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, protocol.ErrUnsupported) || errors.Is(err, protocol.ErrTransient)
}
