package transfer

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCrashAndReloadResumesQueue(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	r := rand.New(rand.NewPCG(4, 4))
	tree := filepath.Join(dir, "tree")
	for i := range 12 {
		writeFile(t, filepath.Join(tree, "d"+string(rune('a'+i%3)), "f"+string(rune('a'+i))), randBytes(r, 40<<10))
	}
	ep := localEP(nil)
	q1, err := New(Options{StateDir: state, Limit: 256 << 10, EventInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	spec, s, d := slowSpec(t, dir, ep, ep)
	fileID, _ := q1.Add(spec)
	dirID, _ := q1.Add(Spec{Src: ep, SrcPath: slash(tree), Dst: ep, DstPath: slash(filepath.Join(dir, "out")), Dir: true})
	waitFor(t, "queue.json with progress", func() bool {
		data, err := os.ReadFile(filepath.Join(state, queueFile))
		if err != nil {
			return false
		}
		var sq savedQueue
		return json.Unmarshal(data, &sq) == nil && len(sq.Jobs) == 2 && sq.Jobs[0].State == "running" && sq.Jobs[0].Bytes > 0
	})
	// A crash: the saved file is what survives; the old process's own
	// shutdown must not tidy it up.
	crash, _ := os.ReadFile(filepath.Join(state, queueFile))
	q1.Close()
	os.WriteFile(filepath.Join(state, queueFile), crash, 0o600)

	q2, err := New(Options{StateDir: state, EventInterval: 10 * time.Millisecond,
		Resolve: func(ctx context.Context, id string) (Endpoint, error) { return localEP(nil), nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer q2.Close()
	jobs := q2.Jobs()
	if len(jobs) != 2 || jobs[0].ID != fileID || jobs[1].ID != dirID {
		t.Fatalf("reloaded %+v, want the two jobs", jobs)
	}
	waitDone(t, q2)
	for _, ji := range q2.Jobs() {
		if ji.State != StateDone {
			t.Fatalf("job %d: %s %v", ji.ID, ji.State, ji.Err)
		}
	}
	sameContent(t, s, d)
	for i := range 12 {
		rel := filepath.Join("d"+string(rune('a'+i%3)), "f"+string(rune('a'+i)))
		sameContent(t, filepath.Join(tree, rel), filepath.Join(dir, "out", rel))
	}
	noParts(t, dir)
	id3, _ := q2.Add(spec)
	if id3 <= dirID {
		t.Errorf("new job got id %d, reusing a saved one", id3)
	}
}

func TestCorruptQueueFileDoesNotStopStart(t *testing.T) {
	state := t.TempDir()
	os.WriteFile(filepath.Join(state, queueFile), []byte("{not json"), 0o600)
	q, err := New(Options{StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if n := len(q.Jobs()); n != 0 {
		t.Errorf("%d jobs from a corrupt file", n)
	}
	if _, err := os.Stat(filepath.Join(state, queueFile+".corrupt")); err != nil {
		t.Errorf("corrupt file not kept aside: %v", err)
	}
}
