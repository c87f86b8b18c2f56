package sftp

import (
	"bytes"
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// tcpPair is a connected loopback pair.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		done <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-done
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// TestBufferedConnKeepsOrderAcrossWriters writes from many goroutines at
// once, as the ssh package does under a lock, and checks every packet
// arrives whole and in the order Write accepted it.
func TestBufferedConnKeepsOrderAcrossWriters(t *testing.T) {
	raw, peer := tcpPair(t)
	bc := newBufferedConn(raw)
	var mu sync.Mutex // the ssh package serializes its writes
	var want bytes.Buffer
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				pkt := bytes.Repeat([]byte{byte(g*31 + i)}, 1+(g*97+i*13)%5000)
				mu.Lock()
				want.Write(pkt)
				_, err := bc.Write(pkt)
				mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(peer)
		got <- b
	}()
	wg.Wait()
	// Close drops what is still queued, so wait for the queue to drain.
	bc.q.drain()
	bc.Close()
	b := <-got
	if !bytes.Equal(b, want.Bytes()) {
		t.Fatalf("received %d bytes, not the %d written in order", len(b), want.Len())
	}
}

// TestBufferedConnReportsFailedSend: once the socket fails, Write says so
// instead of queueing bytes nobody will send, and Close ends the flusher.
func TestBufferedConnReportsFailedSend(t *testing.T) {
	raw, _ := tcpPair(t)
	bc := newBufferedConn(raw)
	if _, err := bc.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	raw.Close() // the watchdog's way of ending a session
	deadline := time.Now().Add(5 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if _, err = bc.Write([]byte("more")); err != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err == nil {
		t.Fatal("writes still accepted on a closed socket")
	}
	if !errors.Is(err, net.ErrClosed) {
		t.Errorf("error %v, want net.ErrClosed", err)
	}
	bc.Close()
	if _, err := bc.Write([]byte("after close")); err == nil {
		t.Error("write after Close accepted")
	}
}

// TestBufferedConnBoundsItsQueue: a peer that reads nothing makes Write
// block near maxQueued instead of buffering without end.
func TestBufferedConnBoundsItsQueue(t *testing.T) {
	raw, _ := tcpPair(t)
	bc := newBufferedConn(raw)
	var queued int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		pkt := make([]byte, 32<<10)
		for range 1024 { // 32 MiB, far past socket buffers and the queue
			if _, err := bc.Write(pkt); err != nil {
				return
			}
			queued += int64(len(pkt))
		}
	}()
	select {
	case <-done:
		t.Fatalf("wrote %d bytes to a peer that reads nothing without blocking", queued)
	case <-time.After(300 * time.Millisecond):
	}
	bc.q.mu.Lock()
	n := len(bc.q.queued)
	bc.q.mu.Unlock()
	if n > maxQueued+32<<10 {
		t.Errorf("%d bytes queued, bound is %d", n, maxQueued)
	}
	bc.Close() // unblocks the writer
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close left a writer blocked")
	}
}

// countingConn counts the writes that reach the socket.
type countingConn struct {
	net.Conn
	mu     sync.Mutex
	writes int
	bytes  int
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.bytes += len(p)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// TestWritesGatherABurst: requesters woken together (as one batch of
// replies wakes many transfers) go out in one or two writes, not one
// each: on the socket (bufferedConn) and on the SFTP channel (batchedPipe),
// where each write would be an SSH packet. One processor makes the
// scheduling deterministic: the woken flusher would otherwise run before
// the other requesters.
func TestWritesGatherABurst(t *testing.T) {
	for name, wrap := range map[string]func(*countingConn) io.WriteCloser{
		"socket":       func(c *countingConn) io.WriteCloser { return newBufferedConn(c) },
		"sftp channel": func(c *countingConn) io.WriteCloser { return newBatchedPipe(c) },
	} {
		t.Run(name, func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			raw, peer := tcpPair(t)
			cc := &countingConn{Conn: raw}
			w := wrap(cc)
			go io.Copy(io.Discard, peer)
			gathersABurst(t, w, cc)
			w.Close()
		})
	}
}

// gathersABurst writes a burst of 16 small packets to w from goroutines
// released together, five times, and checks that each burst reached cc in
// at most two writes.
func gathersABurst(t *testing.T, w io.Writer, cc *countingConn) {
	t.Helper()
	const n = 16
	for round := range 5 {
		cc.mu.Lock()
		cc.writes, cc.bytes = 0, 0
		cc.mu.Unlock()
		var mu sync.Mutex // the ssh package serializes its writes
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				mu.Lock()
				defer mu.Unlock()
				if _, err := w.Write(make([]byte, 68)); err != nil {
					t.Error(err)
				}
			}()
		}
		time.Sleep(10 * time.Millisecond) // all parked on the gate
		close(gate)
		wg.Wait()
		deadline := time.Now().Add(5 * time.Second)
		for {
			cc.mu.Lock()
			w, b := cc.writes, cc.bytes
			cc.mu.Unlock()
			if b == n*68 {
				if w > 2 {
					t.Fatalf("round %d: %d packets took %d socket writes, want at most 2", round, n, w)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: only %d of %d bytes sent", round, b, n*68)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// TestBatchedPipeCloseSendsWhatIsQueued: Close sends every queued byte
// before it closes the channel, so a last request is not lost.
func TestBatchedPipeCloseSendsWhatIsQueued(t *testing.T) {
	raw, peer := tcpPair(t)
	bp := newBatchedPipe(raw)
	got := receiveAll(peer)
	var want bytes.Buffer
	for i := range 2000 {
		p := bytes.Repeat([]byte{byte(i)}, 1+i%300)
		want.Write(p)
		if _, err := bp.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	closeAndCheck(t, bp, got, want.Bytes())
	if _, err := bp.Write([]byte("late")); err == nil {
		t.Error("write after Close accepted")
	}
}

// TestBatchedPipeKeepsOrderOfSmallAndBulkyWrites: bulky writes skip the
// queue, yet reach the peer after everything written before them, as
// pkg/sftp writes a request's header and then its data.
func TestBatchedPipeKeepsOrderOfSmallAndBulkyWrites(t *testing.T) {
	raw, peer := tcpPair(t)
	bp := newBatchedPipe(raw)
	got := receiveAll(peer)
	var (
		mu   sync.Mutex // pkg/sftp serializes its writes
		want bytes.Buffer
		wg   sync.WaitGroup
	)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				size := 13 + i%50
				if (g+i)%3 == 0 {
					size = bulkyWrite + i*7
				}
				p := bytes.Repeat([]byte{byte(g*31 + i)}, size)
				mu.Lock()
				want.Write(p)
				_, err := bp.Write(p)
				mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	closeAndCheck(t, bp, got, want.Bytes())
}

// receiveAll reads peer to its end and then hands over what it read.
func receiveAll(peer net.Conn) <-chan []byte {
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(peer)
		got <- b
	}()
	return got
}

// closeAndCheck closes bp and checks that the peer then received want.
func closeAndCheck(t *testing.T, bp *batchedPipe, got <-chan []byte, want []byte) {
	t.Helper()
	if err := bp.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		if !bytes.Equal(b, want) {
			t.Fatalf("peer got %d bytes, want the %d written, in order", len(b), len(want))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not close the writing side")
	}
}
