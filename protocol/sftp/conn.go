package sftp

import (
	"bufio"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
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
// once, on the server's. Writes go through a writeQueue instead.
type bufferedConn struct {
	net.Conn
	r    *bufio.Reader
	q    *writeQueue
	acks *ackingReader
}

func newBufferedConn(c net.Conn) *bufferedConn {
	a := &ackingReader{r: c, ack: quickAcker(c)}
	a.on.Store(a.ack != nil)
	a.last.Store(time.Now().UnixNano())
	return &bufferedConn{Conn: c, r: bufio.NewReaderSize(a, readBuffer), q: newWriteQueue(c), acks: a}
}

// settled says the session is set up: reads need no quick ACKs any more.
func (c *bufferedConn) settled() { c.acks.on.Store(false) }

// ackingReader acknowledges each read at once while on, which is while a
// session is being set up. Right after a login OpenSSH's sshd sends its
// host keys (hostkeys-00@openssh.com) and then answers our channel open:
// two small writes while Nagle's algorithm is still on (sshd turns it off
// once the session starts). The answer waits for our ACK of the host keys,
// and Linux holds that ACK back for 40 ms (other systems for up to 200)
// in case data follows that could carry it. Every connection paid those
// 40 ms, a tenth of a 2,000-file tree; OpenSSH's own client pays them too.
//
// It also notes when bytes last came in, for the keepalive: on a slow link
// a keepalive's reply waits behind the data already on its way, and those
// bytes arriving are the proof that the server is there.
type ackingReader struct {
	r    io.Reader
	ack  func() // nil where the system cannot be told to ACK
	on   atomic.Bool
	last atomic.Int64 // when a read last brought bytes, Unix nanoseconds
	n    atomic.Int64 // bytes read in all
}

func (a *ackingReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.last.Store(time.Now().UnixNano())
		a.n.Add(int64(n))
		if a.on.Load() {
			a.ack()
		}
	}
	return n, err
}

// heard says when bytes last came in from the server, and how many came
// in all.
func (c *bufferedConn) heard() (time.Time, int64) {
	return time.Unix(0, c.acks.last.Load()), c.acks.n.Load()
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// Write queues p; nil means queued, not yet sent.
func (c *bufferedConn) Write(p []byte) (int, error) { return c.q.Write(p) }

// Close stops the flusher and closes the socket; bytes still queued are
// dropped, as the session is over.
func (c *bufferedConn) Close() error {
	c.q.stop(net.ErrClosed)
	return c.Conn.Close()
}

// writeQueue gathers writes for one flusher goroutine, which sends
// whatever has gathered in a single call: a lone write goes out at once, a
// burst goes out together. Write blocks while maxQueued bytes wait, and
// fails once an earlier send failed.
type writeQueue struct {
	w io.Writer

	mu      sync.Mutex
	work    *sync.Cond // the flusher waits for bytes (or stop)
	room    *sync.Cond // writers wait for the queue to drain
	queued  []byte
	spare   []byte
	sending bool  // the flusher holds bytes it has not finished sending
	err     error // the first failed send, or the reason for stop
	started bool
}

func newWriteQueue(w io.Writer) *writeQueue {
	q := &writeQueue{w: w}
	q.work = sync.NewCond(&q.mu)
	q.room = sync.NewCond(&q.mu)
	return q
}

// Write queues p for the flusher; nil means queued, not yet sent.
func (q *writeQueue) Write(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.err == nil && len(q.queued) >= maxQueued {
		q.room.Wait()
	}
	if q.err != nil {
		return 0, q.err
	}
	if !q.started {
		q.started = true
		go q.flush()
	}
	q.queued = append(q.queued, p...)
	q.work.Signal()
	return len(p), nil
}

// flush sends queued bytes until a send fails or the queue stops.
func (q *writeQueue) flush() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		for (len(q.queued) == 0 || q.sending) && q.err == nil {
			q.work.Wait()
		}
		if q.err != nil {
			return
		}
		// Let the goroutines that are ready to run queue their writes
		// first: a reply batch wakes many requesters at once, and the
		// scheduler runs a goroutine it has just woken (this one) before
		// them, which sent every request in a call of its own.
		q.mu.Unlock()
		runtime.Gosched()
		q.mu.Lock()
		if q.err != nil {
			return
		}
		if q.sending || len(q.queued) == 0 {
			continue // a direct write took the queue meanwhile
		}
		q.send(nil)
	}
}

// send writes what is queued, then p, with q.mu held on entry and exit
// but not during the writes; no other send runs meanwhile.
func (q *writeQueue) send(p []byte) {
	out := q.queued
	q.queued = q.spare[:0]
	q.sending = true
	q.mu.Unlock()
	var err error
	if len(out) > 0 {
		_, err = q.w.Write(out)
	}
	if err == nil && len(p) > 0 {
		_, err = q.w.Write(p)
	}
	q.mu.Lock()
	q.sending = false
	if cap(out) <= 2*maxQueued {
		q.spare = out[:0]
	} else {
		q.spare = nil // a burst past the bound: do not keep its memory
	}
	if err != nil && q.err == nil {
		q.err = err
	}
	q.room.Broadcast()
	q.work.Signal() // bytes queued during a direct write
}

// writeDirect sends what is queued and then p from the caller, without
// copying p into the queue: for bulky writes, which gain nothing from
// company.
func (q *writeQueue) writeDirect(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.err == nil && q.sending {
		q.room.Wait()
	}
	if q.err != nil {
		return 0, q.err
	}
	q.send(p)
	if q.err != nil {
		return 0, q.err
	}
	return len(p), nil
}

// drain waits until every queued byte is sent or a send failed.
func (q *writeQueue) drain() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.err == nil && (len(q.queued) > 0 || q.sending) {
		q.room.Wait()
	}
}

// stop ends the flusher: later writes fail with err, and bytes still
// queued are dropped.
func (q *writeQueue) stop(err error) {
	q.mu.Lock()
	if q.err == nil {
		q.err = err
	}
	q.work.Signal()
	q.room.Broadcast()
	q.mu.Unlock()
}

// batchedPipe is the writing end of an SFTP channel, through a writeQueue.
// pkg/sftp writes every request (and a write request's header and data
// separately) with a call of its own, and the ssh package makes each call
// an SSH packet: encrypted and authenticated on its own here, and
// decrypted, checked and handed on by the server one by one. Through the
// queue, the requests that many transfers issue together travel in one
// packet.
type batchedPipe struct {
	q *writeQueue
	c io.Closer
}

func newBatchedPipe(w io.WriteCloser) *batchedPipe {
	return &batchedPipe{q: newWriteQueue(w), c: w}
}

// bulkyWrite is the size from which a write skips the queue: an upload's
// data, which would only be copied once more.
const bulkyWrite = 8 << 10

func (p *batchedPipe) Write(b []byte) (int, error) {
	if len(b) >= bulkyWrite {
		return p.q.writeDirect(b)
	}
	return p.q.Write(b)
}

// Close sends what is queued, then closes the channel's writing side.
func (p *batchedPipe) Close() error {
	p.q.drain()
	p.q.stop(io.ErrClosedPipe)
	return p.c.Close()
}
