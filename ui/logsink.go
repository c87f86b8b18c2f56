package ui

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// LogSink gathers protocol conversation lines from any goroutine for the log
// view. Func never blocks: when the view falls behind, the oldest unread
// lines are dropped and counted.
type LogSink struct {
	mu      sync.Mutex
	lines   []string
	dropped int
	notify  chan struct{}
}

// maxPendingLog bounds the lines waiting for the view.
const maxPendingLog = 5000

// NewLogSink makes a sink to pass to Options.Log and (via Func) to backends.
func NewLogSink() *LogSink { return &LogSink{notify: make(chan struct{}, 1)} }

// Func is the protocol.LogFunc that feeds the sink.
func (s *LogSink) Func() protocol.LogFunc { return s.Add }

// Add appends one line; backends mask secrets before calling it.
func (s *LogSink) Add(line string) {
	s.mu.Lock()
	if len(s.lines) >= maxPendingLog {
		s.lines = s.lines[1:]
		s.dropped++
	}
	s.lines = append(s.lines, line)
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// logMsg carries the lines gathered since the last one.
type logMsg struct {
	lines   []string
	dropped int
}

// wait is the Cmd that delivers pending lines; Update re-arms it.
func (s *LogSink) wait(ctx context.Context) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-s.notify:
		case <-ctx.Done():
			return nil
		}
		s.mu.Lock()
		m := logMsg{lines: s.lines, dropped: s.dropped}
		s.lines, s.dropped = nil, 0
		s.mu.Unlock()
		return m
	}
}
