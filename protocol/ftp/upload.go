package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// Create writes p from offset: 0 truncates; > 0 resumes with REST+STOR
// where the server offers REST STREAM, else with APPE.
func (c *Client) Create(ctx context.Context, p string, offset int64) (io.WriteCloser, error) {
	if err := c.begin("create", p); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	ap := c.abs(p)
	arg, err := c.ctl.pathArg("create", ap)
	if err != nil {
		return nil, err
	}
	ascii := c.typeFor(ap) == protocol.TypeASCII
	if ascii && offset > 0 {
		return nil, protocol.NewError("create", ap, protocol.ErrUnsupported, "", errors.New("resume needs binary mode"))
	}
	t := byte('I')
	if ascii {
		t = 'A'
	}
	if err := c.setType(ctx, t); err != nil {
		return nil, err
	}
	cmd, rest := "STOR "+arg, int64(0)
	if offset > 0 {
		if c.has("REST") {
			rest = offset
		} else {
			cmd = "APPE " + arg
		}
	}
	conn, _, err := c.startTransfer(ctx, "create", ap, cmd, rest)
	if err != nil {
		return nil, err
	}
	c.busy = true
	w := &storWriter{c: c, ctx: ctx, conn: conn, p: ap}
	w.stop = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	if ascii {
		return &asciiWriter{toCRLF: newToCRLF(w), w: w}, nil
	}
	return w, nil
}

// storWriter is the data side of STOR/APPE. Close delivers the end of the
// file and waits for the server's verdict.
type storWriter struct {
	c      *Client
	ctx    context.Context
	conn   net.Conn
	stop   func() bool
	p      string
	err    error
	closed bool
}

func (w *storWriter) Write(b []byte) (int, error) {
	if err := w.ready(); err != nil {
		return 0, err
	}
	n, err := writeIdle(w.conn, b, w.c.cfg.Timeout)
	return n, w.failed(err)
}

// idleRound is the most one write under a fresh deadline may carry: a
// slow link must move it within the timeout (64 KiB in 15 s is 4.4 kB/s).
const idleRound = 64 << 10

// writeIdle writes b in rounds of idleRound, each under a deadline idle
// away, so that the timeout counts time without progress: one 256 KiB
// write under a 15 s deadline failed on any link slower than 17 kB/s,
// however steadily it moved.
func writeIdle(conn net.Conn, b []byte, idle time.Duration) (int, error) {
	var done int
	for done < len(b) {
		end := min(len(b), done+idleRound)
		_ = conn.SetWriteDeadline(time.Now().Add(idle))
		n, err := conn.Write(b[done:end])
		done += n
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// ready refuses to write after a failure or a cancel, and arms the write
// deadline.
func (w *storWriter) ready() error {
	if w.err != nil {
		return w.err
	}
	if err := w.ctx.Err(); err != nil {
		w.err = protocol.NewError("write", w.p, nil, "", err)
		return w.err
	}
	_ = w.conn.SetWriteDeadline(time.Now().Add(w.c.cfg.Timeout))
	return nil
}

// failed records a write error (the cancel, when it caused it) and
// returns the sticky error.
func (w *storWriter) failed(err error) error {
	if err != nil {
		if w.ctx.Err() != nil {
			err = w.ctx.Err()
		}
		w.err = netError("write", w.p, err)
	}
	return w.err
}

// CopyFromFile sends up to n bytes of f from its offset (protocol.FileSink).
// Over a plain TCP data connection on Linux it copies with raw system
// calls (fileCopy); otherwise through the usual buffer.
func (w *storWriter) CopyFromFile(f *os.File, n int64) (int64, error) {
	tc, ok := w.conn.(*net.TCPConn)
	if !ok {
		return w.c.copyLarge(w, io.LimitReader(f, n))
	}
	if err := w.ready(); err != nil {
		return 0, err
	}
	bp := w.c.getBuf()
	defer w.c.bufs.Put(bp)
	k, err := fileCopy(tc, f, n, *bp, w.c.cfg.Timeout)
	return k, w.failed(err)
}

// ReadFrom copies with one large buffer.
func (w *storWriter) ReadFrom(r io.Reader) (int64, error) { return w.c.copyLarge(w, r) }

func (w *storWriter) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	w.stop()
	if w.err != nil || w.ctx.Err() != nil {
		// A failed or cancelled upload must not look complete to the
		// server: abort before closing the data connection.
		if w.err == nil {
			w.err = protocol.NewError("write", w.p, nil, "", w.ctx.Err())
		}
		rep, aerr := w.c.abortUpload(w.ctx, w.conn)
		if rep.Code != 0 && w.ctx.Err() == nil {
			// The server said why the upload broke: prefer its words
			// to "broken pipe".
			w.err = replyError("write", w.p, rep)
		}
		if aerr != nil && !errors.Is(w.err, protocol.ErrTransient) {
			return errors.Join(w.err, aerr)
		}
		return w.err
	}
	if err := drain(w.ctx, w.conn, w.c.cfg.Timeout, w.c.ctl.spoke); err != nil {
		kind := protocol.ErrTransient
		if w.ctx.Err() != nil {
			kind = nil // cancelled: not for a retry
		}
		w.err = protocol.NewError("write", w.p, kind, "", err)
		_, _ = w.c.abortUpload(w.ctx, w.conn)
		return w.err
	}
	if err := closeUpload(w.conn, w.c.cfg.Timeout); err != nil {
		w.err = netError("write", w.p, err)
		_, _ = w.c.abort(w.ctx)
		w.c.release()
		return w.err
	}
	rep, err := w.c.ctl.final(context.WithoutCancel(w.ctx), "write", w.p)
	w.c.release()
	if err != nil {
		w.err = err
		return err
	}
	if rep.Code != 226 && rep.Code != 250 {
		w.err = replyError("write", w.p, rep)
	}
	return w.err
}

func (c *Client) abortUpload(ctx context.Context, conn net.Conn) (Reply, error) {
	// Reset rather than close, so the server sees an error, not an EOF.
	raw := conn
	if tc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		raw = tc.NetConn()
	}
	if tc, ok := raw.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
	rep, err := c.abort(ctx)
	c.release()
	return rep, err
}

// closeUpload ends an upload's data connection so that the server reads a
// clean end of file. Over TLS that takes care: a TLS 1.3 server sends
// session tickets on the data connection, and closing a socket with unread
// bytes makes the kernel send a reset, which vsftpd reports as "426 Failure
// reading network stream". So: close_notify, half-close, read until the
// server closes its side, then close.
func closeUpload(conn net.Conn, timeout time.Duration) error {
	tc, ok := conn.(*tls.Conn)
	if !ok {
		return conn.Close()
	}
	_ = tc.SetDeadline(time.Now().Add(timeout))
	if err := tc.CloseWrite(); err != nil {
		tc.Close()
		return err
	}
	if raw, ok := tc.NetConn().(*net.TCPConn); ok {
		_ = raw.CloseWrite()
	}
	_, _ = io.Copy(io.Discard, tc)
	return tc.Close()
}
