package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

var errStalled = errors.New("stalled: no data moved")

// pump moves up to n bytes (or to EOF when the source grew) from r to w,
// rate limited, counting progress, and stopping a stalled transfer. r and w
// were opened with ctx, which cancel (the stall watchdog, pause, cancel)
// ends; backends honour it, and as a backstop for one that does not, both
// are closed when the copy has not stopped a while later.
//
// It returns how many bytes it wrote.
func (e *engine) pump(ctx context.Context, cancel context.CancelCauseFunc, j *job, w io.WriteCloser, r io.ReadCloser, n int64) (int64, error) {
	finished := make(chan struct{})
	defer close(finished)
	stopClose := context.AfterFunc(ctx, func() {
		select {
		case <-finished:
		case <-e.clock.After(e.closeGrace):
			r.Close()
			w.Close()
		}
	})
	defer stopClose()
	j.moved.Store(e.clock.Now().UnixNano())
	go e.watch(ctx, cancel, j)

	lim := e.limiterFor(j)
	if wt, ok := r.(io.WriterTo); ok {
		m := &meter{ctx: ctx, e: e, j: j, lim: lim, w: w}
		if _, err := wt.WriteTo(m); err != nil {
			return m.done, stopped(ctx, err)
		}
		return m.done, e.checkShort(j, m.done, n)
	}
	bp := e.bufs.Get().(*[]byte)
	defer e.bufs.Put(bp)
	buf := *bp
	if b := burstOf(lim, e.global); b < len(buf) {
		buf = buf[:b]
	}
	var done int64
	for {
		nr, rerr := r.Read(buf)
		if nr > 0 {
			if err := waitN(ctx, nr, lim, e.global); err != nil {
				return done, stopped(ctx, err)
			}
			nw, werr := w.Write(buf[:nr])
			done += int64(nw)
			j.bytes.Add(int64(nw))
			j.moved.Store(e.clock.Now().UnixNano())
			if werr != nil {
				return done, stopped(ctx, werr)
			}
			if nw != nr {
				return done, stopped(ctx, fmt.Errorf("write: %w", io.ErrShortWrite))
			}
		}
		if rerr == io.EOF {
			return done, e.checkShort(j, done, n)
		}
		if rerr != nil {
			return done, stopped(ctx, rerr)
		}
	}
}

// checkShort fails a copy whose source ended before the n bytes it had.
func (e *engine) checkShort(j *job, done, n int64) error {
	if done < n {
		return protocol.NewError("read", j.srcPath, protocol.ErrTransient,
			fmt.Sprintf("source ended after %d of %d bytes", done, n), io.ErrUnexpectedEOF)
	}
	return nil
}

// stopped prefers the reason the copy was stopped (stall, pause, cancel)
// over the error the closed reader or writer gave.
func stopped(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil && ctx.Err() != nil {
		if errors.Is(c, errStalled) {
			return protocol.NewError("transfer", "", protocol.ErrTransient, "", c)
		}
		return c
	}
	return err
}

// watch cancels the copy when no byte has moved for StallTimeout.
func (e *engine) watch(ctx context.Context, cancel context.CancelCauseFunc, j *job) {
	tick := max(e.opts.StallTimeout/4, time.Millisecond)
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.clock.After(tick):
		}
		idle := e.clock.Now().Sub(time.Unix(0, j.moved.Load()))
		if idle >= e.opts.StallTimeout {
			cancel(fmt.Errorf("%w for %s", errStalled, e.opts.StallTimeout))
			return
		}
	}
}
