package transfer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// segsSuffix names the record kept beside a segmented part
// ("big.iso.ferry-part.segs"): which ranges are written. A segmented part
// has holes, so without the record it must never be resumed by its size;
// with it, a restart (even of a file a directory walk found again, which
// queue.json does not list) continues each range where it stopped.
const segsSuffix = ".segs"

// segRecord is the record's content: the source it was written from and
// the ranges.
type segRecord struct {
	SrcSize  int64          `json:"src_size"`
	SrcMtime time.Time      `json:"src_mtime"`
	Segments []savedSegment `json:"segments"`
}

// writeSegs saves the ranges of the local part write; done counts may lag
// the file (they are read after the bytes are written), never lead it.
func writeSegs(write string, size int64, mtime time.Time, segs []segment) error {
	rec := segRecord{SrcSize: size, SrcMtime: mtime}
	for _, sg := range segs {
		rec.Segments = append(rec.Segments, savedSegment{Off: sg.off, End: sg.end, Done: sg.done.Load()})
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.FromSlash(write)+segsSuffix, data)
}

// readSegs loads the record of the local part write. exists reports whether
// there is one at all; segs is nil when it does not match the source (or
// cannot be read), and the part then starts over.
func readSegs(write string, size int64, mtime time.Time) (segs []segment, exists bool) {
	data, err := os.ReadFile(filepath.FromSlash(write) + segsSuffix)
	if err != nil {
		return nil, !os.IsNotExist(err)
	}
	var rec segRecord
	if json.Unmarshal(data, &rec) != nil || rec.SrcSize != size || !rec.SrcMtime.Equal(mtime) {
		return nil, true
	}
	return loadSegments(rec.Segments, size), true
}

// removeSegs drops the record once the part is whole.
func removeSegs(write string) {
	os.Remove(filepath.FromSlash(write) + segsSuffix)
}
