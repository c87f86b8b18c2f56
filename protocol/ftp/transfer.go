package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// bufSize is the copy buffer for data connections: large enough that a
// gigabit stream costs few system calls.
const bufSize = 256 << 10

// startTransfer opens a data channel and issues cmd on it (RETR, STOR,
// LIST...), returning the connected, secured data connection. The caller
// holds c.mu. rest > 0 sends REST first.
func (c *Client) startTransfer(ctx context.Context, op, p, cmd string, rest int64) (net.Conn, Reply, error) {
	ds, err := c.prepareData(ctx, op, p)
	if err != nil {
		return nil, Reply{}, err
	}
	if rest > 0 {
		rep, err := c.ctl.cmd(ctx, op, p, "REST "+strconv.FormatInt(rest, 10))
		if err != nil {
			ds.close()
			return nil, Reply{}, err
		}
		if rep.Code != 350 {
			ds.close()
			if rep.Class() == 5 {
				return nil, rep, protocol.NewError(op, p, protocol.ErrUnsupported, rep.Text(), errors.New("server cannot resume"))
			}
			return nil, rep, replyError(op, p, rep)
		}
	}
	if err := c.ctl.send(ctx, op, p, cmd); err != nil {
		ds.close()
		return nil, Reply{}, err
	}
	rep, err := c.ctl.read(ctx, op, p)
	if err != nil {
		ds.close()
		return nil, Reply{}, err
	}
	if rep.Class() != 1 {
		ds.close()
		return nil, rep, replyError(op, p, rep)
	}
	conn, err := ds.connect(ctx, c.cfg.Timeout, c.ctl.logf)
	if err != nil {
		ds.close()
		// The server waits for a data connection that will not come; the
		// control connection is out of step.
		c.ctl.broken = netError(op, p, err)
		return nil, rep, c.ctl.broken
	}
	if c.prot {
		tc, err := c.tls.handshakeData(ctx, conn, c.cfg.Timeout)
		if err != nil {
			c.ctl.broken = err
			return nil, rep, err
		}
		conn = tc
	}
	return conn, rep, nil
}

// transferSize reads "(1234 bytes)" from a 150 reply, as most servers say.
func transferSize(rep Reply) int64 {
	msg := rep.Message()
	end := strings.Index(msg, " bytes)")
	if end < 0 {
		return -1
	}
	start := strings.LastIndexByte(msg[:end], '(')
	if start < 0 {
		return -1
	}
	n, err := strconv.ParseInt(msg[start+1:end], 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// Open streams p from offset.
func (c *Client) Open(ctx context.Context, p string, offset int64) (io.ReadCloser, error) {
	return c.open(ctx, p, offset, -1, -1)
}

// OpenRange reads length bytes of p from offset. FTP cannot ask for a range,
// so the reader stops after length bytes and aborts the transfer on Close;
// segmented downloads open one Client per segment.
func (c *Client) OpenRange(ctx context.Context, p string, offset, length int64) (io.ReadCloser, error) {
	if length < 0 {
		return nil, protocol.NewError("open", p, nil, "", errors.New("negative range length"))
	}
	return c.open(ctx, p, offset, length, -1)
}

var _ protocol.SizedOpener = (*Client)(nil)

// OpenSized streams p from offset, its size known from a listing: no SIZE
// command before RETR. The size the 150 reply announces, when it does,
// still wins, as it is the newer word.
func (c *Client) OpenSized(ctx context.Context, p string, offset, size int64) (io.ReadCloser, error) {
	return c.open(ctx, p, offset, -1, size)
}

// open starts RETR of p at offset; limit stops after that many bytes, size
// (when not negative) is the file's size as the caller knows it.
func (c *Client) open(ctx context.Context, p string, offset, limit, size int64) (io.ReadCloser, error) {
	if err := c.begin("open", p); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	ap := c.abs(p)
	arg, err := c.ctl.pathArg("open", ap)
	if err != nil {
		return nil, err
	}
	ascii := c.typeFor(ap) == protocol.TypeASCII
	if ascii && (offset > 0 || limit >= 0) {
		return nil, protocol.NewError("open", ap, protocol.ErrUnsupported, "", errors.New("resume and ranges need binary mode"))
	}
	want := int64(-1)
	if !ascii && size >= offset {
		want = size - offset
	} else if !ascii && c.has("SIZE") {
		if err := c.setType(ctx, 'I'); err != nil {
			return nil, err
		}
		rep, err := c.ctl.cmd(ctx, "open", ap, "SIZE "+arg)
		if err != nil {
			return nil, err
		}
		if rep.Code == 213 {
			if n, err := strconv.ParseInt(strings.TrimSpace(rep.Message()), 10, 64); err == nil && n >= offset {
				want = n - offset
			}
		}
	}
	t := byte('I')
	if ascii {
		t = 'A'
	}
	if err := c.setType(ctx, t); err != nil {
		return nil, err
	}
	conn, rep, err := c.startTransfer(ctx, "open", ap, "RETR "+arg, offset)
	if err != nil {
		return nil, err
	}
	if !ascii && offset == 0 && (want < 0 || size >= 0) {
		if n := transferSize(rep); n >= 0 {
			want = n
		}
	}
	c.busy = true
	r := &retrReader{c: c, ctx: ctx, conn: conn, p: ap, want: want, limit: limit}
	r.stop = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	if ascii {
		return &asciiReader{fromCRLF: newFromCRLF(r), r: r}, nil
	}
	return r, nil
}

// retrReader is the data side of RETR. It insists on a complete transfer:
// EOF on the data connection counts only with a 2xx final reply and, when
// the size is known, with every byte delivered.
type retrReader struct {
	c      *Client
	ctx    context.Context
	conn   net.Conn
	stop   func() bool
	p      string
	n      int64
	want   int64 // bytes expected from the offset, -1 unknown
	limit  int64 // stop after this many bytes, -1 none
	err    error // sticky: io.EOF after a good end
	closed bool
}

func (r *retrReader) Read(b []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.limit >= 0 {
		if r.n >= r.limit {
			return 0, io.EOF // Close aborts the rest
		}
		if rem := r.limit - r.n; int64(len(b)) > rem {
			b = b[:rem]
		}
	}
	if err := r.ctx.Err(); err != nil {
		// Checked before each read: the per-read deadline below would
		// otherwise undo the one the context's cancellation set.
		r.err = protocol.NewError("read", r.p, nil, "", err)
		return 0, r.err
	}
	_ = r.conn.SetReadDeadline(time.Now().Add(r.c.cfg.Timeout))
	k, err := r.conn.Read(b)
	r.n += int64(k)
	if err == nil || errors.Is(err, errNothingBuffered) {
		return k, nil
	}
	if errors.Is(err, io.EOF) {
		r.err = r.finish()
		if r.err == nil {
			r.err = io.EOF
		}
		return k, r.err
	}
	if r.ctx.Err() != nil {
		err = r.ctx.Err()
	}
	r.err = netError("read", r.p, err)
	return k, r.err
}

// WriteTo copies with one large buffer, so io.Copy to a file makes few
// system calls. Under TLS, where a read brings one record, it also takes
// the records that have already arrived before it writes.
func (r *retrReader) WriteTo(w io.Writer) (int64, error) {
	return r.c.copyGathering(w, r, r.gulp())
}

// gulp is the gulpConn under a TLS data connection, or nil.
func (r *retrReader) gulp() *gulpConn {
	if tc, ok := r.conn.(*tls.Conn); ok {
		g, _ := tc.NetConn().(*gulpConn)
		return g
	}
	return nil
}

// getBuf takes a bufSize copy buffer from the connection's pool; give it
// back with c.bufs.Put.
func (c *Client) getBuf() *[]byte {
	if bp, ok := c.bufs.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, bufSize)
	return &b
}

// copyLarge is io.Copy with a bufSize buffer that never defers to the
// ends' own ReadFrom or WriteTo (which call back here). The buffer comes
// from the connection's pool: a tree of small files would otherwise
// allocate and clear 256 KiB per file.
func (c *Client) copyLarge(w io.Writer, r io.Reader) (int64, error) {
	return c.copyGathering(w, r, nil)
}

// copyGathering is copyLarge that, with g, fills the buffer with what has
// arrived through g after each read (see gather).
func (c *Client) copyGathering(w io.Writer, r io.Reader, g *gulpConn) (int64, error) {
	bp := c.getBuf()
	defer c.bufs.Put(bp)
	buf := *bp
	var total int64
	for {
		var k int
		var err error
		if g != nil {
			k, err = gather(r.Read, g, buf)
		} else {
			k, err = r.Read(buf)
		}
		if k > 0 {
			m, werr := w.Write(buf[:k])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
		}
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// finish runs after the data connection's EOF: the final reply decides.
func (r *retrReader) finish() error {
	r.conn.Close()
	c := r.c
	rep, err := c.ctl.final(context.WithoutCancel(r.ctx), "read", r.p)
	c.release()
	if err != nil {
		return err
	}
	if rep.Code != 226 && rep.Code != 250 {
		return replyError("read", r.p, rep)
	}
	if r.want >= 0 && r.n != r.want && (r.limit < 0 || r.n < r.limit) {
		return protocol.NewError("read", r.p, protocol.ErrProtocol, rep.Text(),
			fmt.Errorf("data connection closed after %d of %d bytes: %w", r.n, r.want, io.ErrUnexpectedEOF))
	}
	return nil
}

// Close ends the transfer; before EOF it aborts it (ABOR).
func (r *retrReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.stop()
	if r.err == io.EOF {
		return nil
	}
	if r.err != nil && !r.c.isBusy() {
		return r.err // finish ran and failed
	}
	r.conn.Close()
	_, aerr := r.c.abort(r.ctx)
	r.c.release()
	if r.err != nil && !errors.Is(r.err, io.EOF) {
		return r.err
	}
	return aerr
}

func (c *Client) isBusy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.busy
}

func (c *Client) release() {
	c.mu.Lock()
	c.busy = false
	c.mu.Unlock()
}

// abort stops a running transfer whose data connection is already closed.
// Servers answer ABOR with one or two replies (426 for the transfer, then
// 226/225; or only 226 when the transfer had ended), so a NOOP follows and
// everything up to its 200 is read: that brings the control connection back
// in step whatever the server did. It returns the first failure reply seen,
// which explains a failed upload ("552 Quota exceeded").
func (c *Client) abort(ctx context.Context) (Reply, error) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Timeout)
	defer cancel()
	if err := c.ctl.send(actx, "abort", "", "ABOR"); err != nil {
		return Reply{}, err
	}
	if err := c.ctl.send(actx, "abort", "", "NOOP"); err != nil {
		return Reply{}, err
	}
	var failure Reply
	for i := 0; i < 5; i++ {
		rep, err := c.ctl.read(actx, "abort", "")
		if err != nil {
			return failure, err
		}
		if rep.Code == 200 {
			return failure, nil
		}
		if failure.Code == 0 && rep.Class() >= 4 {
			failure = rep
		}
	}
	c.ctl.broken = protocol.NewError("abort", "", protocol.ErrProtocol, "", errors.New("server out of step after ABOR"))
	return failure, c.ctl.broken
}
