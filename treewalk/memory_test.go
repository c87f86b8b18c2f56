package treewalk

import (
	"context"
	"fmt"
	"io/fs"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
)

// wideTree is a made-up tree that exists only as listings: /dN holds
// files f0…fM-1 and, below the root, the top holds d0…dN-1. It is a
// Multiplexer, so every worker shares it.
type wideTree struct {
	*local.Client
	dirs, files int
}

func (wideTree) Streams() int { return 64 }

func (w wideTree) List(_ context.Context, dir string) ([]protocol.Entry, error) {
	if dir == "/" {
		out := make([]protocol.Entry, w.dirs)
		for i := range out {
			out[i] = protocol.Entry{Name: "d" + strconv.Itoa(i), Mode: fs.ModeDir | 0o755}
		}
		return out, nil
	}
	if !strings.HasPrefix(dir, "/d") {
		return nil, fmt.Errorf("list %s: %w", dir, protocol.ErrNotExist)
	}
	out := make([]protocol.Entry, w.files)
	for i := range out {
		out[i] = protocol.Entry{Name: "f" + strconv.Itoa(i), Size: 1, Mode: 0o644}
	}
	return out, nil
}

// TestWalkMemoryStaysBoundedOnAMillionEntries walks 1,000 directories of
// 1,000 files and checks that the live heap never holds more than a few
// listings' worth: the walk keeps pending directories, not entries.
func TestWalkMemoryStaysBoundedOnAMillionEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("a million entries")
	}
	tree := wideTree{dirs: 1000, files: 1000}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	var n int
	u, err := Measure(context.Background(), tree, "/", Options{}, func(Usage) {
		if n++; n%400 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.Files != 1_000_000 || u.Dirs != 1000 || u.Bytes != 1_000_000 {
		t.Fatalf("got %+v, want a million one-byte files in 1,000 directories", u)
	}
	// One listing of 1,000 entries is about 100 KiB; everything seen would
	// be about 100 MiB.
	if grew := int64(peak) - int64(base); grew > 16<<20 {
		t.Fatalf("the live heap grew by %d MiB during the walk, want a few listings' worth", grew>>20)
	}
}
