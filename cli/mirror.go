package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/filter"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/transfer"
)

// runMirror makes DST a copy of the directory SRC, one way: files missing
// in DST or differing in size or mtime are copied; with --delete, what DST
// has and SRC lacks is removed afterwards (only when every copy succeeded).
// --dry-run prints the plan and changes nothing.
func runMirror(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mirror")
	var cf connFlags
	cf.register(fs)
	var flags copyFlags
	flags.register(fs, false)
	del := fs.Bool("delete", false, "remove files and directories in DST that SRC does not have (never excluded ones)")
	delExcluded := fs.Bool("delete-excluded", false, "with --delete, remove what the filters exclude from DST too")
	dry := fs.Bool("dry-run", false, "print what would change, change nothing")
	fs.BoolVar(dry, "n", false, "same as --dry-run")
	sizeOnly := fs.Bool("size-only", false, "a file of the same size is the same, whatever its time (for servers that cannot keep file times, or list them to the minute)")
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) != 2 {
		return e.errorf(exitUsage, "mirror takes SRC and DST; see ferry help mirror")
	}
	flags.conflict = "mirror"
	qopts, jopts, err := flags.options()
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	jopts.Conflict = transfer.PolicyMirror
	if *sizeOnly {
		jopts.Conflict = transfer.PolicySizeDiffers
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
	if jopts.Filter, err = flags.filter.spec(conn.bookmarksFor(src, dst)...); err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	if *delExcluded && !*del {
		return e.errorf(exitUsage, "--delete-excluded goes with --delete")
	}
	rules, err := filter.Compile(jopts.Filter)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	sess := newSessions(conn)
	defer sess.close()
	sc, sp, err := sess.resolve(ctx, src)
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	dc, dp, err := sess.resolve(ctx, dst)
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	if st, err := sc.Stat(ctx, sp); err != nil {
		return e.errorf(exitFor(err), "%v", err)
	} else if !st.IsDir() {
		return e.errorf(exitUsage, "mirror copies directories, and %s is not one; use ferry cp", sp)
	}
	if st, err := dc.Stat(ctx, dp); err == nil && !st.IsDir() {
		return e.errorf(exitUsage, "%s exists and is not a directory", dp)
	}
	m := &mirror{e: e, sc: sc, dc: dc, sp: sp, dp: dp, deleteExcluded: *delExcluded, sizeOnly: *sizeOnly}
	if *dry {
		status := m.plan(ctx, "", rules)
		if *del {
			status = max(status, m.extras(ctx, "", rules, false))
		}
		return status
	}
	status := runQueue(ctx, e, qopts, []planned{{
		spec:  transfer.Spec{Src: sess.endpoint(src), SrcPath: sp, Dst: sess.endpoint(dst), DstPath: dp, Dir: true, Options: jopts},
		label: sp,
	}}, flags.quiet)
	if !*del {
		return status
	}
	if status != exitOK {
		fmt.Fprintln(e.Err, "ferry: not deleting extras in the destination: some copies failed")
		return status
	}
	m.quiet = flags.quiet
	return m.extras(ctx, "", rules, true)
}

// mirror walks SRC and DST side by side through the planning connections.
type mirror struct {
	e      *env
	sc, dc protocol.Client
	sp, dp string
	quiet  bool
	// deleteExcluded removes from DST what the filter excludes; without it
	// --delete leaves excluded paths alone.
	deleteExcluded bool
	// sizeOnly compares files by size alone (--size-only).
	sizeOnly bool
}

// plan prints what a mirror run would copy below rel; rules are the
// filter for rel's entries (the walk's, .gitignore of rel not yet read).
func (m *mirror) plan(ctx context.Context, rel string, rules *filter.Rules) int {
	ents, err := m.sc.List(ctx, path.Join(m.sp, rel))
	if err != nil {
		return m.e.errorf(exitFor(err), "%v", err)
	}
	if rules, err = m.gitignore(ctx, rel, rules, ents, true); err != nil {
		return m.e.errorf(exitFor(err), "%v", err)
	}
	status := exitOK
	for _, en := range ents {
		r := path.Join(rel, en.Name)
		if !protocol.SafeName(en.Name) {
			status = max(status, m.e.errorf(exitFailed, "refused unsafe name %s", strconv.Quote(en.Name)))
			continue
		}
		if !en.IsLink() && rules.ExcludedEntry(r, en.IsDir()) {
			continue
		}
		if en.IsLink() {
			st, err := m.sc.Stat(ctx, path.Join(m.sp, r))
			if err != nil {
				status = max(status, m.e.errorf(exitFailed, "%v", err))
				continue
			}
			en = st
			if rules.ExcludedEntry(r, en.IsDir()) {
				continue
			}
		}
		de, derr := m.dc.Stat(ctx, path.Join(m.dp, r))
		missing := errors.Is(derr, protocol.ErrNotExist)
		if derr != nil && !missing {
			status = max(status, m.e.errorf(exitFor(derr), "%v", derr))
			continue
		}
		switch {
		case en.IsDir():
			if missing {
				fmt.Fprintf(m.e.Out, "mkdir   %s\n", quoteIfNeeded(r))
			}
			status = max(status, m.plan(ctx, r, rules))
		case missing:
			fmt.Fprintf(m.e.Out, "copy    %s (new, %s%s)\n", quoteIfNeeded(r), humanBytes(en.Size), m.partNote(ctx, r, en))
		case !sameEntry(en, de, m.sizeOnly):
			fmt.Fprintf(m.e.Out, "copy    %s (changed, %s%s)\n", quoteIfNeeded(r), humanBytes(en.Size), m.partNote(ctx, r, en))
		}
	}
	return status
}

// partNote tells of a part an earlier run left for the file at rel in
// DST, which the copy may resume (when the source has not changed since).
func (m *mirror) partNote(ctx context.Context, rel string, src protocol.Entry) string {
	pe, err := m.dc.Stat(ctx, transfer.PartName(path.Join(m.dp, rel)))
	if err != nil || pe.IsDir() || pe.Size <= 0 || pe.Size > src.Size {
		return ""
	}
	return ", " + humanBytes(pe.Size) + " in a part to resume"
}

// extras removes (or, dry, prints) what DST has below rel and SRC lacks.
// What the filter excludes stays, unless deleteExcluded: then it goes
// whether SRC has it or not, as rsync's --delete-excluded.
func (m *mirror) extras(ctx context.Context, rel string, rules *filter.Rules, remove bool) int {
	ents, err := m.dc.List(ctx, path.Join(m.dp, rel))
	if errors.Is(err, protocol.ErrNotExist) {
		return exitOK // a dry run of a destination still to be created
	}
	if err != nil {
		return m.e.errorf(exitFor(err), "%v", err)
	}
	if rules.Gitignore() {
		// The .gitignore files that count are the source's.
		if rules, err = m.gitignore(ctx, rel, rules, nil, false); err != nil {
			return m.e.errorf(exitFor(err), "%v", err)
		}
	}
	status := exitOK
	for _, en := range ents {
		if !protocol.SafeName(en.Name) {
			status = max(status, m.e.errorf(exitFailed, "refused unsafe name %s", strconv.Quote(en.Name)))
			continue
		}
		if !remove && transfer.IsPartName(en.Name) {
			continue // the copy that runs first resumes or replaces it
		}
		r := path.Join(rel, en.Name)
		if rules.ExcludedEntry(r, en.IsDir()) {
			if !m.deleteExcluded {
				continue
			}
			status = max(status, m.remove(ctx, r, en, remove))
			continue
		}
		se, serr := m.sc.Stat(ctx, path.Join(m.sp, r))
		switch {
		case serr == nil && se.IsDir() == en.IsDir():
			if en.IsDir() {
				status = max(status, m.extras(ctx, r, rules, remove))
			}
			continue
		case serr != nil && !errors.Is(serr, protocol.ErrNotExist):
			status = max(status, m.e.errorf(exitFor(serr), "%v", serr))
			continue
		}
		status = max(status, m.remove(ctx, r, en, remove))
	}
	return status
}

// remove deletes (or, dry, prints) the entry en of DST at rel.
func (m *mirror) remove(ctx context.Context, rel string, en protocol.Entry, remove bool) int {
	if !remove {
		fmt.Fprintf(m.e.Out, "delete  %s\n", quoteIfNeeded(rel))
		return exitOK
	}
	target := path.Join(m.dp, rel)
	var err error
	if en.IsDir() {
		err = removeAll(ctx, m.dc, target)
	} else {
		err = m.dc.Remove(ctx, target)
	}
	if err != nil {
		return m.e.errorf(exitFor(err), "%v", err)
	}
	if !m.quiet {
		fmt.Fprintf(m.e.Out, "deleted %s\n", quoteIfNeeded(rel))
	}
	return exitOK
}

// gitignore adds SRC's rel/.gitignore to rules when the filter honours
// them: when ents (SRC's listing of rel, if listed) shows one, or, not
// listed, when SRC has one.
func (m *mirror) gitignore(ctx context.Context, rel string, rules *filter.Rules, ents []protocol.Entry, listed bool) (*filter.Rules, error) {
	if !rules.Gitignore() {
		return rules, nil
	}
	if listed && !slices.ContainsFunc(ents, func(en protocol.Entry) bool { return en.Name == ".gitignore" && !en.IsDir() }) {
		return rules, nil
	}
	p := path.Join(m.sp, rel, ".gitignore")
	rc, err := m.sc.Open(ctx, p, 0)
	if errors.Is(err, protocol.ErrNotExist) {
		return rules, nil
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return rules.WithGitignore(rel, b), nil
}

// sameEntry is the mirror test: equal size, and equal mtime to the second
// when both sides know it and sizeOnly does not leave times out.
func sameEntry(a, b protocol.Entry, sizeOnly bool) bool {
	if a.Size != b.Size || a.IsDir() != b.IsDir() {
		return false
	}
	if sizeOnly || a.ModTime.IsZero() || b.ModTime.IsZero() {
		return true
	}
	return a.ModTime.Truncate(time.Second).Equal(b.ModTime.Truncate(time.Second))
}

// quoteIfNeeded prints plain names as they are and odd ones Go-quoted.
func quoteIfNeeded(s string) string {
	if q := strconv.Quote(s); q[1:len(q)-1] != s {
		return q
	}
	return s
}
