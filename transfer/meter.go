package transfer

import (
	"context"
	"io"

	"golang.org/x/time/rate"
)

// meter is the writing end of pump's fast path, for sources that push their
// data (io.WriterTo): pkg/sftp's file keeps many read requests in flight
// only when it drives the copy itself. meter rate-limits, counts progress
// and feeds the stall watchdog, as the read/write loop does.
type meter struct {
	ctx  context.Context
	e    *engine
	j    *job
	lim  *rate.Limiter
	w    io.Writer
	done int64
}

func (m *meter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		chunk := min(len(p), burstOf(m.lim, m.e.global))
		if err := waitN(m.ctx, chunk, m.lim, m.e.global); err != nil {
			return written, err
		}
		n, err := m.w.Write(p[:chunk])
		written += n
		m.done += int64(n)
		m.j.count(int64(n), m.e.clock.Now())
		if err != nil {
			return written, err
		}
		if n != chunk {
			return written, io.ErrShortWrite
		}
		p = p[chunk:]
	}
	return written, nil
}
