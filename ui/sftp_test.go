package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/sftp"
	"github.com/ferryhq/ferry/transfer"
)

// cannedPrompter answers every question the same way, for the queue's own
// connections.
type cannedPrompter struct{ password, otp string }

func (c cannedPrompter) Secret(_ context.Context, r protocol.SecretRequest) (string, error) {
	if r.Kind == protocol.SecretChallenge && strings.Contains(r.Prompt, "code") {
		return c.otp, nil
	}
	return c.password, nil
}

func (cannedPrompter) Trust(context.Context, protocol.TrustRequest) (protocol.TrustDecision, error) {
	return protocol.TrustOnce, nil
}

// TestAgainstDemoSFTPServer connects a pane to the in-process SFTP server:
// the host key and each keyboard-interactive question appear as dialogs one
// by one, the header shows the SSH security, and two marked files are copied
// to the server through the queue, byte for byte.
func TestAgainstDemoSFTPServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	root, left, home := t.TempDir(), t.TempDir(), t.TempDir()
	writeFiles(t, root, map[string]string{"upload/": "", "readme.txt": "hi"})
	writeFiles(t, left, map[string]string{"one.bin": strings.Repeat("1", 300000), "two.txt": "two", "three.txt": "3"})
	srv, err := sftpd.Start(ctx, sftpd.Options{Root: root, KeyboardInteractive: true, Users: []sftpd.User{{Name: "demo", Password: "pw", OTP: "424242"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	site, err := protocol.Parse("sftp://demo@" + srv.Addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	prompter, logs := NewPrompter(), NewLogSink()
	cfg := sftp.Config{Prompter: prompter, Trust: protocol.TrustAsk, SSHConfigFile: "none", HomeDir: home,
		KnownHostsFile: filepath.Join(home, "known_hosts"), Log: logs.Func(), Timeout: 10 * time.Second}
	qcfg := cfg
	qcfg.Prompter = cannedPrompter{"pw", "424242"}
	qcfg.Log = nil
	remote := Endpoint{
		Name: "demo@" + srv.Addr(), Site: site, Security: "SFTP",
		Dial: func(ctx context.Context) (protocol.Client, error) { return sftp.Dial(ctx, site, cfg) },
		Transfer: transfer.Endpoint{ID: site.ID(), Dial: func(ctx context.Context) (protocol.Client, error) {
			return sftp.Dial(ctx, site, qcfg)
		}},
	}
	q := newQueue(t)
	a := buildTestApp(t, left, t.TempDir(), func(o *Options) {
		o.Right, o.Queue, o.Prompter, o.Log = remote, q, prompter, logs
	})
	run(t, a, a.connect(0))
	// Connect the remote pane and answer its questions as they come.
	done := make(chan tea.Msg, 1)
	go func() { done <- a.connect(1)() }()
	answers := []struct{ want, keys string }{
		{"Unknown host key", "o"},
		{"Password:", "pw"},
		{"Verification code", "424242"},
	}
	for _, ans := range answers {
		deliverPrompt(t, a)
		mustContain(t, a, ans.want)
		if ans.keys == "o" {
			mustContain(t, a, "ssh-ed25519", "SHA256:")
			press(t, a, "o")
			continue
		}
		typeText(t, a, ans.keys)
		press(t, a, "enter")
	}
	select {
	case m := <-done:
		a.Update(m)
	case <-ctx.Done():
		t.Fatal("connect did not finish")
	}
	p := a.panes[1]
	if p.err != "" || p.lookup("upload") == nil {
		t.Fatalf("remote pane: err %q, %d items", p.err, len(p.items))
	}
	mustContain(t, a, "SFTP · ssh-ed25519", "upload/", "readme.txt")

	// Into upload/, mark two files on the left, F5.
	a.focus = 1
	p.selectName("upload")
	press(t, a, "enter")
	a.focus = 0
	a.panes[0].selectName("one.bin")
	press(t, a, "space")
	a.panes[0].selectName("two.txt")
	press(t, a, "space", "f5")
	pumpQueue(t, a, q, func() bool { return a.queue.totals.Done == 2 && p.lookup("two.txt") != nil })
	for name, want := range map[string]string{"one.bin": strings.Repeat("1", 300000), "two.txt": "two"} {
		b, err := os.ReadFile(filepath.Join(root, "upload", name))
		if err != nil || string(b) != want {
			t.Fatalf("%s on the server: %d bytes, %v", name, len(b), err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "upload", "three.txt")); !os.IsNotExist(err) {
		t.Fatal("an unmarked file was uploaded")
	}

	// The log view shows the conversation without the password.
	if m, ok := runOne(logs.wait(a.ctx), time.Second); ok && m != nil {
		a.Update(m)
	}
	press(t, a, "f9")
	if s := screenText(a); strings.Contains(s, "424242") || strings.Contains(s, " pw") {
		t.Fatalf("a secret reached the log view:\n%s", s)
	}
}
