package transfer

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
)

// muxClient is a session that says it carries streams transfers at once.
type muxClient struct {
	protocol.Client
	streams int
	closed  atomic.Bool
}

func (m *muxClient) Streams() int { return m.streams }
func (m *muxClient) Close() error { m.closed.Store(true); return nil }

// countingDial hands out muxClients (streams 0: a plain session) and
// remembers them.
type countingDial struct {
	mu      sync.Mutex
	streams int
	made    []*muxClient
}

func (d *countingDial) dial(ctx context.Context) (protocol.Client, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := &muxClient{Client: local.New(), streams: d.streams}
	d.made = append(d.made, m)
	if d.streams == 0 {
		return struct{ protocol.Client }{m}, nil // no Streams method
	}
	return m, nil
}

func (d *countingDial) dials() int { d.mu.Lock(); defer d.mu.Unlock(); return len(d.made) }

func TestPoolSharesMultiplexedSessions(t *testing.T) {
	ctx := context.Background()
	d := &countingDial{streams: 3}
	p := newPool(Endpoint{ID: "sftp://mux", Dial: d.dial}, systemClock{})

	var shared []protocol.Client
	for range 3 {
		cs, err := p.share(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		shared = append(shared, cs[0])
	}
	if d.dials() != 1 || shared[0] != shared[1] || shared[1] != shared[2] {
		t.Fatalf("three shared users took %d sessions, want one", d.dials())
	}
	// A fourth waits for a stream on the full session rather than dial.
	fourth := blockedShare(t, p, "a fourth shared user, with the only session full,")
	if d.dials() != 1 {
		t.Fatalf("a fourth shared user dialed past a full session (dials %d)", d.dials())
	}
	p.put(shared[2], false)
	if c := fourth(); c != shared[0] {
		t.Fatal("the fourth shared user was not given the freed stream")
	}
	// The fourth holds the third's stream now.
	ex, _ := p.get(ctx, 1)
	if d.dials() != 2 || ex[0] == shared[0] {
		t.Fatalf("an exclusive user was given a shared session (dials %d)", d.dials())
	}
	// A failure drains the session: nobody new joins, and it closes when
	// its last user leaves. With it draining, a session with free streams
	// but an exclusive holder takes no one either: a new one is dialed.
	p.put(shared[0], true)
	again, _ := p.share(ctx, 1)
	if again[0] == shared[0] {
		t.Fatal("a shared user joined a session that had failed")
	}
	if again[0] == ex[0] {
		t.Fatal("a shared user joined an exclusive session")
	}
	if d.dials() != 3 {
		t.Fatalf("dials %d, want 3", d.dials())
	}
	first := d.made[0]
	p.put(shared[1], false)
	if first.closed.Load() {
		t.Fatal("a failed session closed while a user still had it")
	}
	p.put(shared[2], false)
	waitFor(t, "the drained session to close", first.closed.Load)
}

func TestPoolNeverSharesPlainSessions(t *testing.T) {
	ctx := context.Background()
	d := &countingDial{}
	p := newPool(Endpoint{ID: "ftp://plain", Dial: d.dial, MaxConns: 2}, systemClock{})
	a, _ := p.share(ctx, 1)
	b, _ := p.share(ctx, 1)
	if d.dials() != 2 || a[0] == b[0] {
		t.Fatalf("two users of a non-multiplexing site share a session (dials %d)", d.dials())
	}
	// The cap holds: a third waits until one comes back.
	third := blockedShare(t, p, "a third user past MaxConns 2")
	p.put(a[0], false)
	if c := third(); c != a[0] {
		t.Error("the returned session was not reused")
	}
}

// blockedShare asks p for a shared session from another goroutine and
// checks that the request waits. The function it returns waits for the
// session once the caller has freed one.
func blockedShare(t *testing.T, p *pool, who string) func() protocol.Client {
	t.Helper()
	got := make(chan protocol.Client, 1)
	go func() {
		cs, err := p.share(context.Background(), 1)
		if err == nil {
			got <- cs[0]
		}
	}()
	select {
	case <-got:
		t.Fatalf("%s got a session at once", who)
	case <-time.After(50 * time.Millisecond):
	}
	return func() protocol.Client {
		t.Helper()
		select {
		case c := <-got:
			return c
		case <-time.After(5 * time.Second):
			t.Fatalf("%s never got a session", who)
			return nil
		}
	}
}

// TestSmallFilesRunPastWorkers checks that a tree of small files over a
// multiplexing site runs more files at once than Options.Workers, on one
// session, and that a plain site stays at Workers.
func TestSmallFilesRunPastWorkers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		streams int
		wantMin int
		wantMax int
	}{
		{"multiplexed", 64, 3, 2 * smallBoost},
		// Fewer streams than small files at once: they wait for a
		// stream on the one session instead of dialing more.
		{"multiplexed past its streams", 3, 2, 3},
		{"plain", 0, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "src")
			os.MkdirAll(filepath.Join(src, "sub"), 0o755)
			for i := range 24 {
				writeFile(t, filepath.Join(src, "sub", fmt.Sprintf("f%02d", i)), []byte(fmt.Sprintf("file %d", i)))
			}
			var active, peak atomic.Int32
			d := &countingDial{streams: tc.streams}
			ep := Endpoint{ID: "sftp://slow", Dial: func(ctx context.Context) (protocol.Client, error) {
				c, err := d.dial(ctx)
				if err != nil {
					return nil, err
				}
				h := &hookClient{Client: c}
				h.open = func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
					n := active.Add(1)
					defer active.Add(-1)
					for {
						m := peak.Load()
						if n <= m || peak.CompareAndSwap(m, n) {
							break
						}
					}
					time.Sleep(20 * time.Millisecond) // a round trip
					return c.Open(ctx, p, off)
				}
				if tc.streams > 0 {
					return struct {
						*hookClient
						protocol.Multiplexer
					}{h, c.(protocol.Multiplexer)}, nil
				}
				return h, nil
			}}
			q, _ := newTestQueue(t, Options{Workers: 2, Conflict: PolicyOverwrite})
			dst := filepath.Join(dir, "dst")
			id, err := q.Add(Spec{Src: ep, SrcPath: slash(src), Dst: localEP(nil), DstPath: slash(dst), Dir: true})
			if err != nil {
				t.Fatal(err)
			}
			waitDone(t, q)
			if ji := jobState(t, q, id); ji.State != StateDone {
				t.Fatalf("state %s: %v", ji.State, ji.Err)
			}
			for i := range 24 {
				sameContent(t, filepath.Join(src, "sub", fmt.Sprintf("f%02d", i)), filepath.Join(dst, "sub", fmt.Sprintf("f%02d", i)))
			}
			noParts(t, dir)
			if got := int(peak.Load()); got < tc.wantMin || got > tc.wantMax {
				t.Errorf("%d files open at once with 2 workers, want %d to %d", got, tc.wantMin, tc.wantMax)
			}
			if tc.streams > 0 && d.dials() != 1 {
				t.Errorf("%d sessions for a multiplexing site, want 1", d.dials())
			}
		})
	}
}
