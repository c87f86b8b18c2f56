package transfer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// queueFile is the saved queue's name in the state dir.
const queueFile = "queue.json"

// savedQueue is queue.json: the top-level jobs, without credentials (sites
// are named by ID and dialed through Options.Resolve after a reload).
type savedQueue struct {
	Version int        `json:"version"`
	NextID  JobID      `json:"next_id"`
	Jobs    []savedJob `json:"jobs"`
}

type savedJob struct {
	ID       JobID      `json:"id"`
	SrcSite  string     `json:"src_site"`
	SrcPath  string     `json:"src_path"`
	DstSite  string     `json:"dst_site"`
	DstPath  string     `json:"dst_path"`
	Dir      bool       `json:"dir,omitempty"`
	Options  JobOptions `json:"options"`
	State    string     `json:"state"`
	Bytes    int64      `json:"bytes,omitempty"`
	Size     int64      `json:"size,omitempty"`
	Err      string     `json:"error,omitempty"`
	Started  time.Time  `json:"started,omitzero"`
	Finished time.Time  `json:"finished,omitzero"`
	// Active is JobInfo.Active, so a finished job shows how long it took
	// after a restart, and an unfinished one adds to it.
	Active time.Duration `json:"active,omitzero"`
	Moved  int64         `json:"moved,omitempty"` // JobInfo.Moved, kept with Active
	// The source the part was written from, so a resume after restart can
	// tell whether the source changed; a segmented part has holes and is
	// never resumed by size.
	PartSrcSize int64     `json:"part_src_size,omitempty"`
	PartSrcTime time.Time `json:"part_src_mtime,omitzero"`
	Segmented   bool      `json:"segmented,omitempty"`
	// Segments records how far each range of a segmented part got, so a
	// restart continues every range instead of starting the file over.
	Segments []savedSegment `json:"segments,omitempty"`
}

// savedSegment is one range of a segmented part: [Off, End), Done bytes of
// it written.
type savedSegment struct {
	Off  int64 `json:"off"`
	End  int64 `json:"end"`
	Done int64 `json:"done"`
}

// save writes queue.json atomically: a temporary file in the same
// directory, synced, then renamed over the old one.
func (e *engine) save() error {
	e.mu.Lock()
	sq := savedQueue{Version: 1, NextID: e.nextID}
	now := e.clock.Now()
	for _, j := range e.jobs {
		sj := savedJob{
			ID: j.id, SrcSite: j.srcID, SrcPath: j.srcPath, DstSite: j.dstID, DstPath: j.dstPath,
			Dir: j.dir, Options: j.opts, State: j.state.String(), Size: j.size,
			Started: j.started, Finished: j.finished, Active: j.busyFor(now), Moved: j.copied.Load(),
			PartSrcSize: j.partSrcSize, PartSrcTime: j.partSrcTime, Segmented: j.partSegs != nil,
		}
		if !j.dir {
			sj.Bytes = j.bytes.Load()
		}
		for _, sg := range j.partSegs {
			sj.Segments = append(sj.Segments, savedSegment{Off: sg.off, End: sg.end, Done: sg.done.Load()})
		}
		if j.err != nil {
			sj.Err = j.err.Error()
		}
		sq.Jobs = append(sq.Jobs, sj)
	}
	e.saveDirty = false
	e.mu.Unlock()

	data, err := json.MarshalIndent(sq, "", "  ")
	if err != nil {
		return fmt.Errorf("save queue: %w", err)
	}
	if err := writeAtomic(filepath.Join(e.opts.StateDir, queueFile), data); err != nil {
		return fmt.Errorf("save queue: %w", err)
	}
	return nil
}

func writeAtomic(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(name), ".queue-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// load reads queue.json. Jobs that were running come back queued; a
// directory job walks again, skipping files already copied.
func (e *engine) load() error {
	data, err := os.ReadFile(filepath.Join(e.opts.StateDir, queueFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load queue: %w", err)
	}
	var sq savedQueue
	if err := json.Unmarshal(data, &sq); err != nil {
		// A corrupt file must not stop ferry from starting; keep it aside.
		bad := filepath.Join(e.opts.StateDir, queueFile+".corrupt")
		os.Rename(filepath.Join(e.opts.StateDir, queueFile), bad)
		return nil
	}
	for _, sj := range sq.Jobs {
		j := &job{
			id: sj.ID, srcID: sj.SrcSite, srcPath: sj.SrcPath, dstID: sj.DstSite, dstPath: sj.DstPath,
			dir: sj.Dir, opts: sj.Options, state: parseState(sj.State), size: sj.Size,
			started: sj.Started, finished: sj.Finished, busy: sj.Active,
			partSrcSize: sj.PartSrcSize, partSrcTime: sj.PartSrcTime,
		}
		if sj.Segmented {
			j.partSegs = loadSegments(sj.Segments, sj.PartSrcSize)
			if j.partSegs == nil {
				j.partSrcSize = -1 // never resume a part with holes by its size
			}
		}
		if sj.Err != "" {
			j.err = errors.New(sj.Err)
		}
		j.bytes.Store(sj.Bytes)
		j.copied.Store(sj.Moved)
		switch j.state {
		case StateRunning, StateRetrying, StateAsking:
			j.state = StateQueued
		}
		if j.dir {
			j.children = map[JobID]*job{}
			j.resumeWalk = true
			if j.state.Finished() {
				j.walkDone = true
			}
		}
		e.jobs = append(e.jobs, j)
		e.byID[j.id] = j
		e.nextID = max(e.nextID, j.id+1)
	}
	e.nextID = max(e.nextID, sq.NextID)
	return nil
}

func parseState(s string) State {
	for st, name := range stateNames {
		if name == s {
			return State(st)
		}
	}
	return StateQueued
}

// loadSegments rebuilds the ranges of a segmented part, or returns nil when
// the record does not tile [0, size) exactly (an older or damaged file): the
// part then starts over rather than trusting bytes it cannot account for.
func loadSegments(saved []savedSegment, size int64) []segment {
	if len(saved) == 0 {
		return nil
	}
	segs := make([]segment, len(saved))
	var at int64
	for i, s := range saved {
		if s.Off != at || s.End <= s.Off || s.Done < 0 || s.Done > s.End-s.Off {
			return nil
		}
		segs[i] = segment{off: s.Off, end: s.End, done: new(atomic.Int64)}
		segs[i].done.Store(s.Done)
		at = s.End
	}
	if at != size {
		return nil
	}
	return segs
}
