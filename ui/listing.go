package ui

import (
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// Handlers for the answers of pane commands: connecting, listing and file
// operations.

func (a *App) onConnected(msg connectedMsg) tea.Cmd {
	p := a.panes[msg.pane]
	if msg.seq != p.seq {
		if msg.client != nil && msg.client != p.client {
			c := msg.client
			return func() tea.Msg { _ = c.Close(); return nil }
		}
		return nil
	}
	p.busy = ""
	p.doneBusy()
	if msg.client != nil {
		p.client = msg.client
		p.connected = true
		p.lost = false
		p.describe()
		a.log.add(a.now(), fmt.Sprintf("* %s connected (%s)", p.ep.Name, p.security))
		if a.statusErr {
			a.setStatus(p.ep.Name + " connected")
		}
	}
	if msg.err != nil {
		p.err = msg.err.Error()
		if msg.client == nil || isConnLost(msg.err) {
			p.lost = msg.client != nil || p.ep.Dial != nil
		}
		a.setErr(msg.err)
		a.trustAlarm(msg.err)
		if errors.Is(msg.err, protocol.ErrAuth) {
			a.prompter.Forget()
		}
	} else {
		p.err = ""
	}
	if msg.dir != "" {
		p.install(msg.dir, msg.listing)
	}
	return nil
}

func (a *App) onListed(msg listedMsg) tea.Cmd {
	p := a.panes[msg.pane]
	if msg.seq != p.seq {
		return nil
	}
	p.busy = ""
	p.doneBusy()
	a.applyListing(p, msg)
	var follow tea.Cmd
	if msg.entered != "" && msg.err == nil {
		// A linked directory was opened: only now is it known to be one.
		follow = a.follow(msg.pane, msg.entered)
	}
	if p.stale && !p.lost {
		p.stale = false
		return tea.Batch(follow, a.list(msg.pane, p.dir))
	}
	return follow
}

func (a *App) applyListing(p *pane, msg listedMsg) {
	if msg.err != nil {
		if isConnLost(msg.err) {
			if !p.lost {
				a.offerReconnect(msg.pane, msg.err)
			}
			p.lost = true
			p.err = "connection lost (ctrl+r reconnects): " + msg.err.Error()
			a.setErr(fmt.Errorf("%s: connection lost (ctrl+r reconnects): %w", p.ep.Name, msg.err))
			return
		}
		a.setErr(msg.err)
		return
	}
	p.err = ""
	p.install(msg.dir, msg.listing)
	if p.selectAfter != "" {
		p.selectName(p.selectAfter)
		p.selectAfter = ""
	}
	if a.compareOn {
		a.compare()
	}
}

func (a *App) onOpDone(msg opDoneMsg) tea.Cmd {
	if msg.err != nil {
		a.setErr(msg.err)
	} else if msg.text != "" {
		a.setStatus(msg.text)
		a.log.add(a.now(), "* "+msg.text)
	}
	var cmds []tea.Cmd
	for _, i := range msg.refresh {
		if isConnLost(msg.err) {
			p := a.panes[i]
			p.lost = true
			p.err = "connection lost (ctrl+r reconnects)"
			continue
		}
		cmds = append(cmds, a.refresh(i))
	}
	return tea.Batch(cmds...)
}

// trustAlarm shows a refused host key or certificate as an alarm, since a
// changed key may mean someone is intercepting the connection.
func (a *App) trustAlarm(err error) {
	if !errors.Is(err, protocol.ErrHostKey) && !errors.Is(err, protocol.ErrTLS) {
		return
	}
	a.openDialog(&choiceDialog{
		heading:  "Connection refused: identity not trusted",
		isAlarm:  true,
		lines:    []string{err.Error()},
		choices:  []choice{{"esc", "OK"}},
		onChoose: func(*App, int, bool) tea.Cmd { return nil },
	})
}

// offerReconnect asks once, when a pane's session dies, whether to dial
// again; ctrl+r does the same later.
func (a *App) offerReconnect(i int, err error) {
	p := a.panes[i]
	if p.ep.Dial == nil {
		return
	}
	a.openDialog(&choiceDialog{
		heading: "Connection lost",
		lines:   []string{"The connection to " + sanitize(p.ep.Name) + " was lost:", oneLine(err.Error())},
		choices: []choice{{"r", "Reconnect"}, {"esc", "Later (ctrl+r)"}},
		onChoose: func(a *App, idx int, _ bool) tea.Cmd {
			if idx == 0 && a.panes[i] == p {
				return a.reconnect(i)
			}
			return nil
		},
	})
}
