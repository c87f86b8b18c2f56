package sftp

import (
	"bytes"
	"io"
	"sync"
	"testing"
)

// FuzzBulkReplies feeds arbitrary server output to a bulk channel: the
// version, the open, then a stream of replies. Nothing may panic, hang or
// write more than was asked for, and what is written must be the data of
// replies in order.
func FuzzBulkReplies(f *testing.F) {
	pkt := packet
	good := append(pkt(fxpVersion, u32(3)), pkt(fxpHandle, u32(2), str([]byte("h")))...)
	good = append(good, pkt(fxpData, u32(3), str([]byte("hello")))...)
	good = append(good, pkt(fxpStatus, u32(4), u32(fxEOF), str(nil), str(nil))...)
	f.Add(good, uint16(100))
	f.Add(good[:20], uint16(3))
	f.Add(append(pkt(fxpVersion, u32(3)), pkt(fxpStatus, u32(2), u32(2), str([]byte("no")), str(nil))...), uint16(10))
	f.Add([]byte{0, 0, 0, 0}, uint16(1))
	f.Fuzz(func(t *testing.T, server []byte, end uint16) {
		b := newBulkConn(io.Discard, bytes.NewReader(server), func() error { return nil })
		if err := b.hello(); err != nil {
			return
		}
		handle, err := b.open("/f")
		if err != nil {
			return
		}
		if len(handle) > 256 {
			t.Fatalf("handle of %d bytes", len(handle))
		}
		var out bytes.Buffer
		pool := &sync.Pool{New: func() any { p := make([]byte, maxPacket); return &p }}
		res := b.stream(handle, 0, int64(end), &out, pool, nil)
		if res.written != int64(out.Len()) {
			t.Fatalf("reported %d bytes, wrote %d", res.written, out.Len())
		}
		if res.written > int64(end) {
			t.Fatalf("wrote %d bytes of a %d-byte range", res.written, end)
		}
		if res.done && !res.clean {
			t.Fatalf("done but not clean")
		}
	})
}
