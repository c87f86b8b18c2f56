package sftp

import (
	"context"
	"net"
	"sync"
	"time"
)

// watchdog closes a connection when a deadline passes or ctx ends. It
// works for tunnelled connections too, which have no SetDeadline, and it
// can be paused while a person answers a prompt.
type watchdog struct {
	conn    net.Conn
	stopCtx func() bool

	mu      sync.Mutex
	timer   *time.Timer
	left    time.Duration
	started time.Time
	paused  int
	done    bool
	fired   bool
}

func newWatchdog(ctx context.Context, conn net.Conn, d time.Duration) *watchdog {
	w := &watchdog{conn: conn, left: d, started: time.Now()}
	w.mu.Lock()
	w.timer = time.AfterFunc(d, w.fire)
	w.mu.Unlock()
	w.stopCtx = context.AfterFunc(ctx, func() { conn.Close() })
	return w
}

func (w *watchdog) fire() {
	w.mu.Lock()
	if w.paused > 0 || w.done {
		w.mu.Unlock()
		return
	}
	w.fired = true
	w.mu.Unlock()
	w.conn.Close()
}

// pause stops the clock until the returned resume is called.
func (w *watchdog) pause() (resume func()) {
	w.mu.Lock()
	w.paused++
	if w.paused == 1 && w.timer.Stop() {
		w.left -= time.Since(w.started)
	}
	w.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.paused--
			if w.paused == 0 && !w.done {
				// Give the server a moment after a long prompt.
				w.left = max(w.left, time.Second)
				w.started = time.Now()
				w.timer.Reset(w.left)
			}
		})
	}
}

// stop disarms the watchdog and reports whether the deadline had passed.
func (w *watchdog) stop() (expired bool) {
	w.mu.Lock()
	w.done = true
	w.timer.Stop()
	expired = w.fired
	w.mu.Unlock()
	w.stopCtx()
	return expired
}
