package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// Messages that commands send back to Update. Each names its pane and the
// listing generation it belongs to, so a late answer for a directory the
// user already left is dropped.
type (
	connectedMsg struct {
		pane    int
		seq     int
		client  protocol.Client
		dir     string
		listing listing
		err     error
	}
	listedMsg struct {
		pane    int
		seq     int
		dir     string
		listing listing
		err     error
		// entered is the name of a linked directory the user opened, so
		// synchronized browsing can follow it in the other pane.
		entered string
	}
	// opDoneMsg ends a file operation (mkdir, delete, rename, upload).
	opDoneMsg struct {
		pane    int // pane to refresh; -1 for none
		refresh []int
		text    string
		err     error
	}
	statusMsg struct {
		text string
		err  bool
	}
)

// listTimeout bounds one listing, as a last resort. Noticing a silent
// server is the backends' work, by time without progress (FTP's reply and
// data timeouts, SFTP's keepalive and its watch on unanswered requests):
// a bound on the whole listing failed a big directory on a slow link while
// it was still arriving (15,000 names over 20 kB/s take 100 s).
const listTimeout = 10 * time.Minute

// paneIO serializes calls on one pane's browsing Client: FTP has one control
// connection, so a listing must not interleave with a delete.
type paneIO struct {
	mu sync.Mutex
}

func (l *paneIO) do(fn func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fn()
}

// connectCmd opens the pane's session (unless one is given), finds the start
// directory and lists it.
func connectCmd(ctx context.Context, lk *paneIO, idx, seq int, ep Endpoint, client protocol.Client, mode sortMode, desc bool) tea.Cmd {
	return func() tea.Msg {
		m := connectedMsg{pane: idx, seq: seq}
		lk.do(func() {
			c := client
			if c == nil {
				if ep.Dial == nil {
					m.err = errors.New("no way to connect: the endpoint has neither a client nor a dialer")
					return
				}
				dctx, cancel := context.WithTimeout(ctx, 2*time.Minute) // includes time to answer prompts
				var err error
				c, err = ep.Dial(dctx)
				cancel()
				if err != nil {
					m.err = fmt.Errorf("connect %s: %w", ep.Name, err)
					return
				}
			}
			m.client = c
			lctx, cancel := context.WithTimeout(ctx, listTimeout)
			defer cancel()
			dir := ep.Path
			home, err := c.Home(lctx)
			if err != nil {
				m.err = fmt.Errorf("home directory: %w", err)
				return
			}
			dir = protocol.Resolve(home, dir)
			items, err := c.List(lctx, dir)
			if err != nil && ep.Path != "" {
				// The start path is gone: fall back to home, and say so.
				m.err = fmt.Errorf("list %s: %w", dir, err)
				dir = home
				items, err = c.List(lctx, dir)
				if err == nil {
					m.dir, m.listing = dir, prepare(items, mode, desc)
					return
				}
			}
			if err != nil {
				m.err = fmt.Errorf("list %s: %w", dir, err)
				return
			}
			m.dir, m.listing, m.err = dir, prepare(items, mode, desc), nil
		})
		return m
	}
}

func listCmd(ctx context.Context, lk *paneIO, c protocol.Client, idx, seq int, dir string, mode sortMode, desc bool) tea.Cmd {
	return func() tea.Msg {
		m := listedMsg{pane: idx, seq: seq, dir: dir}
		var entries []protocol.Entry
		lk.do(func() {
			lctx, cancel := context.WithTimeout(ctx, listTimeout)
			defer cancel()
			entries, m.err = c.List(lctx, dir)
		})
		if m.err == nil {
			m.listing = prepare(entries, mode, desc)
		}
		return m
	}
}

// opCmd runs one operation on a pane's client and refreshes the named panes.
func opCmd(ctx context.Context, lk *paneIO, refresh []int, okText string, fn func(ctx context.Context) error) tea.Cmd {
	return func() tea.Msg {
		var err error
		lk.do(func() {
			octx, cancel := context.WithTimeout(ctx, 10*time.Minute)
			defer cancel()
			err = fn(octx)
		})
		return opDoneMsg{pane: -1, refresh: refresh, text: okText, err: err}
	}
}

// removeAll deletes p (a file, link or directory tree) depth first. It lists
// one directory at a time, so a huge tree never sits whole in memory.
func removeAll(ctx context.Context, c protocol.Client, p string, isDir bool, count *int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !isDir {
		if err := c.Remove(ctx, p); err != nil {
			return fmt.Errorf("delete %s: %w", p, err)
		}
		*count++
		return nil
	}
	entries, err := c.List(ctx, p)
	if err != nil {
		return fmt.Errorf("list %s: %w", p, err)
	}
	for _, e := range entries {
		if e.Name == "." || e.Name == ".." || e.Name == "" {
			continue
		}
		if err := removeAll(ctx, c, path.Join(p, e.Name), e.IsDir(), count); err != nil {
			return err
		}
	}
	if err := c.RemoveDir(ctx, p); err != nil {
		return fmt.Errorf("delete directory %s: %w", p, err)
	}
	*count++
	return nil
}

// isConnLost reports errors after which the session is unusable.
func isConnLost(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, protocol.ErrTransient) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	if !errors.As(err, &ne) {
		return false
	}
	// A bare errno also satisfies net.Error; from the local filesystem
	// (ENOTDIR, EISDIR) it says nothing about a connection.
	if errno, ok := ne.(syscall.Errno); ok {
		return errno == syscall.ECONNRESET || errno == syscall.ECONNABORTED || errno == syscall.EPIPE || errno == syscall.ETIMEDOUT
	}
	return true
}
