package ui_test

import (
	"context"
	"os"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
	"github.com/ferryhq/ferry/protocol/sftp"
	"github.com/ferryhq/ferry/transfer"
	"github.com/ferryhq/ferry/ui"
)

// Run wires the UI: one Prompter and one LogSink shared by the backends and
// the App, a local pane, a remote pane that connects (and asks its
// questions in dialogs) once the window is up, and the transfer queue.
func ExampleRun() {
	prompter, logs := ui.NewPrompter(), ui.NewLogSink()
	site, _ := protocol.Parse("sftp://demo@127.0.0.1:2222/")
	dial := func(ctx context.Context) (protocol.Client, error) {
		return sftp.Dial(ctx, site, sftp.Config{Prompter: prompter, Trust: protocol.TrustAsk, Log: logs.Func()})
	}
	q, err := transfer.New(transfer.Options{})
	if err != nil {
		return
	}
	defer q.Close()
	wd, _ := os.Getwd()
	err = ui.Run(context.Background(), ui.Options{
		Left: ui.Endpoint{Name: "local", Local: true, Client: local.New(), Path: wd,
			Dial: func(context.Context) (protocol.Client, error) { return local.New(), nil }},
		Right:    ui.Endpoint{Name: site.ID(), Site: site, Security: "SFTP", Dial: dial},
		Queue:    q,
		Prompter: prompter,
		Log:      logs,
		Keys:     map[string][]string{"copy": {"f5", "c"}},
		NoColor:  os.Getenv("NO_COLOR") != "",
	})
	_ = err
}
