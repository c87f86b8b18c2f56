package cli

import (
	"context"
	"errors"
	"io/fs"
	"path"

	"github.com/ferryhq/ferry/perm"
	"github.com/ferryhq/ferry/protocol"
)

// runChmod sets permissions on remote (or local) paths, as chmod(1) does:
// ferry chmod [-R] [--files-only|--dirs-only] MODE ADDRESS...
func runChmod(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "chmod")
	var cf connFlags
	cf.register(fs)
	var ch chmodder
	fs.BoolVar(&ch.recursive, "R", false, "change directories and everything under them")
	fs.BoolVar(&ch.recursive, "recursive", false, "same as -R")
	filesOnly := fs.Bool("files-only", false, "change files only (directories are walked, not changed)")
	dirsOnly := fs.Bool("dirs-only", false, "change directories only")
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) < 2 {
		return e.errorf(exitUsage, "chmod takes a MODE and at least one address; see ferry help chmod")
	}
	if *filesOnly && *dirsOnly {
		return e.errorf(exitUsage, "--files-only and --dirs-only exclude each other")
	}
	mode, err := perm.Parse(rest[0])
	if err != nil {
		return e.errorf(exitUsage, "%v (octal like 644, or symbolic like u+x,go-w)", err)
	}
	ch.e, ch.mode, ch.files, ch.dirs = e, mode, !*dirsOnly, !*filesOnly
	conn, err := newConnector(e, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	for _, addr := range rest[1:] {
		if err := withSite(ctx, conn, addr, func(c protocol.Client, p string) error { return ch.top(ctx, c, p) }); err != nil {
			ch.fail(err)
		}
		if ctx.Err() != nil {
			return exitCanceled
		}
	}
	return ch.status
}

// chmodder applies one mode to paths and, with -R, to the trees under
// them, reporting each failure and going on with the rest.
type chmodder struct {
	e           *env
	mode        perm.Mode
	recursive   bool
	files, dirs bool // which kinds to change
	status      int
}

func (ch *chmodder) fail(err error) {
	ch.status = max(ch.status, ch.e.errorf(exitFor(err), "%v", err))
}

// top changes one named path. Its current mode comes from its parent's
// listing where it can: FTP without MLST stats with SIZE and MDTM, which
// say nothing of permissions. A link is followed, as chmod(1) does.
func (ch *chmodder) top(ctx context.Context, c protocol.Client, p string) error {
	ent, err := lookup(ctx, c, p)
	if err != nil {
		return err
	}
	if ent.IsDir() && ch.recursive {
		return ch.tree(ctx, c, p, ent)
	}
	return ch.one(ctx, c, p, ent)
}

// lookup describes p from its parent's listing, else with Stat.
func lookup(ctx context.Context, c protocol.Client, p string) (protocol.Entry, error) {
	if dir, name := path.Split(p); name != "" && dir != "" {
		if entries, err := c.List(ctx, path.Clean(dir)); err == nil {
			for _, en := range entries {
				if en.Name == name && !en.IsLink() {
					return en, nil
				}
			}
		}
	}
	return c.Stat(ctx, p)
}

// one changes p if its kind is wanted.
func (ch *chmodder) one(ctx context.Context, c protocol.Client, p string, ent protocol.Entry) error {
	if ent.IsDir() && !ch.dirs || !ent.IsDir() && !ch.files {
		return nil
	}
	return setMode(ctx, c, p, ch.mode.Apply(ent.Mode, ent.IsDir()))
}

// setMode sets mode on p, or says the backend cannot.
func setMode(ctx context.Context, c protocol.Client, p string, mode fs.FileMode) error {
	chm, ok := c.(protocol.Chmoder)
	if !ok {
		return protocol.NewError("chmod", p, protocol.ErrUnsupported, "", nil)
	}
	return chm.Chmod(ctx, p, mode)
}

// tree changes dir and everything under it, depth first, holding one
// listing per level. A directory whose new mode still lets its owner list
// and enter it changes before its contents; one that would not changes
// after them, so the walk can get in either way. Links are not followed.
// A server that cannot chmod at all ends the walk at its first refusal.
func (ch *chmodder) tree(ctx context.Context, c protocol.Client, dir string, ent protocol.Entry) error {
	newMode := ch.mode.Apply(ent.Mode, true)
	before := newMode&0o500 == 0o500
	if ch.dirs && before {
		if err := setMode(ctx, c, dir, newMode); err != nil {
			if fatal(err) {
				return err
			}
			ch.fail(err)
		}
	}
	entries, err := c.List(ctx, dir)
	if err != nil {
		if fatal(err) {
			return err
		}
		ch.fail(err)
	}
	for _, en := range entries {
		if en.Name == "" || en.Name == "." || en.Name == ".." || path.Base(en.Name) != en.Name || en.IsLink() {
			continue // an unsafe listing line is never acted on; links are not followed
		}
		p := path.Join(dir, en.Name)
		if en.IsDir() {
			err = ch.tree(ctx, c, p, en)
		} else {
			err = ch.one(ctx, c, p, en)
		}
		if err != nil {
			if fatal(err) {
				return err
			}
			ch.fail(err)
		}
	}
	if ch.dirs && !before {
		return setMode(ctx, c, dir, newMode)
	}
	return nil
}

// fatal reports whether err ends a recursive chmod: an interrupt, or a
// server that does not do chmod at all, where every other file would fail
// the same way.
func fatal(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, protocol.ErrUnsupported) || errors.Is(err, protocol.ErrTransient)
}
