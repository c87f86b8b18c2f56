package cli

import (
	"context"
	"io/fs"
	"path"
	"strings"

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
	// A mode that looks like a flag ("-w", "-rx") is taken as chmod(1)
	// takes it, when it comes before the first address.
	var dashMode string
	for i, a := range args {
		if !strings.HasPrefix(a, "-") || a == "--" {
			break
		}
		if len(a) > 1 && strings.Trim(a[1:], "rwxXst") == "" {
			dashMode, args = a, append(args[:i:i], args[i+1:]...)
			break
		}
	}
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if dashMode != "" {
		rest = append([]string{dashMode}, rest...)
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
		_, err := perm.Tree(ctx, c, p, ent, ch.target, func(err error) error { ch.fail(err); return nil })
		return err
	}
	if mode, ok := ch.target(ent); ok {
		return perm.Chmod(ctx, c, p, mode)
	}
	return nil
}

// target is the mode an entry gets, if its kind is wanted.
func (ch *chmodder) target(en protocol.Entry) (fs.FileMode, bool) {
	if en.IsDir() && !ch.dirs || !en.IsDir() && !ch.files {
		return 0, false
	}
	return ch.mode.Apply(en.Mode, en.IsDir()), true
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
