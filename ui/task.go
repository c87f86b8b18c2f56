package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/treewalk"
)

// task is background work a dialog shows (a directory's size, a find, a
// checksum). Its goroutine sends messages on ch, which a Cmd reads one at
// a time and the dialog re-arms; closing the dialog cancels the task.
type task struct {
	cancel context.CancelFunc
	ch     chan tea.Msg
}

// taskMsg is a message from a task, for the dialog that started it.
type taskMsg interface{ from() *task }

// taskDialog is a dialog that runs tasks and takes their messages.
type taskDialog interface {
	taskMsg(a *App, msg taskMsg) tea.Cmd
}

// startTask runs fn on its own goroutine under a's context. send hands a
// message to the UI: with must it waits (until the task is canceled),
// without it a message is dropped while the last one is unread, which is
// right for progress counters.
func (a *App) startTask(fn func(ctx context.Context, t *task, send func(msg tea.Msg, must bool))) (*task, tea.Cmd) {
	ctx, cancel := context.WithCancel(a.ctx)
	t := &task{cancel: cancel, ch: make(chan tea.Msg, 1)}
	send := func(msg tea.Msg, must bool) {
		if !must {
			select {
			case t.ch <- msg:
			default:
			}
			return
		}
		select {
		case t.ch <- msg:
		case <-ctx.Done():
		}
	}
	go func() {
		defer close(t.ch)
		fn(ctx, t, send)
	}()
	return t, t.wait()
}

// wait reads the task's next message.
func (t *task) wait() tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-t.ch
		if !ok {
			return nil
		}
		return msg
	}
}

func (t *task) stop() {
	if t != nil {
		t.cancel()
	}
}

// onTaskMsg hands a task's message to the open dialog; one that is no
// longer open has canceled its tasks, and the message is dropped.
func (a *App) onTaskMsg(msg taskMsg) tea.Cmd {
	if d, ok := a.dialog.(taskDialog); ok {
		return d.taskMsg(a, msg)
	}
	return nil
}

// session is a Client for background work on pane i that does not get in
// the way of browsing: the pane's own session when it multiplexes (SFTP),
// else a new one through the pane's dialer (FTP runs one command at a
// time). Without a dialer the pane's session is borrowed, and browsing
// waits until release. opts lets a walk dial more sessions.
func session(ctx context.Context, p *pane, lk *paneIO) (c protocol.Client, opts treewalk.Options, release func(), err error) {
	if _, ok := p.client.(protocol.Multiplexer); ok {
		return p.client, treewalk.Options{}, func() {}, nil
	}
	if dial := p.ep.Dial; dial != nil {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		c, err := dial(dctx)
		cancel()
		if err != nil {
			return nil, treewalk.Options{}, nil, err
		}
		return c, treewalk.Options{Workers: 4, Dial: dial}, func() { c.Close() }, nil
	}
	lk.mu.Lock()
	return p.client, treewalk.Options{}, lk.mu.Unlock, nil
}
