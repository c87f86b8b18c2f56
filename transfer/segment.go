package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// segment is one byte range of a segmented download; done counts bytes of
// it already in the part, so a retry continues each range where it stopped.
type segment struct {
	off, end int64
	done     *atomic.Int64
}

// segmentable reports whether a download can be split: more than one
// segment asked for, a local destination (written at offsets from several
// connections at once), and a file big enough to be worth it.
func (e *engine) segmentable(s *session, j *job, se protocol.Entry, write string) bool {
	return j.opts.Segments > 1 && s.dp.ep.IsLocal() && filepath.IsAbs(filepath.FromSlash(write)) &&
		se.Size >= 2*e.minSegment && !j.opts.InPlace
}

// segmented downloads se into the local file write over up to
// j.opts.Segments connections, like lftp's pget.
func (e *engine) segmented(ctx context.Context, s *session, j *job, se protocol.Entry, write string) error {
	e.mu.Lock()
	segs := j.partSegs
	e.mu.Unlock()
	fresh := segs == nil
	if !fresh {
		if fi, err := os.Stat(filepath.FromSlash(write)); err != nil || fi.Size() > se.Size {
			fresh = true
		}
	}
	flags := os.O_WRONLY | os.O_CREATE
	if fresh {
		flags |= os.O_TRUNC
		segs = plan(se.Size, j.opts.Segments, e.minSegment)
		e.mu.Lock()
		j.partSegs = segs
		e.mu.Unlock()
	}
	// The record goes down before the first hole does, and follows the
	// copy about once a second, so a crash never leaves a part with holes
	// that a later run could mistake for a contiguous prefix.
	if err := writeSegs(write, se.Size, se.ModTime, segs); err != nil {
		return fmt.Errorf("record segments of %s: %w", write, localErr("create", write, err))
	}
	stopRecord := make(chan struct{})
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		for {
			select {
			case <-stopRecord:
				return
			case <-e.clock.After(time.Second):
				writeSegs(write, se.Size, se.ModTime, segs)
			}
		}
	}()
	stop := sync.OnceFunc(func() { close(stopRecord); <-recorded })
	defer stop()
	f, err := os.OpenFile(filepath.FromSlash(write), flags, 0o644)
	if err != nil {
		return fmt.Errorf("create target: %w", localErr("create", write, err))
	}
	var sum int64
	for _, sg := range segs {
		sum += sg.done.Load()
	}
	j.bytes.Store(sum)
	e.progressed(j, sum)

	// Each extra connection is taken only if the pool has room now, so a
	// small pool degrades to fewer segments instead of deadlocking.
	conns := []protocol.Client{s.src}
	for len(conns) < len(segs) {
		c, ok := s.sp.tryGet(ctx)
		if !ok {
			break
		}
		conns = append(conns, c)
	}
	work := make(chan *segment, len(segs))
	for i := range segs {
		if segs[i].done.Load() < segs[i].end-segs[i].off {
			work <- &segs[i]
		}
	}
	close(work)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			for sg := range work {
				if err = e.fetch(ctx, c, j, f, sg); err != nil {
					once.Do(func() { first = err; cancel(err) })
					break
				}
			}
			if i > 0 {
				s.sp.put(c, err != nil)
			}
		}()
	}
	wg.Wait()
	stop() // no record written after this point but the last one
	cerr := f.Close()
	if first != nil {
		writeSegs(write, se.Size, se.ModTime, segs)
		return first
	}
	if cerr != nil {
		return fmt.Errorf("write %s: %w", write, localErr("close", write, cerr))
	}
	e.mu.Lock()
	j.partSegs = nil
	e.mu.Unlock()
	removeSegs(write)
	return nil
}

// fetch downloads what is left of one segment through connection c.
func (e *engine) fetch(ctx context.Context, c protocol.Client, j *job, f *os.File, sg *segment) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	from := sg.off + sg.done.Load()
	n := sg.end - from
	var r io.ReadCloser
	var err error
	if rr, ok := c.(protocol.RangeReader); ok {
		r, err = rr.OpenRange(ctx, j.srcPath, from, n)
	} else {
		var rc io.ReadCloser
		rc, err = c.Open(ctx, j.srcPath, from)
		if err == nil {
			r = limitedReadCloser{io.LimitReader(rc, n), rc}
		}
	}
	if err != nil {
		return fmt.Errorf("open source: %w", err)
	}
	w := &offsetWriter{f: f, at: from, seg: sg}
	_, err = e.pump(ctx, cancel, j, w, r, n)
	// Closing a range before the server's EOF may report an abort; only the
	// bytes matter, and pump counted them.
	r.Close()
	return err
}

// plan splits size into k ranges of at least minSize bytes.
func plan(size int64, k int, minSize int64) []segment {
	k = int(max(1, min(int64(k), size/max(minSize, 1))))
	per := size / int64(k)
	segs := make([]segment, k)
	for i := range segs {
		segs[i] = segment{off: int64(i) * per, end: int64(i+1) * per, done: new(atomic.Int64)}
	}
	segs[k-1].end = size
	return segs
}

type limitedReadCloser struct {
	io.Reader
	io.Closer
}

// offsetWriter writes sequentially from at with WriteAt, so segments share
// one file without seeking each other's offsets.
type offsetWriter struct {
	f   *os.File
	at  int64
	seg *segment
}

func (w *offsetWriter) Write(p []byte) (int, error) {
	n, err := w.f.WriteAt(p, w.at)
	w.at += int64(n)
	w.seg.done.Add(int64(n))
	if err != nil {
		return n, localErr("write", w.f.Name(), err)
	}
	return n, nil
}

func (w *offsetWriter) Close() error { return nil }

// localErr maps a local file error to the protocol sentinels, as the local
// backend does, so a full disk reads as protocol.ErrNoSpace.
func localErr(op, p string, err error) error {
	var kind error
	switch {
	case errors.Is(err, errNoSpace):
		kind = protocol.ErrNoSpace
	case errors.Is(err, os.ErrPermission):
		kind = protocol.ErrPermission
	case errors.Is(err, os.ErrNotExist):
		kind = protocol.ErrNotExist
	}
	return &protocol.Error{Op: op, Path: p, Kind: kind, Err: err}
}
