package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// copyBuffer is the size of one read/write in the copy loop.
const copyBuffer = 256 << 10

// session is the pair of connections one file copy uses.
type session struct {
	src, dst protocol.Client
	sp, dp   *pool
	broken   bool
}

func (e *engine) open(ctx context.Context, j *job) (*session, error) {
	sp, err := e.pool(ctx, j.srcID)
	if err != nil {
		return nil, err
	}
	dp, err := e.pool(ctx, j.dstID)
	if err != nil {
		return nil, err
	}
	s := &session{sp: sp, dp: dp}
	// A small file shares sessions with others where the backend allows;
	// a big one gets its own, so its bandwidth is not split.
	get := (*pool).get
	if j.entry != nil && j.entry.Size <= smallJob {
		get = (*pool).share
	}
	if sp == dp {
		cs, err := get(sp, ctx, 2)
		if err != nil {
			return nil, err
		}
		s.src, s.dst = cs[0], cs[1]
		return s, nil
	}
	cs, err := get(sp, ctx, 1)
	if err != nil {
		return nil, err
	}
	ds, err := get(dp, ctx, 1)
	if err != nil {
		sp.put(cs[0], false)
		return nil, err
	}
	s.src, s.dst = cs[0], ds[0]
	return s, nil
}

// close returns the connections; after any failure they are closed, so a
// retry starts on fresh ones.
func (s *session) close() {
	s.sp.put(s.src, s.broken)
	s.dp.put(s.dst, s.broken)
}

// copyFile runs one attempt of a file job and returns StateDone or
// StateSkipped, or an error.
func (e *engine) copyFile(ctx context.Context, j *job) (State, error) {
	s, err := e.open(ctx, j)
	if err != nil {
		return 0, err
	}
	defer s.close()
	st, err := e.copyWith(ctx, s, j)
	if err != nil && !errors.Is(err, errAsking) {
		s.broken = true
	}
	return st, err
}

func (e *engine) copyWith(ctx context.Context, s *session, j *job) (State, error) {
	// What the walk or the caller saw serves the first attempt only. Any
	// later one looks again, as the source may be what changed: a
	// transient retry, a paused job resumed, a failed one retried by hand
	// (those two reset the attempt count, so it cannot tell).
	e.mu.Lock()
	first := !j.looked
	j.looked = true
	e.mu.Unlock()
	var se protocol.Entry
	if j.entry != nil && first {
		se = *j.entry
	} else {
		var err error
		if se, err = s.src.Stat(ctx, j.srcPath); err != nil {
			return 0, fmt.Errorf("source: %w", err)
		}
		if se.IsDir() {
			return 0, fmt.Errorf("source %s is a directory (copy it recursively)", j.srcPath)
		}
	}
	e.mu.Lock()
	j.size = se.Size
	e.mu.Unlock()

	target := j.dstPath
	inPlace := j.opts.InPlace
	var offset int64 = -1 // -1: decide from the part
	var de protocol.Entry
	var err error = protocol.ErrNotExist
	if !((j.newDir || j.dstAbsent) && first) {
		de, err = s.dst.Stat(ctx, target)
	}
	switch {
	case err == nil:
		if de.IsDir() {
			return 0, fmt.Errorf("target %s is a directory", target)
		}
		if j.resumeWalk && sameFile(se, de, j.opts.NoTimes) {
			j.bytes.Store(se.Size)
			return StateSkipped, nil
		}
		e.mu.Lock()
		// An answer holds for the job's retries: the target a retry finds
		// is the same one, still there because an overwrite replaces it
		// only at the end, and asking again after every dropped
		// connection left a transfer over a flaky link waiting on a
		// question already answered.
		pol := e.policyFor(j)
		if pol == PolicyAsk {
			j.conflict = &Conflict{Src: se, Dst: de, Path: target}
			e.mu.Unlock()
			return 0, errAsking
		}
		e.mu.Unlock()
		switch act := settle(pol, se, de); act {
		case actSkip:
			return StateSkipped, nil
		case actAppend:
			inPlace, offset = true, de.Size
		case actRename:
			if target, err = freeName(ctx, s.dst, target); err != nil {
				return 0, err
			}
		}
	case !errors.Is(err, protocol.ErrNotExist):
		return 0, fmt.Errorf("target: %w", err)
	}

	write := target
	if !inPlace {
		write = partName(target)
	}
	if offset < 0 {
		offset = 0
		if !inPlace && !(j.newDir && first) {
			offset = e.resumeOffset(ctx, s, j, se, write)
		}
	}
	e.mu.Lock()
	j.partSrcSize, j.partSrcTime = se.Size, se.ModTime
	e.mu.Unlock()
	j.bytes.Store(offset)
	e.progressed(j, offset)

	written, err := e.stream(ctx, s, j, se, write, offset)
	if err != nil {
		return 0, err
	}
	if err := e.verify(ctx, s, j, se, write, written); err != nil {
		return 0, err
	}
	// The time goes on before the rename, which keeps it: a connection
	// lost here fails the attempt, and the retry finds the part complete
	// and only sets the time again, where setting it on the target
	// afterwards lost it for good.
	if !j.opts.NoTimes && !se.ModTime.IsZero() {
		if ch, ok := s.dst.(protocol.Chtimeser); ok {
			err := ch.Chtimes(ctx, write, se.ModTime)
			switch {
			case err == nil, errors.Is(err, protocol.ErrUnsupported):
			case protocol.IsTransient(err):
				return 0, fmt.Errorf("keep time of %s: %w", write, err)
			default:
				e.logf("keep time of %s: %v", target, err)
			}
		}
	}
	if j.opts.PreservePerms {
		if err := e.keepMode(ctx, s.dst, write, target, se.Mode); err != nil {
			return 0, err
		}
	}
	if write != target {
		if err := rename(ctx, s.dst, write, target); err != nil {
			return 0, err
		}
	}
	if j.opts.DeleteSource {
		if err := s.src.Remove(ctx, j.srcPath); err != nil {
			return 0, fmt.Errorf("remove source after copy: %w", err)
		}
	}
	return StateDone, nil
}

// resumeOffset decides where a copy into part starts: at the part's size when
// it belongs to this source (same size and mtime as when it was written, or,
// without that record, a source not modified after the part), else at 0.
func (e *engine) resumeOffset(ctx context.Context, s *session, j *job, se protocol.Entry, part string) int64 {
	e.mu.Lock()
	if j.partSegs != nil && (j.partSrcSize != se.Size || !j.partSrcTime.Equal(se.ModTime)) {
		j.partSegs = nil // the source changed since the segments were written
	}
	known := j.partSegs != nil
	e.mu.Unlock()
	if !known && s.dp.ep.IsLocal() {
		// A segmented part from a run the queue does not remember (a file
		// a directory walk found again) carries its record beside it.
		if segs, exists := readSegs(part, se.Size, se.ModTime); exists {
			e.mu.Lock()
			j.partSegs = segs
			j.partSrcSize, j.partSrcTime = se.Size, se.ModTime
			e.mu.Unlock()
			if segs == nil {
				removeSegs(part)
			}
			return 0 // never by size: the part has holes
		}
	}
	pe, err := s.dst.Stat(ctx, part)
	if err != nil || pe.IsDir() || pe.Size <= 0 || pe.Size > se.Size {
		return 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if j.partSegs != nil {
		return 0 // a segmented part has holes; segment.go resumes it by segments
	}
	if j.partSrcSize != 0 || !j.partSrcTime.IsZero() {
		if j.partSrcSize == se.Size && j.partSrcTime.Equal(se.ModTime) {
			return pe.Size
		}
		return 0
	}
	if se.ModTime.IsZero() || pe.ModTime.IsZero() || se.ModTime.After(pe.ModTime) {
		return 0
	}
	return pe.Size
}

type action int

const (
	actOverwrite action = iota
	actSkip
	actAppend
	actRename
)

// settle turns a policy into what to do with an existing target.
func settle(p Policy, se, de protocol.Entry) action {
	switch p {
	case PolicySkip:
		return actSkip
	case PolicyRename:
		return actRename
	case PolicyResume:
		switch {
		case de.Size == se.Size:
			return actSkip
		case de.Size < se.Size && (se.ModTime.IsZero() || de.ModTime.IsZero() || !se.ModTime.After(de.ModTime)):
			return actAppend
		}
		return actOverwrite
	case PolicyNewer:
		if se.ModTime.IsZero() || de.ModTime.IsZero() {
			return pick(se.Size != de.Size)
		}
		return pick(se.ModTime.Truncate(time.Second).After(de.ModTime.Truncate(time.Second)))
	case PolicySizeDiffers:
		return pick(se.Size != de.Size)
	case PolicyMirror:
		return pick(!sameFile(se, de, false))
	}
	return actOverwrite
}

func pick(overwrite bool) action {
	if overwrite {
		return actOverwrite
	}
	return actSkip
}

// sameFile compares size and, when both are known, mtime to the second (FTP
// listings carry no more).
func sameFile(se, de protocol.Entry, sizeOnly bool) bool {
	if se.Size != de.Size {
		return false
	}
	if sizeOnly || se.ModTime.IsZero() || de.ModTime.IsZero() {
		return true
	}
	return se.ModTime.Truncate(time.Second).Equal(de.ModTime.Truncate(time.Second))
}

// freeName finds "name (1).ext", "name (2).ext", ... that does not exist.
func freeName(ctx context.Context, c protocol.Client, p string) (string, error) {
	for i := 1; i < 10000; i++ {
		cand := freeNameFor(p, i)
		_, err := c.Stat(ctx, cand)
		if errors.Is(err, protocol.ErrNotExist) {
			return cand, nil
		}
		if err != nil {
			return "", fmt.Errorf("find a free name for %s: %w", p, err)
		}
	}
	return "", fmt.Errorf("find a free name for %s: too many copies", p)
}

// freeNameFor is the i-th alternative name for p: "name (i).ext".
func freeNameFor(p string, i int) string {
	dir, base := path.Split(p)
	ext := path.Ext(base)
	if ext == base { // ".bashrc" has no extension to keep
		ext = ""
	}
	return fmt.Sprintf("%s%s (%d)%s", dir, strings.TrimSuffix(base, ext), i, ext)
}

// rename moves the finished part over the target; servers whose rename
// refuses an existing target (SFTP v3) get the target removed first.
func rename(ctx context.Context, c protocol.Client, from, to string) error {
	err := c.Rename(ctx, from, to)
	if err == nil {
		return nil
	}
	if _, serr := c.Stat(ctx, to); serr != nil {
		return fmt.Errorf("rename %s: %w", from, err)
	}
	if rerr := c.Remove(ctx, to); rerr != nil {
		return fmt.Errorf("rename %s: %w (removing the old target: %v)", from, err, rerr)
	}
	if err := c.Rename(ctx, from, to); err != nil {
		return fmt.Errorf("rename %s: %w", from, err)
	}
	return nil
}

// stream copies the source from offset into write, segmented when asked
// and possible.
//
// written is the size the target has when this call streamed it whole from
// where it started, or -1 when it did not (segments, nothing to do).
func (e *engine) stream(ctx context.Context, s *session, j *job, se protocol.Entry, write string, offset int64) (written int64, err error) {
	if offset >= se.Size && offset > 0 {
		return -1, nil // the part is complete; verification decides
	}
	if e.segmentable(s, j, se, write) {
		err := e.segmented(ctx, s, j, se, write)
		if !errors.Is(err, protocol.ErrUnsupported) {
			return -1, err
		}
		// A source that cannot be read at an offset (FTP in ASCII mode)
		// cannot be split either: stream it once from the start.
		e.logf("%s: ranges refused, copying in one stream: %v", j.srcPath, err)
		e.mu.Lock()
		j.partSegs = nil
		e.mu.Unlock()
		offset = 0
	}
	if offset == 0 && j.opts.Segments > 1 && s.dp.ep.IsLocal() {
		removeSegs(write) // a record of ranges this single stream overwrites
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r, w, err := e.openPair(ctx, s, j, se, write, offset)
	if errors.Is(err, protocol.ErrUnsupported) && offset > 0 {
		// Resume refused (FTP in ASCII mode, where offsets on the wire and
		// on disk differ): copy the whole file again instead of failing.
		e.logf("%s: resume refused, starting over: %v", j.srcPath, err)
		offset = 0
		j.bytes.Store(0)
		r, w, err = e.openPair(ctx, s, j, se, write, offset)
	}
	if err != nil {
		return -1, err
	}
	moved, err := e.pump(ctx, cancel, j, w, r, se.Size-offset)
	rerr := r.Close()
	werr := w.Close()
	switch {
	case err != nil:
		return -1, err
	case werr != nil:
		return -1, werr
	case rerr != nil:
		return -1, rerr
	}
	return offset + moved, nil
}

// openPair opens the source for reading and the target for writing, both at
// offset; on failure neither is left open. A source that takes the size
// it was listed with saves a round trip per file.
func (e *engine) openPair(ctx context.Context, s *session, j *job, se protocol.Entry, write string, offset int64) (io.ReadCloser, io.WriteCloser, error) {
	var r io.ReadCloser
	var err error
	if so, ok := s.src.(protocol.SizedOpener); ok && se.Size >= offset {
		r, err = so.OpenSized(ctx, j.srcPath, offset, se.Size)
	} else {
		r, err = s.src.Open(ctx, j.srcPath, offset)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open source: %w", err)
	}
	w, err := s.dst.Create(ctx, write, offset)
	if err != nil {
		r.Close()
		if n := len(path.Base(write)); n > nameMax {
			// Servers answer this in their own ways ("Bad message", "550"):
			// say what is wrong.
			return nil, nil, fmt.Errorf("create target: the name is %d bytes, longer than the %d most filesystems take: %w", n, nameMax, err)
		}
		return nil, nil, fmt.Errorf("create target: %w", err)
	}
	return r, w, nil
}

// keepMode gives the written file the source's permission bits, before
// the rename as with the time. It is best effort: a server that cannot
// (FTP without SITE CHMOD) or will not gets a log line and the copy stands;
// a lost connection fails the attempt, whose retry finds the part complete.
func (e *engine) keepMode(ctx context.Context, dst protocol.Client, write, target string, mode fs.FileMode) error {
	ch, ok := dst.(protocol.Chmoder)
	if !ok {
		e.logf("keep permissions of %s: %v", target, protocol.ErrUnsupported)
		return nil
	}
	err := ch.Chmod(ctx, write, mode&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
	switch {
	case err == nil:
	case protocol.IsTransient(err), errors.Is(err, context.Canceled):
		return fmt.Errorf("keep permissions of %s: %w", write, err)
	default:
		e.logf("keep permissions of %s: %v", target, err)
	}
	return nil
}
