package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/time/rate"

	"github.com/ferryhq/ferry/protocol"
)

var errStalled = errors.New("stalled")

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
	defer e.stalls.add(j, cancel)()

	lim := e.limiterFor(j)
	if fs, ok := r.(protocol.FileSource); ok {
		if sink, ok := w.(protocol.FileSink); ok {
			done, err := e.copyFromFile(ctx, j, lim, sink, fs.File())
			if err != nil {
				return done, stopped(ctx, err)
			}
			return done, e.checkShort(j, done, n)
		}
	}
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
			j.count(int64(nw), e.clock.Now())
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

// fileChunk is how much one FileSink call moves between progress updates.
const fileChunk = 1 << 20

// copyFromFile lets a FileSink take a local file a chunk at a time,
// rate-limited and counted like the read/write loop, until EOF.
func (e *engine) copyFromFile(ctx context.Context, j *job, lim *rate.Limiter, sink protocol.FileSink, f *os.File) (int64, error) {
	chunk := min(fileChunk, burstOf(lim, e.global))
	var done int64
	for {
		if err := waitN(ctx, chunk, lim, e.global); err != nil {
			return done, err
		}
		k, err := sink.CopyFromFile(f, int64(chunk))
		done += k
		j.count(k, e.clock.Now())
		if err != nil {
			return done, err
		}
		if k == 0 {
			return done, nil // EOF
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
