package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"path"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// Client is one SSH connection with one SFTP session.
type Client struct {
	cfg      Config
	conn     *ssh.Client
	hops     []*ssh.Client
	sc       *sftp.Client
	home     string
	security string
	posix    bool // posix-rename@openssh.com: rename replaces the target
	// linkFirst: SYMLINK takes the link's path first (symlinkLinkFirst).
	linkFirst bool
	// writeRequests is how many write requests an upload keeps in flight.
	writeRequests int
	// packets holds maxPacket buffers for bulk streams and small-file
	// reads, which would otherwise allocate (and fault in) one per file;
	// tiny holds tinyRead buffers for the files that fit one, most of a
	// source tree, so that they do not take (and, after a collection,
	// allocate) a whole packet's worth.
	packets sync.Pool
	tiny    sync.Pool
	late    lateCloser
	// bulkOK says big downloads may stream on a channel of their own;
	// bulkIdle keeps one such channel between files.
	bulkOK   atomic.Bool
	bulkMu   sync.Mutex
	bulkIdle *bulkConn
	// low is the socket's receive low-water mark, which bulk streams
	// raise; nil where it cannot be set.
	low *lowWater
	// owners names the numeric ids of listings (owners.go).
	owners owners

	// replies counts the main channel's requests and replies, for the
	// keepalive to notice a hung SFTP server.
	replies *replyWatch
	// silent says why the keepalive dropped the connection, if it did.
	silent atomic.Pointer[string]

	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

var (
	_ protocol.Client      = (*Client)(nil)
	_ protocol.Chtimeser   = (*Client)(nil)
	_ protocol.Chmoder     = (*Client)(nil)
	_ protocol.RangeReader = (*Client)(nil)
	_ protocol.Symlinker   = (*Client)(nil)
	_ protocol.Describer   = (*Client)(nil)
	_ protocol.SizedOpener = (*Client)(nil)
	_ protocol.Multiplexer = (*Client)(nil)
)

// streams is how many transfers share one session. Small files are bound
// by round trips, not bandwidth: many in flight on one session keep the
// server busy with batched requests, where a session each would pay a key
// exchange apiece and wake the server once per request. (Measured on
// loopback with OpenSSH: 2,000 small files took half the time on one
// session with 8-16 in flight as on four sessions with one each.) 24 is
// room for the 16 small files the engine runs by default plus its
// directory walk, so such a copy needs one session.
const streams = 24

// Streams says how many transfers the engine may run on this session.
func (c *Client) Streams() int { return streams }

func newClient(ctx context.Context, cfg Config, conn *ssh.Client, link *bufferedConn, hops []*ssh.Client, timeout time.Duration) (*Client, error) {
	raw := link.Conn
	// Starting the subsystem is a round trip too: a server that goes
	// silent here must not hang us.
	wd := newWatchdog(ctx, raw, timeout)
	sc, replies, err := startSFTP(conn)
	var home string
	var rtt time.Duration
	if err == nil {
		start := time.Now()
		home, err = sc.RealPath(".")
		rtt = time.Since(start)
		if err != nil {
			sc.Close()
		}
	}
	expired := wd.stop()
	if err != nil {
		if expired {
			return nil, protocol.NewError("start sftp", "", protocol.ErrTransient,
				fmt.Sprintf("no SFTP reply within %s", timeout), err)
		}
		return nil, mapErr("start sftp", "", err)
	}
	c := &Client{cfg: cfg, conn: conn, hops: hops, sc: sc, home: home, done: make(chan struct{}), replies: replies,
		writeRequests: writeRequests(rtt), low: newLowWater(raw)}
	c.packets.New = func() any { b := make([]byte, maxPacket); return &b }
	c.tiny.New = func() any { b := make([]byte, tinyRead); return &b }
	c.bulkOK.Store(true)
	_, c.posix = sc.HasExtension("posix-rename@openssh.com")
	c.linkFirst = symlinkLinkFirst(sc)
	c.security = describe(conn)
	cfg.logf("* " + c.security + ", home " + home)
	go c.keepAlive(cfg.keepAlive(), max(cfg.keepAliveMax, 1), link.heard)
	return c, nil
}

// writeRequests sizes an upload's queue to the bandwidth-delay product of
// a fast link (about 100 MB/s) at the measured round trip, with at least
// two requests so the server never waits for us. A deeper queue does not
// help a link that is already full, and it hurts when the server is the
// bottleneck: OpenSSH's sshd spends CPU in proportion to the unprocessed
// data it buffers, and with 2 MiB in flight on loopback it burned five
// times the CPU it needs with 512 KiB.
func writeRequests(rtt time.Duration) int {
	n := int(rtt.Seconds()*100e6/maxPacket) + 1
	return min(max(n, 2), maxRequests)
}

func describe(conn *ssh.Client) string {
	s := "SFTP"
	if a, ok := conn.Conn.(interface {
		Algorithms() ssh.NegotiatedAlgorithms
	}); ok {
		alg := a.Algorithms()
		s += " · " + alg.HostKey + " · " + alg.Write.Cipher
	}
	return s
}

// keepAlive drops the connection once nothing has come from the server
// for every × (count+1), so a dead link or a hung server fails instead of
// hanging: after every of silence it asks for a reply
// (keepalive@openssh.com), which then has every × count to come, as
// OpenSSH's ServerAliveInterval and ServerAliveCountMax have it. It counts
// silence, not unanswered requests, as OpenSSH does too: any byte from the
// server proves it is there, and on a slow link the reply waits behind
// the data already on its way (a channel window's worth takes minutes at
// 20 kB/s), which must not look like a dead server.
//
// A connection that answers keepalives while its SFTP server hangs is
// dropped after the same time with requests waiting and no reply coming
// (see replyWatch), counted only while the connection brings nothing
// else: a reply may wait behind another channel's data on a slow link.
func (c *Client) keepAlive(every time.Duration, count int, heard func() (time.Time, int64)) {
	// At most a second between looks, so that "60 s" means about that,
	// not up to a quarter interval more.
	tick := min(max(every/4, time.Millisecond), time.Second)
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	var pending chan error // a request not yet answered
	limit := every * time.Duration(count+1)
	var hung time.Duration // how long requests have waited with nothing coming
	_, lastBytes := heard()
	var lastGot int64
	for {
		select {
		case <-c.done:
			return
		case err := <-pending:
			pending = nil
			if err != nil {
				c.cfg.logf("* keepalive failed: " + err.Error())
				c.abort()
				return
			}
			continue
		case <-ticker.C:
		}
		at, bytes := heard()
		waiting, got := c.replies.waiting()
		// A keepalive's reply is some 50 bytes; anything more is data.
		if waiting > 0 && got == lastGot && bytes-lastBytes < 1024 {
			hung += tick
		} else {
			hung = 0
		}
		lastBytes, lastGot = bytes, got
		silent := time.Since(at)
		switch {
		case silent >= limit || hung >= limit:
			// Nothing at all is a dead link or server; keepalive replies
			// alone are a hung SFTP server.
			if silent >= hung {
				c.dropSilent(fmt.Sprintf("no data from the server for %s (keepalive)", roundWait(silent)))
			} else {
				c.dropSilent(fmt.Sprintf("no reply from the SFTP server for %s, requests unanswered: %d", roundWait(hung), waiting))
			}
			return
		case silent >= every && pending == nil:
			pending = make(chan error, 1)
			go func(res chan<- error) {
				_, _, err := c.conn.SendRequest("keepalive@openssh.com", true, nil)
				res <- err
			}(pending)
		}
	}
}

// roundWait rounds a wait for a message: to seconds, or below a second
// (as in tests) to milliseconds.
func roundWait(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

// dropSilent drops a connection the keepalive found silent, keeping why:
// the calls it fails would otherwise say only "connection lost".
func (c *Client) dropSilent(why string) {
	c.cfg.logf("* " + why + ", closing the connection")
	c.silent.Store(&why)
	c.abort()
}

// explain adds to a transient failure why the keepalive dropped the
// connection, when it did.
func (c *Client) explain(err error) error {
	why := c.silent.Load()
	var pe *protocol.Error
	if why == nil || !errors.As(err, &pe) || !errors.Is(err, protocol.ErrTransient) {
		return err
	}
	e := *pe
	if e.Server != "" {
		// pkg/sftp's own "connection lost", shown as the server's words.
		e.Server = *why + ": " + e.Server
	} else {
		e.Err = fmt.Errorf("%s: %w", *why, pe.Err)
	}
	return &e
}

// abort drops the connection; calls in progress fail with ErrTransient.
func (c *Client) abort() {
	c.conn.Close()
	for _, h := range c.hops {
		h.Close()
	}
}

// Close ends the session and the connection (and any jump hosts).
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		close(c.done)
		c.dropBulk()
		// The connection first: pkg/sftp's Close waits for its reader,
		// which a stalled server would otherwise keep waiting for ever.
		err := c.conn.Close()
		c.sc.Close()
		for i := len(c.hops) - 1; i >= 0; i-- {
			c.hops[i].Close()
		}
		if err != nil && !errors.Is(err, net.ErrClosed) {
			c.closeErr = err
		}
	})
	return c.closeErr
}

// Security names the protocol, host key algorithm and cipher.
func (c *Client) Security() string { return c.security }

// Encrypted is always true for SFTP.
func (c *Client) Encrypted() bool { return true }

// abs resolves p against the home directory.
func (c *Client) abs(p string) string { return protocol.Resolve(c.home, p) }

// do runs a request and returns early when ctx ends; pkg/sftp calls take
// no context, and a late reply is simply dropped.
func do[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	if ctx.Done() == nil {
		return fn()
	}
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

func (c *Client) logOp(op, p string) { c.cfg.logf("> " + op + " " + p) }

// Home is the directory the server starts the session in.
func (c *Client) Home(ctx context.Context) (string, error) { return c.home, nil }

// List returns the entries of dir with symlink targets filled in.
func (c *Client) List(ctx context.Context, dir string) ([]protocol.Entry, error) {
	p := c.abs(dir)
	c.logOp("list", p)
	c.warmOwners()
	// ReadDirContext stops its reads when ctx ends but then closes the
	// handle without it, which on a hung server waits for ever: do
	// returns at the cancel, and the close ends with the connection.
	infos, err := do(ctx, func() ([]fs.FileInfo, error) { return c.sc.ReadDirContext(ctx, p) })
	if err != nil {
		return nil, c.explain(mapErr("list", p, err))
	}
	out := make([]protocol.Entry, 0, len(infos))
	for _, fi := range infos {
		if fi.Name() == "." || fi.Name() == ".." {
			continue
		}
		e := entry(fi)
		if e.IsLink() {
			if t, err := do(ctx, func() (string, error) { return c.sc.ReadLink(path.Join(p, fi.Name())) }); err == nil {
				e.Target = t
			}
		}
		out = append(out, e)
	}
	c.nameOwners(ctx, out)
	return out, nil
}

func entry(fi fs.FileInfo) protocol.Entry {
	e := protocol.Entry{Name: fi.Name(), Size: fi.Size(), Mode: fi.Mode(), ModTime: fi.ModTime()}
	if st, ok := fi.Sys().(*sftp.FileStat); ok && st != nil {
		// SFTP version 3 carries numeric IDs; the names are only in
		// the listing's longname, whose format no server promises.
		// nameOwners puts names in where the server gives them.
		e.Owner, e.Group = strconv.FormatUint(uint64(st.UID), 10), strconv.FormatUint(uint64(st.GID), 10)
	}
	if fi.IsDir() {
		e.Size = 0
	}
	return e
}

// Stat describes p, following symlinks; a dangling link is described
// itself.
func (c *Client) Stat(ctx context.Context, p string) (protocol.Entry, error) {
	p = c.abs(p)
	c.logOp("stat", p)
	fi, err := do(ctx, func() (fs.FileInfo, error) { return c.sc.Stat(p) })
	if errors.Is(err, fs.ErrNotExist) {
		if lfi, lerr := do(ctx, func() (fs.FileInfo, error) { return c.sc.Lstat(p) }); lerr == nil {
			fi, err = lfi, nil
		}
	}
	if err != nil {
		return protocol.Entry{}, c.explain(mapErr("stat", p, err))
	}
	es := []protocol.Entry{entry(fi)}
	c.nameOwners(ctx, es)
	es[0].Name = path.Base(p)
	return es[0], nil
}

// Mkdir creates one directory. OpenSSH reports an existing one as a bare
// "Failure", so a failure is checked with a stat to tell ErrExist apart.
func (c *Client) Mkdir(ctx context.Context, p string) error {
	p = c.abs(p)
	c.logOp("mkdir", p)
	_, err := do(ctx, func() (struct{}, error) { return struct{}{}, c.sc.Mkdir(p) })
	if err == nil {
		return nil
	}
	mapped := mapErr("mkdir", p, err)
	var pe *protocol.Error
	if errors.As(mapped, &pe) && pe.Kind == nil && ctx.Err() == nil {
		if _, serr := do(ctx, func() (fs.FileInfo, error) { return c.sc.Lstat(p) }); serr == nil {
			pe.Kind = protocol.ErrExist
		}
	}
	return mapped
}

// Remove deletes a file or link.
func (c *Client) Remove(ctx context.Context, p string) error {
	p = c.abs(p)
	c.logOp("remove", p)
	if err := c.late.wait(ctx); err != nil {
		return err
	}
	_, err := do(ctx, func() (struct{}, error) { return struct{}{}, c.sc.Remove(p) })
	return mapErr("remove", p, err)
}

// RemoveDir deletes an empty directory. A bare failure on a directory
// that still has entries becomes ErrNotEmpty.
func (c *Client) RemoveDir(ctx context.Context, p string) error {
	p = c.abs(p)
	c.logOp("rmdir", p)
	if err := c.late.wait(ctx); err != nil {
		return err
	}
	_, err := do(ctx, func() (struct{}, error) { return struct{}{}, c.sc.RemoveDirectory(p) })
	if err == nil {
		return nil
	}
	mapped := mapErr("rmdir", p, err)
	var pe *protocol.Error
	if errors.As(mapped, &pe) && pe.Kind == nil && ctx.Err() == nil {
		if infos, lerr := c.sc.ReadDirContext(ctx, p); lerr == nil && len(infos) > 0 {
			pe.Kind = protocol.ErrNotEmpty
		}
	}
	return mapped
}

// Rename moves from to to, replacing to where the server can do that
// atomically (posix-rename@openssh.com).
func (c *Client) Rename(ctx context.Context, from, to string) error {
	from, to = c.abs(from), c.abs(to)
	c.logOp("rename", from+" -> "+to)
	if err := c.late.wait(ctx); err != nil {
		return err
	}
	_, err := do(ctx, func() (struct{}, error) {
		if c.posix {
			return struct{}{}, c.sc.PosixRename(from, to)
		}
		return struct{}{}, c.sc.Rename(from, to)
	})
	return mapErr("rename", from, err)
}

// Chtimes sets the modification (and access) time.
func (c *Client) Chtimes(ctx context.Context, p string, mtime time.Time) error {
	p = c.abs(p)
	_, err := do(ctx, func() (struct{}, error) { return struct{}{}, c.sc.Chtimes(p, mtime, mtime) })
	return mapErr("chtimes", p, err)
}

// Chmod sets permission bits, set-ID and sticky bits included (setstat).
func (c *Client) Chmod(ctx context.Context, p string, mode fs.FileMode) error {
	p = c.abs(p)
	mode &= fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
	_, err := do(ctx, func() (struct{}, error) { return struct{}{}, c.sc.Chmod(p, mode) })
	return mapErr("chmod", p, err)
}

// Symlink creates link pointing at target; target is stored as given.
func (c *Client) Symlink(ctx context.Context, target, link string) error {
	link = c.abs(link)
	_, err := do(ctx, func() (struct{}, error) {
		if c.linkFirst {
			// pkg/sftp sends its first argument first.
			return struct{}{}, c.sc.Symlink(link, target)
		}
		return struct{}{}, c.sc.Symlink(target, link)
	})
	return mapErr("symlink", link, err)
}

// symlinkLinkFirst reports whether the server takes SYMLINK's arguments in
// the draft's order, link path first. OpenSSH swapped them long ago, and
// pkg/sftp, like most servers, follows OpenSSH: target first. The Green
// End SFTP server (gesftpserver) follows the draft and says so in the
// symlink-order@rjk.greenend.org.uk extension; without heeding it, "ln -s
// x1 lnk" tried to create x1 and failed with "File exists".
func symlinkLinkFirst(sc *sftp.Client) bool {
	order, ok := sc.HasExtension("symlink-order@rjk.greenend.org.uk")
	return ok && order == "linkpath-targetpath"
}

// startSFTP starts the sftp subsystem on a new session of conn, as
// sftp.NewClient does, with requests written through a batchedPipe. The
// server's stderr is dropped, as sftp.NewClient drops it.
func startSFTP(conn *ssh.Client) (*sftp.Client, *replyWatch, error) {
	s, in, out, err := sftpSession(conn)
	if err != nil {
		return nil, nil, err
	}
	w := &replyWatch{}
	r, wr := w.watched(out, newBatchedPipe(in))
	sc, err := sftp.NewClientPipe(r, wr, sftpOptions()...)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return sc, w, nil
}

// sftpSession opens a session on conn and starts the sftp subsystem on it.
func sftpSession(conn *ssh.Client) (*ssh.Session, io.WriteCloser, io.Reader, error) {
	s, err := conn.NewSession()
	if err != nil {
		return nil, nil, nil, err
	}
	in, err := s.StdinPipe()
	if err == nil {
		var out io.Reader
		out, err = s.StdoutPipe()
		if err == nil {
			err = s.RequestSubsystem("sftp")
		}
		if err == nil {
			return s, in, out, nil
		}
	}
	s.Close()
	return nil, nil, nil, err
}
