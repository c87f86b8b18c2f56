package ftp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// ctrl is the control connection: one command, one reply, in order. It owns
// the deadlines: every exchange is bounded by the configured timeout and by
// the caller's context, so a silent server yields an error, never a hang.
// Once an exchange fails midway the connection is out of step with the
// server and is marked broken; later calls fail fast with ErrTransient.
type ctrl struct {
	conn    net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	log     protocol.LogFunc
	timeout time.Duration
	cs      charset
	broken  error
	last    time.Time // last exchange, for the idle keepalive
}

func newCtrl(conn net.Conn, log protocol.LogFunc, timeout time.Duration, cs charset) *ctrl {
	c := &ctrl{log: log, timeout: timeout, cs: cs, last: time.Now()}
	c.setConn(conn)
	return c
}

// setConn replaces the transport, as AUTH TLS does.
func (c *ctrl) setConn(conn net.Conn) {
	c.conn = conn
	c.r = bufio.NewReaderSize(conn, maxLineLen)
	c.w = bufio.NewWriterSize(conn, 1024)
}

func (c *ctrl) logf(format string, args ...any) {
	if c.log != nil {
		c.log(fmt.Sprintf(format, args...))
	}
}

// guard sets the deadline for one exchange and arranges for ctx's
// cancellation to interrupt it. The returned stop must be called.
func (c *ctrl) guard(ctx context.Context) (stop func()) {
	dl := time.Now().Add(c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(dl) {
		dl = d
	}
	_ = c.conn.SetDeadline(dl)
	unhook := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Unix(1, 0)) })
	return func() { unhook() }
}

// fail records a transport failure and returns it mapped for op.
func (c *ctrl) fail(ctx context.Context, op, p string, err error) error {
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (%v)", ctx.Err(), err)
	} else if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		// The connection's deadline is the context's: it may fire a
		// moment before the context itself reports it.
		err = fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
	}
	mapped := netError(op, p, err)
	if c.broken == nil {
		c.broken = mapped
	}
	return mapped
}

// checkLine refuses CR, LF and NUL in anything sent on the control
// connection: a name holding "\r\nDELE x" must not become a second command.
func checkLine(s string) error {
	if strings.ContainsAny(s, "\r\n\x00") {
		return errors.New("name contains a line break or NUL")
	}
	return nil
}

// send writes one command. The log shows PASS masked.
func (c *ctrl) send(ctx context.Context, op, p, cmd string) error {
	if c.broken != nil {
		return c.broken
	}
	if err := checkLine(cmd); err != nil {
		return protocol.NewError(op, p, protocol.ErrPermission, "", err)
	}
	if strings.HasPrefix(cmd, "PASS ") {
		c.logf("> PASS ****")
	} else if strings.HasPrefix(cmd, "ACCT ") {
		c.logf("> ACCT ****")
	} else {
		c.logf("> %s", c.cs.decode(cmd))
	}
	stop := c.guard(ctx)
	defer stop()
	c.w.WriteString(cmd)
	c.w.WriteString("\r\n")
	if err := c.w.Flush(); err != nil {
		return c.fail(ctx, op, p, err)
	}
	c.last = time.Now()
	return nil
}

// read reads one reply. A 421 means the server is closing the session, so
// the connection is marked broken after it.
func (c *ctrl) read(ctx context.Context, op, p string) (Reply, error) {
	if c.broken != nil {
		return Reply{}, c.broken
	}
	stop := c.guard(ctx)
	defer stop()
	rep, err := readReply(c.r)
	if err != nil {
		return Reply{}, c.fail(ctx, op, p, err)
	}
	for i, l := range rep.Lines {
		rep.Lines[i] = c.cs.decode(l)
	}
	if len(rep.Lines) == 1 {
		c.logf("< %d %s", rep.Code, rep.Lines[0])
	} else {
		for i, l := range rep.Lines {
			switch i {
			case 0:
				c.logf("< %d-%s", rep.Code, l)
			case len(rep.Lines) - 1:
				c.logf("< %d %s", rep.Code, l)
			default:
				c.logf("< %s", l)
			}
		}
	}
	c.last = time.Now()
	if rep.Code == 421 {
		c.broken = replyError(op, p, rep)
	}
	return rep, nil
}

// final reads the next reply that is not preliminary.
func (c *ctrl) final(ctx context.Context, op, p string) (Reply, error) {
	for {
		rep, err := c.read(ctx, op, p)
		if err != nil || rep.Class() != 1 {
			return rep, err
		}
	}
}

// cmd sends a command and reads its final reply, skipping preliminary 1xx
// replies that some servers send even for simple commands.
func (c *ctrl) cmd(ctx context.Context, op, p, cmd string) (Reply, error) {
	if err := c.send(ctx, op, p, cmd); err != nil {
		return Reply{}, err
	}
	return c.final(ctx, op, p)
}

// expect runs cmd and turns any reply but one of codes into an error.
func (c *ctrl) expect(ctx context.Context, op, p, cmd string, codes ...int) (Reply, error) {
	rep, err := c.cmd(ctx, op, p, cmd)
	if err != nil {
		return rep, err
	}
	for _, code := range codes {
		if rep.Code == code {
			return rep, nil
		}
	}
	return rep, replyError(op, p, rep)
}

// pathArg encodes a path for the wire, refusing what cannot be sent.
func (c *ctrl) pathArg(op, p string) (string, error) {
	if err := checkLine(p); err != nil {
		return "", protocol.NewError(op, p, protocol.ErrPermission, "", err)
	}
	s, err := c.cs.encode(p)
	if err != nil {
		return "", protocol.NewError(op, p, protocol.ErrUnsupported, "", err)
	}
	return s, nil
}
