package transfer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

func TestSegmentedPartResumesAfterCrash(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	s, d := filepath.Join(dir, "big"), filepath.Join(dir, "out")
	const size = 2_200_003 // segmentable with the default minimum segment
	writeFile(t, s, randBytes(rand.New(rand.NewPCG(9, 9)), size))
	old := time.Now().Add(-time.Hour)
	os.Chtimes(s, old, old)
	var o1, o2 opens
	q1, err := New(Options{StateDir: state, Limit: 512 << 10, EventInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := q1.Add(Spec{Src: offsetSourceNamed("sftp://seg", &o1), SrcPath: slash(s), Dst: localEP(nil), DstPath: slash(d), Options: JobOptions{Segments: 4}})
	var saved savedJob
	waitFor(t, "queue.json with segment progress", func() bool {
		data, err := os.ReadFile(filepath.Join(state, queueFile))
		if err != nil {
			return false
		}
		var sq savedQueue
		if json.Unmarshal(data, &sq) != nil || len(sq.Jobs) != 1 || len(sq.Jobs[0].Segments) < 2 {
			return false
		}
		for _, sg := range sq.Jobs[0].Segments {
			if sg.Done == 0 {
				return false
			}
		}
		saved = sq.Jobs[0]
		return true
	})
	crash, _ := os.ReadFile(filepath.Join(state, queueFile))
	q1.Close()
	os.WriteFile(filepath.Join(state, queueFile), crash, 0o600)

	q2, err := New(Options{StateDir: state, EventInterval: 10 * time.Millisecond,
		Resolve: func(ctx context.Context, id string) (Endpoint, error) {
			if id == "sftp://seg" {
				return offsetSourceNamed(id, &o2), nil
			}
			return localEP(nil), nil
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
	var want []int64
	for _, sg := range saved.Segments {
		if sg.Done < sg.End-sg.Off {
			want = append(want, sg.Off+sg.Done)
		}
	}
	got := o2.list()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("after reload the source was opened at %v, want each segment where it stopped %v", got, want)
	}
}

func TestLoadSegmentsRejectsBadRecords(t *testing.T) {
	segs := loadSegments([]savedSegment{{0, 10, 5}, {10, 20, 10}}, 20)
	if len(segs) != 2 || segs[0].done.Load() != 5 || segs[1].done.Load() != 10 {
		t.Fatalf("loadSegments: %+v", segs)
	}
	for _, bad := range [][]savedSegment{
		{{0, 10, 5}, {11, 20, 0}},  // a gap
		{{0, 10, 11}, {10, 20, 0}}, // more done than the range
		{{0, 10, 5}},               // does not reach the size
	} {
		if segs := loadSegments(bad, 20); segs != nil {
			t.Errorf("loadSegments(%v) = %v, want nil", bad, segs)
		}
	}
}

// offsetSourceNamed is offsetSource under another site ID.
func offsetSourceNamed(id string, o *opens) Endpoint {
	ep := offsetSource(o)
	ep.ID = id
	return ep
}

// asciiSource refuses offsets like an FTP server in ASCII mode and cuts the
// first cut bytes-long stream with a transient error.
func asciiSource(o *opens, cut int64) Endpoint {
	return namedEP("ftp://ascii", func(c protocol.Client) protocol.Client {
		h := &hookClient{Client: c}
		h.open = func(ctx context.Context, p string, off int64) (io.ReadCloser, error) {
			o.add(off)
			if off > 0 {
				return nil, protocol.NewError("open", p, protocol.ErrUnsupported, "", fmt.Errorf("resume and ranges need binary mode"))
			}
			r, err := c.Open(ctx, p, off)
			if err == nil && cut > 0 && o.n.Load() == 1 {
				return &cutReader{ReadCloser: r, limit: cut}, nil
			}
			return r, err
		}
		return h
	})
}

func TestResumeRefusedStartsOver(t *testing.T) {
	data := randBytes(rand.New(rand.NewPCG(13, 13)), 200_000)
	for _, tc := range []struct {
		name string
		part bool  // a part from an earlier run exists
		cut  int64 // the first stream fails after this many bytes
		segs int
		want []int64
	}{
		{"a part from an earlier run", true, 0, 0, []int64{80_000, 0}},
		{"a retry after a dropped connection", false, 120_000, 0, []int64{0, 120_000, 0}},
		{"a segmented download", false, 0, 4, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
			writeFile(t, src, data)
			if tc.part {
				writeFile(t, dst+partSuffix, data[:80_000])
				old := time.Now().Add(-time.Hour)
				os.Chtimes(src, old, old)
			}
			var o opens
			q, lg := newTestQueue(t, Options{Retries: 3})
			q.e.minSegment = 16 << 10
			id, _ := q.Add(Spec{Src: asciiSource(&o, tc.cut), SrcPath: slash(src), Dst: localEP(nil), DstPath: slash(dst), Options: JobOptions{Segments: tc.segs}})
			waitDone(t, q)
			if ji := jobState(t, q, id); ji.State != StateDone {
				t.Fatalf("state %s: %v", ji.State, ji.Err)
			}
			sameContent(t, src, dst)
			noParts(t, dir)
			got := o.list()
			if tc.want != nil && !slices.Equal(got, tc.want) {
				t.Errorf("source opened at %v, want %v", got, tc.want)
			}
			if got[len(got)-1] != 0 {
				t.Errorf("the last open was at %d, want a full copy from 0 (%v)", got[len(got)-1], got)
			}
			if !lg.eventually("starting over", "one stream") {
				t.Errorf("no log line about the refused resume: %q", lg.all())
			}
		})
	}
}

func TestSegmentedPartResumesFromItsRecord(t *testing.T) {
	const size = 2_200_003
	data := randBytes(rand.New(rand.NewPCG(21, 21)), size)
	segs := plan(size, 2, 1<<20)
	for _, tc := range []struct {
		name      string
		srcChange bool
	}{
		{"an unchanged source continues each range", false},
		{"a changed source starts over", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, d := filepath.Join(dir, "big"), filepath.Join(dir, "out")
			writeFile(t, s, data)
			mtime := time.Now().Add(-time.Hour).Truncate(time.Second)
			os.Chtimes(s, mtime, mtime)
			// A part with holes, as a crashed run of a directory job leaves
			// it: the first 300000 bytes of each range, and the record.
			part := make([]byte, segs[1].off+300_000)
			copy(part, data[:300_000])
			copy(part[segs[1].off:], data[segs[1].off:segs[1].off+300_000])
			writeFile(t, d+partSuffix, part)
			for i := range segs {
				segs[i].done.Store(300_000)
			}
			recTime := mtime
			if tc.srcChange {
				recTime = mtime.Add(-time.Minute)
			}
			if err := writeSegs(slash(d+partSuffix), size, recTime, segs); err != nil {
				t.Fatal(err)
			}
			var o opens
			q, _ := newTestQueue(t, Options{})
			id, _ := q.Add(Spec{Src: offsetSource(&o), SrcPath: slash(s), Dst: localEP(nil), DstPath: slash(d), Options: JobOptions{Segments: 2}})
			waitDone(t, q)
			if ji := jobState(t, q, id); ji.State != StateDone {
				t.Fatalf("state %s: %v", ji.State, ji.Err)
			}
			sameContent(t, s, d)
			noParts(t, dir)
			want := []int64{300_000, segs[1].off + 300_000}
			if tc.srcChange {
				want = []int64{0, segs[1].off}
			}
			got := o.list()
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("source opened at %v, want %v", got, want)
			}
		})
	}
}
