package ftp

import (
	"context"
	"fmt"
	"net"
	"time"
)

// drain waits until the peer has acknowledged everything written to an
// upload's data connection, for as long as that keeps moving: idle is
// the longest it may go without the send queue shrinking.
//
// Why: when the last write returns, the socket may still hold what a slow
// link needs minutes to carry (a 600 KB upload at 20 kB/s sat wholly in
// the buffers), and the server's final reply cannot come before it has
// every byte. Waiting for that reply with the reply timeout alone failed
// such uploads, each retry again. Once the queue is empty the reply
// timeout is fair again. Where the system does not tell the queue's
// length, drain returns at once. It returns at once too when the server
// has spoken on the control connection, or closed it (spoke): a server
// that gave up on the upload (426, or its session ended) reads no more,
// and its answer is the reason to report.
func drain(ctx context.Context, conn net.Conn, idle time.Duration, spoke func() bool) error {
	last, ok := unsent(conn)
	if !ok || last == 0 {
		return nil
	}
	moved := time.Now()
	wait := time.Millisecond
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 100*time.Millisecond)
		n, ok := unsent(conn)
		switch {
		case !ok || n == 0 || spoke():
			return nil
		case n < last:
			moved = time.Now()
		case time.Since(moved) >= idle:
			return fmt.Errorf("%w: no data for %s, the server took none of the last %d bytes sent", errStalled, idle, n)
		}
		last = n
	}
}

// errStalled marks an upload whose data connection stopped moving.
var errStalled = stalledError{}

type stalledError struct{}

func (stalledError) Error() string   { return "stalled" }
func (stalledError) Timeout() bool   { return true }
func (stalledError) Temporary() bool { return true }

// spoke says whether the server has sent something on the control
// connection that no one has read yet, or closed it.
func (c *ctrl) spoke() bool {
	return c.r.Buffered() > 0 || readable(c.conn)
}
