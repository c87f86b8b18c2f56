package sftp

import (
	"sync/atomic"
	"testing"
)

// TestPacketsCountWholePackets feeds two packets in awkward pieces: each
// counts once its last byte has come, not when its length has.
func TestPacketsCountWholePackets(t *testing.T) {
	var n atomic.Int64
	p := packets{n: &n}
	stream := []byte{0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 2, 'd', 'e'}
	for i, want := range []int64{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2} {
		p.scan(stream[i : i+1])
		if got := n.Load(); got != want {
			t.Fatalf("after byte %d: %d packets, want %d", i, got, want)
		}
	}
	p.scan([]byte{0, 0, 0, 0}) // an empty packet counts at once
	if got := n.Load(); got != 3 {
		t.Fatalf("%d packets after an empty one, want 3", got)
	}
}
