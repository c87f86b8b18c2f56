package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// runTouch creates empty files, or sets an existing file's time to now
// where the server can set times.
func runTouch(ctx context.Context, e *env, args []string) int {
	return siteCommand(ctx, e, "touch", args, nil, func(c protocol.Client, p string) error {
		return touch(ctx, c, p, time.Now())
	})
}

// touch creates p empty, or sets its time when it exists.
func touch(ctx context.Context, c protocol.Client, p string, now time.Time) error {
	st, err := c.Stat(ctx, p)
	switch {
	case err == nil && st.IsDir():
		return fmt.Errorf("touch %s: is a directory", p)
	case err == nil:
		ct, ok := c.(protocol.Chtimeser)
		if !ok {
			return protocol.NewError("touch", p, protocol.ErrUnsupported, "the server cannot set times", nil)
		}
		return ct.Chtimes(ctx, p, now)
	case !errors.Is(err, protocol.ErrNotExist):
		return err
	}
	w, err := c.Create(ctx, p, 0)
	if err != nil {
		return err
	}
	return w.Close()
}

// runLn creates a symbolic link LINK pointing at TARGET, on a site whose
// backend can (SFTP, the local disk). TARGET is stored as given.
func runLn(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "ln")
	var cf connFlags
	cf.register(fs)
	fs.Bool("s", true, "symbolic (the only kind; accepted for habit)")
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) != 2 {
		return e.errorf(exitUsage, "ln takes TARGET and LINK; see ferry help ln")
	}
	conn, err := newConnector(e, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	err = withSite(ctx, conn, rest[1], func(c protocol.Client, p string) error {
		sl, ok := c.(protocol.Symlinker)
		if !ok {
			return protocol.NewError("symlink", p, protocol.ErrUnsupported, "the server cannot make links", nil)
		}
		return sl.Symlink(ctx, rest[0], p)
	})
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	return exitOK
}
