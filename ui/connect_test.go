package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/transfer"
)

// memBookmarks is an in-memory bookmark store.
type memBookmarks struct {
	mu     sync.Mutex
	sites  []Bookmark
	recent []string
}

func (m *memBookmarks) AddRecent(_ context.Context, addr string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recent = append(m.recent, addr)
	return nil
}

func (m *memBookmarks) List(context.Context) ([]Bookmark, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Bookmark(nil), m.sites...), nil
}

func (m *memBookmarks) Save(_ context.Context, b Bookmark) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sites = append(m.sites, b)
	return nil
}

func TestConnectDialogURLAndForm(t *testing.T) {
	target := t.TempDir()
	writeFiles(t, target, map[string]string{"remote-file": "r"})
	var got []string
	bm := &memBookmarks{}
	a := newTestApp(t, t.TempDir(), t.TempDir(), func(o *Options) {
		o.Bookmarks = bm
		o.Connect = func(_ context.Context, addr string) (Endpoint, error) {
			got = append(got, addr)
			if addr == "sftp://bad.example" {
				return Endpoint{}, protocol.NewError("connect", "", protocol.ErrHostKey, "", errors.New("host key for bad.example changed"))
			}
			ep := localEndpoint(addr, target)
			ep.Security = "SFTP · ssh-ed25519"
			return ep, nil
		}
	})
	a.focus = 1
	press(t, a, "ctrl+o")
	mustContain(t, a, "Connect (right pane)", "URL or bookmark", "Protocol", "Password", "Save as bookmark")
	typeText(t, a, "sftp://alice@example.com")
	press(t, a, "enter")
	if len(got) != 1 || got[0] != "sftp://alice@example.com" {
		t.Fatalf("Connect got %q", got)
	}
	if len(bm.recent) != 1 || bm.recent[0] != "sftp://alice@example.com" {
		t.Fatalf("recent sites %q", bm.recent)
	}
	if a.panes[1].ep.Name != "sftp://alice@example.com" || a.panes[1].lookup("remote-file") == nil {
		t.Fatalf("right pane is %q with %d items", a.panes[1].ep.Name, len(a.panes[1].items))
	}

	// The form: protocol ftpes, host, port, user, password, save.
	press(t, a, "ctrl+o", "tab", "right", "right", "tab")
	typeText(t, a, "ftp.example.com")
	press(t, a, "tab")
	typeText(t, a, "2121")
	press(t, a, "tab")
	typeText(t, a, "bob")
	press(t, a, "tab")
	typeText(t, a, "s3cret")
	mustNotContain(t, a, "s3cret")
	press(t, a, "tab", "tab", "tab", "tab", "space", "tab")
	typeText(t, a, "work")
	press(t, a, "enter")
	if len(got) != 2 || got[1] != "ftpes://bob:s3cret@ftp.example.com:2121" {
		t.Fatalf("form connected to %q", got)
	}
	if len(bm.sites) != 1 || bm.sites[0].Name != "work" || bm.sites[0].URL != "ftpes://bob@ftp.example.com:2121" {
		t.Fatalf("saved bookmarks %+v", bm.sites)
	}

	// A refused host key is an alarm.
	press(t, a, "ctrl+o")
	typeText(t, a, "sftp://bad.example")
	press(t, a, "enter")
	mustContain(t, a, "identity not trusted", "changed")
	press(t, a, "esc")

	// The site manager lists recent and saved sites, filtered.
	press(t, a, "ctrl+b")
	mustContain(t, a, "Site manager", "work", "ftpes://bob@ftp.example.com:2121", "recent")
	typeText(t, a, "wrk")
	mustNotContain(t, a, "sftp://alice@example.com ")
	press(t, a, "enter")
	if got[len(got)-1] != "work" {
		t.Fatalf("site manager connected to %q", got[len(got)-1])
	}
}

func TestQueuePanelKeys(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	big := strings.Repeat("x", 2<<20)
	writeFiles(t, left, map[string]string{"a": big, "b": big, "c": big})
	q := newQueue(t)
	a := newTestApp(t, left, right, func(o *Options) { o.Queue = q })
	q.SetLimit(50 << 10) // slow enough to act on running jobs
	press(t, a, "*", "f5")
	pumpQueue(t, a, q, func() bool { return len(a.queue.order) == 3 })
	press(t, a, "t")
	if !a.showQueue || !a.qFocus {
		t.Fatal("t did not open and focus the queue panel")
	}
	mustContain(t, a, "Transfers (3)")
	first := a.queue.order[0]
	press(t, a, "J")
	if a.queue.order[1] != first || a.queue.sel != 1 {
		t.Fatalf("J did not move the job down: %v", a.queue.order)
	}
	press(t, a, "x")
	pumpQueue(t, a, q, func() bool { return a.queue.jobs[first].State == transfer.StateCanceled })
	press(t, a, "r")
	pumpQueue(t, a, q, func() bool { return a.queue.jobs[first].State != transfer.StateCanceled })
	press(t, a, "p")
	pumpQueue(t, a, q, func() bool { return a.queue.jobs[first].State == transfer.StatePaused })
	press(t, a, "p")
	pumpQueue(t, a, q, func() bool { return a.queue.jobs[first].State != transfer.StatePaused })
	press(t, a, "esc")
	if a.qFocus {
		t.Fatal("esc kept the queue focus")
	}
	q.SetLimit(0)
	q.ResumeAll()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}
