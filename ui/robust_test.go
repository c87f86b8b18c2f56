package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
)

// droppingClient is a local Client whose connection can be "lost": every
// call then fails the way a dead network session does.
type droppingClient struct {
	*local.Client
	dead *atomic.Bool
}

func (c droppingClient) List(ctx context.Context, dir string) ([]protocol.Entry, error) {
	if c.dead.Load() {
		return nil, protocol.NewError("list", dir, protocol.ErrTransient, "", os.ErrDeadlineExceeded)
	}
	return c.Client.List(ctx, dir)
}

func (c droppingClient) Security() string { return "FTP · unencrypted" }
func (c droppingClient) Encrypted() bool  { return false }

func TestLostConnectionOffersReconnect(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"sub/x": "x"})
	var dead atomic.Bool
	dials := 0
	ep := Endpoint{
		Name: "ftp.example.com", Path: filepath.ToSlash(left),
		Dial: func(context.Context) (protocol.Client, error) {
			dials++
			return droppingClient{local.New(), &dead}, nil
		},
	}
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) { o.Right = ep })
	if dials != 1 {
		t.Fatalf("dialed %d times at start", dials)
	}
	mustContain(t, a, "FTP · unencrypted", "sub/")
	a.focus = 1
	dead.Store(true)
	a.panes[1].selectName("sub")
	press(t, a, "enter")
	p := a.panes[1]
	if !p.lost {
		t.Fatal("pane not marked lost")
	}
	mustContain(t, a, "Connection lost", "Reconnect", "sub/") // the old listing stays
	press(t, a, "esc")
	mustContain(t, a, "connection lost", "ctrl+r reconnects")
	dead.Store(false)
	press(t, a, "ctrl+r")
	if dials != 2 || p.lost || !p.connected {
		t.Fatalf("reconnect: dials %d lost %v", dials, p.lost)
	}
	mustNotContain(t, a, "connection lost")

	// The dialog offers the same.
	dead.Store(true)
	press(t, a, "ctrl+r")
	mustContain(t, a, "Connection lost")
	dead.Store(false)
	press(t, a, "r")
	if dials != 3 || p.lost {
		t.Fatalf("dialog reconnect: dials %d lost %v", dials, p.lost)
	}
}

func TestInsecureHeaderUsesWarningStyle(t *testing.T) {
	var dead atomic.Bool
	ep := Endpoint{Name: "ftp", Client: droppingClient{local.New(), &dead}, Path: filepath.ToSlash(t.TempDir())}
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) { o.Right = ep; o.NoColor = false })
	v := a.View().Content
	i := strings.Index(v, "FTP · unencrypted")
	if i < 0 {
		t.Fatal("no security label")
	}
	if !strings.Contains(v[max(i-40, 0):i], string(a.th.insecure)) {
		t.Fatal("unencrypted label not drawn in the warning style")
	}
}

func TestNoColorDrawsNoColours(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"d/": "", "f": "1"})
	a := newTestApp(t, left, t.TempDir(), nil) // NoColor
	v := a.View().Content
	for _, sgrColour := range []string{"38;5;", "48;5;", "38;2;", "48;2;"} {
		if strings.Contains(v, sgrColour) {
			t.Fatalf("NoColor view holds colour sequence %q", sgrColour)
		}
	}
}

func TestEditUploadsOnlyWhenChangedAndWarnsOnRemoteChange(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"conf.txt": "v1"})
	a := newTestApp(t, dir, t.TempDir(), nil)
	a.panes[0].selectName("conf.txt")
	_, cmd := a.Update(keyMsg("f4"))
	msg, _ := runOne(cmd, 5*time.Second)
	ready, ok := msg.(editReadyMsg)
	if !ok || ready.err != nil {
		t.Fatalf("F4 gave %#v", msg)
	}
	s := ready.s
	if b, _ := os.ReadFile(s.local); string(b) != "v1" {
		t.Fatalf("temp copy holds %q", b)
	}
	// The editor step: Update hands back tea.ExecProcess; it is not run here.
	if _, c := a.Update(ready); c == nil {
		t.Fatal("no editor command")
	}

	// Unchanged: nothing uploaded, temp removed.
	m := s.check(context.Background(), false)
	if !m.unchanged {
		t.Fatalf("unchanged edit: %+v", m)
	}

	// Changed: uploaded.
	_, cmd = a.Update(keyMsg("f4"))
	msg, _ = runOne(cmd, 5*time.Second)
	s = msg.(editReadyMsg).s
	os.WriteFile(s.local, []byte("v2"), 0o644)
	m = s.check(context.Background(), false)
	if !m.uploaded || m.err != nil {
		t.Fatalf("changed edit: %+v", m)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "conf.txt")); string(b) != "v2" {
		t.Fatalf("remote holds %q after upload", b)
	}

	// Remote changed meanwhile: a warning dialog, and nothing uploaded.
	_, cmd = a.Update(keyMsg("f4"))
	msg, _ = runOne(cmd, 5*time.Second)
	s = msg.(editReadyMsg).s
	os.WriteFile(s.local, []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(dir, "conf.txt"), []byte("theirs, longer"), 0o644)
	m = s.check(context.Background(), false)
	if m.conflict == "" || m.uploaded {
		t.Fatalf("remote change not noticed: %+v", m)
	}
	a.Update(m)
	mustContain(t, a, "Remote file changed", "Upload mine anyway")
	press(t, a, "u")
	if b, _ := os.ReadFile(filepath.Join(dir, "conf.txt")); string(b) != "mine" {
		t.Fatalf("forced upload left %q", b)
	}
}

func TestRunRestoresTerminalAfterPanic(t *testing.T) {
	// A panicking endpoint name formatter is contrived; a nil pane is not.
	// Run must return an error, not crash the test binary.
	in, out := strings.NewReader(""), &strings.Builder{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts := Options{Left: localEndpoint("l", t.TempDir()), Right: localEndpoint("r", t.TempDir()), Input: in, Output: out}
	opts.Connect = func(context.Context, string) (Endpoint, error) { panic("boom") }
	errc := make(chan error, 1)
	go func() {
		errc <- runWith(ctx, opts, func(a *App) tea.Cmd { return a.connectSite(0, ConnectRequest{Addr: "x"}, "") })
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, tea.ErrProgramPanic) {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after a panic")
	}
}

func TestHostileNamesCannotEscapeTheirCells(t *testing.T) {
	left := t.TempDir()
	evil := "evil\x1b[2Jname\x07.txt"
	writeFiles(t, left, map[string]string{evil: "x"})
	a := newTestApp(t, left, t.TempDir(), nil)
	v := a.View().Content
	if strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\x07") {
		t.Fatal("a control sequence from a file name reached the screen")
	}
	mustContain(t, a, "evil?[2Jname?.txt")
	a.panes[0].selectName(evil)
	press(t, a, "f8")
	if strings.Contains(a.View().Content, "\x1b[2J") {
		t.Fatal("a control sequence reached a dialog")
	}
}

// TestExternalPagerViewsACopyAndNeverUploads checks F3 with Options.Pager:
// the file is downloaded, handed to the pager, and the copy is removed
// afterwards without any upload, even when the pager changed it.
func TestExternalPagerViewsACopyAndNeverUploads(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"notes.txt": "read me"})
	a := newTestApp(t, dir, t.TempDir(), func(o *Options) { o.Pager = "less -R" })
	a.panes[0].selectName("notes.txt")
	_, cmd := a.Update(keyMsg("f3"))
	msg, _ := runOne(cmd, 5*time.Second)
	ready, ok := msg.(editReadyMsg)
	if !ok || ready.err != nil || !ready.s.viewOnly {
		t.Fatalf("F3 with a pager gave %#v", msg)
	}
	if b, _ := os.ReadFile(ready.s.local); string(b) != "read me" {
		t.Fatalf("copy for the pager holds %q", b)
	}
	if _, c := a.Update(ready); c == nil {
		t.Fatal("no pager command")
	}
	os.WriteFile(ready.s.local, []byte("scribbled"), 0o644)
	if _, c := a.Update(editExitMsg{s: ready.s}); c != nil {
		t.Fatal("leaving the pager started more work (an upload?)")
	}
	if _, err := os.Stat(ready.s.local); !os.IsNotExist(err) {
		t.Fatalf("pager copy %s not removed: %v", ready.s.local, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "read me" {
		t.Fatalf("original changed to %q", b)
	}
}

// hangingLister is a local client whose listings of one directory never
// answer until their context ends, like a server gone silent mid-listing.
type hangingLister struct {
	protocol.Client
	dir     string
	started chan struct{}
}

func (h hangingLister) List(ctx context.Context, dir string) ([]protocol.Entry, error) {
	if dir != h.dir {
		return h.Client.List(ctx, dir)
	}
	h.started <- struct{}{}
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestEscStopsAHungListing: Esc gives up a listing that does not answer;
// the pane keeps what it showed, says so, and takes keys again at once.
func TestEscStopsAHungListing(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"slow/": "", "a.txt": "a"})
	hl := hangingLister{Client: local.New(), dir: filepath.ToSlash(filepath.Join(left, "slow")), started: make(chan struct{}, 1)}
	a := newTestApp(t, left, t.TempDir(), func(o *Options) {
		o.Left.Client = hl
		o.Left.Dial = func(context.Context) (protocol.Client, error) { return hl, nil }
	})
	p := a.panes[0]
	p.selectName("slow")
	_, cmd := a.Update(keyMsg("enter"))
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case <-hl.started:
	case <-time.After(5 * time.Second):
		t.Fatal("the listing never started")
	}
	if p.busy == "" {
		t.Fatal("the pane does not say it is listing")
	}
	press(t, a, "esc")
	if p.busy != "" || !strings.Contains(a.status, "stopped listing") {
		t.Errorf("after esc: busy %q, status %q", p.busy, a.status)
	}
	select {
	case msg := <-done:
		a.Update(msg) // late, and ignored
	case <-time.After(5 * time.Second):
		t.Fatal("the hung listing did not end when stopped")
	}
	if p.dir != filepath.ToSlash(left) || p.lookup("a.txt") == nil {
		t.Errorf("the pane lost its listing: dir %q", p.dir)
	}
	press(t, a, "j")
	mustContain(t, a, "a.txt")
}
