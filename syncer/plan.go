// Package syncer keeps two directory trees equal both ways. It lists both
// sides (several directories at once), compares them with the state of the
// last successful sync (LoadState), and makes a Plan: what to copy which
// way, what to delete on which side, and which files changed on both sides
// (conflicts: both copies are kept). Run carries a plan out through the
// transfer engine and writes the new state only when everything succeeded,
// so an interrupted sync simply runs again. The CLI's `ferry sync` and the
// TUI's synchronize view share it.
package syncer

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// Action is what a plan does with one path.
type Action int

const (
	CopyAToB Action = iota + 1 // copy A's file over to B
	CopyBToA                   // copy B's file over to A
	DeleteA                    // delete on A (it was deleted on B)
	DeleteB                    // delete on B (it was deleted on A)
	MkdirA                     // create the directory on A
	MkdirB                     // create the directory on B
	Conflict                   // changed on both sides: keep both
	Skip                       // cannot be synced (see Item.Note); left alone
)

// String is the action as a plan prints it.
func (a Action) String() string {
	switch a {
	case CopyAToB:
		return "copy →"
	case CopyBToA:
		return "copy ←"
	case DeleteA:
		return "delete ←"
	case DeleteB:
		return "delete →"
	case MkdirA:
		return "mkdir ←"
	case MkdirB:
		return "mkdir →"
	case Conflict:
		return "conflict"
	case Skip:
		return "skip"
	}
	return "?"
}

// Side is A (0) or B (1).
type Side int

const (
	SideA Side = 0
	SideB Side = 1
)

// Item is one step of a plan.
type Item struct {
	Path   string // relative to both roots
	Action Action
	Dir    bool
	A, B   Node // what each side has now (valid when HasA, HasB)
	HasA   bool
	HasB   bool
	// Note says why, where the action alone does not: "deleted on B,
	// changed on A: copied back".
	Note string
	// Winner keeps the name in a conflict; the other side's file is
	// renamed to ConflictName there and copied over under that name.
	Winner       Side
	ConflictName string
}

// Plan is what a sync would do, and what it needs to write the state
// afterwards.
type Plan struct {
	Items []Item
	// A and B are the listings the plan was made from; Old is the state
	// it was compared with (nil on a first run).
	A, B Listing
	Old  *State
	// DeletesA and DeletesB count the files the plan deletes on each side;
	// FilesA and FilesB how many each side had at the last sync.
	DeletesA, DeletesB int
	FilesA, FilesB     int
	// Hashes are both sides' digests as the plan knew them (see
	// Options.Hashes), for the state after the run.
	Hashes [2]Hashes
}

// Options tune planning.
type Options struct {
	// Slack is how far apart two modification times may be and still count
	// as equal: 0 compares whole seconds; FTP servers that round or keep
	// two-second times want 2s.
	Slack time.Duration
	// Now names conflict copies (NAME.conflict-YYYYMMDD-HHMMSS.EXT).
	Now time.Time
	// Hashes are A's and B's digests from HashListing (ferry sync
	// --checksum); nil when not asked.
	Hashes [2]Hashes
}

// NewPlan compares the listings a and b with the state old (nil on a first
// run) and says what a sync does. A file whose digest (opts.Hashes)
// differs from the one the state recorded counts as changed, though its
// size and time do not; a file not hashed now, with its size and time as
// recorded, keeps the state's digest.
func NewPlan(a, b Listing, old *State, opts Options) *Plan {
	p := &Plan{A: a, B: b, Old: old}
	p.Hashes[SideA] = knownHashes(opts.Hashes[SideA], a, old, SideA)
	p.Hashes[SideB] = knownHashes(opts.Hashes[SideB], b, old, SideB)
	var oldHashes [2]Hashes
	if old != nil {
		oldHashes = old.Hashes
	}
	slack := int64(opts.Slack / time.Second)
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	var recs map[string]Record
	if old != nil {
		recs = old.Records
		for _, r := range recs {
			if !r.Dir {
				p.FilesA++
				p.FilesB++
			}
		}
	}
	sortPaths(keys)
	taken := func(name string) bool {
		_, x := a[name]
		_, y := b[name]
		return x || y
	}
	for _, k := range keys {
		na, inA := a[k]
		nb, inB := b[k]
		r, inO := recs[k]
		it := Item{Path: k, A: na, B: nb, HasA: inA, HasB: inB}
		switch {
		case inA && inB && na.Dir != nb.Dir:
			it.Action, it.Note = Skip, "a directory on one side and a file on the other"
		case (inA && na.Dir) || (inB && nb.Dir):
			it.Dir = true
			switch {
			case inA && inB:
				continue
			case inA && inO && r.Dir:
				it.Action, it.Note = DeleteA, "deleted on B"
			case inA:
				it.Action = MkdirB
			case inB && inO && r.Dir:
				it.Action, it.Note = DeleteB, "deleted on A"
			default:
				it.Action = MkdirA
			}
		default:
			inO = inO && !r.Dir
			// hA and hB: changed by content alone, as the hashes tell.
			hashA, hashB := p.Hashes[SideA][k], p.Hashes[SideB][k]
			hA := inA && inO && hashesDiffer(hashA, oldHashes[SideA][k])
			hB := inB && inO && hashesDiffer(hashB, oldHashes[SideB][k])
			chA := inA && (!inO || changed(na.Entry, r.A, slack) || hA)
			chB := inB && (!inO || changed(nb.Entry, r.B, slack) || hB)
			switch {
			case inA && inB:
				switch {
				case sameFile(na.Entry, nb.Entry, slack, hashA, hashB, hA || hB):
					continue
				case chA && !chB:
					it.Action = CopyAToB
				case chB && !chA:
					it.Action = CopyBToA
				case !chA && !chB:
					continue // both as they were; the state knew they differ
				default:
					it.Action = Conflict
					if inO {
						it.Note = "changed on both sides"
					} else {
						it.Note = "new on both sides, different"
					}
					it.Winner = SideA
					if nb.MTime > na.MTime {
						it.Winner = SideB
					}
					it.ConflictName = conflictName(k, opts.Now, taken)
				}
			case inA:
				switch {
				case !inO:
					it.Action = CopyAToB
				case chA:
					it.Action, it.Note = CopyAToB, "deleted on B, changed on A: the change wins"
				default:
					it.Action, it.Note = DeleteA, "deleted on B"
				}
			default:
				switch {
				case !inO:
					it.Action = CopyBToA
				case chB:
					it.Action, it.Note = CopyBToA, "deleted on A, changed on B: the change wins"
				default:
					it.Action, it.Note = DeleteB, "deleted on A"
				}
			}
		}
		p.Items = append(p.Items, it)
	}
	p.settleDirs()
	for _, it := range p.Items {
		if it.Dir {
			continue
		}
		switch it.Action {
		case DeleteA:
			p.DeletesA++
		case DeleteB:
			p.DeletesB++
		}
	}
	return p
}

// settleDirs keeps a directory deleted on one side from being deleted on
// the other unless everything under it goes too; otherwise the directory
// is created again where it was deleted. Items are in tree order, so a
// directory's descendants follow it; going backwards settles the deepest
// first.
func (p *Plan) settleDirs() {
	for i := len(p.Items) - 1; i >= 0; i-- {
		it := &p.Items[i]
		if !it.Dir || (it.Action != DeleteA && it.Action != DeleteB) {
			continue
		}
		prefix := it.Path + "/"
		for j := i + 1; j < len(p.Items) && strings.HasPrefix(p.Items[j].Path, prefix); j++ {
			if p.Items[j].Action != it.Action {
				if it.Action == DeleteA {
					it.Action = MkdirB
				} else {
					it.Action = MkdirA
				}
				it.Note = "deleted on one side, but something under it is kept"
				break
			}
		}
	}
}

// TooManyDeletes says, when the plan deletes more than half of the files
// a side had at the last sync, which side and how many; "" when it does
// not. rclone bisync has the same check: an empty listing from a server
// that lost a disk must not empty the other side.
func (p *Plan) TooManyDeletes() string {
	var out []string
	if p.FilesA > 0 && p.DeletesA*2 > p.FilesA {
		out = append(out, fmt.Sprintf("%d of %d files on A", p.DeletesA, p.FilesA))
	}
	if p.FilesB > 0 && p.DeletesB*2 > p.FilesB {
		out = append(out, fmt.Sprintf("%d of %d files on B", p.DeletesB, p.FilesB))
	}
	return strings.Join(out, " and ")
}

func changed(cur, old Entry, slack int64) bool { return !same(cur, old, slack) }

// sameFile says whether A's file and B's are alike: same size and time,
// and equal digests (hashA, hashB) where both sides hashed with one
// algorithm. Where the digests cannot be compared (different algorithms,
// or one missing), a side whose hash says it changed since the last sync
// (hashChanged) makes them differ.
func sameFile(a, b Entry, slack int64, hashA, hashB string, hashChanged bool) bool {
	if !same(a, b, slack) {
		return false
	}
	if hashA != "" && hashB != "" && hashAlgo(hashA) == hashAlgo(hashB) {
		return hashA == hashB
	}
	return !hashChanged
}

// same compares sizes, and mtimes to the second (within slack) where both
// are known.
func same(x, y Entry, slack int64) bool {
	if x.Size != y.Size {
		return false
	}
	if x.MTime == 0 || y.MTime == 0 {
		return true
	}
	d := x.MTime - y.MTime
	return d <= slack && -d <= slack
}

// conflictName is the name the losing copy of rel takes:
// notes.conflict-20261205-141500.txt beside notes.txt (the extension
// stays, so the file still opens with the same program), or
// Makefile.conflict-20261205-141500; -2, -3… when that is taken.
func conflictName(rel string, now time.Time, taken func(string) bool) string {
	dir, base := path.Split(rel)
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	if stem == "" { // ".bashrc": the dot begins the name, not an extension
		stem, ext = base, ""
	}
	stamp := now.UTC().Format("20060102-150405")
	for n := 1; ; n++ {
		suffix := ".conflict-" + stamp
		if n > 1 {
			suffix += fmt.Sprintf("-%d", n)
		}
		name := dir + stem + suffix + ext
		if !taken(name) {
			return name
		}
	}
}

// sortPaths orders paths as a tree walk meets them: a directory, then
// everything below it, then its next sibling ("a", "a/b", "a-c").
func sortPaths(ps []string) {
	sort.Slice(ps, func(i, j int) bool { return lessPath(ps[i], ps[j]) })
}

func lessPath(x, y string) bool {
	for i := 0; i < len(x) && i < len(y); i++ {
		cx, cy := x[i], y[i]
		if cx == cy {
			continue
		}
		if cx == '/' {
			return true
		}
		if cy == '/' {
			return false
		}
		return cx < cy
	}
	return len(x) < len(y)
}
