package sftp

import (
	"bufio"
	"net"
	"runtime"
	"sync"
)

const (
	// readBuffer is how much one read from the socket may bring in.
	readBuffer = 256 << 10
	// maxQueued is how many written bytes may wait for the socket before
	// Write blocks: enough for a burst of packets, never a whole file.
	maxQueued = 512 << 10
)

// bufferedConn reads and writes the socket in large gulps.
//
// Reads: the ssh package reads each packet's header and body separately
// through a 4 KiB buffer, which costs two or more system calls per 32 KiB
// of a download; with a large buffer one call brings in several packets.
//
// Writes: the ssh package writes and flushes every packet on its own, one
// system call each. With many requests in flight (a tree of small files:
// OPEN, READ and CLOSE for each) those calls were the largest share of the
// CPU a transfer cost, on our side and, as one segment wakes the server
// once, on the server's. Write queues the bytes instead, and one flusher
// sends whatever has gathered in a single call: a lone packet goes out at
// once, a burst goes out together. Write blocks while maxQueued bytes
// wait, and fails once an earlier send failed.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader

	mu      sync.Mutex
	work    *sync.Cond // the flusher waits for bytes (or close)
	room    *sync.Cond // writers wait for the queue to drain
	queued  []byte
	spare   []byte
	err     error // the first failed send, or net.ErrClosed after Close
	started bool
}

func newBufferedConn(c net.Conn) *bufferedConn {
	b := &bufferedConn{Conn: c, r: bufio.NewReaderSize(c, readBuffer)}
	b.work = sync.NewCond(&b.mu)
	b.room = sync.NewCond(&b.mu)
	return b
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// Write queues p for the flusher; nil means queued, not yet sent.
func (c *bufferedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.err == nil && len(c.queued) >= maxQueued {
		c.room.Wait()
	}
	if c.err != nil {
		return 0, c.err
	}
	if !c.started {
		c.started = true
		go c.flush()
	}
	c.queued = append(c.queued, p...)
	c.work.Signal()
	return len(p), nil
}

// flush sends queued bytes until the connection fails or closes.
func (c *bufferedConn) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		for len(c.queued) == 0 && c.err == nil {
			c.work.Wait()
		}
		if c.err != nil {
			return
		}
		// Let the goroutines that are ready to run queue their packets
		// first: a reply batch wakes many requesters at once, and the
		// scheduler runs a goroutine it has just woken (this one) before
		// them, which sent every request in a call of its own.
		c.mu.Unlock()
		runtime.Gosched()
		c.mu.Lock()
		if c.err != nil {
			return
		}
		out := c.queued
		c.queued = c.spare[:0]
		c.mu.Unlock()
		_, err := c.Conn.Write(out)
		c.mu.Lock()
		if cap(out) <= 2*maxQueued {
			c.spare = out[:0]
		} else {
			c.spare = nil // a burst past the bound: do not keep its memory
		}
		if err != nil && c.err == nil {
			c.err = err
		}
		c.room.Broadcast()
	}
}

// Close stops the flusher and closes the socket; bytes still queued are
// dropped, as the session is over.
func (c *bufferedConn) Close() error {
	c.mu.Lock()
	if c.err == nil {
		c.err = net.ErrClosed
	}
	c.work.Signal()
	c.room.Broadcast()
	c.mu.Unlock()
	return c.Conn.Close()
}
