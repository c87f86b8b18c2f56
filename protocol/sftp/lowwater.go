package sftp

import (
	"sync"
	"time"
)

const (
	// lowMark is the receive low-water mark while a download streams: the
	// socket wakes its reader once this much has arrived, about one read
	// reply's worth, instead of at every 32 KiB SSH packet. Each wake-up
	// costs the reader a sleep and a switch; on the 2-core loopback VM a
	// 1 GiB download woke ferry 18,000-28,000 times at a mark of 1 byte,
	// 13,000-17,000 at 128 KiB and 10,000-11,000 here, and spent 2.0-2.2
	// CPU-seconds at 1 byte against 1.4-1.9 here.
	lowMark = 256 << 10
	// lowPatience is how long the mark may hold without a reply getting
	// through before it drops to one byte: the bytes a stream counts on may
	// not come (the file shrank, the server answered with an error), and a
	// reply smaller than the mark must not wait for bytes that never
	// arrive.
	lowPatience = 5 * time.Millisecond
)

// lowWater raises the socket's receive low-water mark while at least one
// download stream on the connection is sure that more than lowMark bytes
// are on their way, and lowers it to one byte otherwise.
//
// A stream is sure when it keeps its full window of reads in flight and
// waits for the first of them: the replies it has not consumed are then
// nearly all in the socket or still at the server, far more than
// lowMark. Near its end a stream stops being sure. What a stream cannot
// know — a short reply, an error status where data was asked for — is
// covered by patience: when no stream reports a reply for lowPatience
// the mark drops until the next one does.
type lowWater struct {
	set      func(int) // sets SO_RCVLOWAT
	patience time.Duration

	mu      sync.Mutex
	sure    int // streams that are sure now
	mark    int // the mark the socket has
	relax   *time.Timer
	relaxed int // how often patience ran out with the mark up
}

// newLowWater returns the low-water mark of raw, or nil where it cannot be
// set: a connection through a jump host, or a system without it.
func newLowWater(raw any) *lowWater {
	set := rcvLowatSetter(raw)
	if set == nil {
		return nil
	}
	return lowWaterWith(set)
}

// lowWaterWith returns a low-water mark that set applies, at one byte.
func lowWaterWith(set func(int)) *lowWater {
	w := &lowWater{set: set, mark: 1, patience: lowPatience}
	w.relax = time.AfterFunc(time.Hour, w.drop)
	w.relax.Stop()
	return w
}

// drop lowers the mark to one byte; a sure stream raises it again with its
// next reply.
func (w *lowWater) drop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.mark != 1 {
		w.mark = 1
		w.relaxed++
		w.set(1)
	}
}

// lowStream is one stream's say in its connection's mark.
type lowStream struct {
	w    *lowWater
	end  int64 // where the data is expected to end; -1 if unknown
	sure bool
}

// stream returns the say of a stream whose data is expected to end at end
// (the range's end, or the file's size), or -1 when that is not known.
func (w *lowWater) stream(end int64) *lowStream { return &lowStream{w: w, end: end} }

// report says, before the stream waits for each reply, whether it has its
// full window of reads in flight and whether next, the offset it would
// ask for next, is within the expected data: then replies far larger than
// the mark are on their way. Past the expected end they are mostly EOF
// statuses of a few bytes each.
func (s *lowStream) report(full bool, next int64) {
	if s == nil || s.w == nil {
		return
	}
	sure := full && s.end >= 0 && next <= s.end
	w := s.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if sure != s.sure {
		s.sure = sure
		if sure {
			w.sure++
		} else {
			w.sure--
		}
	}
	want := 1
	if w.sure > 0 {
		want = lowMark
		w.relax.Reset(w.patience)
	}
	if want != w.mark {
		w.mark = want
		w.set(want)
	}
}

// done withdraws the stream.
func (s *lowStream) done() { s.report(false, 0) }
