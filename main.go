// Command ferry is a terminal file-transfer client for SFTP, FTP and FTPS:
// a dual-pane TUI and a scriptable CLI on one transfer engine.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ferryhq/ferry/cli"
)

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	code := cli.Run(ctx, version, os.Args[1:], cli.OSStdio())
	stop()
	os.Exit(code)
}

// stopSignals are the signals that cancel the run's context instead of
// killing the process, so ferry ends the way it does on F10: the terminal
// restored, the queue saved with interrupted parts kept for resume, and
// the demo's sandbox and servers removed. SIGHUP is among them because a
// closed terminal window or `tmux kill-session` sends it, and its default
// action would end ferry before any of that. A SIGHUP that was ignored
// when ferry started (nohup) stays ignored: catching it would undo that.
func stopSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}
