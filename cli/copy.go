package cli

// Exit codes of ferry's commands (README.md carries the same table):
//
//	0    everything was copied, skipped by the conflict policy, or was
//	     already up to date
//	1    at least one file or operation failed (the others went on); the
//	     reasons are on stderr and in the transfer log
//	2    bad arguments or flags
//	3    could not connect or log in
//	4    a host key or certificate was refused
//	130  interrupted (Ctrl-C); unfinished files keep their .ferry-part and a
//	     rerun resumes them

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/perm"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/transfer"
)

// runGet, runPut and runCp copy files between endpoints on the transfer
// engine.
func runGet(ctx context.Context, e *env, args []string) int { return copyCommand(ctx, e, "get", args) }
func runPut(ctx context.Context, e *env, args []string) int { return copyCommand(ctx, e, "put", args) }
func runCp(ctx context.Context, e *env, args []string) int  { return copyCommand(ctx, e, "cp", args) }

// copyFlags are the transfer options of get, put, cp and mirror.
type copyFlags struct {
	recursive bool
	parallel  int
	segments  int
	conflict  string
	limit     string
	verify    bool
	resume    bool
	inPlace   bool
	quiet     bool
	perms     bool
	stall     time.Duration
	filter    filterFlags
}

func (c *copyFlags) register(fs *flag.FlagSet, withRecursive bool) {
	if withRecursive {
		fs.BoolVar(&c.recursive, "r", false, "copy directories recursively")
		fs.BoolVar(&c.recursive, "recursive", false, "copy directories recursively")
	}
	fs.IntVar(&c.parallel, "P", 4, "transfer `N` files in parallel")
	fs.IntVar(&c.parallel, "parallel", 4, "transfer `N` files in parallel")
	fs.IntVar(&c.segments, "segments", 1, "download each file of 2 MiB or more over `K` connections (range reads)")
	fs.StringVar(&c.conflict, "on-conflict", "overwrite", "when a target exists: `overwrite|skip|resume|rename|newer|size-differs`")
	fs.StringVar(&c.limit, "limit-rate", "", "bandwidth limit in bytes per second, e.g. `500K`, 10M, 1G")
	fs.BoolVar(&c.verify, "verify", false, "compare checksums after each transfer")
	fs.BoolVar(&c.resume, "continue", false, "resume: append to shorter existing targets (same as --on-conflict resume)")
	fs.BoolVar(&c.resume, "c", false, "same as --continue")
	fs.BoolVar(&c.inPlace, "in-place", false, "write targets directly, without .ferry-part and rename")
	fs.BoolVar(&c.quiet, "quiet", false, "print nothing but errors")
	fs.BoolVar(&c.quiet, "q", false, "same as --quiet")
	fs.BoolVar(&c.perms, "preserve-perms", false, "give targets the sources' permission bits (off: the server's default, as scp without -p)")
	fs.BoolVar(&c.perms, "p", false, "same as --preserve-perms")
	fs.DurationVar(&c.stall, "stall-timeout", 60*time.Second, "retry a transfer that moves no data for `DURATION`")
	c.filter.register(fs)
}

// options turns the flags into queue and job options.
func (c *copyFlags) options() (transfer.Options, transfer.JobOptions, error) {
	var o transfer.Options
	var jo transfer.JobOptions
	if c.parallel < 1 || c.parallel > 64 {
		return o, jo, fmt.Errorf("--parallel must be between 1 and 64, not %d", c.parallel)
	}
	if c.segments < 1 || c.segments > 32 {
		return o, jo, fmt.Errorf("--segments must be between 1 and 32, not %d", c.segments)
	}
	pol, err := transfer.ParsePolicy(c.conflict)
	if err != nil {
		return o, jo, fmt.Errorf("--on-conflict: %w", err)
	}
	if pol == transfer.PolicyAsk {
		return o, jo, errors.New("--on-conflict ask works only in the TUI; choose another policy")
	}
	if c.resume {
		pol = transfer.PolicyResume
	}
	limit, err := parseRate(c.limit)
	if err != nil {
		return o, jo, fmt.Errorf("--limit-rate: %w", err)
	}
	if c.stall < 0 {
		return o, jo, fmt.Errorf("--stall-timeout must not be negative, not %s", c.stall)
	}
	o = transfer.Options{Workers: c.parallel, Conflict: pol, Limit: limit, Ephemeral: true, StallTimeout: c.stall}
	jo = transfer.JobOptions{Segments: c.segments, Verify: c.verify, InPlace: c.inPlace, PreservePerms: c.perms}
	return o, jo, nil
}

// parseRate reads a byte rate with an optional K, M or G suffix (powers of
// 1024, as curl and wget read them); "" means unlimited.
func parseRate(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	mult := int64(1)
	num := strings.TrimSuffix(strings.TrimSuffix(s, "B"), "b")
	if num == "" {
		return 0, fmt.Errorf("%q is not a rate like 500K, 10M or 1G", s)
	}
	switch strings.ToUpper(num[len(num)-1:]) {
	case "K":
		mult, num = 1<<10, num[:len(num)-1]
	case "M":
		mult, num = 1<<20, num[:len(num)-1]
	case "G":
		mult, num = 1<<30, num[:len(num)-1]
	}
	if strings.Trim(num, "0123456789.") != "" {
		return 0, fmt.Errorf("%q is not a rate like 500K, 10M or 1G", s)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || !(f > 0) || f*float64(mult) > 1<<50 {
		return 0, fmt.Errorf("%q is not a rate like 500K, 10M or 1G", s)
	}
	return int64(f * float64(mult)), nil
}

// planned is one source resolved for the queue.
type planned struct {
	spec  transfer.Spec
	label string
}

func copyCommand(ctx context.Context, e *env, name string, args []string) int {
	fs := newFlagSet(e, name)
	var cf connFlags
	cf.register(fs)
	var flags copyFlags
	flags.register(fs, true)
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) < 2 {
		return e.errorf(exitUsage, "%s takes sources and a destination; see ferry help %s", name, name)
	}
	qopts, jopts, err := flags.options()
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	conn, err := newConnector(e, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	sites := make([]protocol.Site, len(rest))
	for i, a := range rest {
		if sites[i], err = conn.site(a); err != nil {
			return e.errorf(exitUsage, "%v", err)
		}
	}
	if jopts.Filter, err = flags.filter.spec(conn.bookmarksFor(sites...)...); err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	srcs, dst := sites[:len(sites)-1], sites[len(sites)-1]
	switch {
	case name == "get" && !dst.IsLocal():
		return e.errorf(exitUsage, "get downloads to a local path; use ferry cp to copy between sites")
	case name == "put" && dst.IsLocal():
		return e.errorf(exitUsage, "put uploads to a site; use ferry cp for local copies")
	}
	for _, s := range srcs {
		switch {
		case name == "get" && s.IsLocal():
			return e.errorf(exitUsage, "get downloads from a site, and %s is local; use ferry cp or put", s.Path)
		case name == "put" && !s.IsLocal():
			return e.errorf(exitUsage, "put uploads local files, and %s is a site; use ferry cp or get", s)
		}
	}
	sess := newSessions(conn)
	defer sess.close()
	plan, status := planCopy(ctx, e, sess, srcs, dst, flags.recursive, jopts)
	if status == exitCanceled || len(plan) == 0 {
		return status
	}
	sess.handOff()
	return max(status, runQueue(ctx, e, qopts, plan, flags.quiet))
}

// planCopy applies cp -r / scp -r destination rules: an existing directory
// receives each source inside it; otherwise the single source becomes DST.
func planCopy(ctx context.Context, e *env, sess *sessions, srcs []protocol.Site, dst protocol.Site, recursive bool, jopts transfer.JobOptions) ([]planned, int) {
	status := exitOK
	dc, dp, err := sess.resolve(ctx, dst)
	if err != nil {
		return nil, e.errorf(exitFor(err), "%v", err)
	}
	dstIsDir, dstAbsent := false, false
	if st, err := dc.Stat(ctx, dp); err == nil {
		dstIsDir = st.IsDir()
	} else if errors.Is(err, protocol.ErrNotExist) {
		dstAbsent = true
	} else {
		return nil, e.errorf(exitFor(err), "%v", err)
	}
	if len(srcs) > 1 && !dstIsDir {
		return nil, e.errorf(exitUsage, "copying %d sources needs an existing directory as destination, and %s is not one", len(srcs), dp)
	}
	var plan []planned
	for _, s := range srcs {
		sc, sp, err := sess.resolve(ctx, s)
		if err != nil {
			status = max(status, e.errorf(exitFor(err), "%v", err))
			if errors.Is(err, context.Canceled) {
				return nil, exitCanceled
			}
			continue
		}
		st, err := sc.Stat(ctx, sp)
		if err != nil {
			status = max(status, e.errorf(exitFor(err), "%v", err))
			continue
		}
		if jopts.PreservePerms && !st.IsDir() {
			// FTP without MLST stats with SIZE and MDTM; the permissions
			// are in the listing.
			if en, err := lookup(ctx, sc, sp); err == nil && !en.IsDir() {
				st.Mode = st.Mode&^perm.Bits | en.Mode&perm.Bits
			}
		}
		if st.IsDir() && !recursive {
			status = max(status, e.errorf(exitFailed, "%s is a directory: omitted (use -r)", sp))
			continue
		}
		target := dp
		if dstIsDir {
			base := path.Base(sp)
			if base == "/" || base == "." {
				status = max(status, e.errorf(exitUsage, "cannot copy the root %s into a directory; name the target", sp))
				continue
			}
			target = path.Join(dp, base)
		}
		spec := transfer.Spec{
			Src: sess.endpoint(s), SrcPath: sp, Dst: sess.endpoint(dst), DstPath: target,
			Dir: st.IsDir(), Options: jopts,
		}
		if !spec.Dir {
			// What cp's rules just looked at, the queue need not ask again.
			spec.Source, spec.TargetAbsent = &st, dstAbsent && !dstIsDir
		}
		plan = append(plan, planned{spec: spec, label: sp})
	}
	return plan, status
}

// openQueue makes a command's transfer queue, keeping the transfer log
// under the XDG state dir when it can be written there.
func openQueue(e *env, qopts transfer.Options) (*transfer.Queue, error) {
	if dir, err := transfer.DefaultStateDir(e.getenv); err == nil {
		qopts.StateDir = dir
	}
	q, err := transfer.New(qopts)
	if err != nil && qopts.StateDir != "" {
		// No transfer log is no reason not to transfer.
		fmt.Fprintf(e.Err, "ferry: warning: %v; continuing without a transfer log\n", err)
		qopts.StateDir = ""
		q, err = transfer.New(qopts)
	}
	return q, err
}

// runQueue runs the planned jobs on a queue, shows progress and returns the
// exit status.
func runQueue(ctx context.Context, e *env, qopts transfer.Options, plan []planned, quiet bool) int {
	pacer := tuneRuntimeForTransfers(e)
	pr := newProgress(e, quiet)
	qopts.Log = pr.log
	q, err := openQueue(e, qopts)
	if err != nil {
		return e.errorf(exitFailed, "%v", err)
	}
	events := q.Events()
	for _, p := range plan {
		if _, err := q.Add(p.spec); err != nil {
			q.Close()
			return e.errorf(exitFailed, "%v", err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- q.Wait(ctx) }()
	var waitErr error
	for waiting := true; waiting; {
		select {
		case ev, ok := <-events:
			if ok {
				pr.update(ev)
				pacer.update(ev)
			}
		case waitErr = <-done:
			waiting = false
		}
	}
	interrupted := waitErr != nil || ctx.Err() != nil
	if interrupted {
		q.CancelAll()
	}
	jobs := q.Jobs()
	go q.Close()
	for ev := range events { // until Close ends them, with the final states
		pr.update(ev)
	}
	pr.finish(jobs)
	if interrupted {
		fmt.Fprintln(e.Err, "ferry: interrupted; rerun the same command to resume")
		return exitCanceled
	}
	status := exitOK
	for _, j := range jobs {
		if j.State == transfer.StateFailed || j.State == transfer.StateCanceled {
			status = exitFailed
		}
	}
	return status
}

// sessions keeps one planning connection per site, to resolve and stat
// paths; the transfers dial their own through the queue's pools. Once
// planning is over (handOff), each planning connection becomes the first
// connection its pool gets, so a one-file get logs in once, not twice.
type sessions struct {
	conn    *connector
	clients map[string]protocol.Client

	mu    sync.Mutex
	spare map[string]protocol.Client // handed to the first Dial of each site
}

// handOff gives the planning connections to the queue's pools; the
// sessions must not use them afterwards.
func (s *sessions) handOff() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spare, s.clients = s.clients, map[string]protocol.Client{}
}

func (s *sessions) takeSpare(id string) protocol.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.spare[id]
	delete(s.spare, id)
	return c
}

func newSessions(conn *connector) *sessions {
	return &sessions{conn: conn, clients: map[string]protocol.Client{}}
}

func (s *sessions) client(ctx context.Context, site protocol.Site) (protocol.Client, error) {
	if c, ok := s.clients[site.ID()]; ok {
		return c, nil
	}
	c, err := s.conn.dial(ctx, site)
	if err != nil {
		return nil, err
	}
	s.clients[site.ID()] = c
	return c, nil
}

// resolve connects to site and returns its path made absolute.
func (s *sessions) resolve(ctx context.Context, site protocol.Site) (protocol.Client, string, error) {
	c, err := s.client(ctx, site)
	if err != nil {
		return nil, "", err
	}
	p, err := absPath(ctx, c, site)
	if err != nil {
		return nil, "", err
	}
	return c, p, nil
}

// endpoint describes site to the transfer engine.
func (s *sessions) endpoint(site protocol.Site) transfer.Endpoint {
	return transfer.Endpoint{ID: site.ID(), Dial: func(ctx context.Context) (protocol.Client, error) {
		if c := s.takeSpare(site.ID()); c != nil {
			return c, nil
		}
		return s.conn.dial(ctx, site)
	}}
}

// close closes the planning connections no pool took.
func (s *sessions) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.clients {
		c.Close()
	}
	for _, c := range s.spare {
		c.Close()
	}
}
