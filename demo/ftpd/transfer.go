package ftpd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// result is a transfer's final reply.
type result struct {
	code int
	msg  string
}

// transferFunc moves the bytes over an open data connection. It runs on its
// own goroutine and must not touch the session; it returns the final reply.
type transferFunc func(ctx context.Context, data net.Conn) result

// checkData answers the reply that refuses a transfer before any file is
// opened: no PORT/PASV, or a plain data channel where TLS is required.
func (s *session) checkData() (int, string, bool) {
	if s.srv.opts.RequireTLS && !s.protP {
		s.closeData()
		return 522, "Data connections must be encrypted.", false
	}
	if s.data == nil {
		return 425, "Use PORT or PASV first.", false
	}
	return 0, "", true
}

// transfer sends the 150 reply, makes the data connection and runs fn on a
// goroutine while it watches the control connection for ABOR. res (may be
// nil) is closed when the transfer ends.
func (s *session) transfer(opening string, res io.Closer, fn transferFunc) error {
	defer func() {
		if res != nil {
			res.Close()
		}
	}()
	if err := s.reply(150, opening); err != nil {
		s.closeData()
		return err
	}
	setup, protP := s.data, s.protP
	s.data = nil
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	done := make(chan result, 1)
	go func() {
		done <- s.runTransfer(ctx, setup, protP, fn)
	}()
	select {
	case r := <-done:
		return s.reply(r.code, r.msg)
	case l := <-s.readAsync():
		s.pending = nil
		cmd, _, _ := strings.Cut(l.line, " ")
		if l.err == nil && strings.EqualFold(cmd, "ABOR") {
			s.logf("> ABOR (during transfer)")
			cancel()
			<-done
			if err := s.reply(426, "Connection closed; transfer aborted."); err != nil {
				return err
			}
			return s.reply(226, "ABOR successful.")
		}
		if l.err != nil && !errors.Is(l.err, errLineTooLong) {
			cancel()
			<-done
			return l.err
		}
		// Any other command waits for the transfer, as RFC 959 allows.
		r := <-done
		if err := s.reply(r.code, r.msg); err != nil {
			return err
		}
		if l.err != nil {
			return s.reply(500, "Command line too long.")
		}
		return s.handle(l.line)
	}
}

func (s *session) runTransfer(ctx context.Context, setup dataSetup, protP bool, fn transferFunc) result {
	conn, err := s.openData(ctx, setup, protP)
	if err != nil {
		s.logf("data connection: %v", err)
		if errors.Is(err, errNoReuse) {
			return result{522, "SSL connection failed: session reuse required."}
		}
		return result{425, "Failed to establish connection."}
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer conn.Close()
	r := fn(ctx, &idleConn{Conn: conn, timeout: s.srv.opts.DataTimeout})
	if ctx.Err() != nil {
		return result{426, "Connection closed; transfer aborted."}
	}
	return r
}

// idleConn renews the deadline before every read and write, so a stalled
// peer ends the transfer instead of holding it forever.
type idleConn struct {
	net.Conn
	timeout time.Duration
}

func (c *idleConn) Read(p []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(p)
}

func (c *idleConn) Write(p []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(p)
}

// copyBufSize is the chunk for file transfers.
const copyBufSize = 256 << 10

func (s *session) modeName() string {
	if s.ascii {
		return "ASCII"
	}
	return "BINARY"
}

func (s *session) cmdRETR(arg string) error {
	offset := s.rest
	s.rest = 0
	if code, msg, ok := s.checkData(); !ok {
		return s.reply(code, msg)
	}
	_, rel := s.resolve(arg)
	f, err := s.srv.root.Open(rel)
	if err != nil {
		s.closeData()
		return s.replyErr(err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file: %w", rel, os.ErrNotExist)
	}
	if err == nil && offset > 0 {
		_, err = f.Seek(offset, io.SeekStart)
	}
	if err != nil {
		f.Close()
		s.closeData()
		return s.reply(550, "Failed to open file.")
	}
	ascii := s.ascii
	opening := fmt.Sprintf("Opening %s mode data connection for %s (%d bytes).", s.modeName(), arg, fi.Size())
	return s.transfer(opening, f, func(ctx context.Context, data net.Conn) result {
		var w io.Writer = data
		if ascii {
			w = &crlfWriter{w: data}
		}
		buf := make([]byte, copyBufSize)
		if _, err := copyTracked(w, f, buf, false); err != nil {
			return err.result()
		}
		if err := data.Close(); err != nil {
			return result{426, "Failure writing network stream."}
		}
		return result{226, "Transfer complete."}
	})
}

func (s *session) cmdSTOR(arg string) error { return s.store(arg, false) }
func (s *session) cmdAPPE(arg string) error { return s.store(arg, true) }

func (s *session) store(arg string, appendTo bool) error {
	offset := s.rest
	s.rest = 0
	if code, msg, ok := s.checkData(); !ok {
		return s.reply(code, msg)
	}
	_, rel := s.resolve(arg)
	flag := os.O_WRONLY | os.O_CREATE
	switch {
	case appendTo:
		flag |= os.O_APPEND
	case offset == 0:
		flag |= os.O_TRUNC
	}
	f, err := s.srv.root.OpenFile(rel, flag, 0o644)
	if err == nil && offset > 0 && !appendTo {
		_, err = f.Seek(offset, io.SeekStart)
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		s.closeData()
		s.logf("store %s: %v", rel, err)
		if code, msg := fsReply(err); code == 452 {
			return s.reply(code, msg)
		}
		return s.reply(553, "Could not create file.")
	}
	ascii := s.ascii
	opening := fmt.Sprintf("Opening %s mode data connection for %s.", s.modeName(), arg)
	return s.transfer(opening, f, func(ctx context.Context, data net.Conn) result {
		var w io.Writer = f
		var lf *lfWriter
		if ascii {
			lf = &lfWriter{w: f}
			w = lf
		}
		buf := make([]byte, copyBufSize)
		if _, err := copyTracked(w, data, buf, true); err != nil {
			return err.result()
		}
		if lf != nil {
			if err := lf.Flush(); err != nil {
				return (&copyError{write: true, err: err, file: true}).result()
			}
		}
		if err := f.Close(); err != nil {
			return (&copyError{write: true, err: err, file: true}).result()
		}
		return result{226, "Transfer complete."}
	})
}

// copyError says which side of a copy failed, so the reply can blame the
// network (426) or the disk (451/452).
type copyError struct {
	write bool // the write side failed
	file  bool // the failing side is the file
	err   error
}

func (e *copyError) Error() string { return e.err.Error() }

func (e *copyError) result() result {
	if e.file {
		code, msg := fsReply(e.err)
		return result{code, msg}
	}
	if e.write {
		return result{426, "Failure writing network stream."}
	}
	return result{426, "Failure reading network stream."}
}

// copyTracked copies src to dst; fileIsDst tells which side is the file.
func copyTracked(dst io.Writer, src io.Reader, buf []byte, fileIsDst bool) (int64, *copyError) {
	var n int64
	for {
		nr, rerr := src.Read(buf)
		if nr > 0 {
			nw, werr := dst.Write(buf[:nr])
			n += int64(nw)
			if werr == nil && nw != nr {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return n, &copyError{write: true, file: fileIsDst, err: werr}
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, &copyError{file: !fileIsDst, err: rerr}
		}
	}
}
