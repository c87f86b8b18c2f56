package sftp

import (
	"encoding/binary"
	"io"
	"sync/atomic"
)

// replyWatch counts the SFTP packets sent and received on a session's
// channel, so the keepalive can tell a hung SFTP server from an idle one.
// A server whose SSH side still answers keepalives while its SFTP
// subsystem hangs (a stuck sftp-server, a read on a dead NFS mount) keeps
// the connection looking alive, and every request on it would wait for
// ever: a listing, a stat, a mkdir. Every SFTP request has exactly one
// reply, so sent minus received is how many wait.
type replyWatch struct {
	sent, got atomic.Int64 // packets
}

// waiting says how many requests have no reply yet, and how many replies
// came so far.
func (w *replyWatch) waiting() (waiting, got int64) {
	got = w.got.Load()
	return w.sent.Load() - got, got
}

// packets counts the packets of an SFTP byte stream: each is a 4-byte
// length and that many bytes.
type packets struct {
	n    *atomic.Int64
	left uint32 // bytes of the current packet still to come
	hdr  [4]byte
	have int // bytes of the next length read so far
}

// scan counts each packet when its last byte has passed: a reply cut
// short by a server that hung mid-write is still waited for.
func (p *packets) scan(b []byte) {
	for len(b) > 0 {
		if p.left > 0 {
			k := min(uint32(len(b)), p.left)
			p.left -= k
			b = b[k:]
			if p.left == 0 {
				p.n.Add(1)
			}
			continue
		}
		k := copy(p.hdr[p.have:], b)
		p.have += k
		b = b[k:]
		if p.have == 4 {
			p.have, p.left = 0, binary.BigEndian.Uint32(p.hdr[:])
			if p.left == 0 {
				p.n.Add(1)
			}
		}
	}
}

type countedReader struct {
	r io.Reader
	p packets
}

func (c *countedReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.scan(b[:n])
	return n, err
}

type countedWriter struct {
	w io.WriteCloser
	p packets
}

func (c *countedWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.p.scan(b[:n])
	return n, err
}

func (c *countedWriter) Close() error { return c.w.Close() }

// watched wraps a session's pipes so that w counts their packets.
func (w *replyWatch) watched(out io.Reader, in io.WriteCloser) (io.Reader, io.WriteCloser) {
	return &countedReader{r: out, p: packets{n: &w.got}}, &countedWriter{w: in, p: packets{n: &w.sent}}
}
