package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/transfer"
	"github.com/ferryhq/ferry/watch"
)

// runWatch keeps REMOTE up to date with LOCAL: a mirror first, then every
// change as it settles (package watch), until Ctrl-C.
func runWatch(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "watch")
	var cf connFlags
	cf.register(fs)
	var flags copyFlags
	flags.register(fs, false)
	del := fs.Bool("delete", false, "remove on REMOTE what is removed in LOCAL (and, at the start, what LOCAL lacks)")
	dry := fs.Bool("dry-run", false, "print what would be uploaded, renamed or removed; change nothing")
	fs.BoolVar(dry, "n", false, "same as --dry-run")
	debounce := fs.Duration("debounce", watch.DefaultDebounce, "how long a file must stay unchanged before it is uploaded")
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) != 2 {
		return e.errorf(exitUsage, "watch takes LOCAL and REMOTE; see ferry help watch")
	}
	if *debounce < 10*time.Millisecond || *debounce > time.Minute {
		return e.errorf(exitUsage, "--debounce must be between 10ms and 1m, not %s", *debounce)
	}
	qopts, jopts, err := flags.options()
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	conn, err := newConnector(e, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	src, err := conn.site(rest[0])
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	if !src.IsLocal() {
		return e.errorf(exitUsage, "watch watches a local directory, and %s is not one", rest[0])
	}
	dst, err := conn.site(rest[1])
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	spec, err := flags.filter.spec(conn.bookmarksFor(src, dst)...)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	rules, err := filter.Compile(spec)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	jopts.Filter = filter.Spec{} // each job is one file the watch chose
	sess := newSessions(conn)
	defer sess.close()
	sc, sp, err := sess.resolve(ctx, src)
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	if st, err := sc.Stat(ctx, sp); err != nil {
		return e.errorf(exitFor(err), "%v", err)
	} else if !st.IsDir() {
		return e.errorf(exitUsage, "watch watches a directory, and %s is not one", sp)
	}
	dc, dp, err := sess.resolve(ctx, dst)
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	if st, err := dc.Stat(ctx, dp); err == nil && !st.IsDir() {
		return e.errorf(exitUsage, "%s exists and is not a directory", dp)
	}
	sess.handOff() // the keeper's first connection is the one just used

	pacer := tuneRuntimeForTransfers(e)
	pr := newProgress(e, flags.quiet)
	qopts.Log = pr.log
	q, err := openQueue(e, qopts)
	if err != nil {
		return e.errorf(exitFailed, "%v", err)
	}
	k := &watch.Keeper{
		Queue: q, Local: sess.endpoint(src), Remote: sess.endpoint(dst),
		LocalRoot: filepath.FromSlash(sp), RemoteRoot: dp,
		Delete: *del, DryRun: *dry, Exclude: watch.Rules(filepath.FromSlash(sp), rules), Job: jopts, Debounce: *debounce,
		Report: func(r watch.Report) {
			// An upload's line comes when it is done (progressView).
			if r.Kind == watch.KindQueued && !r.Dry {
				return
			}
			if r.Kind == watch.KindError || r.Kind == watch.KindLost {
				pr.log(r.String())
				return
			}
			pr.println(r.String())
		},
	}
	events := q.Events()
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for ev := range events {
			pr.update(ev)
			pacer.update(ev)
			k.Observe(ev)
		}
	}()
	runErr := k.Run(ctx)
	// Ctrl-C: uploads under way stop and keep their parts, which the next
	// run (its first mirror) resumes.
	q.CancelAll()
	jobs := q.Jobs()
	q.Close()
	<-drained
	pr.finish(jobs)
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return e.errorf(exitFor(runErr), "%v", runErr)
	}
	for _, j := range jobs {
		if j.State == transfer.StateCanceled {
			fmt.Fprintln(e.Err, "ferry: interrupted; uploads under way kept their parts; rerun the same command to resume")
			return exitCanceled
		}
	}
	return exitOK
}
