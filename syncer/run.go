package syncer

import (
	"context"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/transfer"
)

// Endpoint is one side of a sync.
type Endpoint struct {
	// Client is a session of the runner's own for renames, directories,
	// deletes and the listings after the copies; the copies themselves
	// run on the queue's pools through Transfer.
	Client   protocol.Client
	Root     string // absolute
	Transfer transfer.Endpoint
}

// Runner carries out plans.
type Runner struct {
	A, B  Endpoint
	Queue *transfer.Queue
	// Job tunes the copies; their conflict policy is always overwrite,
	// since the plan has decided.
	Job transfer.JobOptions
	// StateFile, when set, receives the new state after a run in which
	// every step succeeded.
	StateFile string
	// Report hears of each step as it finishes (err nil on success), from
	// Run's goroutine.
	Report func(it Item, err error)
	// Poll is how often Run looks at its copy jobs; default 50ms.
	Poll time.Duration
	// Checksum asks each copy's target side for the new file's hash (where
	// it is a protocol.Hasher) for the state, as HashListing did for the
	// listings the plan was made from.
	Checksum bool
}

// Result sums up a run.
type Result struct {
	Copied, Deleted, Created, Conflicts, Failed int
	// Saved is true when the new state was written.
	Saved bool
}

// ErrIncomplete is returned when some step failed: the state is kept as
// it was, and the next sync picks up where this one stopped.
var ErrIncomplete = errors.New("sync incomplete")

func (r *Runner) side(s Side) *Endpoint {
	if s == SideA {
		return &r.A
	}
	return &r.B
}

// copyStep is one file job: from one side's rel to the other's.
type copyStep struct {
	item     int
	from, to Side
	srcRel   string
	dstRel   string
	absent   bool
	id       transfer.JobID
	ok       bool
}

// Run carries out the items of p that skip does not leave out (skip may
// be nil), in the order that keeps both sides whole if it stops half way:
// conflicting files are renamed first, then directories made, files
// copied, and only when every copy succeeded, deletions made. With every
// step done, the new state is written.
func (r *Runner) Run(ctx context.Context, p *Plan, skip func(i int) bool) (Result, error) {
	var res Result
	done := make([]bool, len(p.Items))
	failed := 0
	report := func(i int, err error) {
		if err != nil {
			failed++
		}
		if r.Report != nil {
			r.Report(p.Items[i], err)
		}
	}
	selected := func(i int) bool {
		return p.Items[i].Action != Skip && (skip == nil || !skip(i))
	}

	// Conflicts: the losing file moves aside on its own side first, so no
	// copy can land on it.
	var copies []copyStep
	for i, it := range p.Items {
		if !selected(i) {
			continue
		}
		switch it.Action {
		case CopyAToB:
			copies = append(copies, copyStep{item: i, from: SideA, to: SideB, srcRel: it.Path, dstRel: it.Path, absent: !it.HasB})
		case CopyBToA:
			copies = append(copies, copyStep{item: i, from: SideB, to: SideA, srcRel: it.Path, dstRel: it.Path, absent: !it.HasA})
		case Conflict:
			w, l := it.Winner, 1-it.Winner
			le := r.side(l)
			if err := le.Client.Rename(ctx, path.Join(le.Root, it.Path), path.Join(le.Root, it.ConflictName)); err != nil {
				report(i, fmt.Errorf("keep both copies of %s: %w", it.Path, err))
				continue
			}
			copies = append(copies,
				copyStep{item: i, from: w, to: l, srcRel: it.Path, dstRel: it.Path, absent: true},
				copyStep{item: i, from: l, to: w, srcRel: it.ConflictName, dstRel: it.ConflictName, absent: true})
		}
	}

	// Directories: those the plan creates, and the parents copies need.
	mk := [2][]string{}
	want := [2]map[string]bool{{}, {}}
	listing := [2]Listing{p.A, p.B}
	need := func(s Side, dir string) {
		for d := dir; d != "." && d != "" && d != "/"; d = path.Dir(d) {
			if n, ok := listing[s][d]; (ok && n.Dir) || want[s][d] {
				return
			}
			want[s][d] = true
			mk[s] = append(mk[s], d)
		}
	}
	for i, it := range p.Items {
		if !selected(i) {
			continue
		}
		switch it.Action {
		case MkdirA:
			need(SideA, it.Path)
		case MkdirB:
			need(SideB, it.Path)
		}
	}
	for _, c := range copies {
		need(c.to, path.Dir(c.dstRel))
	}
	mkFailed := false
	for s := range mk {
		sortPaths(mk[s])
		ep := r.side(Side(s))
		for _, d := range mk[s] {
			err := ep.Client.Mkdir(ctx, path.Join(ep.Root, d))
			if errors.Is(err, protocol.ErrExist) {
				err = nil
			}
			if err != nil {
				mkFailed = true
				failed++
				if r.Report != nil {
					r.Report(Item{Path: d, Dir: true, Action: [2]Action{MkdirA, MkdirB}[s]}, err)
				}
			}
		}
	}
	for i, it := range p.Items {
		if selected(i) && (it.Action == MkdirA || it.Action == MkdirB) && !mkFailed {
			done[i] = true
			res.Created++
			report(i, nil)
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}

	// Copies, through the queue: parts, resume and retries apply.
	job := r.Job
	job.Conflict = transfer.PolicyOverwrite
	for k := range copies {
		c := &copies[k]
		from, to := r.side(c.from), r.side(c.to)
		id, err := r.Queue.Add(transfer.Spec{
			Src: from.Transfer, SrcPath: path.Join(from.Root, c.srcRel),
			Dst: to.Transfer, DstPath: path.Join(to.Root, c.dstRel),
			Options: job, TargetAbsent: c.absent,
		})
		if err != nil {
			report(c.item, err)
			continue
		}
		c.id = id
	}
	if err := r.wait(ctx, copies, report); err != nil {
		return res, err
	}
	itemOK := make([]bool, len(p.Items))
	for i := range itemOK {
		itemOK[i] = true
	}
	for _, c := range copies {
		if !c.ok {
			itemOK[c.item] = false
		}
	}
	seen := make([]bool, len(p.Items))
	for _, c := range copies {
		if seen[c.item] {
			continue
		}
		seen[c.item] = true
		if itemOK[c.item] {
			done[c.item] = true
			if p.Items[c.item].Action == Conflict {
				res.Conflicts++
			} else {
				res.Copied++
			}
			report(c.item, nil)
		}
	}

	// Deletions, only when nothing failed: a file that failed to copy
	// might be the last copy of something.
	if failed > 0 {
		res.Failed = failed
		return res, ErrIncomplete
	}
	for i := len(p.Items) - 1; i >= 0; i-- {
		it := p.Items[i]
		if !selected(i) || (it.Action != DeleteA && it.Action != DeleteB) {
			continue
		}
		ep := r.side(SideA)
		if it.Action == DeleteB {
			ep = r.side(SideB)
		}
		target := path.Join(ep.Root, it.Path)
		var err error
		if it.Dir {
			if skip != nil && !r.childrenSelected(p, i, skip) {
				continue // something below stays; so does the directory
			}
			err = ep.Client.RemoveDir(ctx, target)
		} else {
			err = ep.Client.Remove(ctx, target)
		}
		if errors.Is(err, protocol.ErrNotExist) {
			err = nil // gone already: an earlier run got this far
		}
		if err == nil {
			done[i] = true
			res.Deleted++
		}
		report(i, err)
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
	}
	res.Failed = failed
	if failed > 0 {
		return res, ErrIncomplete
	}
	if r.StateFile == "" {
		return res, nil
	}
	st := r.newState(ctx, p, copies, done)
	if err := SaveState(r.StateFile, st); err != nil {
		return res, err
	}
	res.Saved = true
	return res, nil
}

// childrenSelected reports whether every item below directory item i is
// selected, so that the directory itself may go.
func (r *Runner) childrenSelected(p *Plan, i int, skip func(int) bool) bool {
	prefix := p.Items[i].Path + "/"
	for j := i + 1; j < len(p.Items) && len(p.Items[j].Path) > len(prefix) && p.Items[j].Path[:len(prefix)] == prefix; j++ {
		if skip(j) {
			return false
		}
	}
	return true
}

// wait follows the copy jobs until all are finished. Jobs finish roughly
// in the order they were added, so each look goes from the first one not
// seen finished to the next one still running: a few lookups per tick,
// however many files.
func (r *Runner) wait(ctx context.Context, copies []copyStep, report func(int, error)) error {
	poll := r.Poll
	if poll <= 0 {
		poll = 50 * time.Millisecond
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	next := 0
	for {
		for next < len(copies) {
			c := &copies[next]
			if c.id == 0 { // never queued; already reported
				next++
				continue
			}
			info, ok := r.Queue.Job(c.id)
			if ok && !info.State.Finished() {
				break
			}
			switch {
			case !ok:
				report(c.item, fmt.Errorf("copy %s: the job left the queue before it finished", c.dstRel))
			case info.State == transfer.StateDone || info.State == transfer.StateSkipped:
				c.ok = true
			default:
				err := info.Err
				if err == nil {
					err = errors.New(info.State.String())
				}
				report(c.item, fmt.Errorf("copy %s: %w", c.dstRel, err))
			}
			c.id = 0
			next++
		}
		if next == len(copies) {
			return nil
		}
		select {
		case <-ctx.Done():
			for _, c := range copies {
				if c.id != 0 {
					r.Queue.Cancel(c.id)
				}
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// newState is the state after a successful run: both listings as planned,
// with each step's result, and the copies as the targets now list them
// (a server that cannot set times gives its own).
func (r *Runner) newState(ctx context.Context, p *Plan, copies []copyStep, done []bool) *State {
	now, nowHashes := r.relist(ctx, copies)
	got := func(s Side, rel string, fallback Entry) Entry {
		if e, ok := now[s][rel]; ok {
			return e
		}
		return fallback
	}
	restored := map[string]bool{}
	st := &State{Pair: Pair{AID: r.A.Transfer.ID, APath: r.A.Root, BID: r.B.Transfer.ID, BPath: r.B.Root}, Records: make(map[string]Record, len(p.A))}
	for k, na := range p.A {
		if nb, ok := p.B[k]; ok && na.Dir == nb.Dir {
			st.Records[k] = Record{Dir: na.Dir, A: na.Entry, B: nb.Entry}
		}
	}
	for i, it := range p.Items {
		if !done[i] {
			if p.Old != nil {
				if o, ok := p.Old.Records[it.Path]; ok {
					st.Records[it.Path] = o
					restored[it.Path] = true
					continue
				}
			}
			delete(st.Records, it.Path)
			continue
		}
		switch it.Action {
		case CopyAToB:
			st.Records[it.Path] = Record{A: it.A.Entry, B: got(SideB, it.Path, it.A.Entry)}
		case CopyBToA:
			st.Records[it.Path] = Record{A: got(SideA, it.Path, it.B.Entry), B: it.B.Entry}
		case DeleteA, DeleteB:
			delete(st.Records, it.Path)
		case MkdirA, MkdirB:
			st.Records[it.Path] = Record{Dir: true}
		case Conflict:
			if it.Winner == SideA {
				st.Records[it.Path] = Record{A: it.A.Entry, B: got(SideB, it.Path, it.A.Entry)}
				st.Records[it.ConflictName] = Record{A: got(SideA, it.ConflictName, it.B.Entry), B: it.B.Entry}
			} else {
				st.Records[it.Path] = Record{A: got(SideA, it.Path, it.B.Entry), B: it.B.Entry}
				st.Records[it.ConflictName] = Record{A: it.A.Entry, B: got(SideB, it.ConflictName, it.A.Entry)}
			}
		}
	}
	// Directories the copies made on the way.
	for _, c := range copies {
		for d := path.Dir(c.dstRel); d != "." && d != "/"; d = path.Dir(d) {
			if _, ok := st.Records[d]; ok {
				break
			}
			st.Records[d] = Record{Dir: true}
		}
	}
	st.Hashes = r.newHashes(p, st, copies, restored, nowHashes)
	return st
}

// newHashes are the digests the new state keeps, for each side: a copy's
// target has the one asked for after the copy (with Checksum) or none,
// since its old content's digest is wrong now although a copy keeps size
// and time; a path whose step was not done keeps the last sync's; any
// other file the one the plan knew, when its record is what was listed.
// Nothing is done when there are no digests at all.
func (r *Runner) newHashes(p *Plan, st *State, copies []copyStep, restored map[string]bool, fresh [2]Hashes) [2]Hashes {
	var out [2]Hashes
	var oldHashes [2]Hashes
	if p.Old != nil {
		oldHashes = p.Old.Hashes
	}
	listing := [2]Listing{p.A, p.B}
	for s := range out {
		if len(p.Hashes[s]) == 0 && len(fresh[s]) == 0 && len(oldHashes[s]) == 0 {
			continue
		}
		target := map[string]bool{}
		for _, c := range copies {
			if int(c.to) == s {
				target[c.dstRel] = true
			}
		}
		hs := Hashes{}
		for rel, h := range p.Hashes[s] {
			rec, ok := st.Records[rel]
			if ok && !rec.Dir && !target[rel] && !restored[rel] && rec.side(Side(s)) == listing[s][rel].Entry {
				hs[rel] = h
			}
		}
		for rel := range restored {
			if h, ok := oldHashes[s][rel]; ok {
				hs[rel] = h
			}
		}
		for rel, h := range fresh[s] {
			hs[rel] = h
		}
		if len(hs) > 0 {
			out[s] = hs
		}
	}
	return out
}

// relist lists the directories copies went to, for what the targets look
// like now (with Checksum, their hashes too). A listing that fails leaves
// the planned entries.
func (r *Runner) relist(ctx context.Context, copies []copyStep) ([2]map[string]Entry, [2]Hashes) {
	out := [2]map[string]Entry{{}, {}}
	var hashes [2]Hashes
	dirs := [2]map[string]bool{{}, {}}
	want := [2]map[string]bool{{}, {}}
	for _, c := range copies {
		dirs[c.to][path.Dir(c.dstRel)] = true
		want[c.to][c.dstRel] = true
	}
	for s := range dirs {
		ep := r.side(Side(s))
		for d := range dirs[s] {
			ents, err := ep.Client.List(ctx, path.Join(ep.Root, d))
			if err != nil {
				continue
			}
			for _, e := range ents {
				rel := path.Join(d, e.Name)
				if want[s][rel] && !e.IsDir() && !e.IsLink() {
					out[s][rel] = entryOf(e)
					if !r.Checksum {
						continue
					}
					// A failed hash only leaves the file known by size
					// and time.
					if h, _ := hashOf(ctx, ep.Client, path.Join(ep.Root, rel)); h != "" {
						if hashes[s] == nil {
							hashes[s] = Hashes{}
						}
						hashes[s][rel] = h
					}
				}
			}
		}
	}
	return out, hashes
}
