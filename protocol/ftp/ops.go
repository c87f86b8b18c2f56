package ftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

var errClosed = errors.New("connection closed")

// begin takes the control connection for one call. The caller must
// c.mu.Unlock when done.
func (c *Client) begin(op, p string) error {
	c.mu.Lock()
	switch {
	case c.closed:
		c.mu.Unlock()
		return protocol.NewError(op, p, nil, "", errClosed)
	case c.busy:
		c.mu.Unlock()
		return protocol.NewError(op, p, protocol.ErrTransient, "", errors.New("a transfer is in progress on this connection"))
	case c.ctl.broken != nil:
		c.mu.Unlock()
		return c.ctl.broken
	}
	return nil
}

func (c *Client) abs(p string) string { return protocol.Resolve(c.home, p) }

// Home is the login directory as PWD reported it.
func (c *Client) Home(context.Context) (string, error) { return c.home, nil }

// Stat describes p: with MLST where offered, else by SIZE/MDTM and CWD,
// else by listing the parent.
func (c *Client) Stat(ctx context.Context, p string) (protocol.Entry, error) {
	if err := c.begin("stat", p); err != nil {
		return protocol.Entry{}, err
	}
	defer c.mu.Unlock()
	return c.stat(ctx, c.abs(p))
}

func (c *Client) stat(ctx context.Context, p string) (protocol.Entry, error) {
	arg, err := c.ctl.pathArg("stat", p)
	if err != nil {
		return protocol.Entry{}, err
	}
	if c.has("MLST") {
		rep, err := c.ctl.cmd(ctx, "stat", p, "MLST "+arg)
		if err != nil {
			return protocol.Entry{}, err
		}
		if rep.Code != 250 {
			return protocol.Entry{}, replyError("stat", p, rep)
		}
		for _, l := range rep.Lines[1:] {
			if e, _, ok := parseMLSx(strings.TrimPrefix(l, " ")); ok {
				e.Name = path.Base(p)
				return e, nil
			}
		}
		return protocol.Entry{}, protocol.NewError("stat", p, protocol.ErrProtocol, rep.Text(), errors.New("MLST reply without facts"))
	}
	if p == "/" {
		return protocol.Entry{Name: "/", Mode: fs.ModeDir | 0o755}, nil
	}
	if c.has("SIZE") {
		if err := c.setType(ctx, 'I'); err != nil {
			return protocol.Entry{}, err
		}
		rep, err := c.ctl.cmd(ctx, "stat", p, "SIZE "+arg)
		if err != nil {
			return protocol.Entry{}, err
		}
		if rep.Code == 213 {
			n, err := sizeOf("stat", p, rep)
			if err != nil {
				return protocol.Entry{}, err
			}
			e := protocol.Entry{Name: path.Base(p), Size: n, Mode: 0o644}
			e.ModTime, _ = c.mdtm(ctx, p, arg)
			return e, nil
		}
		if rep.Code != 550 {
			return protocol.Entry{}, replyError("stat", p, rep)
		}
		// 550 for SIZE: a directory, or nothing at all.
		crep, err := c.ctl.cmd(ctx, "stat", p, "CWD "+arg)
		if err != nil {
			return protocol.Entry{}, err
		}
		if crep.Code == 250 {
			return protocol.Entry{Name: path.Base(p), Mode: fs.ModeDir | 0o755}, nil
		}
		return protocol.Entry{}, protocol.NewError("stat", p, protocol.ErrNotExist, rep.Text(), nil)
	}
	entries, err := c.list(ctx, path.Dir(p))
	if err != nil {
		return protocol.Entry{}, err
	}
	for _, e := range entries {
		if e.Name == path.Base(p) {
			return e, nil
		}
	}
	return protocol.Entry{}, protocol.NewError("stat", p, protocol.ErrNotExist, "", nil)
}

// Size is the size of file p (protocol.Sizer): SIZE alone where Stat
// would ask MDTM too; MLST where offered, as Stat does.
func (c *Client) Size(ctx context.Context, p string) (int64, error) {
	if err := c.begin("size", p); err != nil {
		return 0, err
	}
	defer c.mu.Unlock()
	p = c.abs(p)
	if c.has("MLST") || !c.has("SIZE") {
		e, err := c.stat(ctx, p)
		if err == nil && e.IsDir() {
			err = protocol.NewError("size", p, nil, "", errors.New("is a directory"))
		}
		return e.Size, err
	}
	arg, err := c.ctl.pathArg("size", p)
	if err != nil {
		return 0, err
	}
	if err := c.setType(ctx, 'I'); err != nil {
		return 0, err
	}
	rep, err := c.ctl.cmd(ctx, "size", p, "SIZE "+arg)
	if err != nil {
		return 0, err
	}
	if rep.Code != 213 {
		return 0, replyError("size", p, rep)
	}
	return sizeOf("size", p, rep)
}

// sizeOf reads a 213 reply to SIZE.
func sizeOf(op, p string, rep Reply) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(rep.Message()), 10, 64)
	if err != nil || n < 0 {
		return 0, protocol.NewError(op, p, protocol.ErrProtocol, rep.Text(), err)
	}
	return n, nil
}

func (c *Client) mdtm(ctx context.Context, p, arg string) (time.Time, error) {
	if !c.has("MDTM") {
		return time.Time{}, nil
	}
	rep, err := c.ctl.cmd(ctx, "stat", p, "MDTM "+arg)
	if err != nil || rep.Code != 213 {
		return time.Time{}, err
	}
	t, _ := parseMLSTime(strings.TrimSpace(rep.Message()))
	return t, nil
}

// Mkdir creates p; ErrExist when something is there already.
func (c *Client) Mkdir(ctx context.Context, p string) error {
	if err := c.begin("mkdir", p); err != nil {
		return err
	}
	defer c.mu.Unlock()
	ap := c.abs(p)
	arg, err := c.ctl.pathArg("mkdir", ap)
	if err != nil {
		return err
	}
	rep, err := c.ctl.cmd(ctx, "mkdir", ap, "MKD "+arg)
	if err != nil || rep.Code == 257 || rep.Code == 250 {
		return err
	}
	// Servers word "exists" many ways; ask instead of guessing.
	if rep.Class() == 5 {
		if _, serr := c.stat(ctx, ap); serr == nil {
			return protocol.NewError("mkdir", ap, protocol.ErrExist, rep.Text(), nil)
		}
	}
	return replyError("mkdir", ap, rep)
}

// Remove deletes a file (DELE).
func (c *Client) Remove(ctx context.Context, p string) error {
	return c.simple(ctx, "remove", p, "DELE", 250, 200)
}

// RemoveDir deletes an empty directory (RMD).
func (c *Client) RemoveDir(ctx context.Context, p string) error {
	return c.simple(ctx, "rmdir", p, "RMD", 250, 200)
}

func (c *Client) simple(ctx context.Context, op, p, verb string, codes ...int) error {
	if err := c.begin(op, p); err != nil {
		return err
	}
	defer c.mu.Unlock()
	ap := c.abs(p)
	arg, err := c.ctl.pathArg(op, ap)
	if err != nil {
		return err
	}
	rep, err := c.ctl.cmd(ctx, op, ap, verb+" "+arg)
	if err != nil {
		return err
	}
	for _, code := range codes {
		if rep.Code == code {
			return nil
		}
	}
	kind := replyKind(op, rep)
	if rep.Code == 550 && op == "rmdir" && kind != protocol.ErrNotEmpty {
		// "Remove directory operation failed" says nothing: look.
		if _, serr := c.stat(ctx, ap); errors.Is(serr, protocol.ErrNotExist) {
			kind = protocol.ErrNotExist
		} else if serr == nil {
			kind = protocol.ErrNotEmpty
		}
	}
	return protocol.NewError(op, ap, kind, rep.Text(), nil)
}

// Rename moves from to to (RNFR, RNTO).
func (c *Client) Rename(ctx context.Context, from, to string) error {
	if err := c.begin("rename", from); err != nil {
		return err
	}
	defer c.mu.Unlock()
	af, at := c.abs(from), c.abs(to)
	a1, err := c.ctl.pathArg("rename", af)
	if err != nil {
		return err
	}
	a2, err := c.ctl.pathArg("rename", at)
	if err != nil {
		return err
	}
	if _, err := c.ctl.expect(ctx, "rename", af, "RNFR "+a1, 350); err != nil {
		return err
	}
	_, err = c.ctl.expect(ctx, "rename", at, "RNTO "+a2, 250, 200)
	return err
}

// Chtimes sets the modification time with MFMT, or with the two-argument
// MDTM that vsftpd and some others accept instead.
func (c *Client) Chtimes(ctx context.Context, p string, mtime time.Time) error {
	if err := c.begin("chtimes", p); err != nil {
		return err
	}
	defer c.mu.Unlock()
	ap := c.abs(p)
	arg, err := c.ctl.pathArg("chtimes", ap)
	if err != nil {
		return err
	}
	ts := mtime.UTC().Format("20060102150405")
	verb := "MFMT"
	if !c.has("MFMT") {
		verb = "MDTM"
	}
	rep, err := c.ctl.cmd(ctx, "chtimes", ap, verb+" "+ts+" "+arg)
	if err != nil {
		return err
	}
	if rep.Code == 213 || rep.Code == 253 || rep.Code == 250 || rep.Code == 200 {
		return nil
	}
	if verb == "MDTM" && rep.Class() == 5 {
		return protocol.NewError("chtimes", ap, protocol.ErrUnsupported, rep.Text(), nil)
	}
	return replyError("chtimes", ap, rep)
}

var _ protocol.Chmoder = (*Client)(nil)

// Chmod sets permission bits with SITE CHMOD. A server that does not know
// the command answers 500 or 502, which wraps ErrUnsupported with its words.
func (c *Client) Chmod(ctx context.Context, p string, mode fs.FileMode) error {
	if err := c.begin("chmod", p); err != nil {
		return err
	}
	defer c.mu.Unlock()
	ap := c.abs(p)
	arg, err := c.ctl.pathArg("chmod", ap)
	if err != nil {
		return err
	}
	bits := uint32(mode.Perm())
	if mode&fs.ModeSetuid != 0 {
		bits |= 0o4000
	}
	if mode&fs.ModeSetgid != 0 {
		bits |= 0o2000
	}
	if mode&fs.ModeSticky != 0 {
		bits |= 0o1000
	}
	rep, err := c.ctl.cmd(ctx, "chmod", ap, fmt.Sprintf("SITE CHMOD %04o %s", bits, arg))
	if err != nil {
		return err
	}
	if rep.Code == 200 || rep.Code == 250 {
		return nil
	}
	return replyError("chmod", ap, rep)
}

// Close ends the session politely (QUIT) when the connection is in step,
// and closes it.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.quit)
	if !c.busy && c.ctl.broken == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, _ = c.ctl.cmd(ctx, "quit", "", "QUIT")
		cancel()
	}
	_ = c.ctl.conn.Close() // the server may have closed first after QUIT
	c.mu.Unlock()
	<-c.done
	return nil
}

// keepalive sends NOOP when the connection has been idle for IdleNoop, so
// servers and NAT boxes do not drop a browsing session.
func (c *Client) keepalive() {
	defer close(c.done)
	if c.cfg.IdleNoop < 0 {
		<-c.quit
		return
	}
	tick := c.cfg.IdleNoop / 4
	if tick < 10*time.Millisecond {
		tick = 10 * time.Millisecond
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
		}
		c.mu.Lock()
		if !c.closed && !c.busy && c.ctl.broken == nil && time.Since(c.ctl.last) >= c.cfg.IdleNoop {
			ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
			_, _ = c.ctl.cmd(ctx, "noop", "", "NOOP")
			cancel()
		}
		c.mu.Unlock()
	}
}

// setType sends TYPE when it differs from the last one sent.
func (c *Client) setType(ctx context.Context, t byte) error {
	if c.curType == t {
		return nil
	}
	if _, err := c.ctl.expect(ctx, "type", "", "TYPE "+string(t), 200); err != nil {
		return err
	}
	c.curType = t
	return nil
}

// SetTransferType chooses ASCII or binary for the following Open or Create.
func (c *Client) SetTransferType(t protocol.TransferType) {
	c.mu.Lock()
	c.xfer, c.xferSet = t, true
	c.mu.Unlock()
}
