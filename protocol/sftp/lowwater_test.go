package sftp

import (
	"sync"
	"testing"
	"time"
)

// marks records what a lowWater sets.
type marks struct {
	mu   sync.Mutex
	got  []int
	note chan int
}

func (m *marks) set(n int) {
	m.mu.Lock()
	m.got = append(m.got, n)
	m.mu.Unlock()
	select {
	case m.note <- n:
	default:
	}
}

func (m *marks) last() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.got) == 0 {
		return 1
	}
	return m.got[len(m.got)-1]
}

func testLowWater(patience time.Duration) (*lowWater, *marks) {
	m := &marks{note: make(chan int, 16)}
	w := lowWaterWith(m.set)
	w.patience = patience
	return w, m
}

// TestLowWaterFollowsSureStreams: the mark is up while any stream is sure
// and down when none is, and it is set only when it changes.
func TestLowWaterFollowsSureStreams(t *testing.T) {
	w, m := testLowWater(time.Hour)
	a, b := w.stream(1<<30), w.stream(1<<30)
	a.report(true, 0)
	a.report(true, 0)
	b.report(true, 0)
	if got := m.last(); got != lowMark {
		t.Fatalf("mark %d with two sure streams, want %d", got, lowMark)
	}
	a.report(false, 0)
	if got := m.last(); got != lowMark {
		t.Fatalf("mark %d with one sure stream left, want %d", got, lowMark)
	}
	b.report(true, 1<<30+1) // asking past the expected end: EOFs follow
	if got := m.last(); got != 1 {
		t.Fatalf("mark %d with no stream within its data, want 1", got)
	}
	w.stream(-1).report(true, 0) // where the data ends is not known
	if got := m.last(); got != 1 {
		t.Fatalf("mark %d for a stream of unknown length, want 1", got)
	}
	b.done()
	a.done() // a second done changes nothing
	m.mu.Lock()
	defer m.mu.Unlock()
	if want := []int{lowMark, 1}; len(m.got) != len(want) || m.got[0] != want[0] || m.got[1] != want[1] {
		t.Fatalf("marks set %v, want %v", m.got, want)
	}
}

// TestLowWaterDropsWhenRepliesStop: a sure stream whose replies stop
// coming (the bytes it counted on never arrive) gets the mark dropped, so
// a small reply is not held back; its next reply raises it again.
func TestLowWaterDropsWhenRepliesStop(t *testing.T) {
	w, m := testLowWater(20 * time.Millisecond)
	s := w.stream(1 << 30)
	s.report(true, 0)
	if got := <-m.note; got != lowMark {
		t.Fatalf("mark %d, want %d", got, lowMark)
	}
	select {
	case got := <-m.note:
		if got != 1 {
			t.Fatalf("mark %d after the replies stopped, want 1", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the mark never dropped")
	}
	s.report(true, 0)
	if got := m.last(); got != lowMark {
		t.Fatalf("mark %d after the next reply, want %d", got, lowMark)
	}
	s.done()
}

// TestLowWaterNilIsInert: where the mark cannot be set, streams report
// into nothing.
func TestLowWaterNilIsInert(t *testing.T) {
	var w *lowWater
	s := w.stream(1 << 30)
	s.report(true, 0)
	s.done()
	var none *lowStream
	none.report(true, 0)
	if newLowWater(struct{}{}) != nil {
		t.Fatal("a low-water mark for something that is not a socket")
	}
}
