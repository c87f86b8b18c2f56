package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path"

	"github.com/ferryhq/ferry/protocol"
)

// withSite parses addr, connects and resolves its path, then calls fn.
func withSite(ctx context.Context, conn *connector, addr string, fn func(c protocol.Client, p string) error) error {
	site, err := conn.site(addr)
	if err != nil {
		return err
	}
	c, err := conn.dial(ctx, site)
	if err != nil {
		return err
	}
	defer c.Close()
	p, err := absPath(ctx, c, site)
	if err != nil {
		return err
	}
	return fn(c, p)
}

// siteCommand is the shape shared by mkdir and rm: flags, then one action
// per address, with the worst exit status returned.
func siteCommand(ctx context.Context, e *env, name string, args []string, extra func(*flag.FlagSet), act func(c protocol.Client, p string) error) int {
	fs := newFlagSet(e, name)
	var cf connFlags
	cf.register(fs)
	if extra != nil {
		extra(fs)
	}
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) == 0 {
		return e.errorf(exitUsage, "%s needs at least one address; see ferry help %s", name, name)
	}
	conn, err := newConnector(e, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	status := exitOK
	for _, addr := range rest {
		if err := withSite(ctx, conn, addr, act); err != nil {
			status = max(status, e.errorf(exitFor(err), "%v", err))
		}
	}
	return status
}

func runMkdir(ctx context.Context, e *env, args []string) int {
	var parents *bool
	return siteCommand(ctx, e, "mkdir", args,
		func(fs *flag.FlagSet) { parents = fs.Bool("p", false, "create missing parents; no error if it exists") },
		func(c protocol.Client, p string) error {
			if *parents {
				return mkdirAll(ctx, c, p)
			}
			return c.Mkdir(ctx, p)
		})
}

// mkdirAll creates p and its missing parents.
func mkdirAll(ctx context.Context, c protocol.Client, p string) error {
	if st, err := c.Stat(ctx, p); err == nil {
		if st.IsDir() {
			return nil
		}
		return fmt.Errorf("mkdir %s: a file is in the way", p)
	}
	if parent := path.Dir(p); parent != p {
		if err := mkdirAll(ctx, c, parent); err != nil {
			return err
		}
	}
	if err := c.Mkdir(ctx, p); err != nil && !errors.Is(err, protocol.ErrExist) {
		return err
	}
	return nil
}

func runRm(ctx context.Context, e *env, args []string) int {
	var recursive *bool
	return siteCommand(ctx, e, "rm", args,
		func(fs *flag.FlagSet) { recursive = fs.Bool("r", false, "remove directories and their contents") },
		func(c protocol.Client, p string) error {
			st, err := c.Stat(ctx, p)
			if err != nil {
				return err
			}
			if !st.IsDir() || st.IsLink() {
				return c.Remove(ctx, p)
			}
			if !*recursive {
				return fmt.Errorf("rm %s: is a directory (use -r)", p)
			}
			return removeAll(ctx, c, p)
		})
}

// removeAll deletes a tree depth first. Links are removed, never followed.
func removeAll(ctx context.Context, c protocol.Client, dir string) error {
	entries, err := c.List(ctx, dir)
	if err != nil {
		return err
	}
	for _, en := range entries {
		if !protocol.IsBaseName(en.Name) {
			continue // an unparsed or unsafe listing line is never acted on
		}
		p := path.Join(dir, en.Name)
		if en.IsDir() && !en.IsLink() {
			if err := removeAll(ctx, c, p); err != nil {
				return err
			}
			continue
		}
		if err := c.Remove(ctx, p); err != nil {
			return err
		}
	}
	return c.RemoveDir(ctx, dir)
}

func runMv(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mv")
	var cf connFlags
	cf.register(fs)
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) != 2 {
		return e.errorf(exitUsage, "mv takes FROM and TO on one site; see ferry help mv")
	}
	conn, err := newConnector(e, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	to, err := conn.site(rest[1])
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	from, err := conn.site(rest[0])
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	if from.ID() != to.ID() {
		return e.errorf(exitUsage, "mv works within one site; use ferry cp then ferry rm to move between sites")
	}
	err = withSite(ctx, conn, rest[0], func(c protocol.Client, p string) error {
		q, err := absPath(ctx, c, to)
		if err != nil {
			return err
		}
		if st, err := c.Stat(ctx, q); err == nil && st.IsDir() {
			q = path.Join(q, path.Base(p))
		}
		return c.Rename(ctx, p, q)
	})
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	return exitOK
}
