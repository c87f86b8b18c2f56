package ui

import (
	tea "charm.land/bubbletea/v2"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// deliverPrompt waits for the Prompter to hand a question to the App.
func deliverPrompt(t *testing.T, a *App) {
	t.Helper()
	msg, ok := runOne(a.prompter.wait(a.ctx), 5*time.Second)
	if !ok {
		t.Fatal("no prompt arrived")
	}
	a.Update(msg)
}

func TestSecretDialogIsMaskedAndAnswersTheCaller(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	type result struct {
		s   string
		err error
	}
	got := make(chan result, 1)
	go func() {
		s, err := a.Prompter().Secret(context.Background(), protocol.SecretRequest{Kind: protocol.SecretPassword, Site: "alice@example.com:22", Prompt: "Password:"})
		got <- result{s, err}
	}()
	deliverPrompt(t, a)
	mustContain(t, a, "Password — alice@example.com:22", "Password:")
	typeText(t, a, "hunter2")
	mustNotContain(t, a, "hunter2")
	mustContain(t, a, "•••••••")
	press(t, a, "enter")
	r := <-got
	if r.err != nil || r.s != "hunter2" {
		t.Fatalf("Secret returned %q, %v", r.s, r.err)
	}
	if a.dialog != nil {
		t.Fatal("dialog still open")
	}

	// Esc declines; keyboard-interactive questions come one at a time.
	go func() {
		s, err := a.Prompter().Secret(context.Background(), protocol.SecretRequest{Kind: protocol.SecretChallenge, Site: "h", Prompt: "Code:", Instruction: "Enter the code from your phone", Echo: true})
		got <- result{s, err}
	}()
	deliverPrompt(t, a)
	mustContain(t, a, "Login question", "Enter the code from your phone")
	typeText(t, a, "123")
	mustContain(t, a, "123")
	press(t, a, "esc")
	if r := <-got; r.err == nil {
		t.Fatal("Esc did not decline")
	}
}

func TestTrustDialogAnswers(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	for i, tc := range []struct {
		key  string
		want protocol.TrustDecision
	}{{"o", protocol.TrustOnce}, {"a", protocol.TrustAlways}, {"n", protocol.TrustNo}, {"enter", protocol.TrustNo}} {
		got := make(chan protocol.TrustDecision, 1)
		go func() {
			d, _ := a.Prompter().Trust(context.Background(), protocol.TrustRequest{
				Kind: protocol.TrustHostKey, Host: "example.com:22", KeyType: "ssh-ed25519", Fingerprint: "SHA256:abcdef" + itoa(i),
			})
			got <- d
		}()
		deliverPrompt(t, a)
		mustContain(t, a, "Unknown host key", "SHA256:abcdef", "ssh-ed25519", "Trust once", "Always trust")
		press(t, a, tc.key)
		if d := <-got; d != tc.want {
			t.Fatalf("key %s gave %v, want %v", tc.key, d, tc.want)
		}
	}

	// A certificate shows subject, issuer and validity.
	got := make(chan protocol.TrustDecision, 1)
	go func() {
		d, _ := a.Prompter().Trust(context.Background(), protocol.TrustRequest{
			Kind: protocol.TrustCertificate, Host: "ftp.example.com:21", Fingerprint: "ab:cd",
			Subject: "CN=ftp.example.com", Issuer: "CN=Example CA", Problem: "self-signed",
			NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		})
		got <- d
	}()
	deliverPrompt(t, a)
	mustContain(t, a, "Untrusted certificate", "CN=ftp.example.com", "CN=Example CA", "2025-01-01 to 2027-01-01", "self-signed")
	press(t, a, "o")
	if d := <-got; d != protocol.TrustOnce {
		t.Fatalf("certificate: %v", d)
	}

	// A changed key can only be refused.
	go func() {
		d, _ := a.Prompter().Trust(context.Background(), protocol.TrustRequest{Host: "h:22", Fingerprint: "SHA256:new", Problem: "host key changed"})
		got <- d
	}()
	deliverPrompt(t, a)
	mustContain(t, a, "HOST KEY CHANGED", "Refuse")
	press(t, a, "a")
	if a.dialog == nil {
		t.Fatal("a changed-key alarm accepted 'a'")
	}
	press(t, a, "enter")
	if d := <-got; d != protocol.TrustNo {
		t.Fatalf("changed key: %v", d)
	}
}

func TestPromptGivesUpWhenTheCallerDoes(t *testing.T) {
	p := NewPrompter()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.Secret(ctx, protocol.SecretRequest{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("unanswered prompt returned %v", err)
	}
}

func TestHelpShowsRemappedKeys(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) { o.Keys = map[string][]string{"copy": {"f12", "y"}} })
	press(t, a, "?")
	mustContain(t, a, "ferry — keys", "f12/y", "copy to other pane", "new directory", "F10/q")
	press(t, a, "esc")
	mustNotContain(t, a, "ferry — keys")
	mustContain(t, a, "F12Copy")

	var km = DefaultKeyMap()
	if err := km.Remap(map[string][]string{"cpy": {"x"}}); err == nil || !strings.Contains(err.Error(), "unknown action") {
		t.Fatalf("unknown action: %v", err)
	}
	if err := km.Remap(map[string][]string{"copy": {}}); err == nil {
		t.Fatal("empty key list accepted")
	}
}

func TestKeymapSectionIsNamedKeymap(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	help := strings.Join(a.helpLines(), "\n")
	if !strings.Contains(help, "[keymap]") || strings.Contains(help, "[keys]") {
		t.Errorf("help says %q, want the config section named [keymap] as config.toml spells it", help)
	}
	for _, overrides := range []map[string][]string{{"cpy": {"x"}}, {"copy": {}}} {
		km := DefaultKeyMap()
		err := km.Remap(overrides)
		if err == nil || !strings.Contains(err.Error(), "[keymap]") {
			t.Errorf("Remap(%v) = %v, want an error naming [keymap]", overrides, err)
		}
	}
}

func TestLogViewShowsProtocolLines(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	a.LogSink().Func()("> USER alice")
	a.LogSink().Func()("< 331 Password required")
	a.LogSink().Func()("> PASS ****")
	msg, ok := runOne(a.logSink.wait(a.ctx), time.Second)
	if !ok {
		t.Fatal("no log message")
	}
	a.Update(msg)
	press(t, a, "f9")
	mustContain(t, a, "Message log", "> USER alice", "< 331 Password required", "> PASS ****")
	press(t, a, "esc")
	mustNotContain(t, a, "Message log")
}

func TestViewerStreamsAFile(t *testing.T) {
	left := t.TempDir()
	var b strings.Builder
	for i := 0; i < 30000; i++ {
		b.WriteString("line number ")
		b.WriteString(itoa(i))
		b.WriteString("\tend\n")
	}
	writeFiles(t, left, map[string]string{"big.log": b.String()})
	a := newTestApp(t, left, t.TempDir(), nil)
	a.panes[0].selectName("big.log")
	press(t, a, "f3")
	mustContain(t, a, "big.log", "line number 0    end", "line number 5")
	pg := a.pager
	if pg.read >= int64(b.Len()) {
		t.Fatalf("viewer read all %d bytes at once", pg.read)
	}
	press(t, a, "G")
	for i := 0; i < 20 && !pg.eof; i++ {
		press(t, a, "G")
	}
	press(t, a, "G")
	mustContain(t, a, "line number 29999", "end")
	press(t, a, "q")
	if a.screen != screenPanes {
		t.Fatal("q did not close the viewer")
	}
}

func TestCompareHighlightsDifferences(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"same": "x", "onlyleft": "l", "newer": "new", "size": "aa"})
	writeFiles(t, right, map[string]string{"same": "x", "onlyright": "r", "newer": "old", "size": "a"})
	old := time.Now().Add(-time.Hour)
	for _, side := range []string{left, right} {
		for _, n := range []string{"same", "size"} {
			os.Chtimes(filepath.Join(side, n), old, old)
		}
	}
	os.Chtimes(filepath.Join(right, "newer"), old, old)
	a := newTestApp(t, left, right, nil)
	press(t, a, "=")
	l, r := a.panes[0], a.panes[1]
	checks := []struct {
		p    *pane
		name string
		want cmpMark
	}{
		{l, "same", cmpSame}, {l, "onlyleft", cmpMissing}, {l, "newer", cmpNewer}, {l, "size", cmpDiffer},
		{r, "onlyright", cmpMissing}, {r, "newer", cmpOlder}, {r, "size", cmpDiffer},
	}
	for _, c := range checks {
		if got := c.p.lookup(c.name).cmp; got != c.want {
			t.Errorf("%s: cmp %d, want %d", c.name, got, c.want)
		}
	}
	mustContain(t, a, "[compare]")
	press(t, a, "=")
	if l.lookup("newer").cmp != cmpNone {
		t.Fatal("= did not clear the comparison")
	}
}

func TestKeyTableListsEveryAction(t *testing.T) {
	tab := KeyTable()
	for _, want := range []string{"| `F5/c` | copy to other pane |", "| `home/gg` | first entry |", "| Queue panel | |"} {
		if !strings.Contains(tab, want) {
			t.Fatalf("key table lacks %q:\n%s", want, tab)
		}
	}
}

func TestPrompterRemembersPasswordsButNotOneTimeCodes(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	p := a.Prompter()
	ask := func(req protocol.SecretRequest, answer string) string {
		t.Helper()
		got := make(chan string, 1)
		go func() { s, _ := p.Secret(context.Background(), req); got <- s }()
		if answer != "" {
			deliverPrompt(t, a)
			typeText(t, a, answer)
			press(t, a, "enter")
		}
		select {
		case s := <-got:
			return s
		case <-time.After(5 * time.Second):
			t.Fatal("Secret did not return")
			return ""
		}
	}
	pw := protocol.SecretRequest{Kind: protocol.SecretPassword, Site: "u@h:22", Prompt: "Password:"}
	otp := protocol.SecretRequest{Kind: protocol.SecretChallenge, Site: "u@h:22", Prompt: "Verification code: ", Echo: true}
	if s := ask(pw, "pw1"); s != "pw1" {
		t.Fatalf("first ask: %q", s)
	}
	if s := ask(pw, ""); s != "pw1" {
		t.Fatalf("remembered password: %q", s)
	}
	if s := ask(otp, "111"); s != "111" {
		t.Fatalf("otp: %q", s)
	}
	if s := ask(otp, "222"); s != "222" {
		t.Fatalf("a one-time code was remembered: %q", s)
	}
	p.Forget()
	if s := ask(pw, "pw2"); s != "pw2" {
		t.Fatalf("after Forget: %q", s)
	}
}

// TestLogWrapsLongLines: a line wider than the window is shown whole, on
// as many rows as it needs, and following the log still shows the end of
// the last line.
func TestLogWrapsLongLines(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	a.Update(tea.WindowSizeMsg{Width: 50, Height: 12})
	long := "< 250-" + strings.Repeat("word ", 30) + "THE-END"
	a.LogSink().Func()("* first")
	a.LogSink().Func()(long)
	msg, ok := runOne(a.logSink.wait(a.ctx), time.Second)
	if !ok {
		t.Fatal("no log message")
	}
	a.Update(msg)
	press(t, a, "f9")
	s := screenText(a)
	mustContain(t, a, "THE-END", "* first")
	var joined strings.Builder
	for _, l := range strings.Split(s, "\n")[1:] {
		joined.WriteString(strings.TrimSpace(strings.Trim(l, frameV)) + " ")
	}
	if !strings.Contains(strings.Join(strings.Fields(joined.String()), " "), strings.Join(strings.Fields(long), " ")) {
		t.Errorf("the long line is not shown whole:\n%s", s)
	}
	// Many more lines: following shows the last, scrolling to the top the first.
	for i := 0; i < 40; i++ {
		a.LogSink().Func()(long)
	}
	a.LogSink().Func()("* last line")
	for !strings.Contains(screenText(a), "last line") {
		msg, ok := runOne(a.logSink.wait(a.ctx), time.Second)
		if !ok {
			t.Fatalf("the last line never showed:\n%s", screenText(a))
		}
		a.Update(msg)
	}
	press(t, a, "g")
	mustContain(t, a, "* first")
	press(t, a, "G")
	mustContain(t, a, "* last line")
	checkScreenFrame(t, a, screenText(a))
}
