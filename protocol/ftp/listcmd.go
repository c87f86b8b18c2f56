package ftp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// maxListLine bounds one listing line; a longer one is a broken server.
const maxListLine = 64 << 10

// List returns dir's entries, by MLSD where the server offers it, else by
// LIST. Entries the server names unsafely come back with only Raw set (see
// lister).
func (c *Client) List(ctx context.Context, dir string) ([]protocol.Entry, error) {
	if err := c.begin("list", dir); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	return c.list(ctx, c.abs(dir))
}

func (c *Client) list(ctx context.Context, dir string) ([]protocol.Entry, error) {
	arg, err := c.ctl.pathArg("list", dir)
	if err != nil {
		return nil, err
	}
	mlsd := c.has("MLST")
	entered := false
	if !mlsd && listArgUnsafe(dir) {
		// The directory is entered and listed by a bare LIST instead.
		// Every path ferry sends is absolute, so the working directory
		// this leaves behind changes nothing.
		rep, err := c.ctl.cmd(ctx, "list", dir, "CWD "+arg)
		if err != nil {
			return nil, err
		}
		if rep.Class() != 2 {
			return nil, replyError("list", dir, rep)
		}
		arg, entered = "", true
	}
	cmd := strings.TrimSpace("LIST " + arg)
	listA := false
	switch {
	case mlsd:
		cmd = "MLSD " + arg
	case !c.noListA && strings.HasPrefix(strings.ToUpper(c.syst), "UNIX"):
		// Unix servers hide dot files from a bare LIST (vsftpd unless
		// force_dot_files); "-a" shows them. A server that takes "-a" for
		// a name gets a plain LIST on the retry.
		cmd, listA = strings.TrimSpace("LIST -a "+arg), true
	}
	conn, rep, err := c.startTransfer(ctx, "list", dir, cmd, 0)
	if err != nil {
		var pe *protocol.Error
		if errors.As(err, &pe) && strings.Contains(strings.ToLower(pe.Server), "no files") {
			return nil, nil // "550 No files found": an empty directory on IIS and others
		}
		if listA && rep.Class() == 5 && c.ctl.broken == nil {
			c.noListA = true
			entries, err := c.list(ctx, dir)
			if err != nil {
				c.noListA = false // the directory itself was the problem
			}
			return entries, err
		}
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	l := &lister{mlsd: mlsd, now: time.Now(), log: c.ctl.logf}
	br := bufio.NewReaderSize(&deadlineReader{ctx: ctx, conn: conn, timeout: c.cfg.Timeout}, maxListLine)
	var rerr error
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			rerr = protocol.NewError("list", dir, protocol.ErrProtocol, "", fmt.Errorf("listing line longer than %d bytes", maxListLine))
			break
		}
		if len(line) > 0 {
			s := strings.TrimRight(string(line), "\r\n")
			l.line(c.ctl.cs.decode(s))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			rerr = netError("list", dir, err)
			break
		}
	}
	stop()
	conn.Close()
	if rerr != nil {
		_, _ = c.abort(ctx)
		return nil, rerr
	}
	rep, err = c.ctl.final(context.WithoutCancel(ctx), "list", dir)
	if err != nil {
		return nil, err
	}
	if rep.Code != 226 && rep.Code != 250 {
		return nil, replyError("list", dir, rep)
	}
	if !mlsd && !entered && onlyRaw(l.out) {
		// Servers that run ls for LIST (inetutils' ftpd) answer 226 for a
		// directory that does not exist and send ls's complaint as the
		// listing; CWD tells a missing directory from a strange listing.
		crep, err := c.ctl.cmd(ctx, "list", dir, "CWD "+arg)
		if err != nil {
			return nil, err
		}
		if crep.Class() == 5 {
			return nil, replyError("list", dir, crep)
		}
	}
	return l.out, nil
}

// onlyRaw reports whether a listing has lines but none understood.
func onlyRaw(entries []protocol.Entry) bool {
	for _, e := range entries {
		if e.Name != "" {
			return false
		}
	}
	return len(entries) > 0
}

// listArgUnsafe reports whether a directory may not reach the server
// intact as LIST's argument. RFC 959 leaves that argument to the server,
// and many hand it to ls or to a glob of their own: inetutils' ftpd
// splits it at blanks ("LIST /a b" lists "/a" and "b"), vsftpd and
// others expand * ? [ ] { } and ~ in it. MLSD's argument is a pathname
// (RFC 3659), so this matters only for LIST.
func listArgUnsafe(dir string) bool {
	return strings.ContainsAny(dir, " \t*?[]{}~")
}

// deadlineReader refreshes the read deadline before every read, so a data
// connection that goes silent fails after the timeout however long the
// transfer has run.
type deadlineReader struct {
	ctx  context.Context
	conn interface {
		Read([]byte) (int, error)
		SetReadDeadline(time.Time) error
	}
	timeout time.Duration
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	if err := d.ctx.Err(); err != nil {
		return 0, err
	}
	_ = d.conn.SetReadDeadline(time.Now().Add(d.timeout))
	return d.conn.Read(p)
}
