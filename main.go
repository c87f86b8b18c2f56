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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, version, os.Args[1:], cli.OSStdio())
	stop()
	os.Exit(code)
}
