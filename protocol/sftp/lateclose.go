package sftp

import (
	"context"
	"sync"
)

// maxLateCloses bounds the read handles a session closes in the background.
const maxLateCloses = 32

// lateCloser lets a finished download return before the server confirms
// that its handle is closed. Nothing depends on that answer for a file
// only read, and waiting for it cost each small file a third of its round
// trips. Operations that change files wait for pending closes first, so a
// server that locks open files (Windows) never sees one still open.
type lateCloser struct {
	mu      sync.Mutex
	pending int
	idle    chan struct{} // closed when pending drops to zero
}

// start reserves a slot for one background close; false means close now.
func (l *lateCloser) start() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending >= maxLateCloses {
		return false
	}
	if l.pending == 0 {
		l.idle = make(chan struct{})
	}
	l.pending++
	return true
}

func (l *lateCloser) done() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending--
	if l.pending == 0 {
		close(l.idle)
		l.idle = nil
	}
}

// wait returns when no close is pending, or when ctx ends.
func (l *lateCloser) wait(ctx context.Context) error {
	l.mu.Lock()
	idle := l.idle
	l.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
