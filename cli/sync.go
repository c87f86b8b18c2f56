package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/syncer"
	"github.com/ferryhq/ferry/transfer"
)

// runSync makes two directories equal both ways (see package syncer): new
// and changed files go across, deletions since the last sync are repeated
// on the other side, and files changed on both sides are kept both. The
// state of the last sync lives under the XDG state dir. --dry-run prints
// the plan; a plan deleting more than half of a side's files needs --force.
// --checksum also asks each side's server for every file's hash and keeps
// it in the state: a file whose size and time are as recorded but whose
// hash is not counts as changed. It is not the default, since it costs a
// request per file, where a sync with nothing to do otherwise costs one
// listing per directory.
func runSync(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "sync")
	var cf connFlags
	cf.register(fs)
	flags := copyFlags{conflict: "overwrite", segments: 1}
	fs.IntVar(&flags.parallel, "P", 4, "transfer `N` files in parallel")
	fs.IntVar(&flags.parallel, "parallel", 4, "transfer `N` files in parallel")
	fs.StringVar(&flags.limit, "limit-rate", "", "bandwidth limit in bytes per second, e.g. `500K`, 10M, 1G")
	fs.BoolVar(&flags.verify, "verify", false, "compare checksums after each transfer")
	fs.BoolVar(&flags.quiet, "quiet", false, "print nothing but errors")
	fs.BoolVar(&flags.quiet, "q", false, "same as --quiet")
	dry := fs.Bool("dry-run", false, "print the plan, change nothing")
	fs.BoolVar(dry, "n", false, "same as --dry-run")
	force := fs.Bool("force", false, "carry out a plan that deletes more than half of a side's files")
	checksum := fs.Bool("checksum", false, "also compare files by a hash each side computes (FTP HASH/XSHA256/XMD5/XCRC, SFTP check-file; the local disk reads each file): finds changes that keep size and time, at a request per file")
	var ff filterFlags
	ff.register(fs)
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) != 2 {
		return e.errorf(exitUsage, "sync takes two directories, A and B; see ferry help sync")
	}
	qopts, jopts, err := flags.options()
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	conn, err := newConnector(e, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	var sites [2]protocol.Site
	for i, arg := range rest {
		if sites[i], err = conn.site(arg); err != nil {
			return e.errorf(exitUsage, "%v", err)
		}
	}
	// The excludes of both sides' bookmarks apply to both trees, so that
	// what one side leaves out is never deleted on the other.
	spec, err := ff.spec(conn.bookmarksFor(sites[0], sites[1])...)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	rules, err := filter.Compile(spec)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	stateDir, err := transfer.DefaultStateDir(e.getenv)
	if err != nil {
		return e.errorf(exitFailed, "%v", err)
	}
	sess := newSessions(conn)
	defer sess.close()
	var eps [2]syncer.Endpoint
	for i, s := range sites {
		c, p, err := sess.resolve(ctx, s)
		if err != nil {
			return e.errorf(exitFor(err), "%v", err)
		}
		// Each side gets a session of its own for listing and changes, even
		// when both are on one site: the two walks run at once.
		if i == 1 && sites[0].ID() == s.ID() {
			if c, err = conn.dial(ctx, s); err != nil {
				return e.errorf(exitFor(err), "%v", err)
			}
			defer c.Close()
		}
		eps[i] = syncer.Endpoint{Client: c, Root: p, Transfer: sess.endpoint(s)}
	}
	pair := syncer.Pair{AID: sites[0].ID(), APath: eps[0].Root, BID: sites[1].ID(), BPath: eps[1].Root}
	stateFile := syncer.StatePath(stateDir, pair)
	old, err := syncer.LoadState(stateFile)
	if err != nil {
		return e.errorf(exitFailed, "%v (remove it to start over as a first sync)", err)
	}
	for _, ep := range eps {
		st, err := ep.Client.Stat(ctx, ep.Root)
		switch {
		case err == nil && !st.IsDir():
			return e.errorf(exitUsage, "%s is not a directory", ep.Root)
		case errors.Is(err, protocol.ErrNotExist) && old != nil:
			return e.errorf(exitFailed, "%s does not exist, though it did at the last sync; not syncing (remove %s to start over)", ep.Root, stateFile)
		case errors.Is(err, protocol.ErrNotExist) && !*dry:
			if err := mkdirAll(ctx, ep.Client, ep.Root); err != nil {
				return e.errorf(exitFor(err), "%v", err)
			}
		case errors.Is(err, protocol.ErrNotExist):
		case err != nil:
			return e.errorf(exitFor(err), "%v", err)
		}
	}

	var lists [2]syncer.Listing
	var hashes [2]syncer.Hashes
	var errs [2]error
	done := make(chan int, 2)
	for i := range eps {
		go func() {
			site := sites[i]
			lists[i], errs[i] = syncer.Walk(ctx, eps[i].Client, eps[i].Root, syncer.WalkOptions{
				Local: site.IsLocal(), Rules: rules,
				Dial: func(ctx context.Context) (protocol.Client, error) { return conn.dial(ctx, site) },
			})
			if errors.Is(errs[i], protocol.ErrNotExist) && *dry && old == nil {
				lists[i], errs[i] = syncer.Listing{}, nil // to be created
			}
			if errs[i] == nil && *checksum {
				hashes[i], errs[i] = syncer.HashListing(ctx, eps[i].Client, eps[i].Root, lists[i], syncer.WalkOptions{
					Local: site.IsLocal(),
					Dial:  func(ctx context.Context) (protocol.Client, error) { return conn.dial(ctx, site) },
				})
			}
			done <- i
		}()
	}
	<-done
	<-done
	for _, err := range errs {
		if err != nil {
			if ctx.Err() != nil {
				return exitCanceled
			}
			return e.errorf(exitFor(err), "%v", err)
		}
	}
	var slack time.Duration
	if isFTP(sites[0]) || isFTP(sites[1]) {
		slack = 2 * time.Second
	}
	plan := syncer.NewPlan(lists[0], lists[1], old, syncer.Options{Slack: slack, Now: time.Now(), Hashes: hashes})
	if _, err := plan.SettleSameContent(ctx, eps[0].Client, eps[1].Client, eps[0].Root, eps[1].Root); err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	unsafe := plan.TooManyDeletes()
	if *dry {
		printSyncPlan(e, plan, sites)
		if unsafe != "" && !*force {
			fmt.Fprintf(e.Err, "ferry: warning: this would delete %s (more than half); a real run stops and asks for --force\n", unsafe)
		}
		return exitOK
	}
	if unsafe != "" && !*force {
		return e.errorf(exitFailed, "sync would delete %s, more than half of that side: nothing was changed. Check both sides (ferry sync --dry-run shows the plan), then rerun with --force", unsafe)
	}
	if len(plan.Items) == 0 {
		if err := syncer.SaveState(stateFile, stateOf(plan, pair)); err != nil {
			return e.errorf(exitFailed, "%v", err)
		}
		if !flags.quiet {
			fmt.Fprintln(e.Out, "already in sync")
		}
		return exitOK
	}
	return runSyncPlan(ctx, e, qopts, jopts, eps, stateFile, plan, sites, flags.quiet, *checksum)
}

// stateOf is the state when there is nothing to do: both listings, and
// the digests the plan knew (SaveState writes those of listed files).
func stateOf(p *syncer.Plan, pair syncer.Pair) *syncer.State {
	st := &syncer.State{Pair: pair, Records: make(map[string]syncer.Record, len(p.A)), Hashes: p.Hashes}
	for k, a := range p.A {
		if b, ok := p.B[k]; ok && a.Dir == b.Dir {
			st.Records[k] = syncer.Record{Dir: a.Dir, A: a.Entry, B: b.Entry}
		}
	}
	return st
}

func runSyncPlan(ctx context.Context, e *env, qopts transfer.Options, jopts transfer.JobOptions, eps [2]syncer.Endpoint, stateFile string, plan *syncer.Plan, sites [2]protocol.Site, quiet, checksum bool) int {
	pacer := tuneRuntimeForTransfers(e)
	pr := newProgress(e, quiet)
	qopts.Log = pr.log
	q, err := openQueue(e, qopts)
	if err != nil {
		return e.errorf(exitFailed, "%v", err)
	}
	events := q.Events()
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for ev := range events {
			pr.update(ev)
			pacer.update(ev)
		}
	}()
	r := &syncer.Runner{A: eps[0], B: eps[1], Queue: q, Job: jopts, StateFile: stateFile, Checksum: checksum,
		Report: func(it syncer.Item, err error) {
			if err != nil {
				pr.log(fmt.Sprintf("%s %s: %v", it.Action, it.Path, err))
				return
			}
			switch it.Action {
			case syncer.CopyAToB, syncer.CopyBToA:
				return // the progress shows copies
			}
			pr.note(syncLine(it, sites, true))
		}}
	res, runErr := r.Run(ctx, plan, nil)
	jobs := q.Jobs()
	q.Close() // the drain goroutine reads the final events meanwhile
	<-drained
	pr.finish(jobs)
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(e.Err, "ferry: interrupted; rerun the same command to resume")
		return exitCanceled
	case errors.Is(runErr, syncer.ErrIncomplete):
		return e.errorf(exitFailed, "sync incomplete: %d step(s) failed; the last sync's state is kept, and a rerun carries on", res.Failed)
	case runErr != nil:
		return e.errorf(exitFailed, "%v", runErr)
	}
	if !quiet {
		fmt.Fprintf(e.Out, "in sync: %d copied, %d deleted, %d conflicts kept both ways\n", res.Copied, res.Deleted, res.Conflicts)
	}
	return exitOK
}

// note prints a line above the bars.
func (p *progressView) note(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quiet {
		return
	}
	p.clear()
	fmt.Fprintln(p.out, line)
}

// printSyncPlan prints a dry run's plan, one line per step, then totals.
func printSyncPlan(e *env, p *syncer.Plan, sites [2]protocol.Site) {
	var n [9]int
	for _, it := range p.Items {
		fmt.Fprintln(e.Out, syncLine(it, sites, false))
		n[it.Action]++
	}
	if len(p.Items) == 0 {
		fmt.Fprintln(e.Out, "nothing to do: already in sync")
		return
	}
	fmt.Fprintf(e.Out, "plan: %d copy →, %d copy ←, %d delete, %d conflict\n",
		n[syncer.CopyAToB], n[syncer.CopyBToA], n[syncer.DeleteA]+n[syncer.DeleteB], n[syncer.Conflict])
}

// syncLine is one step as the plan (or, done, the run) prints it.
func syncLine(it syncer.Item, sites [2]protocol.Site, done bool) string {
	name := quoteIfNeeded(it.Path)
	if it.Dir {
		name += "/"
	}
	side := func(s syncer.Side) string { return [2]string{"A", "B"}[s] }
	var s string
	switch it.Action {
	case syncer.CopyAToB:
		s = "copy →   " + name
	case syncer.CopyBToA:
		s = "copy ←   " + name
	case syncer.DeleteA:
		s = "delete   " + name + " (on A)"
	case syncer.DeleteB:
		s = "delete   " + name + " (on B)"
	case syncer.MkdirA:
		s = "mkdir ←  " + name
	case syncer.MkdirB:
		s = "mkdir →  " + name
	case syncer.Conflict:
		s = fmt.Sprintf("conflict %s (%s: %s's copy kept as %s on both sides)", name, it.Note, side(1-it.Winner), quoteIfNeeded(it.ConflictName))
		if done {
			s = fmt.Sprintf("conflict %s: kept both; %s's copy is now %s", name, side(1-it.Winner), quoteIfNeeded(it.ConflictName))
		}
		return s
	case syncer.Skip:
		s = "skip     " + name
	}
	if it.Note != "" && it.Action != syncer.DeleteA && it.Action != syncer.DeleteB {
		s += " (" + it.Note + ")"
	}
	if done && (it.Action == syncer.DeleteA || it.Action == syncer.DeleteB) {
		s = "deleted" + s[len("delete"):]
	}
	return s
}

func isFTP(s protocol.Site) bool {
	return s.Scheme == protocol.SchemeFTP || s.Scheme == protocol.SchemeFTPS || s.Scheme == protocol.SchemeFTPES
}
