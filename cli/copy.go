package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"

	"github.com/ferryhq/ferry/protocol"
)

// runGet, runPut and runCp copy files between endpoints.
func runGet(ctx context.Context, e *env, args []string) int { return copyCommand(ctx, e, "get", args) }
func runPut(ctx context.Context, e *env, args []string) int { return copyCommand(ctx, e, "put", args) }
func runCp(ctx context.Context, e *env, args []string) int  { return copyCommand(ctx, e, "cp", args) }

func copyCommand(ctx context.Context, e *env, name string, args []string) int {
	fs := newFlagSet(e, name)
	var cf connFlags
	cf.register(fs)
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) != 2 {
		return e.errorf(exitUsage, "%s takes a source and a destination; see ferry help %s", name, name)
	}
	conn, err := newConnector(e, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	src, err := conn.site(rest[0])
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	dst, err := conn.site(rest[1])
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	sc, err := conn.dial(ctx, src)
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	defer sc.Close()
	dc, err := conn.dial(ctx, dst)
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	defer dc.Close()
	sp, err := absPath(ctx, sc, src)
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	dp, err := absPath(ctx, dc, dst)
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	if st, err := dc.Stat(ctx, dp); err == nil && st.IsDir() {
		dp = path.Join(dp, path.Base(sp))
	}
	n, err := copyFile(ctx, sc, sp, dc, dp)
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	if !*quiet {
		fmt.Fprintf(e.Out, "%s → %s: %d bytes\n", sp, dp, n)
	}
	return exitOK
}

// copyFile streams one file through a .ferry-part file renamed on success.
func copyFile(ctx context.Context, sc protocol.Client, sp string, dc protocol.Client, dp string) (int64, error) {
	r, err := sc.Open(ctx, sp, 0)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	part := dp + ".ferry-part"
	w, err := dc.Create(ctx, part, 0)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, r)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = r.Close()
	}
	if err != nil {
		return n, fmt.Errorf("copy %s: %w", sp, err)
	}
	if err := dc.Rename(ctx, part, dp); err != nil {
		if !errors.Is(err, protocol.ErrExist) {
			return n, err
		}
		if err := dc.Remove(ctx, dp); err != nil {
			return n, err
		}
		return n, dc.Rename(ctx, part, dp)
	}
	return n, nil
}
