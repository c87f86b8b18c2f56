package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/syncer"
	"github.com/ferryhq/ferry/transfer"
)

// goldenDialogs opens each dialog ferry draws, on the golden main screen
// (goldenApp: main.go under the cursor and marked, /srv/www on the right).
// Each is kept as testdata/frame/dialog-NAME-WIDTH.txt.
var goldenDialogs = []struct {
	name string
	open func(t *testing.T, a *App)
}{
	{"delete", keys("f8")},
	{"mkdir", keys("f7")},
	{"move", keys("f6")},
	{"copy-tree", func(t *testing.T, a *App) {
		a.panes[0].clearMarks() // the copy is of docs/ alone
		a.panes[0].setCursor(1)
		press(t, a, "f5")
	}},
	{"watch", func(t *testing.T, a *App) {
		a.panes[1].ep.Exclude = []string{".git", "node_modules/"} // the site's bookmark
		press(t, a, "ctrl+w")
	}},
	{"watch-delete", func(t *testing.T, a *App) {
		a.panes[1].ep.Exclude = []string{".git", "node_modules/"}
		press(t, a, "ctrl+w", "tab", "tab", "space")
	}},
	{"mark", keys("+")},
	{"newfile", keys("N")},
	{"symlink", keys("ctrl+x", "s")},
	{"perms", keys("P")},
	{"props", keys("i")},
	{"find", keys("ctrl+f")},
	{"connect", keys("o")},
	{"sites", keys("b")},
	{"site-edit", keys("b", "down", "down", "f4")},
	{"password", func(t *testing.T, a *App) {
		go a.Prompter().Secret(context.Background(), protocol.SecretRequest{ //nolint:errcheck
			Kind: protocol.SecretPassword, Site: "bob@ftp.acme.example:2121", Prompt: "Password:"})
		deliverPrompt(t, a)
		typeText(t, a, "hunter2")
	}},
	{"hostkey", func(t *testing.T, a *App) {
		go a.Prompter().Trust(context.Background(), protocol.TrustRequest{ //nolint:errcheck
			Kind: protocol.TrustHostKey, Host: "files.example.com:2222", KeyType: "ssh-ed25519",
			Fingerprint: "SHA256:n0vXlqGJ4rTRbRbsbBcRJ3WpVxkNV8X4W0ivO7xKbQk"})
		deliverPrompt(t, a)
	}},
	{"hostkey-changed", func(t *testing.T, a *App) {
		go a.Prompter().Trust(context.Background(), protocol.TrustRequest{ //nolint:errcheck
			Kind: protocol.TrustHostKey, Host: "files.example.com:2222", KeyType: "ssh-ed25519",
			Fingerprint: "SHA256:n0vXlqGJ4rTRbRbsbBcRJ3WpVxkNV8X4W0ivO7xKbQk", Problem: "the host key has changed"})
		deliverPrompt(t, a)
	}},
	{"certificate", func(t *testing.T, a *App) {
		go a.Prompter().Trust(context.Background(), protocol.TrustRequest{ //nolint:errcheck
			Kind: protocol.TrustCertificate, Host: "ftp.acme.example:21", KeyType: "ECDSA",
			Fingerprint: "5f:3c:a8:19:0e:77:42:b1:9d:2a:c4:61:f0:8e:33:d7:aa:10:5b:9c:e2:48:07:6f:1d:c3:92:af:54:e8:0b:7a",
			Subject:     "CN=ftp.acme.example", Issuer: "CN=ftp.acme.example", Problem: "self-signed",
			NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)})
		deliverPrompt(t, a)
	}},
	{"conflict", func(t *testing.T, a *App) {
		a.openDialog(a.conflictDialog(transfer.JobInfo{ID: 7, Conflict: &transfer.Conflict{
			Path: "/srv/www/index.html",
			Src:  protocol.Entry{Name: "index.html", Size: 2048},
			Dst:  protocol.Entry{Name: "index.html", Size: 512},
		}}))
	}},
	{"reconnect", func(t *testing.T, a *App) {
		a.offerReconnect(1, errors.New("read tcp 127.0.0.1:50122->127.0.0.1:2222: connection reset by peer"))
	}},
	{"sync", func(t *testing.T, a *App) {
		d := &syncDialog{roots: [2]string{"/home/alice/projects/ferry", "/srv/www"}}
		a.openDialog(d)
		l := syncer.Listing{
			"main.go":    {Entry: syncer.Entry{Size: 1234, MTime: 1764000000}},
			"docs":       {Dir: true},
			"docs/a.md":  {Entry: syncer.Entry{Size: 90, MTime: 1764000000}},
			"index.html": {Entry: syncer.Entry{Size: 700, MTime: 1764000000}},
		}
		r := syncer.Listing{
			"index.html": {Entry: syncer.Entry{Size: 512, MTime: 1764009999}},
			"assets":     {Dir: true},
			"assets/x":   {Entry: syncer.Entry{Size: 5, MTime: 1764000000}},
		}
		a.Update(syncMsg{d: d, plan: syncer.NewPlan(l, r, nil, syncer.Options{Now: time.Unix(1764010000, 0)})})
	}},
}

// keys is a dialog opener that presses keys.
func keys(k ...string) func(t *testing.T, a *App) {
	return func(t *testing.T, a *App) { press(t, a, k...) }
}

func goldenSites(o *Options) {
	o.Bookmarks = sampleSites()
	o.Connect = func(_ context.Context, addr string) (Endpoint, error) {
		return Endpoint{}, errors.New("not in a golden test")
	}
}

func TestDialogGoldens(t *testing.T) {
	for _, d := range goldenDialogs {
		t.Run(d.name, func(t *testing.T) {
			for _, w := range goldenWidths {
				a := goldenApp(t, w, 30, goldenSites, func(o *Options) { o.Queue = newQueue(t) })
				d.open(t, a)
				if a.dialog == nil {
					t.Fatalf("%d columns: no dialog open; screen:\n%s", w, screenText(a))
				}
				got := screenText(a)
				checkDialogFrame(t, a, got)
				checkGolden(t, "dialog-"+d.name+"-"+itoa(w)+".txt", got)
			}
		})
	}
}

// checkDialogFrame asserts every line fits the window and the open
// dialog's left and right edges are border on every row of its box.
func checkDialogFrame(t *testing.T, a *App, s string) {
	t.Helper()
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if n := ansi.StringWidth(l); n != a.w {
			t.Errorf("%d columns: line %d is %d cells: %q", a.w, i, n, l)
		}
	}
	boxW, inner, _, _ := a.dialogBox(0)
	n := len(a.dialog.body(a, inner))
	_, _, x0, y0 := a.dialogBox(n)
	for y := y0; y < min(y0+n+2, len(lines)); y++ {
		r := []rune(lines[y])
		if x0+boxW > len(r) {
			t.Errorf("%d columns: row %d is short: %q", a.w, y, lines[y])
			continue
		}
		l, rt := string(r[x0]), string(r[x0+boxW-1])
		want := [2]string{frameV, frameV}
		switch y {
		case y0:
			want = [2]string{frameTL, frameTR}
		case y0 + n + 1:
			want = [2]string{frameBL, frameBR}
		}
		if l != want[0] || rt != want[1] {
			t.Errorf("%d columns: row %d has %q at the left edge and %q at the right, want %q and %q:\n%s", a.w, y, l, rt, want[0], want[1], s)
			return
		}
	}
}

// TestQueueGoldens keeps the queue panel with a job in each state, focused
// and not, the selected failure's reason on its last row.
func TestQueueGoldens(t *testing.T) {
	for _, w := range goldenWidths {
		a := goldenApp(t, w, 24, func(o *Options) { o.Queue = newQueue(t) })
		settle(t, a, queueEventMsg(transfer.Event{Jobs: panelJobs(), Totals: transfer.Totals{
			Jobs: 5, Active: 2, Done: 2, Failed: 1, Bytes: 168*mib + 900, Size: 338*mib + 2000, Rate: 6 * mib, ETA: 95 * time.Second}}))
		press(t, a, "f2") // the panel opens with the focus
		press(t, a, "down", "down", "down")
		got := screenText(a)
		for i, l := range strings.Split(got, "\n") {
			if n := ansi.StringWidth(l); n != w {
				t.Errorf("%d columns: line %d is %d cells: %q", w, i, n, l)
			}
		}
		checkGolden(t, "queue-"+itoa(w)+".txt", got)
	}
}

// settle delivers msg and runs the progress bars' animation frames it
// starts until they stop, so the bars show where they come to rest.
func settle(t *testing.T, a *App, msg tea.Msg) {
	t.Helper()
	_, cmd := a.Update(msg)
	pending := frames(cmd)
	for step := 0; len(pending) > 0; step++ {
		if step > 1000 {
			t.Fatal("the progress bars never came to rest")
		}
		_, cmd := a.Update(pending[0])
		pending = append(pending[1:], frames(cmd)...)
	}
}

// TestColourGoldens keeps two screens with their escape sequences: the
// main screen and the changed-host-key alarm, in the default dark theme,
// so a change to the theme or to how rows are styled shows in review.
func TestColourGoldens(t *testing.T) {
	colour := func(o *Options) { o.NoColor = false }
	a := goldenApp(t, 120, 16, colour)
	checkGolden(t, "main-120-colour.ans", a.View().Content)

	a = goldenApp(t, 80, 24, colour)
	goldenDialogs[slicesIndex("hostkey-changed")].open(t, a)
	checkGolden(t, "dialog-hostkey-changed-80-colour.ans", a.View().Content)
}

func slicesIndex(name string) int {
	for i, d := range goldenDialogs {
		if d.name == name {
			return i
		}
	}
	panic("no golden dialog " + name)
}

// TestKeyBarReachesF10AndTakesClicks: at every width from 40 columns the
// bar shows all ten keys, and a click on an entry does what its key does.
func TestKeyBarReachesF10AndTakesClicks(t *testing.T) {
	for _, w := range []int{40, 50, 60, 72, 80, 120} {
		a := goldenApp(t, w, 20)
		bar := ansi.Strip(a.keyBar(w))
		if n := ansi.StringWidth(bar); n != w {
			t.Errorf("%d columns: the bar is %d cells: %q", w, n, bar)
		}
		if !strings.Contains(bar, "10Qu") {
			t.Errorf("%d columns: the bar does not reach F10: %q", w, bar)
		}
		if w >= 73 && !strings.Contains(bar, "F8Delete F9Log F10Quit") {
			t.Errorf("%d columns: the bar shortens words it has room for: %q", w, bar)
		}
		for _, c := range []struct {
			label string
			open  func() bool
		}{
			{"7Mk", func() bool { return a.dialog != nil && strings.Contains(a.dialog.title(), "directory") }},
			{"1He", func() bool { return a.screen == screenHelp }},
		} {
			x := strings.Index(bar, c.label)
			if x < 0 {
				t.Fatalf("%d columns: no %q in %q", w, c.label, bar)
			}
			_, cmd := a.Update(tea.MouseClickMsg{X: x + 1, Y: a.h - 1, Button: tea.MouseLeft})
			run(t, a, cmd)
			if !c.open() {
				t.Errorf("%d columns: a click on %q did nothing (dialog %v, screen %v)", w, c.label, a.dialog, a.screen)
			}
			a.dialog, a.screen = nil, screenPanes
		}
	}
}
