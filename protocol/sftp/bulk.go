package sftp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/ssh"
)

// Big downloads stream on an SFTP channel of their own, read by the few
// lines below instead of pkg/sftp. pkg/sftp allocates every reply afresh,
// copies it out of the SSH channel into that allocation and again into a
// pooled buffer before the caller sees it: three copies and a zeroed
// 255 KiB allocation per request, which on a 2-core machine took CPU from
// sshd and kept a 1 GiB download from going faster than OpenSSH's sftp.
// Here a reply's data goes from the SSH channel straight into a reused
// buffer, and a second goroutine writes it out while the next one comes in.
//
// The stream is an optimization with a way out: whatever it does not
// understand — a reply out of order, a short read, an error status, an
// unknown packet — ends it, and the caller carries on from the last byte
// written with reads through pkg/sftp (readAhead in file.go), which handle
// every case and name every error.
// A server that answers out of order (the protocol allows it) or breaks
// the framing gets pkg/sftp for the rest of the session.

const (
	// bulkMin is the size from which a download streams on its own channel
	// (opening one costs the server a process, a few milliseconds).
	bulkMin = 8 << 20
	// bulkRequests is how many reads a stream keeps in flight: with
	// maxPacket each, the SSH channel's whole 2 MiB window.
	bulkRequests = 8
	// maxStatus bounds a status or version reply we read whole.
	maxStatus = 64 << 10
)

// SFTP version 3 packet types (draft-ietf-secsh-filexfer-02).
const (
	fxpInit    = 1
	fxpVersion = 2
	fxpOpen    = 3
	fxpClose   = 4
	fxpRead    = 5
	fxpStatus  = 101
	fxpHandle  = 102
	fxpData    = 103

	fxfRead  = 1
	fxStatOK = 0
	fxEOF    = 1
)

// errBulkProtocol marks a reply the stream does not take; the caller falls
// back.
var errBulkProtocol = errors.New("bulk stream: unexpected reply")

// bulkConn is one SFTP channel used only for streaming reads.
type bulkConn struct {
	close func() error
	in    io.Writer
	out   io.Reader
	id    uint32
	req   []byte
	hdr   [13]byte
	once  sync.Once
}

// dialBulk opens an SFTP channel on conn and says hello.
func dialBulk(conn *ssh.Client) (*bulkConn, error) {
	s, in, out, err := sftpSession(conn)
	if err != nil {
		return nil, err
	}
	b := newBulkConn(in, out, s.Close)
	if err := b.hello(); err != nil {
		b.discard()
		return nil, err
	}
	return b, nil
}

func newBulkConn(in io.Writer, out io.Reader, close func() error) *bulkConn {
	return &bulkConn{in: in, out: out, close: close, id: 1}
}

// discard ends the channel; the server drops its handles with it.
func (b *bulkConn) discard() { b.once.Do(func() { b.close() }) }

// send writes one packet: type, then body, behind the length.
func (b *bulkConn) send(typ byte, body ...[]byte) error {
	b.req = append(b.req[:0], 0, 0, 0, 0, typ)
	for _, p := range body {
		b.req = append(b.req, p...)
	}
	binary.BigEndian.PutUint32(b.req, uint32(len(b.req)-4))
	_, err := b.in.Write(b.req)
	return err
}

func (b *bulkConn) hello() error {
	if err := b.send(fxpInit, binary.BigEndian.AppendUint32(nil, 3)); err != nil {
		return err
	}
	if _, err := io.ReadFull(b.out, b.hdr[:5]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint32(b.hdr[:4])
	if b.hdr[4] != fxpVersion || n < 5 || n > maxStatus {
		return errBulkProtocol
	}
	_, err := io.CopyN(io.Discard, b.out, int64(n-1))
	return err
}

// header reads a reply's length, type and id.
func (b *bulkConn) header() (typ byte, id, length uint32, err error) {
	if _, err := io.ReadFull(b.out, b.hdr[:9]); err != nil {
		return 0, 0, 0, err
	}
	length = binary.BigEndian.Uint32(b.hdr[:4])
	if length < 5 || length > maxPacket+1024 {
		return 0, 0, 0, errBulkProtocol
	}
	return b.hdr[4], binary.BigEndian.Uint32(b.hdr[5:9]), length, nil
}

// status reads the rest of a status reply of length bytes and returns its
// code.
func (b *bulkConn) status(length uint32) (uint32, error) {
	if length < 9 || length > maxStatus {
		return 0, errBulkProtocol
	}
	if _, err := io.ReadFull(b.out, b.hdr[9:13]); err != nil {
		return 0, err
	}
	if _, err := io.CopyN(io.Discard, b.out, int64(length-9)); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b.hdr[9:13]), nil
}

func str(s []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(s))), s...)
}

func (b *bulkConn) nextID() []byte {
	b.id++
	return binary.BigEndian.AppendUint32(nil, b.id)
}

// open opens p for reading and returns its handle.
func (b *bulkConn) open(p string) ([]byte, error) {
	if err := b.send(fxpOpen, b.nextID(), str([]byte(p)), []byte{0, 0, 0, fxfRead, 0, 0, 0, 0}); err != nil {
		return nil, err
	}
	typ, id, length, err := b.header()
	if err != nil {
		return nil, err
	}
	if id != b.id {
		return nil, errBulkProtocol
	}
	switch typ {
	case fxpHandle:
		if length < 9 || length > 5+4+256 {
			return nil, errBulkProtocol
		}
		body := make([]byte, length-5)
		if _, err := io.ReadFull(b.out, body); err != nil {
			return nil, err
		}
		n := binary.BigEndian.Uint32(body)
		if int(n) != len(body)-4 {
			return nil, errBulkProtocol
		}
		return body[4:], nil
	case fxpStatus:
		code, err := b.status(length)
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("bulk open: status %d", code)
	}
	return nil, errBulkProtocol
}

// closeHandle closes handle and waits for the answer, so the channel can
// serve another file.
func (b *bulkConn) closeHandle(handle []byte) error {
	if err := b.send(fxpClose, b.nextID(), str(handle)); err != nil {
		return err
	}
	typ, id, length, err := b.header()
	if err != nil {
		return err
	}
	if typ != fxpStatus || id != b.id {
		return errBulkProtocol
	}
	code, err := b.status(length)
	if err != nil {
		return err
	}
	if code != fxStatOK {
		return fmt.Errorf("bulk close: status %d", code)
	}
	return nil
}

// streamResult is how a stream ended.
type streamResult struct {
	written int64 // bytes w took, all contiguous from the start offset
	done    bool  // end (or EOF) reached: nothing left to read
	clean   bool  // no reply is outstanding: the channel may serve again
	werr    error // w's error, which ends the copy (errLimit included)
	odd     bool  // the server broke the protocol as the stream reads it
}

// stream reads handle from off to end (or to EOF when end < 0) with
// bulkRequests reads in flight and writes the data to w in order. bufs
// holds maxPacket buffers; low, when not nil, hears whether the stream is
// sure that much more is coming (lowwater.go).
func (b *bulkConn) stream(handle []byte, off, end int64, w io.Writer, bufs *sync.Pool, low *lowStream) streamResult {
	type pending struct {
		id  uint32
		off int64
		n   uint32
	}
	type filled struct {
		b *[]byte
		n int
	}
	full := make(chan filled, bulkRequests)
	var (
		res    streamResult
		mu     sync.Mutex
		failed bool // the writer failed; stop asking
	)
	wdone := make(chan struct{})
	go func() {
		defer close(wdone)
		for f := range full {
			mu.Lock()
			stop := failed
			mu.Unlock()
			if !stop {
				n, err := w.Write((*f.b)[:f.n])
				mu.Lock()
				res.written += int64(n)
				if err != nil {
					res.werr, failed = err, true
				}
				mu.Unlock()
			}
			bufs.Put(f.b)
		}
	}()

	var queue []pending
	next := off
	gap := false // a short read or EOF: later data is not contiguous
	eof := false
	broken := false
	for {
		mu.Lock()
		stop := failed
		mu.Unlock()
		for !gap && !stop && len(queue) < bulkRequests && (end < 0 || next < end) {
			n := uint32(maxPacket)
			if end >= 0 && end-next < int64(n) {
				n = uint32(end - next)
			}
			id := b.nextID()
			at := binary.BigEndian.AppendUint64(nil, uint64(next))
			if err := b.send(fxpRead, id, str(handle), at, binary.BigEndian.AppendUint32(nil, n)); err != nil {
				broken = true
				break
			}
			queue = append(queue, pending{id: b.id, off: next, n: n})
			next += int64(n)
		}
		if broken || len(queue) == 0 {
			break
		}
		// With every read in flight, the replies not yet taken are far
		// more than the low-water mark, and nearly all of them are still
		// in the socket or at the server.
		low.report(!gap && !stop && len(queue) == bulkRequests, next)
		typ, id, length, err := b.header()
		if err != nil || id != queue[0].id {
			broken = true
			res.odd = err == nil || errors.Is(err, errBulkProtocol)
			break
		}
		head := queue[0]
		queue = queue[1:]
		switch typ {
		case fxpData:
			if _, err := io.ReadFull(b.out, b.hdr[9:13]); err != nil {
				broken = true
			}
			dl := binary.BigEndian.Uint32(b.hdr[9:13])
			if broken {
				break
			}
			if dl > head.n || length != 9+dl {
				broken, res.odd = true, true
				break
			}
			if gap || stop {
				// Past a gap, or nobody writes any more: read and drop.
				if _, err := io.CopyN(io.Discard, b.out, int64(dl)); err != nil {
					broken = true
				}
				if gap && dl > 0 {
					eof = false // the file grew after an EOF: not done
				}
				break
			}
			buf := bufs.Get().(*[]byte)
			if _, err := io.ReadFull(b.out, (*buf)[:dl]); err != nil {
				bufs.Put(buf)
				broken = true
				break
			}
			full <- filled{buf, int(dl)}
			if dl < head.n {
				gap = true
			}
		case fxpStatus:
			code, err := b.status(length)
			if err != nil {
				broken = true
				break
			}
			if code == fxEOF && !gap {
				eof = true
			}
			gap = true
			if code != fxEOF {
				eof = false
			}
		default:
			broken, res.odd = true, true
		}
		if broken {
			break
		}
	}
	low.done()
	close(full)
	<-wdone
	res.clean = !broken && len(queue) == 0
	res.done = res.clean && res.werr == nil && (eof || (!gap && end >= 0 && next >= end))
	return res
}

// streamBulk streams p on a bulk channel; see stream. A channel that
// cannot be had (a server that limits sessions) turns bulk streams off for
// this session.
//
// size, the file's size when known (-1 if not), tells the stream where to
// expect the data to end when end does not.
func (c *Client) streamBulk(ctx context.Context, p string, off, end, size int64, w io.Writer) streamResult {
	b, err := c.takeBulk()
	if err != nil {
		c.cfg.logf("* streaming downloads on their own channel is off: " + err.Error())
		c.bulkOK.Store(false)
		return streamResult{}
	}
	stop := context.AfterFunc(ctx, b.discard)
	handle, err := b.open(p)
	if err != nil {
		stop()
		b.discard()
		return streamResult{}
	}
	expect := end
	if expect < 0 {
		expect = size
	}
	res := b.stream(handle, off, end, w, &c.packets, c.low.stream(expect))
	if res.odd {
		// Out-of-order replies are allowed by the protocol and would
		// end every stream here: leave this server to pkg/sftp.
		c.cfg.logf("* streaming downloads on their own channel is off: the server's replies do not follow its requests")
		c.bulkOK.Store(false)
	}
	reuse := res.clean && ctx.Err() == nil && b.closeHandle(handle) == nil
	// Disarm the cancel before keeping the channel, so a cancel that
	// comes late cannot close it in the idle slot.
	if stop() && reuse {
		c.putBulk(b)
	} else {
		b.discard()
	}
	return res
}

func (c *Client) takeBulk() (*bulkConn, error) {
	c.bulkMu.Lock()
	b := c.bulkIdle
	c.bulkIdle = nil
	c.bulkMu.Unlock()
	if b != nil {
		return b, nil
	}
	return dialBulk(c.conn)
}

// putBulk keeps b for the next file, or ends it when one is kept already
// or the session is closing.
func (c *Client) putBulk(b *bulkConn) {
	c.bulkMu.Lock()
	defer c.bulkMu.Unlock()
	select {
	case <-c.done:
		b.discard()
		return
	default:
	}
	if c.bulkIdle != nil {
		b.discard()
		return
	}
	c.bulkIdle = b
}

func (c *Client) dropBulk() {
	c.bulkMu.Lock()
	defer c.bulkMu.Unlock()
	if c.bulkIdle != nil {
		c.bulkIdle.discard()
		c.bulkIdle = nil
	}
}
