package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestReloadResolvesEndpointsAndResumesPart(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	var o1, o2 opens
	q1, err := New(Options{StateDir: state, EventInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	spec, s, d := slowSpec(t, dir, offsetSourceNamed("sftp://remote", &o1), localEP(nil))
	old := time.Now().Add(-time.Hour)
	os.Chtimes(s, old, old)
	id, _ := q1.Add(spec)
	var saved savedJob
	waitFor(t, "queue.json with progress", func() bool {
		data, err := os.ReadFile(filepath.Join(state, queueFile))
		if err != nil {
			return false
		}
		var sq savedQueue
		if json.Unmarshal(data, &sq) != nil || len(sq.Jobs) != 1 || sq.Jobs[0].Bytes < 64<<10 {
			return false
		}
		saved = sq.Jobs[0]
		return true
	})
	crash, _ := os.ReadFile(filepath.Join(state, queueFile))
	q1.Close()
	os.WriteFile(filepath.Join(state, queueFile), crash, 0o600)
	if saved.SrcSite != "sftp://remote" || saved.State != "running" {
		t.Fatalf("saved job %+v", saved)
	}

	var mu sync.Mutex
	var asked []string
	q2, err := New(Options{StateDir: state, EventInterval: 10 * time.Millisecond,
		Resolve: func(ctx context.Context, site string) (Endpoint, error) {
			mu.Lock()
			asked = append(asked, site)
			mu.Unlock()
			switch site {
			case "sftp://remote":
				return offsetSourceNamed(site, &o2), nil
			case "local":
				return localEP(nil), nil
			}
			return Endpoint{}, errors.New("unknown site")
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer q2.Close()
	waitDone(t, q2)
	if ji := jobState(t, q2, id); ji.State != StateDone {
		t.Fatalf("state %s: %v", ji.State, ji.Err)
	}
	sameContent(t, s, d)
	noParts(t, dir)
	mu.Lock()
	if !slices.Contains(asked, "sftp://remote") {
		t.Errorf("Resolve asked for %v, not the saved source site", asked)
	}
	mu.Unlock()
	if got := o2.list(); len(got) != 1 || got[0] < saved.Bytes {
		t.Errorf("after reload the source was opened at %v, want once at the part (>= %d)", got, saved.Bytes)
	}
}
